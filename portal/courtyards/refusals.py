"""Why the courtyards said no: the plain words for each refusal of their rules (raised as
``portal.refusals.Refused``)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # --- households, notices, agreements, the courtyard page ---
    "no_courtyard": _l("Choose your courtyard in your profile first."),
    # --- end of households, notices ---

    # --- collections and conventions ---
    "collection_closed": _l("This collection is closed."),
    # --- end of collections and conventions ---
})
