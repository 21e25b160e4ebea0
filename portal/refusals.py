"""Why the portal said no: one exception for every rule of every domain, and one way to show it.

A rule (a plain function in a domain module) raises ``Refused("reason", field="hours")``; the
view catches it and calls ``show_on(form, refused)``, which puts the plain words beside the
field the refusal names (or the form's first field when the form has no such field), and
answers 422 with what was typed still there. Permission failures are not refusals: they are
403 before any work (``portal.accounts.permissions.load`` and ``require``).

Each domain keeps its words in one table and hands it to ``messages`` once, at import::

    MESSAGES = messages({"insufficient": _l("You do not have enough hours for this.")})
"""

_MESSAGES = {}


def messages(table):
    """Add a domain's {reason: lazy message} table; a reason means one thing portal-wide."""
    clash = {reason for reason in table
             if reason in _MESSAGES and _MESSAGES[reason] is not table[reason]}
    if clash:
        raise ValueError(f"refusal reasons already mean something else: {sorted(clash)}")
    _MESSAGES.update(table)
    return table


class Refused(Exception):
    """An action the rules do not allow.

    ``reason`` is a key of a domain's message table, ``field`` names the form field the
    refusal is about (None: the form as a whole), ``details`` fill the message's placeholders.
    """

    def __init__(self, reason, field=None, **details):
        if reason not in _MESSAGES:
            raise KeyError(f"no message for refusal {reason!r}")
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.details = details

    @property
    def message(self):
        """The words for the user, in their language: plain text, escaped where it is shown."""
        text = str(_MESSAGES[self.reason])
        return text % self.details if self.details else text

    def __str__(self):
        return self.reason


def show_on(form, refused, field=None):
    """Put ``refused``'s words beside the field it names (else ``field``, else the form's first
    field that is shown), so the page can be answered again with 422 and nothing lost."""
    names = [refused.field, field]
    target = next((form[name] for name in names if name and name in form), None)
    if target is None:
        target = next(f for f in form if f.type not in ("CSRFTokenField", "HiddenField"))
    target.errors = [*target.errors, refused.message]
    return refused
