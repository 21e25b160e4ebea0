"""Forms of the service map: the list's filters, and for keeping points the point, its
weekly hours, an exception. They read what was typed; the rules (a spot far from its
community, a day that has passed) are in ``points`` and refuse with ``Refused``."""

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
)

from portal.extensions import db
from portal.forms import (
    ChoiceField,
    DayField,
    RadioChoiceField,
    WholeNumberField,
    options,
    strip,
)
from portal.i18n import lazy_gettext as _l
from portal.phones import service_phone
from portal.places.models import Place
from portal.servicemap import geo, hours, points, search
from portal.servicemap.models import CATEGORIES, PRICES, STATUSES
from portal.urls import MAX_PAGE, as_id


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


class KeptDayField(DayField):
    """A day that keeps the object's value when the form does not send the field at all."""

    def process_formdata(self, valuelist):
        if valuelist:
            super().process_formdata(valuelist)


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
    verified_on = KeptDayField(_l("Details last checked on"),
                               description=_l("Shown to residents. Like 2026-03-01."),
                               validators=[Optional()])

    def __init__(self, *args, places=(), operators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options(CATEGORIES.items())
        self.place_id.choices = options((p.id, p.name) for p in places)
        self.operator_id.choices = options([("", _l("The community itself"))]
                                        + [(o.id, o.name) for o in operators])

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
            "verified_on": self.verified_on.data,
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
    day = DayField(_l("Date"),
                   validators=[InputRequired(_l("Enter the date, like 2026-05-01."))])
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


# --- the list's filters, read from the address (a GET form: no CSRF token) ---

def _given(value):
    """What the address says, trimmed: nothing longer than anyone types."""
    return value.strip()[:60] if isinstance(value, str) else value


class KindField(ChoiceField):
    """A kind of service, named in the address."""

    def pre_validate(self, form):
        if self.data and self.data not in self.choice_values():
            raise StopValidation(_("There is no kind of service called “%(value)s”.",
                                   value=self.data[:40]))


class YesField(BooleanField):
    """A ticked box in an address: 1, on, true or yes; anything else is named, not guessed."""

    def process_formdata(self, valuelist):
        text = _given(valuelist[0]) if valuelist else ""
        self.data = text.lower() in search.YES
        if text and not self.data:
            raise ValueError(_("“%(value)s” is not a choice for “%(name)s”.", value=text,
                               name=self.label.text))


def _minutes_in_range(form, field):
    most = search.MAX_WITHIN_MINUTES
    if field.data is not None and not 1 <= field.data <= most:
        raise StopValidation(_("“%(value)s” is not a number of minutes from 1 to %(most)d.",
                               value=field.raw_data[0][:40], most=most))


def _page_in_range(form, field):
    most = form.MOST_PAGES
    if field.data is not None and not 1 <= field.data <= most:
        raise StopValidation(_("“%(value)s” is not a page number from 1 to %(most)d.",
                               value=field.raw_data[0][:40], most=most))


class ListForm(FlaskForm):
    """The list's query string: ``?category=meals&open=1&within=15&step_free=1&place=12
    &from=34&lat=30.66&lon=104.04&near=草堂&page=2``. Fed ``request.args``; a value that makes
    no sense is named beside its filter and no filter is applied (``asked``)."""

    class Meta:
        csrf = False

    MOST_PAGES = search.MAX_PAGE

    category = KindField(_l("Kind of service"), filters=[_given],
                         choices=options(CATEGORIES.items()))
    open = YesField(_l("Open now"))
    within = WholeNumberField(_l("Walking minutes"), validators=[Optional(), _minutes_in_range])
    step_free = YesField(_l("Step-free entrance"))
    place = StringField(_l("Community"), filters=[_given])
    lat = StringField(_l("Latitude"), filters=[_given])
    lon = StringField(_l("Longitude"), filters=[_given])
    near = StringField(_l("Name of the courtyard"), filters=[_given, lambda v: v and v[:40]])
    page = WholeNumberField(_l("Page"), validators=[Optional(), _page_in_range])

    def validate_place(self, field):
        field.place = None
        if field.data:
            place = _place(field.data)
            if place is None or place.kind in ("courtyard", "building"):
                raise StopValidation(_("There is no community numbered “%(value)s”.",
                                       value=field.data))
            field.place = place

    def validate_from(self, field):
        field.place = None
        if field.data:
            place = _place(field.data)
            if place is None or place.kind != "courtyard" or not place.has_coordinates:
                raise StopValidation(_("There is no courtyard numbered “%(value)s”.",
                                       value=field.data))
            field.place = place

    def validate_lat(self, field):
        self.location = None
        lat, lon = field.data or "", self.lon.data or ""
        if lat or lon:
            self.location = _location(lat, lon)
            if self.location is None:
                raise StopValidation(_("“%(lat)s, %(lon)s” is not a place on Earth.",
                                       lat=lat, lon=lon))

    def asked(self):
        """Return what the list was asked for (``search.ListRequest``); when anything made no
        sense, its words are in ``problems`` and the list is not filtered at all."""
        self.validate()
        request = search.ListRequest(near=self.near.data or "",
                                     problems=[m for f in self for m in f.errors])
        request.courtyard = None if self["from"].errors else self["from"].place
        request.location = None if self.lat.errors else self.location
        # The page is kept whatever else is wrong, so the pager's links still lead on.
        page = 1 if self.page.errors else self.page.data or 1
        request.filters = search.ListFilters(page=page) if request.problems else (
            search.ListFilters(category=self.category.data or None, open_now=self.open.data,
                               within=self.within.data, step_free=self.step_free.data,
                               place=self.place.place, page=page))
        return request


# "from" is a Python keyword, so the field is added by name.
setattr(ListForm, "from", StringField(_l("Courtyard"), filters=[_given]))  # noqa: B010


class CoverageForm(FlaskForm):
    """The coverage report's query string: ``?category=meals&gaps=1&page=2``; fed
    ``request.args``. What makes no sense is named and the whole report shown (``asked``)."""

    class Meta:
        csrf = False

    MOST_PAGES = MAX_PAGE

    category = KindField(_l("Kind of service"), filters=[_given],
                         choices=options(CATEGORIES.items()))
    gaps = YesField(_l("Only courtyards with gaps"))
    page = WholeNumberField(_l("Page"), validators=[Optional(), _page_in_range])

    def asked(self):
        """Return (category or "", gaps only, page, problems): no filter when any problem."""
        self.validate()
        problems = [m for f in self for m in f.errors]
        if problems:
            return "", False, 1, problems
        return self.category.data or "", self.gaps.data, self.page.data or 1, problems


def _place(text):
    ident = as_id(text)
    return db.session.get(Place, ident) if ident else None


def _location(lat, lon):
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        return None
    # NaN and infinity fail the range checks too.
    return (latitude, longitude) if geo.valid_coordinates(latitude, longitude) else None
