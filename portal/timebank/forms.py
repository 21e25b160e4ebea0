"""Time-bank forms. Hours are typed or tapped as hours ("1.5") and kept as whole minutes."""


from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as Invalid

from portal.formatting import unbroken
from portal.forms import (
    ChoiceField,
    ClockField,
    DayField,
    HoursField,
    Pick,
    RadioChoiceField,
    TokenForm,
    WholeNumberField,
    hours_label,
    mobile_field,
    options,
    strip,
)
from portal.i18n import lazy_gettext as _l
from portal.timebank.models import MAX_LOG_MINUTES, REWARD_KINDS, SPENDING_REASONS

# The three-tap choices: 0.5 / 1 / 2 / 3 / 4 hours, as minutes.
QUICK_MINUTES = (30, 60, 120, 180, 240)



class JoinForm(FlaskForm):
    skills = StringField(_l("What you are good at (optional)"), filters=[strip],
                         description=_l("For example: chatting with older people, repairs, "
                                        "cooking, computers"),
                         validators=[Length(max=200, message=_l("At most %(max)d characters."))])
    availability = StringField(_l("When you usually have time (optional)"), filters=[strip],
                               description=_l("For example: weekday mornings, weekends"),
                               validators=[Length(max=200,
                                                  message=_l("At most %(max)d characters."))])
    consent = BooleanField(
        _l("I agree that my service will be recorded, checked and kept by the organisers, "
           "and that only approved time counts."),
        validators=[DataRequired(_l("Tick the box to agree to the service-record rules."))])


class ActivityForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Give the activity a title.")),
        Length(max=80, message=_l("At most %(max)d characters."))])
    description = TextAreaField(_l("What volunteers will do"), filters=[strip], validators=[
        DataRequired(_l("Say what volunteers will do.")),
        Length(max=2000, message=_l("At most %(max)d characters."))])
    organiser = ChoiceField(_l("Organised by"), coerce=Pick.read,
                            validators=[InputRequired(_l("Choose who organises it."))])
    place = ChoiceField(_l("Where"), coerce=int,
                        validators=[InputRequired(_l("Choose where it happens."))],
                        message=_l("Choose one of the places listed."))
    point = ChoiceField(_l("At a service point (optional)"),
                        message=_l("Choose one of the places listed."))
    location = StringField(_l("How to find it (optional)"), filters=[strip],
                           description=_l("For example: the yard behind building 2"),
                           validators=[Length(max=200,
                                              message=_l("At most %(max)d characters."))])
    day = DayField(_l("Date"), validators=[InputRequired(_l("Enter the date."))],
                    render_kw={"class": "short"})
    starts = ClockField(_l("Starts at"), validators=[InputRequired(_l("Enter when it starts."))],
                       render_kw={"class": "short"})
    ends = ClockField(_l("Ends at"), validators=[InputRequired(_l("Enter when it ends."))],
                     render_kw={"class": "short"})
    slots = WholeNumberField(_l("Volunteers needed"), validators=[
        InputRequired(_l("Enter how many volunteers are needed.")),
        NumberRange(min=1, max=500, message=_l("Between %(min)d and %(max)d."))],
        render_kw={"inputmode": "numeric", "class": "short"})
    hours = HoursField(_l("Hours each volunteer earns"), most=MAX_LOG_MINUTES,
                       validators=[InputRequired(_l("Enter the hours it is worth."))])

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise Invalid(_l("It must end after it starts."))


NEIGHBOUR = Pick("neighbour")


class LogForm(TokenForm):
    """Three taps: what (a recent activity or a neighbour), how long, send."""

    what = RadioChoiceField(_l("What did you do?"), coerce=Pick.read,
                            validators=[InputRequired(_l("Choose the activity, or "
                                                         "“I helped a neighbour”."))])
    neighbour = mobile_field(_l("Your neighbour's mobile number"))
    quick = RadioChoiceField(_l("How long?"), coerce=int)
    minutes = WholeNumberField(_l("Or type the minutes"), validators=[Optional(), NumberRange(
        min=1, max=MAX_LOG_MINUTES,
        message=_l("Between 1 minute and 12 hours (720 minutes)."))],
        render_kw={"inputmode": "numeric", "class": "short"})
    service_date = DayField(_l("Date (optional)"), validators=[Optional()],
                             description=_l("Leave empty for the day of the activity, or "
                                            "today."),
                             render_kw={"class": "short"})
    note = StringField(_l("Note (optional)"), filters=[strip], validators=[
        Length(max=200, message=_l("At most %(max)d characters."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The number is asked only for help to a neighbour; an empty field is fine otherwise.
        self.neighbour.validators = [Optional(), *self.neighbour.validators]
        # "2 小时" on a button never breaks between the number and its unit.
        self.quick.choices = options((m, unbroken(_("%(hours)s h", hours=hours_label(m))))
                                     for m in QUICK_MINUTES)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.what.data != NEIGHBOUR:
            # Typed before another choice was made: the number counts only for a neighbour.
            self.neighbour.errors = []
            valid = valid or not any(field.errors for field in self)
        elif not self.neighbour.data:
            self.neighbour.errors.append(
                _l("Enter the mobile number of the neighbour you helped."))
            valid = False
        return valid

    def validate_quick(self, field):
        if field.data is None and not self.minutes.data and not self.minutes.errors:
            raise Invalid(_l("Choose how long you helped."))

    @property
    def chosen_minutes(self):
        return self.minutes.data or self.quick.data


class ReasonForm(FlaskForm):
    reason = StringField(_l("Why not?"), filters=[strip], validators=[
        DataRequired(_l("Say why, so the volunteer understands.")),
        Length(max=200, message=_l("At most %(max)d characters."))])


class GiftForm(TokenForm):
    mobile = mobile_field(_l("Their mobile number"))
    hours = HoursField(_l("Hours to give"), validators=[InputRequired(_l("Enter the hours."))],
                       most=10_000 * 60)
    confirmed = HiddenField()


class DonateForm(TokenForm):
    hours = HoursField(_l("Hours to donate"), validators=[InputRequired(_l("Enter the hours."))],
                       most=10_000 * 60)


class GrantForm(TokenForm):
    mobile = mobile_field(_l("Resident's mobile number"))
    hours = HoursField(_l("Hours to grant"), validators=[InputRequired(_l("Enter the hours."))],
                       most=100 * 60)
    reason = StringField(_l("Why"), filters=[strip], validators=[
        DataRequired(_l("Say why the resident needs it.")),
        Length(max=200, message=_l("At most %(max)d characters."))])


class SpendingRightForm(FlaskForm):
    mobile = mobile_field(_l("Resident's mobile number"))
    reason = ChoiceField(_l("Reason"), choices=options(SPENDING_REASONS.items()),
                         validators=[InputRequired(_l("Choose a reason."))])


class RewardForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Give the reward a name.")),
        Length(max=60, message=_l("At most %(max)d characters."))])
    description = StringField(_l("Description (optional)"), filters=[strip], validators=[
        Length(max=300, message=_l("At most %(max)d characters."))])
    kind = RadioChoiceField(_l("Kind"), choices=options(REWARD_KINDS.items()), default="item",
                            validators=[InputRequired(_l("Choose a kind."))])
    hours = HoursField(_l("Price in hours"), validators=[InputRequired(_l("Enter the price."))],
                       most=1000 * 60)
    stock = WholeNumberField(_l("How many are there"), validators=[
        InputRequired(_l("Enter how many there are.")),
        NumberRange(min=0, max=100_000, message=_l("Between %(min)d and %(max)d."))],
        render_kw={"inputmode": "numeric", "class": "short"})


class StockForm(FlaskForm):
    stock = WholeNumberField(_l("In stock"), validators=[
        InputRequired(_l("Enter how many there are.")),
        NumberRange(min=0, max=100_000, message=_l("Between %(min)d and %(max)d."))],
        render_kw={"inputmode": "numeric", "class": "short"})
    # "0": taken off the catalogue; anything else (or nothing sent): offered.
    active = HiddenField(default="1")

    @property
    def offered(self):
        return self.active.data != "0"


class HelpForm(FlaskForm):
    title = StringField(_l("What do you need help with?"), filters=[strip],
                        description=_l("For example: carry rice upstairs, fix a dripping tap"),
                        validators=[DataRequired(_l("Say what you need help with.")),
                                    Length(max=80, message=_l("At most %(max)d characters."))])
    details = TextAreaField(_l("More details (optional)"), filters=[strip], validators=[
        Length(max=500, message=_l("At most %(max)d characters."))])
    wanted_on = DayField(_l("On which day (optional)"), validators=[Optional()],
                          render_kw={"class": "short"})
    when_text = StringField(_l("What time suits you (optional)"), filters=[strip],
                            description=_l("For example: Saturday morning"),
                            validators=[Length(max=80,
                                               message=_l("At most %(max)d characters."))])
    hours = HoursField(_l("Hours you offer"), most=MAX_LOG_MINUTES,
                       validators=[InputRequired(_l("Enter the hours you offer."))])


class CorrectionForm(FlaskForm):
    hours = HoursField(_l("The right time, in hours"), allow_zero=True, most=MAX_LOG_MINUTES,
                       description=_l("Write 0 if the record should be removed."),
                       validators=[InputRequired(_l("Enter the right time."))])
    explanation = TextAreaField(_l("What is wrong?"), filters=[strip], validators=[
        DataRequired(_l("Say what is wrong with the record.")),
        Length(max=500, message=_l("At most %(max)d characters."))])


class AnswerForm(FlaskForm):
    decision = RadioChoiceField(_l("Your answer"), choices=options([
        ("accept", _l("Correct the record")), ("refuse", _l("Keep the record as it is"))]),
        validators=[InputRequired(_l("Choose an answer."))])
    answer = StringField(_l("Words for the volunteer"), filters=[strip], validators=[
        DataRequired(_l("Say why, so the volunteer understands.")),
        Length(max=500, message=_l("At most %(max)d characters."))])


class CertificateForm(FlaskForm):
    issuer = RadioChoiceField(_l("Records kept by"), coerce=Pick.read,
                              validators=[InputRequired(_l("Choose who keeps the records."))])


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only reads

    scope = ChoiceField(_l("Records of"), coerce=Pick.read,
                        validators=[InputRequired(_l("Choose what to export."))])
    first = DayField(_l("From (optional)"), validators=[Optional()],
                      render_kw={"class": "short"})
    last = DayField(_l("To (optional)"), validators=[Optional()], render_kw={"class": "short"})
    # Which button was pressed: a spreadsheet (.xlsx) or CSV.
    format = ChoiceField(choices=options([("xlsx", "xlsx"), ("csv", "csv")]), default="csv")

    def validate_last(self, field):
        if self.first.data and field.data and field.data < self.first.data:
            raise Invalid(_l("The end date must not be before the start date."))
