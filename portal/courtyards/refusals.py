"""Why the courtyards said no: the plain words for each refusal of their rules (raised as
``portal.refusals.Refused``)."""

from portal.i18n import lazy_gettext as _l
from portal.refusals import messages

MESSAGES = messages({
    # --- households, notices, agreements, the courtyard page ---
    "no_courtyard": _l("Choose your courtyard in your profile first."),
    "household_elsewhere": _l("A household can only be recorded in your own courtyard."),
    "building_elsewhere": _l("Choose one of the buildings of this courtyard."),
    "room_needed": _l("Write the room number, like 401."),
    "text_too_long": _l("At most %(max)d characters."),
    "not_a_courtyard": _l("Choose a courtyard."),
    "notice_place": _l("Notices are posted in a courtyard or for a whole community."),
    "not_yours_to_post": _l("Only the courtyard's leaders and the community's workers can "
                            "post here."),
    "notice_empty": _l("Write a title and the text of the notice."),
    "pin_past": _l("The pinned-until day cannot be in the past."),
    "notice_withdrawn": _l("This notice was already withdrawn."),
    "signed_in_future": _l("The day it was signed cannot be in the future."),
    # --- end of households, notices ---

    # --- collections and conventions ---
    "collection_closed": _l("This collection is closed."),
    "collection_not_open": _l("This collection has not opened yet."),
    "collection_not_resident": _l("Only residents of this place may answer this collection."),
    "collection_no_household": _l("This collection takes one answer per household. Record "
                                  "your household on your profile first."),
    "collection_not_an_option": _l("Choose one of the options listed."),
    "one_option_only": _l("Choose only one option for this question."),
    "collection_text_too_long": _l("At most %(max)d characters."),
    "choose_an_answer": _l("Choose an answer to this question."),
    "empty_answer": _l("Write your answer."),
    "collection_title_missing": _l("Give the collection a title."),
    "no_questions": _l("Write at least one question."),
    "too_many_questions": _l("At most %(most)d questions."),
    "question_text_missing": _l("Write the question."),
    "question_too_long": _l("A question may have at most %(most)d characters."),
    "no_options": _l("Write the options, one per line, or let people write their own "
                     "answer."),
    "too_few_options": _l("Write at least two options, one per line."),
    "too_many_options": _l("At most %(most)d options for a question."),
    "option_too_long": _l("An option may have at most %(most)d characters."),
    "duplicate_option": _l("The option “%(label)s” is written twice."),
    "collection_window_order": _l("The last day must not be before the first day."),
    "closes_in_past": _l("The last day has already passed."),
    "answers_exist": _l("People have already answered, so the questions and options can no "
                        "longer be changed."),
    "collection_not_yours": _l("Only the courtyard's leaders and the community's workers may "
                               "do this here."),
    "paper_not_your_resident": _l("This person is not a resident of a courtyard you look "
                                  "after."),
    "convention_text_missing": _l("Write the text of the convention."),
    "convention_too_long": _l("At most %(max)d characters."),
    "convention_consulting": _l("A version is being put to the residents; wait for the "
                                "result."),
    "convention_not_draft": _l("Only a draft can be put to the residents."),
    "convention_not_consulting": _l("This version is not waiting for a decision."),
    "collection_still_open": _l("The residents are still answering; decide after the "
                                "collection closes."),
    "effective_on_missing": _l("Enter the date it takes effect."),
    # --- end of collections and conventions ---
})
