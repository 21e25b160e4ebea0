"""The funds' words for their keys: grant sources, kinds of movement."""

from portal.i18n import lazy_gettext as _l

GRANT_SOURCE_LABELS = {
    "street": _l("The street office (街道)"),
    "foundation": _l("A foundation"),
    "other": _l("Another body"),
}

MOVEMENT_LABELS = {
    "donation": _l("Donation"),
    "grant": _l("Grant"),
    "disbursement": _l("Paid to a project"),
    "reversal": _l("Reversal"),
}
