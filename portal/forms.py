"""Form pieces shared by every domain."""

import re
import secrets
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, StopValidation

from portal.i18n import lazy_gettext as _l
from portal.phones import is_valid_mobile, normalize_mobile
from portal.urls import MAX_ID


def options(pairs, group=None):
    """Choices for a select or radio field from (value, label) pairs, in an optional group."""
    return [SelectChoice(value, label, optgroup=group) for value, label in pairs]


class Pick(NamedTuple):
    """A typed choice value: ``Pick("activity", 12)``, sent in the page as "activity:12";
    ``Pick("neighbour")`` as "neighbour". Choice fields read it with ``coerce=Pick.read``, so
    a view gets a kind and an id, never a string to take apart."""

    kind: str
    id: int | None = None

    def __str__(self):
        return self.kind if self.id is None else f"{self.kind}:{self.id}"

    @classmethod
    def read(cls, value):
        """"activity:12" → Pick("activity", 12); ValueError (the field's "choose one of the
        options" message) for anything else."""
        if isinstance(value, cls):
            return value
        kind, colon, ident = str(value).partition(":")
        if not kind.isascii() or not kind.isalpha():
            raise ValueError(value)
        if not colon:
            return cls(kind)
        if not (ident.isascii() and ident.isdigit() and 0 < int(ident) <= MAX_ID):
            raise ValueError(value)
        return cls(kind, int(ident))

    @classmethod
    def of(cls, row):
        """The value naming a row: Pick("organization", 3) for an Organization."""
        return cls(type(row).__name__.lower(), row.id)


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


def new_token():
    """A one-time token naming one sending of a form (ledger keys are made from it)."""
    return secrets.token_urlsafe(16)


class TokenForm(FlaskForm):
    """A form that carries a one-time token, so a double-tapped submit acts once."""

    token = HiddenField(default=new_token, validators=[
        InputRequired(_l("Reload the page and send the form again.")),
        Length(max=40, message=_l("Reload the page and send the form again."))])


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


class _TypedField:
    """A field whose text is read into a value: a number, a date, a time, hours.

    Whitespace alone counts as nothing typed (``raw_data`` is emptied), so ``InputRequired``
    says its own words and ``Optional`` lets it be, instead of the form going on with no value.
    Text that cannot be read gets one plain message; the field's other validators (a range,
    say) are not asked about a value that is not there.
    """

    def _read(self, valuelist):
        """The typed text, or "" (and no raw data) when only whitespace was sent."""
        self.data = None
        text = _typed(valuelist)
        if not text:
            self.raw_data = []
        return text

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the reading error is already the field's message


# Longer than any count the portal keeps (and than a 64-bit integer column holds).
MOST_DIGITS = 15
_WHOLE = re.compile(r"^[+-]?[0-9]+$")


class WholeNumberField(_TypedField, IntegerField):
    """A whole number; bad input gets a plain message instead of WTForms' own."""

    def process_formdata(self, valuelist):
        text = self._read(valuelist)
        if not text:
            return
        if not _WHOLE.match(text):
            raise ValueError(_l("Write a whole number, like 3."))
        if len(text.lstrip("+-").lstrip("0")) > MOST_DIGITS:
            raise ValueError(_l("That number is far too big."))
        self.data = int(text)


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
        # Translated now: the typed text is a value, never part of a lazy string.
        raise DateError(_("There is no such date as “%(value)s”.", value=text)) from None


class DayField(_TypedField, DateField):
    """A date typed or picked: 2026-11-29, 2026/11/29 or 2026年11月29日."""

    def process_formdata(self, valuelist):
        text = self._read(valuelist)
        if text:
            try:
                self.data = parse_date(text)
            except DateError as error:
                raise ValueError(error.message) from None


class ClockField(_TypedField, TimeField):
    """A time of day: 08:30, 8:30 or 8点30."""

    def process_formdata(self, valuelist):
        text = self._read(valuelist).replace("点", ":").replace("分", "")
        if text:
            if text.endswith(":"):
                text += "00"
            try:
                self.data = datetime.strptime(text, "%H:%M").time()
            except ValueError:
                raise ValueError(_l("Write the time like 08:30.")) from None


# --- hours, typed as "1.5" and kept as whole minutes ---

# No form takes more than this many hours; anything bigger is refused before it is multiplied
# (1e999999 hours × 60 overflows a Decimal).
MOST_HOURS = Decimal(1_000_000)


def hours_label(minutes):
    """"1.5" for 90 minutes: how hours are shown on buttons."""
    return f"{minutes / 60:g}"


def read_hours(text):
    """The hours in "2", "1.5", "1,5", "2小时" or full-width "１.５" as a finite Decimal, or
    None when it is not a number (NaN and Infinity are not)."""
    text = unicodedata.normalize("NFKC", text or "").strip().replace(",", ".")
    for suffix in ("小时", "h", "H"):
        text = text.removesuffix(suffix).strip()
    try:
        hours = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return hours if hours.is_finite() else None


def _to_minutes(hours):
    return int((hours * 60).to_integral_value())


def parse_hours(text):
    """Turn typed hours into whole minutes; None if it is not a number or absurdly big."""
    hours = read_hours(text)
    if hours is None or abs(hours) > MOST_HOURS:
        return None
    return _to_minutes(hours)


class HoursField(_TypedField, StringField):
    """Hours typed as a number; ``data`` is whole minutes, at most ``most`` (or None)."""

    def __init__(self, label=None, validators=None, *, most, allow_zero=False, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "maxlength": 8,
                                        "class": "short"})
        super().__init__(label, validators, **kwargs)
        self.allow_zero = allow_zero
        self.most = most
        self.hours = None

    def process_formdata(self, valuelist):
        text = self._read(valuelist)
        self.hours = read_hours(text) if text else None
        # Compared before multiplying, so no size of number can overflow.
        if self.hours is not None and abs(self.hours) <= Decimal(self.most) / 60:
            self.data = _to_minutes(self.hours)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return hours_label(self.data) if self.data is not None else ""

    def pre_validate(self, form):
        if not self.raw_data:
            return  # nothing typed: InputRequired or Optional decides
        if self.hours is None:
            raise StopValidation(_l("Write the hours as a number, like 2 or 1.5."))
        if self.hours < 0 or (self.data == 0 and not self.allow_zero):
            raise StopValidation(_l("The hours must be more than 0."))
        if self.data is None:
            raise StopValidation(_("At most %(hours)s hours.", hours=hours_label(self.most)))
