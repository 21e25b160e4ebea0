"""Keeping service points: who may edit which, coordinates that make sense, weekly hours and
exceptions (phone numbers are read in portal/phones.py). Plain functions; the views only call
them.

Scope: community workers (and admins above them) keep the points of their communities and
may add new ones there; organization staff keep the points their organization runs (all but
where it is and who runs it).
"""

import unicodedata
from datetime import timedelta

from sqlalchemy import delete, or_, select

from portal import audit
from portal.accounts.permissions import can, organizations_where, places_where
from portal.extensions import db
from portal.forms import DateError
from portal.i18n import lazy_gettext as _l
from portal.organizations.models import Organization
from portal.places.models import Place, within
from portal.servicemap import geo
from portal.servicemap.models import HoursException, ServiceHours, ServicePoint

# A point further than this from its community's office is almost certainly a typing slip
# (digits swapped, latitude and longitude exchanged).
MAX_KM_FROM_COMMUNITY = 10
EXCEPTION_DAYS_AHEAD = 2 * 366


# --- who may do what ---

def may_edit(user, point):
    """Tell whether ``user`` works in the point's community or for the organization running it."""
    return can(user, "community_worker", point.place) or (
        point.operator is not None and can(user, "org_staff", point.operator))


def may_move(user, point):
    """Tell whether ``user`` may change where a point belongs and who runs it."""
    return can(user, "community_worker", point.place)


def places_to_add(user):
    """Return the communities (or places under one) where ``user`` may add a point."""
    granted = places_where(user, "community_worker")
    found = []
    for place in granted:
        if place.kind in ("community", "group", "courtyard", "building"):
            candidates = [place]
        else:
            candidates = db.session.scalars(
                select(Place).where(within(place), Place.kind == "community")
                .order_by(Place.path)).all()
        found += [c for c in candidates if c not in found]
    return found


def operators_for(place):
    """Return the organizations based at, above or in ``place``: those that may run a point."""
    return db.session.scalars(
        select(Organization).join(Place, Organization.home_place_id == Place.id)
        .where(or_(Place.id.in_(place.lineage_ids), within(place)))
        .order_by(Organization.name)
    ).all()


def editable_points(user):
    """Select the points ``user`` may edit, or return None if there are none to edit."""
    conditions = [within(place) for place in places_where(user, "community_worker")]
    organizations = [o.id for o in organizations_where(user, "org_staff")]
    if organizations:
        conditions.append(ServicePoint.operator_id.in_(organizations))
    if not conditions:
        return None
    return (select(ServicePoint).join(Place, Place.id == ServicePoint.place_id)
            .where(or_(*conditions)))


# --- coordinates ---

def parse_coordinate(text, low, high):
    """Read a coordinate typed by hand, or None when it is not a number in range."""
    text = unicodedata.normalize("NFKC", text or "").strip().rstrip("°")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def too_far_from(place, latitude, longitude):
    """Return (km, place measured from) if the spot is implausibly far from it, else None."""
    community = place.ancestor("community") or place
    anchor = next((p for p in (place, community) if p.has_coordinates), None)
    if anchor is None:
        return None
    metres = geo.distance_m(anchor.latitude, anchor.longitude, latitude, longitude)
    if metres > MAX_KM_FROM_COMMUNITY * 1000:
        return round(metres / 1000), anchor
    return None


# --- dates typed by hand ---

def check_exception_day(day, today):
    if day < today:
        raise DateError(_l("That date has passed."))
    if day > today + timedelta(days=EXCEPTION_DAYS_AHEAD):
        raise DateError(_l("Choose a date within the next two years."))


# --- writing ---

POINT_FIELDS = ("name", "category", "address", "latitude", "longitude", "phone", "price",
                "services", "directions", "step_free", "accessible_toilet", "lift", "seats",
                "status", "status_note", "verified_on")


def save_point(point, values, actor, place=None, operator=None, move=False):
    """Set a point's fields from ``values``; ``move`` also sets its place and operator."""
    new = point.id is None
    for name in POINT_FIELDS:
        if name in values:
            setattr(point, name, values[name])
    if move or new:
        point.place = place
        point.operator = operator
    if new:
        db.session.add(point)
    db.session.flush()
    audit.record("servicepoint.create" if new else "servicepoint.update", point, actor=actor,
                 name=point.name)
    return point


def set_weekly_hours(point, week, actor):
    """Replace the point's weekly hours with ``week`` ({weekday: [(opens, closes)]})."""
    db.session.execute(delete(ServiceHours).where(ServiceHours.point_id == point.id))
    db.session.expire(point, ["hours"])
    for weekday, intervals in sorted(week.items()):
        for opens, closes in intervals:
            db.session.add(ServiceHours(point_id=point.id, weekday=weekday, opens=opens,
                                        closes=closes))
    db.session.flush()
    audit.record("servicepoint.hours", point, actor=actor,
                 week={d: iv for d, iv in week.items() if iv})


def set_exception(point, day, closed, intervals, note, actor):
    """Make ``day`` an exception: closed, or open only during ``intervals``."""
    remove_exception(point, day, actor=None)
    rows = [HoursException(point_id=point.id, day=day, closed=True, note=note)] if closed else [
        HoursException(point_id=point.id, day=day, closed=False, opens=opens, closes=closes,
                       note=note) for opens, closes in intervals]
    db.session.add_all(rows)
    db.session.flush()
    audit.record("servicepoint.exception", point, actor=actor, day=day, closed=closed,
                 intervals=intervals)


def remove_exception(point, day, actor):
    """Let ``day`` follow the weekly hours again."""
    db.session.execute(delete(HoursException).where(HoursException.point_id == point.id,
                                                    HoursException.day == day))
    db.session.expire(point, ["exceptions"])
    if actor is not None:
        audit.record("servicepoint.exception_removed", point, actor=actor, day=day)


def mark_verified(point, today, actor):
    point.verified_on = today
    audit.record("servicepoint.verified", point, actor=actor, day=today)
