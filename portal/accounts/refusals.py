"""Why the accounts said no: the plain words for each refusal of their rules (raised as
``portal.refusals.Refused`` and shown with ``portal.refusals.show_on``)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # granting and revoking roles (portal.accounts.roles)
    "role_outside_scope": _l("You cannot give this role here."),
    "own_roles": _l("You cannot change your own roles. Ask another worker."),
    "role_already_held": _l("This person already has this role here."),
})
