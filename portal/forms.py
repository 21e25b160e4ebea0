"""Form pieces shared by every domain."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
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
