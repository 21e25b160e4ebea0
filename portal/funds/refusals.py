"""Why the community funds said no: the one table of their words."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    "fund_amount_bad": _l("Write an amount of at least 0.01 yuan, like 200 or 1,200.50."),
    "fund_insufficient": _l("The fund holds only %(balance)s yuan: it cannot pay out more "
                            "than that."),
    "fund_same_account": _l("Money cannot be moved to the account it comes from."),
    "fund_spent": _l("That money has already been paid out of the fund, so it cannot be "
                     "taken back: reverse the payment first."),
    "fund_reversal_of_reversal": _l("A reversal cannot itself be reversed."),
    "fund_not_community": _l("A fund is set up for a community."),
    "fund_name_needed": _l("Give the fund a name."),
    "fund_match_bad": _l("The matching share is a whole percentage from 0 to 300."),
    "fund_donor_needed": _l("Write who gave it: the workers keep the name even when the "
                            "public does not see it."),
    "fund_donor_unknown": _l("No resident has that mobile number: leave it empty, or check "
                             "the number."),
    "fund_source_bad": _l("Choose where the grant comes from."),
    "fund_project_elsewhere": _l("That project is not in this fund's community."),
    "fund_project_cancelled": _l("That project was cancelled: nothing is paid to it."),
    "fund_text_too_long": _l("At most %(limit)d characters."),
    "fund_reason_needed": _l("Say why the entry is reversed: the reason is published."),
})
