"""Forms of the residents' request pages: raising a request (or writing one down for a
neighbour), 问题解决了吗？, and the 三事清单's filters. Rules are checked by the rules
(``portal.councils.requests``, ``satisfaction``), not here."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.councils import listing, requests, satisfaction, states
from portal.councils.models import CLASSES
from portal.councils.words import (
    CATEGORY_LABELS,
    CLASS_SHORT,
    SATISFACTION_LABELS,
    STATE_LABELS,
)
from portal.forms import ChoiceField, RadioChoiceField, mobile_field, options, strip
from portal.i18n import lazy_gettext as _l
from portal.urls import as_id

TOO_LONG = _l("At most %(max)d characters.")


def optional_id(value):
    """An id from a select where "" means none."""
    if value in ("", None):
        return None
    ident = as_id(str(value))
    if ident is None:
        raise ValueError(value)
    return ident


class RequestForm(FlaskForm):
    body = TextAreaField(
        _l("What is wrong?"), filters=[strip],
        description=_l("Say what, and where: for example “the light on the stairs of "
                       "unit 3 has been broken for a month”."),
        render_kw={"maxlength": requests.BODY_MAX, "rows": 5},
        validators=[DataRequired(_l("Write what is wrong, in your own words.")),
                    Length(max=requests.BODY_MAX, message=TOO_LONG)])
    category = RadioChoiceField(_l("What is it about?"), choices=options(CATEGORY_LABELS.items()),
                                validators=[InputRequired(_l("Choose what it is about."))])
    building = ChoiceField(_l("Building (optional)"), coerce=optional_id,
                           validators=[Optional()],
                           message=_l("Choose one of the buildings listed."))
    public = RadioChoiceField(
        _l("Who may see it?"), default="yes",
        choices=options([("yes", _l("Public: neighbours can see it and say they have the "
                                    "same problem")),
                         ("no", _l("Not public: only you and those handling it can see it"))]),
        validators=[InputRequired(_l("Choose who may see it."))])
    photo = FileField(_l("Photo (optional)"),
                      description=_l("A JPEG or PNG picture, at most 5 MB."),
                      render_kw={"accept": "image/jpeg,image/png"})

    def offer_buildings(self, buildings):
        """Offer ``buildings`` of the courtyard (none: the field is not asked)."""
        if buildings:
            self.building.choices = options([("", _l("Not about one building"))]
                                            + [(b.id, b.name) for b in buildings])
        else:
            del self.building

    def uploaded_photo(self):
        """The uploaded file, or None when no photo was chosen."""
        data = self.photo.data
        return data if data is not None and getattr(data, "filename", "") else None


class RecordForm(RequestForm):
    """A leader writes down what a neighbour said (代录)."""

    mobile = mobile_field(_l("The neighbour's mobile number"))


class SatisfactionForm(FlaskForm):
    answer = RadioChoiceField(_l("Was the problem solved?"),
                              choices=options(SATISFACTION_LABELS.items()),
                              validators=[InputRequired(_l("Choose yes, partly or no."))])
    words = TextAreaField(_l("Anything to add? (optional)"), filters=[strip],
                          render_kw={"maxlength": satisfaction.WORDS_MAX, "rows": 3},
                          validators=[Length(max=satisfaction.WORDS_MAX, message=TOO_LONG)])


class ListForm(FlaskForm):
    """The 三事清单's query string: ``?klass=minor&state=closed&courtyard=12&category=…``.
    A value that makes no sense is named beside its filter and not applied."""

    class Meta:
        csrf = False

    klass = ChoiceField(_l("Class"), validators=[Optional()], choices=options(
        [("", _l("All"))] + [(k, CLASS_SHORT[k]) for k in CLASSES]
        + [(listing.UNSORTED, _l("Not yet sorted"))]))
    state = ChoiceField(_l("State"), validators=[Optional()], choices=options(
        [("", _l("All"))] + [(s, STATE_LABELS[s]) for s in states.STATES]))
    courtyard = ChoiceField(_l("Courtyard"), coerce=optional_id, validators=[Optional()])
    category = ChoiceField(_l("About"), validators=[Optional()], choices=options(
        [("", _l("All"))] + list(CATEGORY_LABELS.items())))

    def offer_courtyards(self, courtyards):
        self.courtyard.choices = options([("", _l("All"))]
                                         + [(c.id, c.name) for c in courtyards])

    def filters(self):
        """The filters asked for, leaving out any that made no sense."""
        self.validate()

        def good(field):
            return None if field.errors else (field.data or None)

        return listing.Filters(klass=good(self.klass), state=good(self.state),
                               courtyard_id=good(self.courtyard), category=good(self.category))
