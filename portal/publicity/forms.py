"""Publicity's forms: raising an objection or a question, answering it, withdrawing."""

from datetime import datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.forms import DayField, RadioChoiceField, options, strip
from portal.i18n import lazy_gettext as _l
from portal.publicity.rules import BODY_MAX, PUBLICITY_DAYS, REASON_MAX
from portal.timeutil import to_utc

KIND_LABELS = {"objection": _l("An objection"), "question": _l("A question")}


def _at_most(limit):
    return Length(max=limit, message=_l("At most %(max)d characters."))


class ObjectionForm(FlaskForm):
    kind = RadioChoiceField(_l("What do you want to raise?"),
                            choices=options(KIND_LABELS.items()), default="question",
                            validators=[InputRequired(_l("Choose an objection or a "
                                                         "question."))])
    body = TextAreaField(_l("What you want to say"), filters=[strip],
                         description=_l("Everyone in the publicity's area can read it, with "
                                        "your name shortened."),
                         validators=[DataRequired(_l("Write your objection or question.")),
                                     _at_most(BODY_MAX)],
                         render_kw={"maxlength": BODY_MAX, "rows": 4})


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Your public answer"), filters=[strip],
                           validators=[DataRequired(_l("Write the answer.")),
                                       _at_most(BODY_MAX)],
                           render_kw={"maxlength": BODY_MAX, "rows": 3})


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why it is withdrawn"), filters=[strip],
                           description=_l("Everyone will read this reason."),
                           validators=[DataRequired(_l("Say why the publicity is "
                                                       "withdrawn.")),
                                       _at_most(REASON_MAX)],
                           render_kw={"maxlength": REASON_MAX, "rows": 2})


def own_ids(form, suffix):
    """Give each of ``form``'s fields an id ending in ``suffix``, so several copies of one
    form (an answer form per objection) can share a page with labels that still match."""
    for field in form:
        field.id = f"{field.id}-{suffix}"
        if hasattr(field, "label"):
            field.label.field_id = field.id
    return form


class WindowForm(FlaskForm):
    """The days of a 公示 (a council's decision or result, an award, a project's result):
    subclass it, adding the step's own fields."""

    starts_on = DayField(_l("Public from"), render_kw={"class": "short"},
                         validators=[InputRequired(_l("Enter the date."))])
    ends_on = DayField(_l("Public until (the last day)"), render_kw={"class": "short"},
                       description=_l("At least 7 days."),
                       validators=[InputRequired(_l("Enter the date."))])

    def start_window(self, today):
        """Suggest seven days from ``today`` on a form not yet sent."""
        self.starts_on.data = today
        self.ends_on.data = today + timedelta(days=PUBLICITY_DAYS - 1)

    def window(self):
        """The whole local days asked for, as naive UTC moments (the end excluded)."""
        return (to_utc(datetime.combine(self.starts_on.data, time())),
                to_utc(datetime.combine(self.ends_on.data + timedelta(days=1), time())))
