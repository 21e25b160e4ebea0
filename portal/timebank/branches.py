"""Branch totals: the place tree is the bank — 总行 (district), 分行 (street), 储蓄所
(community). Totals come from running counts, never from summing millions of logs."""

from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.places.models import Place, within
from portal.timebank.models import Activity, MonthlyHours, Volunteer

BRANCH_KINDS = ("city", "district", "street", "community")
TOP_ACTIVITIES = 5


def totals(place, today):
    """Volunteers, approved minutes this month and this year, and the most active
    activities of this year, for ``place`` and each place directly under it."""
    year_start = date(today.year, 1, 1)
    month_start = today.replace(day=1)
    rows = db.session.execute(
        select(Place.path, MonthlyHours.month, MonthlyHours.minutes)
        .join(Place, MonthlyHours.community_id == Place.id)
        .where(within(place), MonthlyHours.month >= year_start)
    ).all()
    volunteers = db.session.execute(
        select(Place.path, func.count(Volunteer.user_id))
        .join(Place, Volunteer.community_id == Place.id).where(within(place))
        .group_by(Place.path)
    ).all()
    children = db.session.scalars(
        select(Place).where(Place.parent_id == place.id, Place.kind.in_(BRANCH_KINDS))
        .order_by(Place.name)
    ).all()
    summary = {p.id: {"place": p, "volunteers": 0, "month": 0, "year": 0}
               for p in [place, *children]}

    def owners(path):
        ids = {int(part) for part in path.strip("/").split("/")}
        return [summary[i] for i in ids if i in summary]

    for path, month, minutes in rows:
        for row in owners(path):
            row["year"] += minutes
            if month == month_start:
                row["month"] += minutes
    for path, count in volunteers:
        for row in owners(path):
            row["volunteers"] += count
    top = db.session.scalars(
        select(Activity).join(Place, Activity.community_id == Place.id)
        .where(within(place), Activity.starts_at >= year_start, Activity.approved_minutes > 0)
        .order_by(Activity.approved_minutes.desc()).limit(TOP_ACTIVITIES)
    ).all()
    return summary[place.id], [summary[c.id] for c in children], top
