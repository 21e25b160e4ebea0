"""Why the councils said no: the plain words for each refusal of their rules (raised as
``portal.refusals.Refused``). One table per part of the domain, each registered once."""

from portal.councils import (  # noqa: F401  (each registers its table)
    refusals_decisions,
    refusals_meetings,
    refusals_requests,
    refusals_triage,
)
from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # The state machine (portal.councils.states)
    "move_not_allowed": _l("This cannot be done to the request now."),
})
