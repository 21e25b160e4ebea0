"""Forms of the organizations registry: registering one, its profile, its status, incubation
stages, and the list's filters. They read what was typed; the rules (a name taken in the
sub-district, a code that does not add up, stages out of order) are in ``registry`` and
``incubation`` and refuse with ``Refused``."""

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from portal.extensions import db
from portal.forms import ChoiceField, DayField, RadioChoiceField, WholeNumberField, options, strip
from portal.i18n import lazy_gettext as _l
from portal.organizations.models import INCUBATION_STAGES, ORGANIZATION_KINDS
from portal.organizations.registry import REGISTRABLE_KINDS, STARTING_STATUSES
from portal.organizations.words import SERVICE_AREAS, STAGE_LABELS, STATUS_LABELS
from portal.phones import service_phone
from portal.places.models import Place
from portal.urls import MAX_PAGE, as_id


def _length(most):
    return Length(max=most, message=_l("At most %(max)d characters."))


def optional_id(value):
    """An id from a select where "" means none; ValueError for anything else."""
    if value in ("", None):
        return None
    ident = as_id(str(value))
    if ident is None:
        raise ValueError(value)
    return ident


class Checkboxes(SelectMultipleField):
    """Several options ticked, read with ``coerce``; anything forged gets the plain message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, coerce=str, **kwargs):
        super().__init__(label, validators, coerce=coerce, **kwargs)

    def process_formdata(self, valuelist):
        self.forged = False
        try:
            self.data = [self.coerce(value) for value in valuelist]
        except (TypeError, ValueError):
            self.data, self.forged = [], True

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices or []}
        if getattr(self, "forged", False) or any(v not in allowed for v in self.data or []):
            raise StopValidation(_l("Choose one of the options listed."))


def valid_phone(form, field):
    """A mobile or a landline with its area code, kept as the portal writes it."""
    if not field.data:
        field.data = None
        return
    normal = service_phone(field.data)
    if normal is None:
        raise StopValidation(_(
            "“%(value)s” is not a phone number. Write a mobile number like 13812345678, or a "
            "landline with its area code like 028-87331234.", value=field.data[:30]))
    field.data = normal


class CodeField(StringField):
    """The 统一社会信用代码 as typed: checked by the rule, kept as typed when refused."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("render_kw", {"maxlength": 30, "autocomplete": "off",
                                        "autocapitalize": "characters", "spellcheck": "false",
                                        "class": "code"})
        kwargs.setdefault("description", _l("18 characters, as on the registration "
                                            "certificate, like 52510105MJ2026CQX9."))
        super().__init__(label or _l("Unified social credit code"), filters=[strip], **kwargs)


class ProfileForm(FlaskForm):
    """What the organization says of itself; its staff keep it."""

    summary = TextAreaField(_l("What the organization does"), filters=[strip],
                            validators=[_length(500)], render_kw={"maxlength": 500, "rows": 4})
    service_areas = Checkboxes(_l("Service areas"), choices=options(SERVICE_AREAS.items()))
    address = StringField(_l("Address"), filters=[strip], validators=[_length(200)],
                          render_kw={"maxlength": 200})
    contact_name = StringField(_l("Contact person"), filters=[strip], validators=[_length(40)],
                               render_kw={"maxlength": 40})
    phone = StringField(_l("The organization's phone"), filters=[strip],
                        description=_l("Shown to everyone: the office or hotline, not a "
                                       "staff member's own mobile."),
                        validators=[valid_phone],
                        render_kw={"inputmode": "tel", "maxlength": 30})

    def profile(self):
        return {"summary": self.summary.data, "address": self.address.data,
                "contact_name": self.contact_name.data, "phone": self.phone.data,
                "service_areas": self.service_areas.data or []}


class _Keeping:
    """Fields only a worker keeping the organization sets: its name and communities."""

    name = StringField(_l("Name of the organization"), filters=[strip], validators=[
        DataRequired(_l("Write the organization's name.")), _length(100)],
        render_kw={"maxlength": 100})
    communities = Checkboxes(_l("Communities it serves"), coerce=int)

    def fill_communities(self, places):
        self.communities.choices = options((p.id, p.name) for p in places)

    def served(self):
        """The ticked communities as places (the choices are the street's communities)."""
        ids = set(self.communities.data or [])
        return [p for p in db.session.scalars(db.select(Place).where(Place.id.in_(ids)))]


class KeeperProfileForm(_Keeping, ProfileForm):
    """The profile as a worker keeping the organization sees it."""


class NewOrganizationForm(_Keeping, ProfileForm):
    kind = RadioChoiceField(_l("Kind"), choices=options(ORGANIZATION_KINDS.items()),
                            validators=[InputRequired(_l("Choose the kind."))])
    status = RadioChoiceField(_l("Status"), default="incubating",
                              choices=options((s, STATUS_LABELS[s]) for s in STARTING_STATUSES),
                              validators=[InputRequired(_l("Choose the status."))])
    credit_code = CodeField(description=_l("Only for a registered organization: 18 "
                                           "characters, as on its certificate."))
    day = DayField(_l("Filed or registered on"), validators=[Optional()],
                   description=_l("For a filed or registered organization. Empty: today."),
                   render_kw={"class": "short"})


class FileForm(FlaskForm):
    day = DayField(_l("Filed on"), validators=[Optional()],
                   description=_l("Empty: today."), render_kw={"class": "short"})


class RegisterForm(FlaskForm):
    kind = RadioChoiceField(_l("Registered as"),
                            choices=options((k, ORGANIZATION_KINDS[k]) for k in REGISTRABLE_KINDS),
                            validators=[InputRequired(_l("Choose the kind."))])
    credit_code = CodeField(validators=[DataRequired(_l("Write the unified social credit "
                                                        "code."))])
    day = DayField(_l("Registered on"), validators=[Optional()],
                   description=_l("Empty: today."), render_kw={"class": "short"})


class SuspendForm(FlaskForm):
    reason = TextAreaField(_l("Why it is suspended"), filters=[strip],
                           description=_l("Shown on the organization's page."),
                           validators=[DataRequired(_l("Say why the organization is "
                                                       "suspended.")), _length(500)],
                           render_kw={"maxlength": 500, "rows": 3})


class StageForm(FlaskForm):
    stage = RadioChoiceField(_l("Stage reached"),
                             choices=options((s, STAGE_LABELS[s]) for s in INCUBATION_STAGES),
                             validators=[InputRequired(_l("Choose the stage."))])
    day = DayField(_l("Reached on"), validators=[Optional()],
                   description=_l("Empty: today."), render_kw={"class": "short"})
    mentor = ChoiceField(_l("Mentor organization (optional)"), coerce=optional_id)
    note = TextAreaField(_l("Note (optional)"), filters=[strip], validators=[_length(1000)],
                         render_kw={"maxlength": 1000, "rows": 3})

    def fill_mentors(self, organizations):
        self.mentor.choices = options([("", _l("No mentor"))]
                                      + [(o.id, o.name) for o in organizations])


# --- the list's filters, read from the address (a GET form: no CSRF token) ---

def _given(value):
    return value.strip()[:60] if isinstance(value, str) else value


class _NamedChoice(ChoiceField):
    """A choice named in the address; an unknown one is named back, not guessed."""

    def pre_validate(self, form):
        if self.data and self.data not in self.choice_values():
            raise StopValidation(_("“%(value)s” is not a choice for “%(name)s”.",
                                   value=str(self.data)[:40], name=self.label.text))


def _page_in_range(form, field):
    if field.data is not None and not 1 <= field.data <= MAX_PAGE:
        raise StopValidation(_("“%(value)s” is not a page number from 1 to %(most)d.",
                               value=field.raw_data[0][:40], most=MAX_PAGE))


class ListForm(FlaskForm):
    """``?street=3&kind=foundation&status=registered&community=12&page=2``. A value that
    makes no sense is named beside its filter and no filter is applied (``asked``)."""

    class Meta:
        csrf = False

    street = StringField(_l("Sub-district"), filters=[_given])
    kind = _NamedChoice(_l("Kind"), filters=[_given], choices=options(ORGANIZATION_KINDS.items()))
    status = _NamedChoice(_l("Status"), filters=[_given], choices=options(STATUS_LABELS.items()))
    community = StringField(_l("Community"), filters=[_given])
    page = WholeNumberField(_l("Page"), validators=[Optional(), _page_in_range])

    def validate_street(self, field):
        field.place = _place(field.data, "street")
        if field.data and field.place is None:
            raise StopValidation(_("There is no sub-district numbered “%(value)s”.",
                                   value=field.data))

    def validate_community(self, field):
        field.place = _place(field.data, "community")
        if field.data and field.place is None:
            raise StopValidation(_("There is no community numbered “%(value)s”.",
                                   value=field.data))

    def asked(self):
        """(street, kind, status, community, problems): no filter at all when any problem."""
        self.validate()
        problems = [m for f in self for m in f.errors]
        if problems:
            return None, None, None, None, problems
        return (self.street.place, self.kind.data or None, self.status.data or None,
                self.community.place, problems)


def _place(text, kind):
    ident = as_id(text) if text else None
    place = db.session.get(Place, ident) if ident else None
    return place if place is not None and place.kind == kind else None
