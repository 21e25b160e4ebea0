"""Why the organizations registry said no: the plain words for each refusal of its rules
(raised as ``portal.refusals.Refused``)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # --- the 统一社会信用代码 ---
    "credit_code_length": _l("A unified social credit code has 18 characters; this one has "
                             "%(count)d."),
    "credit_code_character": _l("Character %(position)d, “%(character)s”, cannot be in a "
                                "unified social credit code: it uses the digits and the "
                                "capital letters except I, O, S, V and Z."),
    "credit_code_prefix": _l("A unified social credit code cannot start with “%(prefix)s”. "
                             "Organizations registered with civil affairs start with 51, 52 "
                             "or 53; companies with 91."),
    "credit_code_region": _l("Characters 3 to 8 are the registering office's region code, "
                             "six digits; “%(region)s” is not."),
    "credit_code_organization": _l("The organization code inside it (characters 9 to 17, "
                                   "%(organization_code)s) does not add up: check those "
                                   "characters against the certificate."),
    "credit_code_check": _l("The last character does not match the others: one of the 18 "
                            "characters is mistyped. Check it against the certificate."),
    # --- the registry ---
    "org_not_yours": _l("Only the community's workers can do this for this organization."),
    "org_place": _l("Organizations are registered in a community or a sub-district."),
    "org_name_missing": _l("Write the organization's name."),
    "org_name_taken": _l("“%(name)s” is already registered in this sub-district."),
    "org_kind": _l("Choose one of the kinds listed."),
    "org_status": _l("Choose one of the statuses listed."),
    "org_code_needed": _l("A registered organization has a unified social credit code: "
                          "write it as on its certificate."),
    "org_code_not_yet": _l("Only an organization registered with civil affairs has a unified "
                           "social credit code. Leave it empty, or choose “registered”."),
    "org_code_taken": _l("Another organization already has this unified social credit code."),
    "org_code_kind": _l("A %(kind)s's code starts with %(prefix)s; this one starts with "
                        "%(given)s."),
    "org_kind_unregistered": _l("A %(kind)s is filed with the sub-district, not registered. "
                                "Choose the kind it was registered as."),
    "org_community_elsewhere": _l("Choose communities of this sub-district."),
    "org_area": _l("Choose service areas from the list."),
    "org_day_future": _l("The day cannot be in the future."),
    "org_not_incubating": _l("Only an organization still being incubated can be filed."),
    "org_already_registered": _l("This organization is already registered."),
    "org_suspended": _l("This organization is suspended. Restore it first."),
    "org_already_suspended": _l("This organization is already suspended."),
    "org_not_suspended": _l("This organization is not suspended."),
    "org_reason_needed": _l("Say why the organization is suspended."),
    "org_text_too_long": _l("At most %(max)d characters."),
    # --- incubation ---
    "stage_unknown": _l("Choose one of the stages listed."),
    "stage_out_of_order": _l("Record “%(missing)s” first: the stages are reached in order."),
    "stage_recorded": _l("This stage is already recorded."),
    "stage_before_previous": _l("This stage cannot be reached before the previous one "
                                "(%(day)s)."),
    "stage_needs_filing": _l("File the organization first; then record this stage."),
    "stage_needs_registration": _l("Register the organization first; then record this "
                                   "stage."),
    "mentor_itself": _l("An organization cannot mentor itself."),
    "mentor_unregistered": _l("A mentor is a registered organization."),
})
