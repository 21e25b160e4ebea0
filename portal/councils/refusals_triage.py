"""Why the councils said no: triage 三事分流, departments and reply templates (words
registered in portal.councils.refusals)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # Who sorts (portal.councils.triage)
    "triage_not_yours": _l("Only the community's workers and the council's conveners sort "
                           "this request."),
    "triage_text_missing": _l("Write the words the residents will read."),
    "triage_text_too_long": _l("Write at most %(most)d characters."),
    "triage_department_unknown": _l("Choose one of the district's departments."),
    "triage_due_past": _l("The day to answer by cannot be in the past."),
    "triage_council_unknown": _l("Choose one of the councils over this request's place."),
    "triage_point_far": _l("Choose service points of this district."),
    "triage_outcome_unknown": _l("Choose how the request ends."),
    "triage_done_too_soon": _l("A request can be closed as done only after a department "
                               "replied, guidance was given or the council decided."),
    "triage_reason_missing": _l("Say why it is not possible: the residents will read it."),
    "withdraw_not_yours": _l("Only the resident who made the request can withdraw it."),
    "duplicate_not_found": _l("There is no open request with this number in the community."),
    "duplicate_of_itself": _l("A request cannot be the same as itself."),
    "duplicate_loop": _l("That request was itself joined to this one; choose another."),
    # Departments (portal.councils.departments)
    "department_not_yours": _l("Only the district's community workers keep its departments."),
    "department_name_missing": _l("Write the department's name."),
    "department_name_too_long": _l("Write at most %(most)d characters."),
    "department_name_taken": _l("The district already has a department of this name."),
    # Reply templates
    "template_not_yours": _l("Only the community's workers keep its reply templates."),
    "template_title_missing": _l("Give the template a short title."),
    "template_class_unknown": _l("Choose the class of request the template is for."),
})
