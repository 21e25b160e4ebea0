"""Forms of the fund pages. They only read what was typed (money in yuan, kept as whole 分);
the rules (portal.funds.money) decide what is allowed."""


from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.councils.decisions import parse_yuan, yuan
from portal.forms import (
    ChoiceField,
    RadioChoiceField,
    TokenForm,
    WholeNumberField,
    _TypedField,
    options,
    strip,
)
from portal.funds import money
from portal.funds.words import GRANT_SOURCE_LABELS
from portal.i18n import lazy_gettext as _l
from portal.phones import normalize_mobile
from portal.urls import as_id

TOO_LONG = _l("At most %(max)d characters.")


def _length(most):
    return Length(max=most, message=TOO_LONG)


class YuanField(_TypedField, StringField):
    """An amount typed in yuan ("1,200.50", "¥200", "200元"); ``data`` is whole fen. A
    negative amount or one with a fraction of a fen gets a plain message."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "maxlength": 20,
                                        "class": "short"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        text = self._read(valuelist)
        if text:
            try:
                self.data = parse_yuan(text)
            except ValueError:
                raise ValueError(_("Write the amount in yuan, like 200 or 1,200.50 (at most "
                                   "two decimals).")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return yuan(self.data) if self.data is not None else ""


def _an_id(value):
    if value in ("", None):
        return None
    ident = value if isinstance(value, int) else as_id(str(value))
    if ident is None:
        raise ValueError(value)
    return ident



def _amount(label):
    return YuanField(label, description=_l("In yuan, for example 1,200.50"),
                     validators=[InputRequired(_l("Write the amount."))])


class FundForm(FlaskForm):
    name = StringField(_l("Name of the fund"), filters=[strip],
                       description=_l("For example 草堂路社区微基金"),
                       render_kw={"maxlength": money.NAME_MAX},
                       validators=[DataRequired(_l("Give the fund a name.")),
                                   _length(money.NAME_MAX)])
    description = TextAreaField(_l("What it is for (optional)"), filters=[strip],
                                render_kw={"maxlength": money.DESCRIPTION_MAX, "rows": 5},
                                validators=[_length(money.DESCRIPTION_MAX)])
    match_percent = WholeNumberField(
        _l("Matching: percent of residents' own money the fund adds"),
        description=_l("100 matches residents' contributions 1:1; 0 matches nothing."),
        default=100, render_kw={"inputmode": "numeric", "maxlength": 3, "class": "short"},
        validators=[InputRequired(_l("Write the percentage, 0 for no matching.")),
                    NumberRange(0, money.MOST_MATCH_PERCENT,
                                _l("The matching share is a whole percentage from 0 to 300."))])
    match_cap = YuanField(_l("Matching: at most this much for one project, in yuan"),
                          description=_l("0 matches nothing."),
                          validators=[InputRequired(_l("Write the amount."))])


class DonationForm(TokenForm):
    amount = _amount(_l("Amount donated"))
    donor_name = StringField(_l("Donor's name"), filters=[strip],
                             description=_l("A person's or a business's name, as they gave it."),
                             render_kw={"maxlength": money.DONOR_MAX},
                             validators=[DataRequired(_l("Write who gave it.")),
                                         _length(money.DONOR_MAX)])
    named = BooleanField(_l("The donor wants the full name shown (otherwise the public sees "
                            "it masked, like 张**)"))
    anonymous = BooleanField(_l("Anonymous to the public (the community's workers still see "
                                "the name)"))
    mobile = StringField(_l("Donor's mobile number, if a resident (optional)"),
                         filters=[normalize_mobile],
                         render_kw={"inputmode": "tel", "maxlength": 20},
                         validators=[Optional(), _length(20)])


class GrantForm(TokenForm):
    amount = _amount(_l("Amount granted"))
    source = RadioChoiceField(_l("Granted by"), choices=options(GRANT_SOURCE_LABELS.items()),
                              validators=[InputRequired(_l("Choose where the grant comes "
                                                           "from."))])
    grantor_name = StringField(_l("Name of the body"), filters=[strip],
                               description=_l("For example 草堂街道办事处"),
                               render_kw={"maxlength": money.DONOR_MAX},
                               validators=[DataRequired(_l("Write who gave it.")),
                                           _length(money.DONOR_MAX)])


class DisburseForm(TokenForm):
    project = ChoiceField(_l("To the project"), coerce=_an_id,
                          validators=[InputRequired(_l("Choose the project."))])
    amount = _amount(_l("Amount paid"))
    memo = StringField(_l("What it pays for (optional)"), filters=[strip],
                       description=_l("For example: first instalment, 60 % at contract"),
                       render_kw={"maxlength": money.REASON_MAX},
                       validators=[_length(money.REASON_MAX)])

    def offer(self, projects):
        self.project.choices = options([("", _l("Choose a project"))]
                                       + [(p.id, p.title) for p in projects])


class ReverseForm(FlaskForm):
    reason = StringField(_l("Why it is reversed"), filters=[strip],
                         description=_l("Published beside the entry, like “amount typed "
                                        "wrongly”."),
                         render_kw={"maxlength": money.REASON_MAX},
                         validators=[DataRequired(_l("Say why the entry is reversed.")),
                                     _length(money.REASON_MAX)])
