"""Form pieces shared by every domain."""

import re
import unicodedata
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from portal.accounts.people import is_valid_mobile, normalize_mobile


def options(pairs, group=None):
    """Choices for a select or radio field from (value, label) pairs, in an optional group."""
    return [SelectChoice(value, label, optgroup=group) for value, label in pairs]


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


def strip(value):
    return value.strip() if isinstance(value, str) else value


def mobile_field(label=None, validators=(), **kwargs):
    """A mobile-number field that accepts spaces, dashes, +86 and full-width digits."""
    return StringField(
        label or _l("Mobile number"),
        filters=[normalize_mobile],
        validators=[valid_mobile, *validators],
        render_kw={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20},
        **kwargs,
    )


def valid_mobile(form, field):
    if not field.data:
        raise StopValidation(_l("Enter your mobile number."))
    if not is_valid_mobile(field.data):
        raise StopValidation(
            _l("Enter an 11-digit mainland mobile number, like 13812345678.")
        )


class _ChoiceMixin:
    """Bad or forged choices get a plain, translated message instead of WTForms' own."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        kwargs.setdefault("coerce", str)
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.invalid_message = message or _l("Choose one of the options listed.")

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0])
            except (TypeError, ValueError):
                self.data = None

    def choice_values(self):
        return {choice.value for choice in self.choices or []}

    def pre_validate(self, form):
        if self.raw_data and self.raw_data[0] != "" and self.data not in self.choice_values():
            raise StopValidation(self.invalid_message)


class ChoiceField(_ChoiceMixin, SelectField):
    pass


class RadioChoiceField(_ChoiceMixin, RadioField):
    pass


def _typed(valuelist):
    """What was typed, with full-width digits and punctuation made plain."""
    return unicodedata.normalize("NFKC", valuelist[0]).strip() if valuelist else ""


class WholeNumberField(IntegerField):
    """A whole number; bad input gets a plain message instead of WTForms' own."""

    def process_formdata(self, valuelist):
        text = _typed(valuelist)
        self.data = None
        if text:
            try:
                self.data = int(text)
            except ValueError:
                raise ValueError(_l("Write a whole number, like 3.")) from None


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class DateError(ValueError):
    """A typed date that is not one; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def parse_date(text):
    """Read ``2026-05-01`` (or 2026/5/1, 2026年5月1日); raise DateError saying what is wrong."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    match = _DATE.match(text)
    if not match:
        raise DateError(_l("Write the date like 2026-05-01."))
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        raise DateError(_l("There is no such date as “%(value)s”.", value=text)) from None


class DayField(DateField):
    """A date typed or picked: 2026-11-29, 2026/11/29 or 2026年11月29日."""

    def process_formdata(self, valuelist):
        text = _typed(valuelist)
        self.data = None
        if text:
            try:
                self.data = parse_date(text)
            except DateError as error:
                raise ValueError(error.message) from None


class ClockField(TimeField):
    """A time of day: 08:30, 8:30 or 8点30."""

    def process_formdata(self, valuelist):
        text = _typed(valuelist).replace("点", ":").replace("分", "")
        self.data = None
        if text:
            if text.endswith(":"):
                text += "00"
            try:
                self.data = datetime.strptime(text, "%H:%M").time()
            except ValueError:
                raise ValueError(_l("Write the time like 08:30.")) from None
