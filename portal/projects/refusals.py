"""Why the projects' rules said no: the plain words for each refusal (raised as
``portal.refusals.Refused``), registered once."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # projects (portal.projects.projects)
    "project_worker_only": _l("Only a community worker over this place may do this."),
    "project_place_bad": _l("A project is for a courtyard or a community."),
    "project_text_needed": _l("Write this down: it is shown to the residents."),
    "project_text_too_long": _l("At most %(limit)d characters."),
    "project_amount_bad": _l("Write an amount in yuan, 0 or more, like 36,000.00."),
    "project_needs_origin": _l("Say where the project comes from: a council's published "
                               "decision, or a note on the community plan."),
    "project_decision_not_here": _l("Choose a decision of this place that has been made "
                                    "public."),
    "project_fund_not_here": _l("Choose a fund of this place."),
    "project_stage_wrong": _l("This cannot be done at the project's present stage."),
    "project_not_contracted": _l("Only the staff of the organization the project is "
                                 "contracted to may report its progress."),
    "project_percent_bad": _l("Write the progress as a whole number from 0 to 100."),
    "project_task_not_here": _l("Choose a task of this project."),
    "project_payment_over": _l("The payments would come to %(total)s yuan, more than the "
                               "contract's %(contract)s yuan."),
    "project_payment_over_line": _l("Paid out of %(fund)s, the payments would come to "
                                    "%(total)s yuan, more than the %(line)s yuan its funding "
                                    "line puts into the project."),
    "project_checklist_needed": _l("Write at least one line of the checklist."),
    "project_checklist_failed": _l("Every line of the checklist must pass before the project "
                                   "is accepted."),
    "project_window_short": _l("It must be public for at least %(days)d days."),
    "project_result_done": _l("The result is already public."),
    "project_not_resident": _l("Only residents of this place answer this question."),
    "project_answer_unknown": _l("Choose yes, partly or no."),
    "project_already_answered": _l("You have already answered. Thank you."),
    # calls for bids (portal.projects.calls)
    "call_exists": _l("This project already has a call for bids."),
    "call_deadline_past": _l("The deadline must be in the future."),
    "call_eligibility_needed": _l("Choose at least one kind and one status of organization "
                                  "that may bid."),
    "call_criteria_bad": _l("Give 1 to 6 criteria, each with a name and a whole-number "
                            "weight; the weights must add up to 100 (now %(total)d)."),
    "call_panel_small": _l("The review panel needs at least %(least)d members."),
    "call_panel_unknown": _l("No one is registered with the number %(mobile)s."),
    "call_panel_not_here": _l("%(name)s is neither a resident of this community nor one of "
                              "its workers."),
    "bid_not_staff": _l("Only the staff of the organization may bid for it."),
    "bid_not_eligible": _l("This organization may not bid for this call."),
    "bid_closed": _l("The deadline for bids has passed."),
    "call_cancelled": _l("The project was cancelled, and its call with it."),
    "bid_twice": _l("This organization has already bid; change that bid instead."),
    "score_not_member": _l("Only members of the review panel score bids."),
    "score_too_early": _l("Bids are scored after the deadline."),
    "score_bad": _l("Give each criterion a whole number from 0 to 10."),
    "score_twice": _l("You have already scored this bid."),
    "score_own_bid": _l("You are staff of this bidder: you may not score its bid."),
    "score_submitted": _l("Your scores are already submitted."),
    "score_unfinished": _l("Score every bid before you submit (%(left)d left)."),
    "declare_first": _l("You are staff of %(name)s, which bid for this call: declare it "
                        "before you submit."),
    "declare_not_bidder": _l("That organization has not bid for this call."),
    "declare_not_staff": _l("You are not staff of that organization."),
    "award_worker_only": _l("Only a community worker over the project's place awards the "
                            "call."),
    "award_too_early": _l("The call can be awarded once the deadline has passed."),
    "award_not_scored": _l("Every panel member must submit their scores first (%(left)d "
                           "have not)."),
    "award_no_quorum": _l("At least %(least)d panel members must have submitted their "
                          "scores."),
    "award_reason_needed": _l("Say why this bid is chosen over the one ranked first."),
    "award_done": _l("The call is already awarded."),
    "contract_not_awarded": _l("The call must be awarded before the contract is signed."),
    "contract_window_open": _l("The result's publicity period is not over yet."),
    "contract_objections_open": _l("%(count)d objections or questions are not answered yet: "
                                   "answer them first."),
    "contract_manager_bad": _l("The project manager must be staff of the winning "
                               "organization."),
})
