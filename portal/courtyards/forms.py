"""Forms of the courtyard pages: a household, a notice (通知 or 公示), withdrawing one, an
agreement. Rules are checked by the rules (``portal.courtyards``), not here."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.courtyards import agreements, households, notices
from portal.forms import ChoiceField, DayField, options, strip
from portal.i18n import lazy_gettext as _l

TOO_LONG = _l("At most %(max)d characters.")


def text_field(label, most, required, **kwargs):
    """A text field with its length limit said both to the browser and by the server."""
    validators = [DataRequired(required)] if required else [Optional()]
    return StringField(label, filters=[strip], render_kw={"maxlength": most},
                       validators=[*validators, Length(max=most, message=TOO_LONG)], **kwargs)


def body_field(label, most, required, **kwargs):
    return TextAreaField(label, filters=[strip], render_kw={"maxlength": most, "rows": 8},
                         validators=[DataRequired(required),
                                     Length(max=most, message=TOO_LONG)], **kwargs)


class HouseholdForm(FlaskForm):
    """Where in the courtyard I live: building (if it has any), unit, room."""

    building = ChoiceField(_l("Building"), coerce=households.building_choice,
                           validators=[Optional()],
                           message=_l("Choose one of the buildings listed."))
    unit = StringField(_l("Unit (optional)"), filters=[strip],
                       description=_l("For example: 2"),
                       render_kw={"maxlength": households.PART_MAX, "class": "short"},
                       validators=[Length(max=households.PART_MAX, message=TOO_LONG)])
    room = StringField(_l("Room"), filters=[strip], description=_l("For example: 401"),
                       render_kw={"maxlength": households.PART_MAX, "class": "short"},
                       validators=[DataRequired(_l("Write the room number, like 401.")),
                                   Length(max=households.PART_MAX, message=TOO_LONG)])

    def offer_buildings(self, buildings):
        """Offer ``buildings`` (none: the field is not asked)."""
        if buildings:
            self.building.choices = options(
                [("", _l("No building / not in a building"))]
                + [(b.id, b.name) for b in buildings])
        else:
            del self.building


class NoticeForm(FlaskForm):
    title = text_field(_l("Title"), notices.TITLE_MAX, _l("Give the notice a title."))
    body = body_field(_l("Text"), notices.BODY_MAX, _l("Write the text of the notice."),
                      description=_l("Plain text. Leave an empty line between paragraphs; "
                                     "start a line with “- ” for a list."))
    publicity = BooleanField(_l("Publicity: residents may object or ask questions during "
                                "a set period"))
    starts_on = DayField(_l("Publicity starts on"), validators=[Optional()],
                         render_kw={"class": "short"})
    ends_on = DayField(_l("Publicity ends on (the last day)"), validators=[Optional()],
                       render_kw={"class": "short"})
    pinned_until = DayField(_l("Keep at the top until (optional)"), validators=[Optional()],
                            render_kw={"class": "short"})

    def window(self):
        """(first day, last day) for a 公示, else None. A missing day is asked for."""
        if not self.publicity.data:
            return None
        return self.starts_on.data, self.ends_on.data

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.publicity.data:
            for field in (self.starts_on, self.ends_on):
                if field.data is None and not field.errors:
                    field.errors.append(_l("Enter the date."))
                    valid = False
        return valid


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why is it withdrawn?"), filters=[strip],
                           description=_l("Residents will read this."),
                           render_kw={"maxlength": notices.REASON_MAX, "rows": 3},
                           validators=[DataRequired(_l("Say why it is withdrawn, so residents "
                                                       "understand.")),
                                       Length(max=notices.REASON_MAX, message=TOO_LONG)])


class AgreementForm(FlaskForm):
    title = text_field(_l("Title"), agreements.TITLE_MAX, _l("Give the agreement a title."))
    other_party = text_field(_l("With whom"), agreements.PARTY_MAX,
                             _l("Say who the courtyard signed with."),
                             description=_l("For example: the developer of the new estate "
                                            "across the road"))
    signed_on = DayField(_l("Signed on"), validators=[InputRequired(_l("Enter the date."))],
                         render_kw={"class": "short"})
    text = body_field(_l("What was agreed"), agreements.TEXT_MAX,
                      _l("Write what was agreed."),
                      description=_l("Plain text. Leave an empty line between paragraphs; "
                                     "start a line with “- ” for a list."))
