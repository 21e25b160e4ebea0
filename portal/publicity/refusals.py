"""Why publicity said no: the words for each refusal of portal.publicity's rules."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    "window_order": _l("The publicity period must end after it starts."),
})
