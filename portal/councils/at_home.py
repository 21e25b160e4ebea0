"""The councils' section on the home page: a big "我要反映问题" button, and the signed-in
resident's open requests with their state in plain words.

Registered with ``portal.sections`` (imported by the requests' views); the home page does
not import the councils.
"""

from flask_login import current_user
from sqlalchemy import select

from portal import sections
from portal.councils import states
from portal.councils.models import Request
from portal.councils.words import STATE_LABELS
from portal.extensions import db

SHOWN = 3


def my_open_requests(user, limit=SHOWN):
    return db.session.scalars(
        select(Request).where(Request.requester_id == user.id,
                              Request.state.in_(states.OPEN))
        .order_by(Request.updated_at.desc(), Request.id.desc()).limit(limit)).all()


def at_home(courtyard):
    """The button for everyone who can raise a matter (visitors too: it leads to sign-in),
    and my open requests; None for an account with no home courtyard."""
    if not current_user.is_authenticated:
        return {"mine": [], "state_labels": STATE_LABELS}
    if current_user.home_courtyard_id is None:
        return None
    return {"mine": my_open_requests(current_user), "state_labels": STATE_LABELS}


sections.register("home", "councils/_at_home.html", at_home)
