"""Forms for keeping service points: the point, its weekly hours, an exception."""

from datetime import date

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from portal.forms import ChoiceField, DateError, RadioChoiceField, options, parse_date, strip
from portal.i18n import lazy_gettext as _l
from portal.phones import service_phone
from portal.servicemap import hours, points
from portal.servicemap.models import CATEGORIES, PRICES, STATUSES
from portal.timeutil import local_today


def _length(most):
    return Length(max=most, message=_l("At most %(max)d characters."))


def optional_int(value):
    """Read an id from a select where "" means none."""
    return None if value in ("", None) else int(value)


class CoordinateField(StringField):
    """A latitude or longitude typed by hand: the text is kept, ``value`` is the number."""

    def __init__(self, label, low, high, example, word, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "maxlength": 20,
                                        "autocomplete": "off"})
        super().__init__(label, **kwargs)
        self.low, self.high, self.example, self.word = low, high, example, word
        self.value = None

    def _value(self):
        return self.data if isinstance(self.data, str) else ("" if self.data is None
                                                             else f"{self.data:.6f}".rstrip("0"))

    def pre_validate(self, form):
        text = self._value().strip()
        if not text:
            raise StopValidation(_l("Enter the %(name)s, like %(example)s.",
                                    name=self.word, example=self.example))
        self.value = points.parse_coordinate(text, self.low, self.high)
        if self.value is None:
            raise StopValidation(_(
                "“%(value)s” is not a %(name)s. It is a number from %(low)d to %(high)d, "
                "like %(example)s.", value=text[:20], name=self.word, low=self.low,
                high=self.high, example=self.example))


def valid_phone(form, field):
    if not field.data:
        field.data = None
        return
    normal = service_phone(field.data)
    if normal is None:
        raise StopValidation(_(
            "“%(value)s” is not a phone number. Write a mobile number like 13812345678, or a "
            "landline with its area code like 028-87331234.", value=field.data[:30]))
    field.data = normal


def valid_day_not_future(form, field):
    if not field.data:
        field.data = None
        return
    if isinstance(field.data, date):
        day = field.data  # not sent: the point's own date, kept as it was
    else:
        try:
            day = parse_date(field.data)
        except DateError as error:
            raise StopValidation(error.message) from None
    if day > local_today():
        raise StopValidation(_l("That date has not come yet."))
    field.parsed = day


class PointForm(FlaskForm):
    name = StringField(_l("Name of the service point"), filters=[strip], validators=[
        DataRequired(_l("Enter the name of the service point.")), _length(100)],
        render_kw={"maxlength": 100})
    category = ChoiceField(_l("Kind of service"),
                           validators=[InputRequired(_l("Choose the kind of service."))],
                           message=_l("Choose one of the kinds of service listed."))
    place_id = ChoiceField(_l("Community"), coerce=int,
                        validators=[InputRequired(_l("Choose the community."))],
                        message=_l("Choose one of the communities listed: you can only keep "
                                   "service points where you work."))
    operator_id = ChoiceField(_l("Run by"), coerce=optional_int,
                           message=_l("Choose one of the organizations listed."))
    address = StringField(_l("Address"), filters=[strip], validators=[
        DataRequired(_l("Enter the address.")), _length(200)], render_kw={"maxlength": 200})
    latitude = CoordinateField(_l("Latitude"), -90, 90, "30.6641", _l("latitude"),
                               description=_l("From a phone's map or GPS (WGS-84)."))
    longitude = CoordinateField(_l("Longitude"), -180, 180, "104.0402", _l("longitude"))
    phone = StringField(_l("Phone"), filters=[strip], validators=[valid_phone],
                        render_kw={"inputmode": "tel", "maxlength": 30})
    price = RadioChoiceField(_l("Price"), validators=[InputRequired(_l("Choose the price."))],
                             choices=options(PRICES.items()),
                             message=_l("Choose one of the prices listed."))
    services = TextAreaField(_l("Services offered"), filters=[strip],
                             description=_l("One a line, like: 老年餐 12元 / 送餐上门"),
                             validators=[_length(500)], render_kw={"rows": 5})
    directions = TextAreaField(_l("How to get there"), filters=[strip],
                               description=_l("In words: landmarks, which door, which floor."),
                               validators=[_length(300)], render_kw={"rows": 3})
    step_free = BooleanField(_l("Step-free entrance"))
    accessible_toilet = BooleanField(_l("Accessible toilet"))
    lift = BooleanField(_l("Lift"))
    seats = BooleanField(_l("Seats to rest"))
    status = RadioChoiceField(_l("Status"), validators=[InputRequired(_l("Choose the status."))],
                              choices=options(STATUSES.items()),
                              message=_l("Choose one of the statuses listed."))
    status_note = StringField(_l("Note on the status"), filters=[strip],
                              description=_l("For example: closed for repairs until May."),
                              validators=[_length(200)], render_kw={"maxlength": 200})
    verified_on = StringField(_l("Details last checked on"), filters=[strip],
                              description=_l("Shown to residents. Like 2026-03-01."),
                              validators=[valid_day_not_future], render_kw={"type": "date"})

    def __init__(self, *args, places=(), operators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options(CATEGORIES.items())
        self.place_id.choices = options((p.id, p.name) for p in places)
        self.operator_id.choices = options([("", _l("The community itself"))]
                                        + [(o.id, o.name) for o in operators])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # The place's check needs both coordinates and the place, so it comes last.
        place = getattr(self, "chosen_place", None)
        lat, lon = self.latitude.value, self.longitude.value
        if valid and place is not None and lat is not None and lon is not None:
            far = points.too_far_from(place, lat, lon)
            if far:
                km, anchor = far
                self.latitude.errors.append(_l(
                    "This spot is %(km)d km from %(place)s. Check the numbers: latitude "
                    "first (about %(lat).1f here), then longitude (about %(lon).1f).",
                    km=km, place=anchor.name, lat=anchor.latitude, lon=anchor.longitude))
                valid = False
        return valid

    def values(self):
        """Return the point's fields as the form has them, parsed."""
        return {
            "name": self.name.data, "category": self.category.data,
            "address": self.address.data, "latitude": self.latitude.value,
            "longitude": self.longitude.value, "phone": self.phone.data,
            "price": self.price.data, "services": self.services.data or "",
            "directions": self.directions.data or None, "step_free": self.step_free.data,
            "accessible_toilet": self.accessible_toilet.data, "lift": self.lift.data,
            "seats": self.seats.data, "status": self.status.data,
            "status_note": self.status_note.data or None,
            "verified_on": getattr(self.verified_on, "parsed", None),
        }


class HoursForm(FlaskForm):
    """One line per weekday in the notation of ``servicemap.hours``."""

    monday = StringField(hours.WEEKDAYS[0])
    tuesday = StringField(hours.WEEKDAYS[1])
    wednesday = StringField(hours.WEEKDAYS[2])
    thursday = StringField(hours.WEEKDAYS[3])
    friday = StringField(hours.WEEKDAYS[4])
    saturday = StringField(hours.WEEKDAYS[5])
    sunday = StringField(hours.WEEKDAYS[6])

    DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

    def day_fields(self):
        return [self[name] for name in self.DAYS]

    def fill(self, schedule):
        for weekday, field in enumerate(self.day_fields()):
            field.data = hours.format_day(schedule.weekly.get(weekday, []))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        try:
            self.week = hours.parse_week([f.data or "" for f in self.day_fields()])
        except hours.HoursError as error:
            self.day_fields()[error.weekday].errors = [error.message]
            return False
        return True


class ExceptionForm(FlaskForm):
    day = StringField(_l("Date"), filters=[strip], render_kw={"type": "date"},
                      validators=[DataRequired(_l("Enter the date, like 2026-05-01."))])
    kind = RadioChoiceField(_l("That day"), default="closed",
                            choices=options([("closed", _l("Closed all day")),
                                             ("special", _l("Special hours"))]),
                            validators=[InputRequired(_l("Choose closed or special hours."))])
    hours = StringField(_l("Special hours"), filters=[strip],
                        description=_l("Only for special hours, like 09:00-12:00."),
                        validators=[Optional(), _length(100)])
    note = StringField(_l("Note for residents"), filters=[strip],
                       description=_l("For example: 清明节 or staff training."),
                       validators=[_length(200)], render_kw={"maxlength": 200})

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.day.data and not self.day.errors:
            try:
                self.parsed_day = parse_date(self.day.data)
                points.check_exception_day(self.parsed_day, local_today())
            except DateError as error:
                self.day.errors.append(error.message)
                valid = False
        self.intervals = []
        if self.kind.data == "special" and not self.hours.errors:
            try:
                self.intervals = hours.parse_day(self.hours.data or "")
            except hours.HoursError as error:
                self.hours.errors.append(error.message)
                return False
            if not self.intervals:
                self.hours.errors.append(_l("Enter the special hours, like 09:00-12:00."))
                valid = False
        elif self.kind.data == "closed" and self.hours.data:
            self.kind.errors.append(_l("You typed hours but chose “Closed all day”. Choose "
                                       "“Special hours”, or clear the hours."))
            valid = False
        return valid
