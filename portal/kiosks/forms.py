"""Forms of the kiosks: enrolling one, and the number pad's state."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.forms import ChoiceField, options, strip
from portal.i18n import lazy_gettext as _l
from portal.kiosks.enrolment import NAME_MAX
from portal.urls import as_id


def point_id(value):
    ident = as_id(str(value))
    if ident is None:
        raise ValueError(value)
    return ident


class EnrolForm(FlaskForm):
    point = ChoiceField(_l("Service point where this screen stands"), coerce=point_id,
                        validators=[InputRequired(_l("Choose the service point."))],
                        message=_l("Choose one of the service points listed."))
    name = StringField(
        _l("Name of this screen"),
        description=_l("So you can tell the screens apart, like 大厅入口左侧."),
        filters=[strip],
        validators=[DataRequired(_l("Give this screen a name.")),
                    Length(max=NAME_MAX, message=_l("At most %(max)d characters."))],
        render_kw={"maxlength": NAME_MAX})

    def set_points(self, points):
        self.point.choices = options((p.id, p.name) for p in points)


class PadForm(FlaskForm):
    """What the pad typed so far (hidden) and the key just pressed."""

    mobile = HiddenField()
    pin = HiddenField()
    step = HiddenField()
    next = HiddenField()
    key = StringField()
