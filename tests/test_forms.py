"""The form fields every domain shares: what they make of whitespace, nonsense and absurd
numbers. Each must end in the field's own plain message, never in an exception."""

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.forms import ClockField, DayField, HoursField, WholeNumberField, parse_hours
from portal.i18n import lazy_gettext as _l

BAD = ["1e999999", "-1e999999", "NaN", "sNaN", "Infinity", "-1",
       "9" * 10_000, "x" * 10_000]


class Fields(FlaskForm):
    class Meta:
        csrf = False

    number = WholeNumberField("n", validators=[
        InputRequired("number needed"),
        NumberRange(min=0, max=100, message=_l("Between %(min)d and %(max)d."))])
    day = DayField("d", validators=[InputRequired("day needed")])
    clock = ClockField("c", validators=[InputRequired("clock needed")])
    hours = HoursField("h", validators=[InputRequired("hours needed")], most=12 * 60)
    optional_day = DayField("o", validators=[Optional()])


GOOD = {"number": "3", "day": "2026-05-01", "clock": "08:30", "hours": "1.5"}


def validated(app, **changes):
    with app.test_request_context(method="POST", headers={"Accept-Language": "zh-CN"}):
        form = Fields(formdata=MultiDict({**GOOD, **changes}))
        valid = form.validate()
        return valid, {name: [str(m) for m in messages] for name, messages
                       in form.errors.items()}, form.data


@pytest.mark.parametrize("field", ["number", "day", "clock", "hours"])
@pytest.mark.parametrize("blank", ["", " ", "   ", "\t", "\u3000 \r\n"])
def test_whitespace_counts_as_nothing_typed(app, field, blank):
    valid, errors, _data = validated(app, **{field: blank})
    assert not valid
    assert errors == {field: [f"{field} needed"]}


@pytest.mark.parametrize("field", ["number", "day", "clock", "hours"])
@pytest.mark.parametrize("value", BAD)
def test_nonsense_gets_a_plain_chinese_message_not_an_exception(app, field, value):
    valid, errors, _data = validated(app, **{field: value})
    assert not valid
    assert list(errors) == [field] and len(errors[field]) == 1
    message = errors[field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert value not in message or len(value) < 30  # a long input is not echoed back


def test_an_optional_field_left_blank_is_fine(app):
    valid, errors, data = validated(app, optional_day="   ")
    assert valid and errors == {} and data["optional_day"] is None


def test_good_values_still_read(app):
    valid, errors, data = validated(app, number="１２", day="2026年5月1日", clock="8点30",
                                    hours="１.５小时")
    assert valid, errors
    assert (data["number"], data["day"].isoformat(), data["clock"].isoformat(),
            data["hours"]) == (12, "2026-05-01", "08:30:00", 90)


@pytest.mark.parametrize("text, minutes", [
    ("2", 120), ("1.5", 90), ("1,5", 90), ("0.5h", 30), ("", None), ("abc", None),
    ("NaN", None), ("Infinity", None), ("1e999999", None), ("-1e999999", None),
    ("1e-999999", 0), ("9" * 10_000, None),
])
def test_parse_hours_never_raises(text, minutes):
    assert parse_hours(text) == minutes
