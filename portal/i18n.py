"""Translated strings that are safe to put in a page.

Flask-Babel's lazy strings tell Jinja they are markup already (their ``__html__`` returns the
text unescaped), so a value interpolated into one — a query parameter, a name someone typed —
reached the page as HTML. The portal's lazy strings are text: Jinja escapes them, values
included. No translation contains markup; a message that needs a link builds it in the template.
"""

from flask import g, has_app_context, request
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString  # noqa: TID251  (the one subclass)
from markupsafe import escape

from portal.config import LOCALES


class LazyText(LazyString):
    """A string translated when it is used, escaped like any other text when rendered."""

    def __html__(self):
        return str(escape(str(self)))


def lazy_gettext(string, **variables):
    """Like Flask-Babel's ``lazy_gettext``, but the result is text, never markup."""
    return LazyText(_gettext, string, **variables)


def lazy_ngettext(singular, plural, num, **variables):
    return LazyText(_ngettext, singular, plural, num, **variables)


def _translations():
    """This request's catalogue, found once per request and locale. Flask-Babel finds it
    anew for every string (a dozen context lookups each, ~100 strings a page); keyed by the
    locale object, so ``force_locale`` still switches it."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    found = g.get("_linli_translations")
    if found is None or found[0] is not locale:
        found = g._linli_translations = (locale, get_translations())
    return found[1]


def install_template_gettext(app):
    """Templates' ``_``/``gettext``/``ngettext`` through the catalogue found once."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)


def _gettext(string, **variables):
    # Flask-Babel's ``gettext`` with the catalogue found once (see ``_translations``).
    text = _translations().ugettext(string)
    return text % variables if variables else text


def _ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def locale_asked(default):
    """The language this browser asks for without an account: the language cookie, then
    the browser's own languages, else ``default``."""
    if request.cookies.get("lang") in LOCALES:
        return request.cookies["lang"]
    for language, _quality in request.accept_languages:
        if language.lower().startswith("zh"):
            return "zh_Hans"
        if language.lower().startswith("en"):
            return "en"
    return default
