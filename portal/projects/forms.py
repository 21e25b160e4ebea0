"""Forms of the projects' pages. The rules (portal.projects.projects, .calls) decide what is
allowed; these only read what was typed."""

from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget

from portal.councils.decisions import parse_yuan, yuan
from portal.forms import (
    ChoiceField,
    ClockField,
    DayField,
    RadioChoiceField,
    WholeNumberField,
    _TypedField,
    new_token,
    options,
    strip,
)
from portal.i18n import lazy_gettext as _l
from portal.organizations.models import ORGANIZATION_KINDS
from portal.projects import calls, projects
from portal.projects.models import FUNDING_SOURCES
from portal.publicity.forms import WindowForm
from portal.timeutil import to_utc
from portal.urls import as_id

TOO_LONG = _l("At most %(max)d characters.")
CHECKLIST_LINES = 5
TOKEN_MAX = 32  # "project-payment:<id>:<token>" fits a transfer's 64-character key


def an_id(value):
    """A choice's value as an id, None for the empty option; ValueError otherwise."""
    if value in ("", None):
        return None
    ident = value if isinstance(value, int) else as_id(str(value))
    if ident is None:
        raise ValueError(value)
    return ident


def text_area(label, required=None, most=projects.TEXT_MAX, rows=5, **kwargs):
    checks = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(label, filters=[strip], render_kw={"maxlength": most, "rows": rows},
                         validators=[*checks, Length(max=most, message=TOO_LONG)], **kwargs)


def title_field(label, required, most=projects.TITLE_MAX, **kwargs):
    return StringField(label, filters=[strip], render_kw={"maxlength": most},
                       validators=[DataRequired(required), Length(max=most, message=TOO_LONG)],
                       **kwargs)


class YuanField(_TypedField, StringField):
    """An amount typed in yuan ("36,000.00"); ``data`` is whole 分 (or None)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "maxlength": 20,
                                        "class": "short"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        text = self._read(valuelist)
        if text:
            try:
                self.data = parse_yuan(text)
            except ValueError:
                raise ValueError(_("Write the amount in yuan, like 3200 or 3,200.50.")) \
                    from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return yuan(self.data) if self.data is not None else ""


class CheckboxesField(SelectMultipleField):
    """Several choices ticked; a value not offered gets a plain message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        offered = {choice.value for choice in self.choices or []}
        if any(value not in offered for value in self.data or []):
            raise StopValidation(_l("Choose one of the options listed."))


# --- a project -----------------------------------------------------------------------------

class ProjectForm(FlaskForm):
    place = ChoiceField(_l("For which place"), coerce=an_id,
                        validators=[InputRequired(_l("Choose the place."))])
    title = title_field(_l("Title"), _l("Give the project a title."))
    description = text_area(_l("What it will do"), _l("Say what the project will do."))
    budget = YuanField(_l("Budget, in yuan"), description=_l("For example 36,000.00"),
                       validators=[InputRequired(_l("Write the budget, 0 if none yet."))])
    decision = ChoiceField(_l("From a council's decision"), coerce=an_id,
                           validators=[Optional()])
    plan_note = text_area(_l("Or: from the community plan"), rows=3,
                          description=_l("Which plan and which item, if not from a "
                                         "decision."))
    community_fund = YuanField(projects.SOURCE_LABELS["community_fund"],
                               validators=[Optional()])
    fund = ChoiceField(_l("Drawn from the fund"), coerce=an_id, validators=[Optional()])
    residents = YuanField(projects.SOURCE_LABELS["residents"], validators=[Optional()])
    donations = YuanField(projects.SOURCE_LABELS["donations"], validators=[Optional()])
    foundation = YuanField(projects.SOURCE_LABELS["foundation"], validators=[Optional()])
    street = YuanField(projects.SOURCE_LABELS["street"], validators=[Optional()])
    tasks = text_area(_l("Sub-tasks (optional)"), rows=3, most=2000,
                      description=_l("One a line; progress is then reported per task."))

    def offer(self, places, decisions, funds):
        self.place.choices = options([(p.id, p.name) for p in places])
        self.decision.choices = options([("", _l("Not from a decision"))]
                                        + [(d.id, d.title) for d in decisions])
        self.fund.choices = options([("", _l("No fund named"))]
                                    + [(f.id, f.name) for f in funds])

    def funding(self):
        return [(source, self[source].data) for source in FUNDING_SOURCES
                if self[source].data is not None]

    def task_titles(self):
        return [line.strip() for line in (self.tasks.data or "").splitlines() if line.strip()]


# --- a call for bids ---------------------------------------------------------------------

class CallForm(FlaskForm):
    title = title_field(_l("Title of the call"), _l("Give the call a title."))
    description = text_area(_l("What is asked of the bidders"),
                            _l("Say what the bidders are to do."))
    deadline_on = DayField(_l("Deadline: the day"), render_kw={"class": "short"},
                           validators=[InputRequired(_l("Enter the date."))])
    deadline_time = ClockField(_l("Deadline: the time"), render_kw={"class": "short"},
                               validators=[InputRequired(_l("Enter the time."))])
    kinds = CheckboxesField(_l("Kinds of organization that may bid"),
                            choices=options(ORGANIZATION_KINDS.items()))
    statuses = CheckboxesField(_l("Their status"),
                               description=_l("A suspended organization never may."),
                               choices=options((s, calls.STATUS_LABELS[s])
                                               for s in calls.BIDDABLE_STATUSES))
    panel = TextAreaField(_l("Review panel: mobile numbers, one a line"), filters=[strip],
                          description=_l("At least 3: workers, council members, resident "
                                         "representatives of the community."),
                          render_kw={"maxlength": 400, "rows": 5, "inputmode": "tel"},
                          validators=[DataRequired(_l("Write the panel's mobile numbers.")),
                                      Length(max=400, message=TOO_LONG)])

    def start(self, today):
        self.deadline_on.data = today + timedelta(days=14)
        self.deadline_time.data = time(17, 0)
        for i, (name, weight) in enumerate(calls.DEFAULT_CRITERIA, start=1):
            self[f"name_{i}"].data, self[f"weight_{i}"].data = name, weight
        self.statuses.data = ["filed", "registered"]

    def deadline(self):
        return to_utc(datetime.combine(self.deadline_on.data, self.deadline_time.data))

    def criteria(self):
        return [(self[f"name_{i}"].data, self[f"weight_{i}"].data)
                for i in range(1, calls.CRITERIA_MOST + 1)]

    def mobiles(self):
        return [line for line in (self.panel.data or "").replace(",", "\n").splitlines()
                if line.strip()]


for _i in range(1, calls.CRITERIA_MOST + 1):
    setattr(CallForm, f"name_{_i}", StringField(
        _l("Criterion %(n)d", n=_i), filters=[strip], render_kw={"maxlength": 40},
        validators=[Optional(), Length(max=calls.CRITERION_NAME_MAX, message=TOO_LONG)]))
    setattr(CallForm, f"weight_{_i}", WholeNumberField(
        _l("Its weight"), render_kw={"inputmode": "numeric", "maxlength": 3, "class": "short"},
        validators=[Optional(), NumberRange(min=1, max=100,
                                            message=_l("A weight from 1 to 100."))]))


class BidForm(FlaskForm):
    organization = ChoiceField(_l("Bidding for"), coerce=an_id,
                               validators=[InputRequired(_l("Choose the organization."))])
    plan = text_area(_l("The plan"), _l("Describe the plan."))
    team = text_area(_l("The team"), _l("Say who will do the work."), rows=3)
    price = YuanField(_l("The price, in yuan"),
                      validators=[InputRequired(_l("Write the price."))])
    timetable = text_area(_l("The timetable"), _l("Say when each part will be done."),
                          rows=3)

    def offer(self, organizations):
        self.organization.choices = options([(o.id, o.name) for o in organizations])


def score_form(criteria, formdata=None, prefix=""):
    """A form with a score (0–10) and a comment for each criterion."""

    class ScoreForm(FlaskForm):
        pass

    for criterion in criteria:
        setattr(ScoreForm, f"score_{criterion.id}", WholeNumberField(
            _l("%(name)s (weight %(weight)d): score 0–10", name=criterion.name,
               weight=criterion.weight),
            render_kw={"inputmode": "numeric", "maxlength": 2, "class": "short"},
            validators=[InputRequired(_l("Give a score from 0 to 10.")),
                        NumberRange(min=0, max=10, message=_l("Give a score from 0 to 10."))]))
        setattr(ScoreForm, f"comment_{criterion.id}", text_area(
            _l("Comment on %(name)s", name=criterion.name), rows=2, most=1000))
    if formdata is None:
        return ScoreForm(formdata=None, prefix=prefix)
    return ScoreForm(prefix=prefix)


def marks_of(form, criteria):
    return {c.id: (form[f"score_{c.id}"].data, form[f"comment_{c.id}"].data)
            for c in criteria}


class DeclareForm(FlaskForm):
    organization = ChoiceField(_l("I am staff of"), coerce=an_id,
                               validators=[InputRequired(_l("Choose the organization."))])

    def offer(self, organizations):
        self.organization.choices = options([(o.id, o.name) for o in organizations])


class AwardForm(WindowForm):
    bid = ChoiceField(_l("Award to"), coerce=an_id,
                      validators=[InputRequired(_l("Choose a bid."))])
    reason = text_area(_l("Why, if not the first ranked"), rows=3, most=1000)

    def offer(self, ranked):
        self.bid.choices = options([(r.bid.id, f"{r.bid.organization.name} · {r.score_words}")
                                    for r in ranked])


class ContractForm(FlaskForm):
    manager = ChoiceField(_l("Project manager"), coerce=an_id,
                          validators=[InputRequired(_l("Choose the project manager."))])
    amount = YuanField(_l("Contract amount, in yuan"),
                       validators=[InputRequired(_l("Write the contract amount."))])

    def offer(self, staff):
        self.manager.choices = options([(u.id, u.name) for u in staff])


# --- progress, payments, acceptance ------------------------------------------------------

class ProgressForm(FlaskForm):
    task = ChoiceField(_l("Which task"), coerce=an_id, validators=[Optional()])
    percent = WholeNumberField(_l("How far along, in percent"),
                               render_kw={"inputmode": "numeric", "maxlength": 3,
                                          "class": "short"},
                               validators=[InputRequired(_l("Write a number from 0 to 100.")),
                                           NumberRange(min=0, max=100, message=_l(
                                               "Write a number from 0 to 100."))])
    text = text_area(_l("What was done"), _l("Say what was done."), rows=3)
    photo = FileField(_l("Photo (optional)"),
                      description=_l("A JPEG or PNG picture, at most 5 MB."),
                      render_kw={"accept": "image/jpeg,image/png"})

    def offer(self, tasks):
        self.task.choices = options([(t.id, t.title) for t in tasks])

    def uploaded_photo(self):
        """The uploaded file, or None when no photo was chosen."""
        data = self.photo.data
        return data if data is not None and getattr(data, "filename", "") else None


class PaymentForm(FlaskForm):
    label = title_field(_l("What the payment is"), _l("Say what the payment is."),
                        most=projects.LABEL_MAX,
                        description=_l("For example “60 % at contract”."))
    amount = YuanField(_l("Amount, in yuan"), validators=[InputRequired(_l("Write the "
                                                                           "amount."))])
    fund = ChoiceField(_l("Paid out of a community fund"), coerce=an_id,
                       validators=[Optional()],
                       description=_l("The fund's public accounts then show the payment."))
    # Names this payment, so a double tap pays out of the fund once: set on the empty form
    # (``start``), sent back with it, never made up for a form that came without one.
    token = HiddenField()

    def offer(self, funds):
        """Offer ``funds`` to pay from; with none, the field is not asked."""
        if funds:
            self.fund.choices = options([("", _l("No, not out of a fund"))]
                                        + [(f.id, f.name) for f in funds])
        else:
            del self.fund

    def start(self):
        self.token.data = new_token()

    def chosen_fund_id(self):
        return self.fund.data if "fund" in self else None

    def validate_token(self, field):
        token = field.data or ""
        if (token and not 8 <= len(token) <= TOKEN_MAX) or (
                not token and self.chosen_fund_id() is not None):
            raise StopValidation(_l("Reload the page and send the form again."))


class AcceptForm(FlaskForm):
    note = text_area(_l("Acceptance note"), _l("Write the acceptance note."), rows=3)

    def items(self):
        return [(self[f"item_{i}"].data, self[f"passed_{i}"].data)
                for i in range(1, CHECKLIST_LINES + 1)]


for _i in range(1, CHECKLIST_LINES + 1):
    setattr(AcceptForm, f"item_{_i}", StringField(
        _l("Checklist line %(n)d", n=_i), filters=[strip], render_kw={"maxlength": 100},
        validators=[Optional(), Length(max=projects.TITLE_MAX, message=TOO_LONG)]))
    setattr(AcceptForm, f"passed_{_i}", BooleanField(_l("Passed")))


class CancelForm(FlaskForm):
    reason = text_area(_l("Why the project is cancelled"),
                       _l("Write why: residents and bidders read it on the project's page."),
                       rows=3)


class ResultForm(WindowForm):
    pass


class SatisfactionForm(FlaskForm):
    answer = RadioChoiceField(_l("Was the problem solved?"),
                              choices=options(projects.SATISFACTION_LABELS.items()),
                              validators=[InputRequired(_l("Choose yes, partly or no."))])
    words = text_area(_l("Anything to add? (optional)"), rows=3, most=1000)
