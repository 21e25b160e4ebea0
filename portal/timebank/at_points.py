"""The time bank's section on a service point's page: the volunteer activities to come there.

Registered with ``portal.sections`` when the time bank is imported, so the service map shows
it without importing the time bank.
"""

from sqlalchemy.orm import joinedload

from portal import sections
from portal.extensions import db
from portal.timebank.activities import upcoming_at
from portal.timebank.models import Activity
from portal.timeutil import utcnow


def activities_at(point):
    """The activities to come at ``point``, with what each card shows, or None if none."""
    activities = db.session.scalars(upcoming_at(point, utcnow()).options(
        joinedload(Activity.place), joinedload(Activity.organization),
        joinedload(Activity.community))).all()
    return {"activities": activities} if activities else None


sections.register("service_point", "timebank/_at_point.html", activities_at)
