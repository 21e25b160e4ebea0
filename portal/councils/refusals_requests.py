"""Why the councils said no: requests (words registered in portal.councils.refusals)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
})
