"""Why publicity said no: the words for each refusal of portal.publicity's rules (also used
by the domains that publish, e.g. withdrawing a courtyard notice)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    "withdrawal_reason_needed": _l("Say why it is withdrawn, so residents understand."),
    "window_order": _l("The publicity period must end after it starts."),
    "window_too_short": _l("The publicity period must last at least %(days)d days."),
    "answer_days_too_few": _l("Allow at least one day for answers."),
    "publication_title_needed": _l("Give the publicity a title."),
    "publication_title_too_long": _l("At most %(limit)d characters."),
    "already_withdrawn": _l("This publicity was already withdrawn."),
    "publication_withdrawn": _l("This publicity was withdrawn, so nothing more can be "
                                "raised."),
    "window_not_open": _l("The publicity period has not started yet."),
    "window_over": _l("The publicity period is over, so nothing more can be raised."),
    "objection_kind_unknown": _l("Choose an objection or a question."),
    "objection_body_needed": _l("Write your objection or question."),
    "objection_answer_needed": _l("Write the answer."),
    "publicity_text_too_long": _l("At most %(limit)d characters."),
    "already_answered": _l("This was already answered."),
    "publicity_not_resident": _l("Only residents of this place can raise objections here."),
    "publicity_not_yours": _l("Only the poster or a community worker can do this."),
})
