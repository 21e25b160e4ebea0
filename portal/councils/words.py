"""The words people read for the keys the councils store: categories, classes, states,
outcomes, positions, and what each step on a timeline says."""

from portal.i18n import lazy_gettext as _l

CATEGORY_LABELS = {
    "environment": _l("Environment and cleanliness"),  # 环境卫生
    "transport": _l("Getting around"),  # 交通出行
    "safety": _l("Safety and security"),  # 治安安全
    "amenities": _l("Everyday services"),  # 生活配套
    "neighbours": _l("Neighbour disputes"),  # 邻里纠纷
    "other": _l("Other"),  # 其他
}
CLASS_LABELS = {
    "major": _l("Major matter (to government)"),  # 大事
    "minor": _l("Minor matter (for the community)"),  # 小事
    "private": _l("Private matter (guidance)"),  # 私事
}
CLASS_SHORT = {"major": _l("Major"), "minor": _l("Minor"), "private": _l("Private")}
STATE_LABELS = {
    "submitted": _l("Waiting to be sorted"),
    "referred": _l("Referred to a department"),
    "replied": _l("Department replied"),
    "with_council": _l("With the council"),
    "on_agenda": _l("On a meeting's agenda"),
    "deliberated": _l("Discussed by the council"),
    "resolved": _l("Decided"),
    "carrying_out": _l("Being carried out"),
    "guided": _l("Guidance given"),
    "closed": _l("Concluded"),  # 已办结: "Closed" is a service point's 已关门
    "followed_up": _l("Followed up"),
}
OUTCOME_LABELS = {
    "done": _l("Done"),
    "partly_done": _l("Partly done"),
    "not_possible": _l("Not possible"),
    "duplicate": _l("Same as another request"),
    "withdrawn": _l("Withdrawn"),
}
POSITION_LABELS = {
    "convener": _l("Convener"),  # 召集人
    "deputy": _l("Deputy convener"),  # 副召集人
    "recorder": _l("Recorder"),  # 记录员
    "member": _l("Member"),  # 成员
}
REPRESENTS_LABELS = {"residents": _l("Residents"), "organization": _l("Organization")}
MEETING_STATE_LABELS = {
    "called": _l("Called"),
    "open": _l("In session"),
    "closed": _l("Meeting ended"),
    "cancelled": _l("Cancelled"),
}
ATTENDANCE_LABELS = {"present": _l("Present"), "absent": _l("Absent"),
                     "leave": _l("On leave")}
CHOICE_LABELS = {"for": _l("For"), "against": _l("Against"), "abstain": _l("Abstain")}
SATISFACTION_LABELS = {"yes": _l("Yes, solved"), "partly": _l("Partly"),
                       "no": _l("No, not solved")}
# What a step on the timeline says happened.
ACTION_LABELS = {
    "submit": _l("Request made"),
    "record": _l("Written down for a neighbour"),
    "refer": _l("Sorted as a major matter and referred"),
    "to_council": _l("Sorted as a minor matter and put to the council"),
    "guide": _l("Sorted as a private matter; guidance given"),
    "retriage": _l("Sorted again"),
    "reply": _l("The department replied"),
    "put_on_agenda": _l("Put on a meeting's agenda"),
    "take_off_agenda": _l("Taken off a meeting's agenda"),
    "deliberate": _l("Discussed at the council's meeting"),
    "resolve": _l("Decided"),
    "carry_out": _l("Being carried out"),
    "close": _l("Concluded"),
    "mark_duplicate": _l("Closed as the same as another request"),
    "duplicate_joined": _l("Another request was joined to this one"),
    "withdraw": _l("Withdrawn"),
    "follow_up": _l("Followed up"),
    "reopen": _l("Reopened: not solved"),
    "decision_step": _l("A step of the decision"),
    "note": _l("Note"),
}
