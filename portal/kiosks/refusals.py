"""Why the kiosks said no: PINs, enrolment and check-in at the touch screen (raised as
``portal.refusals.Refused`` and shown with ``portal.refusals.show_on``)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # kiosk PINs (portal.kiosks.pins)
    "pin_format": _l("A PIN is exactly 6 digits."),
    "pin_mobile": _l("Do not use the end of your mobile number: others know it."),
    "pin_simple": _l("This PIN is too easy to guess, like 123456 or 111111. Choose another."),
    # enrolment (portal.kiosks.enrolment)
    "kiosk_revoked": _l("This kiosk was already taken out of use."),
    # check-in at a kiosk (portal.kiosks.checkin)
    "checkin_elsewhere": _l("This activity is not held here."),
    "checkin_not_today": _l("Check-in opens an hour before the activity starts."),
    "checkin_over": _l("This activity is over."),
    "checkin_not_signed_up": _l("You have not signed up for this activity. Ask the organiser."),
    "checkin_cancelled": _l("This activity was cancelled."),
})
