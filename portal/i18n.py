"""Translated strings that are safe to put in a page.

Flask-Babel's lazy strings tell Jinja they are markup already (their ``__html__`` returns the
text unescaped), so a value interpolated into one — a query parameter, a name someone typed —
reached the page as HTML. The portal's lazy strings are text: Jinja escapes them, values
included. No translation contains markup; a message that needs a link builds it in the template.
"""

from flask_babel import gettext, ngettext
from flask_babel.speaklater import LazyString  # noqa: TID251  (the one subclass)
from markupsafe import escape


class LazyText(LazyString):
    """A string translated when it is used, escaped like any other text when rendered."""

    def __html__(self):
        return str(escape(str(self)))


def lazy_gettext(string, **variables):
    """Like Flask-Babel's ``lazy_gettext``, but the result is text, never markup."""
    return LazyText(gettext, string, **variables)


def lazy_ngettext(singular, plural, num, **variables):
    return LazyText(ngettext, singular, plural, num, **variables)
