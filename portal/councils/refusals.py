"""Why the councils said no: the plain words for each refusal of their rules (raised as
``portal.refusals.Refused``)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    "move_not_allowed": _l("This cannot be done to the request now."),
})
