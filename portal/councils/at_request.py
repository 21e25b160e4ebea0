"""The decisions' section on a request's page: the decision taken on it through
一征三议两公开, and the step it is at.

Registered with ``portal.sections`` when the decision views are imported; the request page
does not import the decisions."""

from sqlalchemy import select

from portal import sections
from portal.councils import decisions
from portal.councils.models import Decision
from portal.extensions import db


def decisions_on(request):
    """The decisions started from ``request`` with where each stands, or None."""
    rows = db.session.scalars(
        select(Decision).where(Decision.request_id == request.id)
        .order_by(Decision.id)).all()
    if not rows:
        return None
    return {"decisions": [(d, *decisions.where(d)) for d in rows],
            "labels": decisions.STEP_LABELS}


sections.register("request", "councils/_decision_at_request.html", decisions_on)
