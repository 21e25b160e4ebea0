"""Why the councils said no: requests (words registered in portal.councils.refusals)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # submitting (portal.councils.requests)
    "request_body_missing": _l("Write what is wrong, in your own words."),
    "request_body_too_long": _l("That is too long: at most %(max)d characters. Say the main "
                                "thing; the worker will ask for more."),
    "request_title_too_long": _l("The title is too long: at most %(max)d characters."),
    "request_category_unknown": _l("Choose what it is about."),
    "request_not_a_courtyard": _l("Choose a courtyard."),
    "request_other_community": _l("You can raise a matter only in your own community. Ask "
                                  "that community's hotline."),
    "request_building_elsewhere": _l("That building is not in this courtyard."),
    "request_neighbour_unknown": _l("Nobody is registered with this number. Register them "
                                    "first at the service desk."),
    "request_not_your_neighbour": _l("This neighbour does not live in a courtyard you lead."),
    # 我也遇到
    "support_not_open": _l("This request is closed; it cannot be joined any more."),
    "support_not_public": _l("This request is not public."),
    "support_own_request": _l("This is your own request."),
    "support_not_neighbour": _l("Only residents of this community can say they have the "
                                "same problem."),
    # 问题解决了吗？ (portal.councils.satisfaction)
    "satisfaction_not_asked": _l("This question is not being asked now."),
    "satisfaction_not_yours": _l("Only the person who raised it and neighbours who had the "
                                 "same problem are asked."),
    "satisfaction_already": _l("You have already answered. Thank you."),
    "satisfaction_unknown_answer": _l("Choose yes, partly or no."),
    "satisfaction_words_too_long": _l("At most %(max)d characters."),
})
