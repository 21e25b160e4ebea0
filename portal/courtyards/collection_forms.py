"""Forms of opinion collections and resident conventions. Questions and options are typed in
plain boxes, one option per line: simple, and robust on any phone."""

import re
from datetime import datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.fields import SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from portal.courtyards.collections import (
    ANSWER_TEXT_MAX,
    MAX_QUESTIONS,
    QUESTION_MAX,
)
from portal.courtyards.conventions import TEXT_MAX
from portal.forms import ChoiceField, DayField, RadioChoiceField, options, strip
from portal.i18n import lazy_gettext as _l
from portal.phones import normalize_mobile
from portal.refusals import show_on
from portal.timeutil import to_utc

TOO_LONG = _l("At most %(max)d characters.")
OPTIONS_MAX = 2500  # a box of up to 20 options


class QuestionForm(Form):
    text = StringField(_l("Question"), filters=[strip], validators=[
        Length(max=QUESTION_MAX, message=TOO_LONG)], render_kw={"maxlength": QUESTION_MAX})
    options = TextAreaField(
        _l("Options, one per line"), validators=[Length(max=OPTIONS_MAX, message=TOO_LONG)],
        description=_l("For example: Agree, then Disagree on the next line. Leave empty if "
                       "people only write their own answer."),
        render_kw={"maxlength": OPTIONS_MAX, "rows": 4})
    multiple = BooleanField(_l("People may choose several options"))
    free_text = BooleanField(_l("People may also write their own words"))

    def is_blank(self):
        return not (self.text.data or (self.options.data or "").strip())

    def labels(self):
        return [line.strip() for line in (self.options.data or "").splitlines()
                if line.strip()]


class CollectionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Give the collection a title.")),
        Length(max=100, message=TOO_LONG)], render_kw={"maxlength": 100})
    description = TextAreaField(_l("What it is about (optional)"), filters=[strip], validators=[
        Length(max=5000, message=TOO_LONG)], render_kw={"maxlength": 5000, "rows": 4})
    voters = RadioChoiceField(_l("Who answers"), default="resident", choices=options([
        ("resident", _l("Each resident, one answer each")),
        ("household", _l("Each household, one answer per household"))]),
        validators=[InputRequired(_l("Choose who answers."))])
    opens_on = DayField(_l("First day"), validators=[InputRequired(_l("Enter the first day."))],
                        render_kw={"class": "short"})
    closes_on = DayField(_l("Last day"), validators=[InputRequired(_l("Enter the last day."))],
                         description=_l("Answers can be given and changed until the end of "
                                        "this day."), render_kw={"class": "short"})
    live_results = BooleanField(_l("Show the results while it is open"))
    questions = FieldList(FormField(QuestionForm), min_entries=1, max_entries=MAX_QUESTIONS)

    def window(self):
        """The first day's start and the day after the last day's start, as stored UTC."""
        return (to_utc(datetime.combine(self.opens_on.data, time.min)),
                to_utc(datetime.combine(self.closes_on.data + timedelta(days=1), time.min)))

    def kept_questions(self):
        """The question boxes that were filled in, in order."""
        return [entry.form for entry in self.questions if not entry.form.is_blank()]

    def drafts(self):
        return [(q.text.data, q.multiple.data, q.free_text.data, q.labels())
                for q in self.kept_questions()]


_QUESTION_FIELD = re.compile(r"^question-(\d+)-(text|options)$")


def show_refusal(form, refused):
    """Put a refusal beside the question box it names ("question-2-options"), counting only
    the boxes that were filled in; else as ``show_on`` does."""
    match = _QUESTION_FIELD.match(refused.field or "")
    kept = form.kept_questions() if isinstance(form, CollectionForm) else []
    if match and kept:
        index = min(int(match.group(1)), len(kept) - 1)
        target = kept[index][match.group(2)]
        target.errors = [*target.errors, refused.message]
        return refused
    return show_on(form, refused, field="title")


def fill_from(form, collection):
    """Show a collection's questions in the form (editing)."""
    while len(form.questions) < len(collection.questions):
        form.questions.append_entry()
    for entry, question in zip(form.questions, collection.questions, strict=False):
        entry.form.text.data = question.text
        entry.form.options.data = "\n".join(option.label for option in question.options)
        entry.form.multiple.data = question.multiple
        entry.form.free_text.data = question.free_text


# --- answering ---

class CheckboxesField(SelectMultipleField):
    """Several options ticked, read as ids; a forged or unreadable value gets the plain
    "choose one of the options listed" message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        self.forged = False
        try:
            self.data = [int(value) for value in valuelist]
        except (TypeError, ValueError):
            self.data, self.forged = [], True

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices}
        if getattr(self, "forged", False) or any(v not in allowed for v in self.data or []):
            raise StopValidation(_l("Choose one of the options listed."))


class AnswerBase(FlaskForm):
    """The answer to a collection; ``answer_form`` adds a field per question."""

    def answers(self, collection):
        """({question_id: [option_ids]}, {question_id: text}) from the form."""
        choices, texts = {}, {}
        for question in collection.questions:
            if question.options:
                value = self[f"q{question.id}"].data
                chosen = value if isinstance(value, list) else [value]
                choices[question.id] = [v for v in chosen if v is not None]
            if question.free_text:
                texts[question.id] = self[f"t{question.id}"].data or ""
        return choices, texts


def optional_id(value):
    """A chosen id, or None for the "choose…" line."""
    return None if value in ("", None) else int(value)


class PaperBase(AnswerBase):
    resident = ChoiceField(_l("Resident"), coerce=optional_id,
                           message=_l("Choose one of the residents listed."))
    mobile = StringField(_l("Or their mobile number"), filters=[normalize_mobile],
                         validators=[Optional(), Length(max=20, message=TOO_LONG)],
                         render_kw={"inputmode": "tel", "maxlength": 20})
    channel = RadioChoiceField(_l("How the answer was given"), default="paper", choices=options([
        ("paper", _l("On paper")), ("door", _l("At the door"))]),
        validators=[InputRequired(_l("Choose how the answer was given."))])


def answer_form(collection, base=AnswerBase, answer=None, **kwargs):
    """A form with one field per question of ``collection``, filled from ``answer``."""

    class AnswerForm(base):
        pass

    data = {}
    for question in collection.questions:
        choices = options((option.id, option.label) for option in question.options)
        if question.options and question.multiple:
            setattr(AnswerForm, f"q{question.id}", CheckboxesField(
                question.text, choices=choices, coerce=int))
        elif question.options:
            setattr(AnswerForm, f"q{question.id}", RadioChoiceField(
                question.text, choices=choices, coerce=int))
        if question.free_text:
            label = _l("Your own words (optional)") if question.options else question.text
            setattr(AnswerForm, f"t{question.id}", TextAreaField(
                label, filters=[strip], validators=[Length(max=ANSWER_TEXT_MAX,
                                                           message=TOO_LONG)],
                render_kw={"maxlength": ANSWER_TEXT_MAX, "rows": 3}))
    if answer is not None:
        for item in answer.items:
            question = next((q for q in collection.questions if q.id == item.question_id),
                            None)
            if question is None:
                continue
            if item.option_id is not None and question.multiple:
                data.setdefault(f"q{question.id}", []).append(item.option_id)
            elif item.option_id is not None:
                data[f"q{question.id}"] = item.option_id
            elif item.text:
                data[f"t{question.id}"] = item.text
    return AnswerForm(data=data, **kwargs)


# --- conventions ---

class ConventionForm(FlaskForm):
    text = TextAreaField(_l("Text of the convention"), validators=[
        DataRequired(_l("Write the text of the convention.")),
        Length(max=TEXT_MAX, message=TOO_LONG)],
        description=_l("One rule per line. Leave a blank line between parts."),
        render_kw={"maxlength": TEXT_MAX, "rows": 14})


class ConsultForm(FlaskForm):
    closes_on = DayField(_l("Last day for answers"),
                         validators=[InputRequired(_l("Enter the last day."))],
                         render_kw={"class": "short"})


class DecideForm(FlaskForm):
    outcome = RadioChoiceField(_l("Decision"), choices=options([
        ("adopted", _l("Adopted")), ("rejected", _l("Not adopted"))]),
        validators=[InputRequired(_l("Choose the decision."))])
    effective_on = DayField(_l("Takes effect on"), validators=[Optional()],
                            render_kw={"class": "short"})

