"""Forms of triage: the three ways of sorting a request, the department's reply, closing,
marking a duplicate; departments and reply templates; the queue's filters.

The handling forms share one page, so each has its own prefix (``refer-text``,
``guide-text`` …): their fields never share an id. A form whose words may come from a reply
template has a ``template`` choice and a "use" button: pressed, the page comes back with the
template's words in the box and nothing saved (with JavaScript, only that form is swapped).
"""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from portal.councils.models import CATEGORIES, CLASSES
from portal.councils.triage import TEXT_MAX
from portal.councils.words import CATEGORY_LABELS, CLASS_LABELS, OUTCOME_LABELS, STATE_LABELS
from portal.forms import ChoiceField, DayField, RadioChoiceField, options, strip
from portal.i18n import lazy_gettext as _l

TOO_LONG = _l("At most %(max)d characters.")


def optional_id(value):
    """A chosen id, or None for the "choose…" line."""
    return None if value in ("", None) else int(value)


def _text_field(label, required_message=None, rows=4):
    validators = [Length(max=TEXT_MAX, message=TOO_LONG)]
    if required_message:
        validators.insert(0, DataRequired(required_message))
    return TextAreaField(label, filters=[strip], validators=validators,
                         render_kw={"maxlength": TEXT_MAX, "rows": rows})


class IdCheckboxes(SelectMultipleField):
    """Several options ticked, read as ids; anything forged gets the plain message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        self.forged = False
        try:
            self.data = [int(value) for value in valuelist]
        except (TypeError, ValueError):
            self.data, self.forged = [], True

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices or []}
        if self.forged or any(value not in allowed for value in self.data or []):
            raise StopValidation(_l("Choose one of the options listed."))


class _Templated(FlaskForm):
    """A form whose words may start from a reply template."""

    template = ChoiceField(_l("Start from a reply template"), coerce=optional_id)
    use_template = SubmitField(_l("Use this template"))


class ReferForm(_Templated):
    department = ChoiceField(_l("Department"), coerce=optional_id,
                             validators=[InputRequired(_l("Choose the department."))])
    due_on = DayField(_l("To answer by"), validators=[Optional()],
                      description=_l("Leave empty for the usual time."),
                      render_kw={"class": "short"})
    text = _text_field(_l("What the residents will read (optional)"))


class CouncilForm(_Templated):
    council = RadioChoiceField(_l("Council"), coerce=optional_id,
                               validators=[InputRequired(_l("Choose the council."))])
    text = _text_field(_l("What the residents will read (optional)"))


class GuideForm(_Templated):
    text = _text_field(_l("Guidance"), _l("Write the guidance: where to go, whom to ask."))
    points = IdCheckboxes(_l("Service points to go to (optional)"), coerce=int)


class ReplyForm(FlaskForm):
    text = _text_field(_l("The department's answer"),
                       _l("Write what the department answered."), rows=5)


class CloseForm(_Templated):
    outcome = RadioChoiceField(_l("How it ends"),
                               validators=[InputRequired(_l("Choose how it ends."))])
    reason = _text_field(_l("What was done, or why it is not possible"))

    def offer(self, outcomes):
        self.outcome.choices = options((o, OUTCOME_LABELS[o]) for o in outcomes)


class DuplicateForm(FlaskForm):
    original = StringField(_l("Number of the request it is the same as"), filters=[strip],
                           validators=[DataRequired(_l("Write the request's number.")),
                                       Length(max=12, message=TOO_LONG)],
                           render_kw={"inputmode": "numeric", "maxlength": 12,
                                      "class": "short"})


FORMS = {"refer": (ReferForm, "refer"), "to_council": (CouncilForm, "council"),
         "guide": (GuideForm, "guide"), "reply": (ReplyForm, "reply"),
         "close": (CloseForm, "close"), "duplicate": (DuplicateForm, "duplicate")}


def handling_forms(posted=None):
    """The handling forms by move, each with its prefix; only ``posted`` (the move whose
    form was sent) reads the request's form data, the others are empty."""
    return {name: form_class(prefix=prefix) if name == posted
            else form_class(prefix=prefix, formdata=None)
            for name, (form_class, prefix) in FORMS.items()}


# --- departments and templates ---

class DepartmentForm(FlaskForm):
    name = StringField(_l("Name of the department"), filters=[strip], validators=[
        DataRequired(_l("Write the department's name.")), Length(max=60, message=TOO_LONG)],
        render_kw={"maxlength": 60})
    phone = StringField(_l("Phone (optional)"), filters=[strip], validators=[
        Optional(), Length(max=20, message=TOO_LONG)],
        render_kw={"maxlength": 20, "inputmode": "tel", "class": "short"})


class TemplateForm(FlaskForm):
    klass = RadioChoiceField(_l("For which class of request"),
                             choices=options(CLASS_LABELS.items()),
                             validators=[InputRequired(_l("Choose the class."))])
    title = StringField(_l("Short title"), filters=[strip], validators=[
        DataRequired(_l("Give the template a short title.")),
        Length(max=60, message=TOO_LONG)], render_kw={"maxlength": 60})
    text = _text_field(_l("Words"), _l("Write the template's words."), rows=5)


# --- the queue's filters ---

class QueueForm(FlaskForm):
    """``?state=submitted&klass=major&category=safety&courtyard=12``: a value that is not
    one of the options is named beside its filter and not applied."""

    class Meta:
        csrf = False

    state = ChoiceField(_l("State"), choices=options(
        [("", _l("Any"))] + [(s, STATE_LABELS[s]) for s in
                             ("submitted", "referred", "replied", "with_council", "on_agenda",
                              "deliberated", "resolved", "carrying_out", "guided")]))
    klass = ChoiceField(_l("Class"), choices=options(
        [("", _l("Any"))] + [(k, CLASS_LABELS[k]) for k in CLASSES]))
    category = ChoiceField(_l("Category"), choices=options(
        [("", _l("Any"))] + [(c, CATEGORY_LABELS[c]) for c in CATEGORIES]))
    courtyard = ChoiceField(_l("Courtyard"), coerce=optional_id)

    def chosen(self, name):
        """The filter's value when it is one of the options, else None."""
        field = self[name]
        return field.data if field.data not in ("", None) and not field.errors else None
