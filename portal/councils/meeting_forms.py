"""Forms of the council and meeting pages. What the rules decide (who, when, quorum) is
checked by the rules in ``portal.councils.bodies`` and ``portal.councils.meetings``."""

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.councils import bodies, meetings
from portal.councils.models import ATTENDANCE, CHOICES, POSITIONS, REPRESENTS
from portal.councils.words import (
    ATTENDANCE_LABELS,
    CHOICE_LABELS,
    POSITION_LABELS,
    REPRESENTS_LABELS,
)
from portal.forms import (
    ChoiceField,
    ClockField,
    DayField,
    RadioChoiceField,
    WholeNumberField,
    mobile_field,
    options,
    strip,
)
from portal.i18n import lazy_gettext as _l
from portal.timeutil import to_utc

TOO_LONG = _l("At most %(max)d characters.")


def optional_id(value):
    """An id chosen from a list, or None for its "none" option ("")."""
    if value in ("", None):
        return None
    if isinstance(value, int):
        return value
    if not (str(value).isascii() and str(value).isdigit()):
        raise ValueError(value)
    return int(value)


def text_field(label, most, required=None, **kwargs):
    validators = [DataRequired(required)] if required else [Optional()]
    return StringField(label, filters=[strip], render_kw={"maxlength": most},
                       validators=[*validators, Length(max=most, message=TOO_LONG)], **kwargs)


def body_field(label, most, required, rows=6, **kwargs):
    return TextAreaField(label, filters=[strip], render_kw={"maxlength": most, "rows": rows},
                         validators=[DataRequired(required),
                                     Length(max=most, message=TOO_LONG)], **kwargs)


def minutes_field(label, most, default=None, required=True):
    first = InputRequired(_l("Write the minutes as a number, like 15.")) if required \
        else Optional()
    return WholeNumberField(label, default=default, render_kw={"class": "short",
                                                               "inputmode": "numeric"},
                            validators=[first, NumberRange(
                                min=1, max=most, message=_l("From 1 to %(max)d minutes."))])


class CouncilForm(FlaskForm):
    name = text_field(_l("Name of the council"), bodies.NAME_MAX,
                      _l("Give the council a name."))


class MemberForm(FlaskForm):
    mobile = mobile_field(_l("The member's mobile number"),
                          description=_l("They must have an account on Linli."))
    position = RadioChoiceField(_l("Position"), default="member",
                                choices=options((p, POSITION_LABELS[p]) for p in POSITIONS))
    represents = RadioChoiceField(_l("Represents"), default="residents",
                                  choices=options((r, REPRESENTS_LABELS[r]) for r in REPRESENTS))
    organization = ChoiceField(_l("Organization (for an organization's representative)"),
                               coerce=optional_id, validators=[Optional()])
    starts_on = DayField(_l("Term starts on"), validators=[InputRequired(_l("Enter the date."))],
                         render_kw={"class": "short"})
    ends_on = DayField(_l("Term ends on (the last day)"),
                       validators=[InputRequired(_l("Enter the date."))],
                       render_kw={"class": "short"})

    def offer_organizations(self, organizations):
        self.organization.choices = options(
            [("", _l("None"))] + [(o.id, o.name) for o in organizations])


class EndTermForm(FlaskForm):
    ends_on = DayField(_l("Last day on the council"),
                       validators=[InputRequired(_l("Enter the date."))],
                       render_kw={"class": "short"})


class WhenForm(FlaskForm):
    """The day, the time and the length of a meeting."""

    day = DayField(_l("Day"), validators=[InputRequired(_l("Enter the date."))],
                   render_kw={"class": "short"})
    starts = ClockField(_l("Starts at"), validators=[InputRequired(_l("Enter the time."))],
                        render_kw={"class": "short"})
    minutes_long = minutes_field(_l("How long (minutes)"), meetings.LONGEST, default=90)

    def starts_at(self):
        """The start as stored (naive UTC), or None when the day or time is missing."""
        if self.day.data is None or self.starts.data is None:
            return None
        return to_utc(datetime.combine(self.day.data, self.starts.data))


class MeetingForm(WhenForm):
    title = text_field(_l("Title"), meetings.TITLE_MAX, _l("Give the meeting a title."))
    point = ChoiceField(_l("Service point"), coerce=optional_id, validators=[Optional()])
    place_text = text_field(_l("Or another place"), meetings.PLACE_MAX,
                            description=_l("For example: the courtyard of No. 133, under "
                                           "the trees"))


def meeting_form(requests, collections, formdata=None):
    """The call-a-meeting form offering ``requests`` and ``collections`` as checkboxes, each
    with its minutes, and ``OTHER_LINES`` lines for other items."""

    class Form(MeetingForm):
        pass

    for request in requests:
        setattr(Form, f"request_{request.id}", BooleanField(request.title))
        setattr(Form, f"request_{request.id}_minutes",
                minutes_field(_l("Minutes"), meetings.ITEM_LONGEST, default=15,
                              required=False))
    for collection in collections:
        setattr(Form, f"collection_{collection.id}", BooleanField(collection.title))
        setattr(Form, f"collection_{collection.id}_minutes",
                minutes_field(_l("Minutes"), meetings.ITEM_LONGEST, default=10,
                              required=False))
    for i in range(meetings.OTHER_LINES):
        setattr(Form, f"other_{i}", text_field(_l("Other item"), meetings.ITEM_TITLE_MAX))
        setattr(Form, f"other_{i}_minutes",
                minutes_field(_l("Minutes"), meetings.ITEM_LONGEST, default=10,
                              required=False))
    form = Form() if formdata is None else Form(formdata=formdata)
    form.requests, form.collections = requests, collections
    return form


def agenda_of(form):
    """The agenda the form asks for, as ``meetings.Topic``s in the order shown."""
    topics = []
    for kind, rows in (("request", form.requests), ("collection", form.collections)):
        for row in rows:
            name = f"{kind}_{row.id}"
            if form[name].data:
                topics.append(meetings.Topic(kind, row, form[f"{name}_minutes"].data, name))
    for i in range(meetings.OTHER_LINES):
        if form[f"other_{i}"].data:
            topics.append(meetings.Topic("other", form[f"other_{i}"].data,
                                         form[f"other_{i}_minutes"].data, f"other_{i}"))
    return topics


class MoveForm(WhenForm):
    pass


class CancelForm(FlaskForm):
    reason = body_field(_l("Why is it cancelled?"), meetings.REASON_MAX,
                        _l("Say why the meeting is cancelled."), rows=3)


class AttendanceForm(FlaskForm):
    status = ChoiceField(_l("Attendance"), validators=[InputRequired()],
                         choices=options((a, ATTENDANCE_LABELS[a]) for a in ATTENDANCE))


class MotionForm(FlaskForm):
    text = body_field(_l("Motion"), meetings.MOTION_MAX, _l("Write the motion."), rows=3,
                      description=_l("What the members vote for or against, in one or two "
                                     "sentences."))
    agenda_item = ChoiceField(_l("About the agenda item"), coerce=optional_id,
                              validators=[Optional()])

    def offer_items(self, items):
        self.agenda_item.choices = options(
            [("", _l("None (another matter)"))] + [(i.id, i.title) for i in items])


class VoteForm(FlaskForm):
    member = ChoiceField(_l("Member"), coerce=int, validators=[InputRequired()])
    choice = ChoiceField(_l("Vote"), validators=[InputRequired()],
                         choices=options((c, CHOICE_LABELS[c]) for c in CHOICES))


class MinutesForm(FlaskForm):
    text = body_field(_l("Minutes of the meeting"), meetings.MINUTES_MAX,
                      _l("Write the minutes first."), rows=10,
                      description=_l("Plain text. Leave an empty line between paragraphs; "
                                     "start a line with “- ” for a list."))
