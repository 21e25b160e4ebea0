"""Why the councils said no: councils, members and meetings (words registered in
portal.councils.refusals)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # --- councils and members (portal.councils.bodies) ---
    "council_not_yours": _l("Only the community's workers and the council's convener can "
                            "do this."),
    "council_place_kind": _l("A council is set up for a building, a courtyard, a residents' "
                             "group or a community."),
    "council_exists": _l("This place already has a council."),
    "council_name_missing": _l("Give the council a name."),
    "council_text_too_long": _l("At most %(max)d characters."),
    "member_not_resident": _l("This person does not live in the council's place."),
    "member_not_staff": _l("This person is not on the staff of the organization chosen."),
    "member_organization_missing": _l("Choose the organization this member represents."),
    "member_bad_choice": _l("Choose one of the options listed."),
    "member_term_order": _l("The term must end after it starts."),
    "member_already_seated": _l("This person already has a seat on this council for these "
                                "days."),
    "member_position_taken": _l("The council already has a %(position)s for these days: "
                                "end their term first."),
    "member_term_end_early": _l("The term cannot end before it started."),
    "member_term_end_late": _l("The term already ends by then."),
    # --- meetings (portal.councils.meetings) ---
    "meeting_not_yours": _l("Only the community's workers and the council's convener can "
                            "do this."),
    "meeting_not_recorder": _l("Only the council's recorder, its convener or a community "
                               "worker can record this."),
    "meeting_title_missing": _l("Give the meeting a title."),
    "meeting_in_past": _l("The meeting must start later than now."),
    "meeting_length": _l("A meeting lasts from %(least)d to %(most)d minutes."),
    "meeting_place_missing": _l("Choose a service point or write where the meeting is."),
    "meeting_point_elsewhere": _l("Choose one of the service points listed."),
    "agenda_not_waiting": _l("This request is no longer waiting for this council."),
    "agenda_collection_elsewhere": _l("This collection is not of the council's place."),
    "agenda_item_minutes": _l("An item takes from 1 to %(most)d minutes."),
    "agenda_too_long": _l("At most %(most)d items on one agenda."),
    "meeting_not_called": _l("Only a meeting that has not started can be changed."),
    "meeting_reason_missing": _l("Say why the meeting is cancelled."),
    "meeting_too_early": _l("The meeting can be opened on its day, not before."),
    "meeting_not_open": _l("The meeting is not in session."),
    "attendance_not_member": _l("This person is not a member of the council now."),
    "attendance_bad_status": _l("Choose present, absent or on leave."),
    "attendance_has_voted": _l("This member has voted on an open motion: close it first."),
    "no_quorum": _l("Fewer than the quorum are present: no motion can be voted on."),
    "motion_text_missing": _l("Write the motion."),
    "motion_item_elsewhere": _l("Choose one of the agenda items listed."),
    "motion_closed": _l("The vote on this motion is closed."),
    "vote_not_present": _l("Only members marked present can vote."),
    "vote_bad_choice": _l("Choose for, against or abstain."),
    "vote_already": _l("This member's vote is already recorded."),
    "minutes_missing": _l("Write the minutes first."),
    "minutes_approved": _l("The minutes are approved and can no longer be changed."),
    "minutes_not_approved": _l("The minutes must be approved before the meeting is closed."),
    "minutes_not_approver": _l("The council's convener approves the minutes."),
    "attendance_incomplete": _l("Record the attendance of every member first "
                                "(%(missing)d still to record)."),
    "motions_still_open": _l("Close the vote on every motion first."),
})
