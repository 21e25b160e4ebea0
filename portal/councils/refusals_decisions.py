"""Why the councils said no: decisions (words registered in portal.councils.refusals)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    "decision_not_yours": _l("Only a community worker over this council's place or its "
                             "convener may do this."),
    "decision_worker_only": _l("The Party organization's proposal is recorded by a community "
                               "worker."),
    "decision_title_needed": _l("Give the decision a title."),
    "decision_text_needed": _l("Write it down: this text is published."),
    "decision_text_too_long": _l("At most %(limit)d characters."),
    "decision_needs_source": _l("Say what was collected (征): a request this council took up, "
                                "the results of an opinion collection, or both."),
    "decision_request_not_here": _l("That request is not a minor matter taken up by this "
                                    "council."),
    "decision_collection_not_here": _l("That opinion collection is not of this council's "
                                       "place."),
    "decision_collection_open": _l("That opinion collection is still open: use it once it has "
                                   "closed."),
    "decision_step_done": _l("This step is already recorded."),
    "decision_needs_proposal": _l("First the Party organization's proposal (党组织提议) must "
                                  "be recorded."),
    "decision_motion_not_here": _l("Choose a motion this council passed at one of its meetings "
                                   "after the proposal."),
    "decision_needs_deliberation": _l("First the council's deliberation (议事会商议) must be "
                                      "recorded."),
    "decision_votes_bad": _l("Write each count as a whole number, 0 or more."),
    "decision_not_carried": _l("The resolution was not carried (%(for)d for, %(against)d "
                               "against): this decision stops here."),
    "decision_needs_resolution": _l("First the residents' resolution (居民（代表）会议决议) "
                                    "must be recorded."),
    "decision_window_short": _l("It must be public for at least %(days)d days."),
    "decision_needs_publication": _l("First the decision must be made public (决议公开)."),
    "decision_publication_withdrawn": _l("The decision's publicity was withdrawn: make it "
                                         "public again first."),
    "decision_window_not_over": _l("The decision's publicity period is not over yet: it can "
                                   "be carried out once it has ended."),
    "decision_objections_open": _l("%(count)d objections or questions about the decision are "
                                   "not answered yet: answer them first."),
    "decision_needs_carrying_out": _l("First record that the decision is carried out "
                                      "(实施)."),
    "decision_cost_bad": _l("Write the cost in yuan, like 3200 or 3,200.50."),
})
