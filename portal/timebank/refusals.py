"""Why the time bank said no: the plain words for each of its rules' refusals (raised as
``portal.refusals.Refused``)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # the ledger
    "insufficient": _l("You do not have enough hours for this."),
    "same_account": _l("Hours cannot be moved to the same account."),
    "over_cap": _l("That would take them over the %(cap)d-hour limit an account may hold."),
    "reversal_of_reversal": _l("A reversal cannot itself be reversed."),
    "spent": _l("These hours have already been spent, so they cannot be taken back."),
    # joining and activities
    "not_volunteer": _l("Join the time bank as a volunteer first."),
    "activity_full": _l("Sorry, this activity is full."),
    "activity_over": _l("This activity has already ended."),
    "activity_cancelled": _l("This activity was cancelled."),
    "not_signed_up": _l("You are not signed up for this activity."),
    "no_place": _l("Choose your courtyard in your profile first."),
    "point_elsewhere": _l("That service point is in another community."),
    "organiser_elsewhere": _l("This organiser cannot hold activities at that place."),
    # logging hours
    "future_date": _l("The date cannot be in the future."),
    "too_old": _l("Hours can be logged for the last %(days)d days only."),
    "outside_activity": _l("Choose a day of the activity (%(first)s to %(last)s)."),
    "before_activity": _l("This activity has not started yet."),
    "already_logged": _l("You have already logged hours for this activity on that day."),
    "too_many_minutes": _l("At most 12 hours can be logged at once."),
    "no_minutes": _l("Choose how long you helped."),
    "unknown_neighbour": _l("No one is registered with this number."),
    "self_neighbour": _l("Enter the number of the neighbour you helped, not your own."),
    "neighbour_day_cap": _l("Help to neighbours can be logged for at most %(hours)d hours a "
                            "day. For longer help, ask your community worker about an "
                            "activity."),
    "neighbour_pair_cap": _l("Help to the same neighbour can be logged for at most %(hours)d "
                             "hours a month. For more, ask your community worker about an "
                             "activity."),
    # deciding
    "own_log": _l("You cannot approve your own hours. Someone else must do it."),
    "not_yours_to_decide": _l("You cannot approve hours for this activity or community."),
    "already_decided": _l("This record was already decided."),
    "reason_needed": _l("Say why, so the volunteer understands."),
    "neighbour_cap": _l("This is more time than a neighbour can approve alone. A worker of "
                        "the community will check it."),
    "already_reviewed": _l("A worker has already checked this record."),
    # gifts, grants, spending
    "gift_to_self": _l("You cannot give hours to yourself."),
    "unknown_mobile": _l("No one is registered with this number."),
    "not_eligible": _l("Spending hours on services is for people the community has marked "
                       "as eligible (for example aged 60 or over). Ask your community worker."),
    # rewards
    "out_of_stock": _l("Sorry, this reward has run out."),
    "reward_closed": _l("This reward is no longer offered."),
    "already_handed_over": _l("This reward was already handed over."),
    # help requests
    "help_not_open": _l("Someone has already offered to help with this."),
    "own_help": _l("You cannot take your own request."),
    "help_not_taken": _l("No volunteer has taken this request yet."),
    "help_elsewhere": _l("Only volunteers of %(community)s can take this request."),
    "help_not_accepted": _l("The resident has not accepted the volunteer's offer yet."),
    "not_part_of_help": _l("Only the resident and the volunteer can confirm this."),
    "help_closed": _l("This request is closed."),
    "requester_short": _l("The resident does not have enough hours to pay for this help yet."),
    # certificates and corrections
    "no_records": _l("There are no approved records from this organiser yet."),
    "correction_open": _l("A correction for this record is already waiting for an answer."),
    "not_correctable": _l("Only approved records can be corrected."),
    "same_minutes": _l("That is the time already recorded."),
})

