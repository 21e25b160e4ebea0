"""What the service map's rules say when they say no (see ``portal.refusals``)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    "spot_too_far": _l(
        "This spot is %(km)d km from %(place)s. Check the numbers: latitude first (about "
        "%(lat).1f here), then longitude (about %(lon).1f)."),
    "checked_in_future": _l("That date has not come yet."),
    "exception_day_passed": _l("That date has passed."),
    "exception_day_too_far": _l("Choose a date within the next two years."),
})
