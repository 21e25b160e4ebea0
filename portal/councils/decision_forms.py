"""Forms of the decision pages: starting one, and one form for each later step. The rules
(portal.councils.decisions) decide what is allowed; these only read what was typed."""


from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.councils import decisions
from portal.forms import ChoiceField, WholeNumberField, _TypedField, options, strip
from portal.i18n import lazy_gettext as _l
from portal.publicity.forms import WindowForm
from portal.urls import as_id

TOO_LONG = _l("At most %(max)d characters.")


def _an_id(value):
    """A choice's value as an id, None for the empty option; ValueError for anything that
    cannot be one."""
    if value in ("", None):
        return None
    ident = value if isinstance(value, int) else as_id(str(value))
    if ident is None:
        raise ValueError(value)
    return ident


def _text(label, required, most=decisions.TEXT_MAX, **kwargs):
    return TextAreaField(label, filters=[strip], render_kw={"maxlength": most, "rows": 6},
                         validators=[DataRequired(required), Length(max=most, message=TOO_LONG)],
                         **kwargs)


class NewDecisionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip],
                        description=_l("What is to be decided, like “Build a bicycle shed”."),
                        render_kw={"maxlength": decisions.TITLE_MAX},
                        validators=[DataRequired(_l("Give the decision a title.")),
                                    Length(max=decisions.TITLE_MAX, message=TOO_LONG)])
    request = ChoiceField(_l("From a request the council took up"), coerce=_an_id,
                          validators=[Optional()])
    collection = ChoiceField(_l("From the results of an opinion collection"), coerce=_an_id,
                             validators=[Optional()])

    def offer(self, requests, collections):
        self.request.choices = options([("", _l("Not from a request"))]
                                       + [(r.id, f"{r.number} {r.title}") for r in requests])
        self.collection.choices = options([("", _l("Not from a collection"))]
                                          + [(c.id, c.title) for c in collections])


class ProposeForm(FlaskForm):
    proposal = _text(_l("The Party organization's proposal"),
                     _l("Write down the proposal."))


class DeliberateForm(FlaskForm):
    motion = ChoiceField(_l("The motion the council passed"), coerce=_an_id,
                         validators=[InputRequired(_l("Choose the motion."))])

    def offer(self, motions):
        self.motion.choices = options(
            [("", _l("Choose a motion…"))]
            + [(m.id, f"{m.meeting.title}: {m.text[:60]}") for m in motions])


def _count(label):
    return WholeNumberField(label, render_kw={"inputmode": "numeric", "maxlength": 6,
                                              "class": "short"},
                            validators=[InputRequired(_l("Write the count, 0 if none.")),
                                        NumberRange(min=0, max=decisions.MOST_VOTES,
                                                    message=_l("Write each count as a whole "
                                                               "number, 0 or more."))])


class ResolveForm(FlaskForm):
    resolution = _text(_l("The resolution"), _l("Write down the resolution."))
    votes_for = _count(_l("How many voted for"))
    votes_against = _count(_l("How many voted against"))
    votes_abstain = _count(_l("How many abstained"))


class PublishForm(WindowForm):
    pass


class CarryOutForm(FlaskForm):
    """Nothing but the token: the step is its button."""


class YuanField(_TypedField, StringField):
    """An amount typed in yuan ("3,200.50"); ``data`` is whole fen (or None)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "maxlength": 20,
                                        "class": "short"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        text = self._read(valuelist)
        if text:
            try:
                self.data = decisions.parse_yuan(text)
            except ValueError:
                raise ValueError(_("Write the cost in yuan, like 3200 or 3,200.50.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return decisions.yuan(self.data) if self.data is not None else ""


class ResultForm(WindowForm):
    result = _text(_l("What was done"), _l("Write down what was done."))
    cost = YuanField(_l("What it cost, in yuan"), description=_l("For example 3,200.50"),
                     validators=[InputRequired(_l("Write the cost, 0 if nothing was "
                                                  "spent."))])
