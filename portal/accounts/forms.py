"""Forms for signing in, registering and the profile."""

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, ValidationError
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
)

from portal.accounts.models import ROLE_LABELS, TEXT_SIZES
from portal.accounts.people import NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, find_by_mobile
from portal.courtyards.households import building_choice
from portal.forms import ChoiceField, RadioChoiceField, mobile_field, options, strip
from portal.i18n import lazy_gettext as _l
from portal.urls import as_id

HOUSEHOLD_PART_MAX = 10  # characters of a unit or a room (portal.courtyards.households)

TEXT_SIZE_LABELS = {"standard": _l("Standard"), "large": _l("Large"), "xlarge": _l("Extra large")}
LANGUAGE_LABELS = {"zh_Hans": "中文", "en": "English"}


def name_field():
    return StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=NAME_MAX, message=_l("A name can be at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
    )


def new_password_fields():
    password = PasswordField(
        _l("Password"),
        description=_l("At least %(min)d characters. A 6-digit number is fine.", min=PASSWORD_MIN),
        validators=[
            InputRequired(_l("Choose a password.")),
            Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                   message=_l("A password needs %(min)d to %(max)d characters.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            InputRequired(_l("Type the password a second time.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def courtyard_field(label=None):
    # Choices are the courtyards of the person's community, filled in by the view.
    return ChoiceField(label or _l("Your courtyard"), coerce=int,
                       validators=[InputRequired(_l("Choose your courtyard."))],
                       message=_l("Choose one of the courtyards listed."))


class LoginForm(FlaskForm):
    mobile = mobile_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this phone"))


def refuse_registered_mobile(form, field):
    if field.data and find_by_mobile(field.data):
        raise ValidationError(_l("This number is already registered. Sign in instead, "
                                 "or ask your community worker for help."))


class RegisterForm(FlaskForm):
    mobile = mobile_field(validators=[refuse_registered_mobile])
    name = name_field()
    courtyard = courtyard_field()
    password, confirm = new_password_fields()


class FirstLoginForm(FlaskForm):
    mobile = mobile_field()
    code = StringField(
        _l("Code on your slip"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the code printed on your slip."))],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 20},
    )
    password, confirm = new_password_fields()


class ProfileForm(FlaskForm):
    name = name_field()
    courtyard = courtyard_field()
    # Asked of courtyard and building leaders only (the view removes it for others).
    phone_shown_to_neighbours = BooleanField(
        _l("Show my full mobile number to the residents of my courtyard"),
        description=_l("Otherwise they see it with the middle digits hidden."))
    locale = RadioChoiceField(_l("Language"), choices=options(LANGUAGE_LABELS.items()),
                              validators=[InputRequired(_l("Choose a language."))])
    text_size = RadioChoiceField(
        _l("Text size"), choices=options((s, TEXT_SIZE_LABELS[s]) for s in TEXT_SIZES),
        validators=[InputRequired(_l("Choose a text size."))])


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()


class AssistedRegisterForm(FlaskForm):
    mobile = mobile_field(_l("Resident's mobile number"), validators=[refuse_registered_mobile])
    name = StringField(
        _l("Resident's name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the resident's name.")),
            Length(max=NAME_MAX, message=_l("A name can be at most %(max)d characters.")),
        ],
        render_kw={"maxlength": NAME_MAX},
    )
    courtyard = courtyard_field(_l("Resident's courtyard"))
    # The resident's household 户 (optional): building of the courtyard, unit and room.
    building = ChoiceField(_l("Building (optional)"), coerce=building_choice,
                           validators=[Optional()],
                           message=_l("Choose one of the buildings listed."))
    unit = StringField(_l("Unit (optional)"), filters=[strip],
                       render_kw={"maxlength": HOUSEHOLD_PART_MAX, "class": "short"},
                       validators=[Length(max=HOUSEHOLD_PART_MAX,
                                          message=_l("At most %(max)d characters."))])
    room = StringField(_l("Room (optional)"), filters=[strip],
                       description=_l("Leave the household empty if the resident does not "
                                      "want to say."),
                       render_kw={"maxlength": HOUSEHOLD_PART_MAX, "class": "short"},
                       validators=[Length(max=HOUSEHOLD_PART_MAX,
                                          message=_l("At most %(max)d characters."))])


class GrantForm(FlaskForm):
    mobile = mobile_field(_l("Mobile number of the person"))
    role = ChoiceField(_l("Role"), validators=[InputRequired(_l("Choose a role."))],
                       message=_l("Choose one of the roles listed."))

    def set_roles(self, roles):
        self.role.choices = options((r, ROLE_LABELS[r]) for r in roles)


# --- the counter: finding a resident, acting for them (代办), their kiosk PIN ---

def optional_id(value):
    """A chosen id, or None for the "all" line; ValueError for anything that is not an id."""
    if value in ("", None):
        return None
    ident = as_id(str(value))
    if ident is None:
        raise ValueError(value)
    return ident


def digits_only(value):
    return re.sub(r"\s", "", value) if isinstance(value, str) else value


class CounterSearchForm(FlaskForm):
    """Find a resident at the counter: by mobile number, or by name (and courtyard)."""

    class Meta:
        csrf = False  # a GET form fed request.args

    q = StringField(_l("Mobile number or name"), filters=[strip],
                    validators=[Length(max=40, message=_l("At most %(max)d characters."))],
                    render_kw={"maxlength": 40, "autocomplete": "off"})
    courtyard = ChoiceField(_l("Courtyard (optional)"), coerce=optional_id,
                            validators=[Optional()],
                            message=_l("Choose one of the courtyards listed."))


class ActingForm(FlaskForm):
    """Start acting for a resident: why, and that they are here and agree."""

    reason = StringField(
        _l("Why are you acting for the resident?"),
        description=_l("For example: cannot read the small screen, wants to sign up for the "
                       "Double Ninth lunch."),
        filters=[strip],
        validators=[DataRequired(_l("Write why you are acting for the resident.")),
                    Length(max=200, message=_l("At most %(max)d characters."))],
        render_kw={"maxlength": 200})
    present = BooleanField(_l("The resident is here at the counter"),
                           validators=[DataRequired(_l("The resident must be here."))])
    agrees = BooleanField(_l("The resident agrees that I act for them"),
                          validators=[DataRequired(_l("The resident must agree."))])


def pin_fields():
    pin = PasswordField(
        _l("New kiosk PIN"),
        description=_l("6 digits, for signing in at the touch screen of the service centre. "
                       "Not 123456, not the end of the mobile number."),
        filters=[digits_only],
        validators=[InputRequired(_l("Type a 6-digit PIN.")),
                    Regexp(r"^[0-9]{6}$", message=_l("A PIN is exactly 6 digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password", "maxlength": 6,
                   "class": "short"})
    confirm = PasswordField(
        _l("PIN again"),
        filters=[digits_only],
        validators=[InputRequired(_l("Type the PIN a second time.")),
                    EqualTo("pin", message=_l("The two PINs are not the same."))],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password", "maxlength": 6,
                   "class": "short"})
    return pin, confirm


class CounterPinForm(FlaskForm):
    """The resident types their new PIN on the counter's keyboard."""

    pin, confirm = pin_fields()


class ProfilePinForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    pin, confirm = pin_fields()
