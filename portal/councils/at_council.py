"""The decisions' section on a council's page: its decisions with the step each is at, and
for those who keep the council, the way to start one.

Registered with ``portal.sections`` when the decision views are imported; the council page
does not import the decisions."""

from flask_login import current_user
from sqlalchemy import select

from portal import sections
from portal.councils import decisions
from portal.councils.models import Decision
from portal.extensions import db

SHOWN = 20


def decisions_at(council):
    """The council's latest decisions, each with its next step (None: done or stopped)."""
    rows = db.session.scalars(
        select(Decision).where(Decision.council_id == council.id)
        .order_by(Decision.created_at.desc(), Decision.id.desc()).limit(SHOWN)).all()
    may_start = decisions.may_start(current_user, council)
    if not rows and not may_start:
        return None
    return {"council": council, "may_start": may_start,
            "decisions": [(d, *decisions.where(d)) for d in rows],
            "labels": decisions.STEP_LABELS}


sections.register("council", "councils/_decisions_at_council.html", decisions_at)
