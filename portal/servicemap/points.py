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
from portal.accounts import permissions
from portal.accounts.permissions import can, organizations_where, places_where
from portal.extensions import db
from portal.organizations.models import Organization
from portal.places.models import Place, within
from portal.refusals import Refused
from portal.servicemap import geo
from portal.servicemap.models import HoursException, ServiceHours, ServicePoint

# A point further than this from its community's office is almost certainly a typing slip
# (digits swapped, latitude and longitude exchanged).
MAX_KM_FROM_COMMUNITY = 10
EXCEPTION_DAYS_AHEAD = 2 * 366


# --- who may do what ---

def may_edit(user, point):
    """Tell whether ``user`` works in the point's community or for the organization running it."""
    return permissions.works_at(user, point.place, point.operator)


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


def keeps_points(user):
    """Tell whether ``user`` keeps points anywhere: a community worker, or staff of an
    organization (which may run points)."""
    return user.is_authenticated and bool(places_where(user, "community_worker")
                                           or organizations_where(user, "org_staff"))


def editable_points(user):
    """Select the points ``user`` may edit (the same answer as ``may_edit``, for a list)."""
    return (select(ServicePoint).join(Place, Place.id == ServicePoint.place_id)
            .where(permissions.scope(user, ("community_worker", "org_staff"), place=Place.path,
                                     organization=ServicePoint.operator_id)))


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


def check_spot(place, latitude, longitude):
    """Refuse a spot implausibly far from the point's place (a typing slip)."""
    far = too_far_from(place, latitude, longitude)
    if far:
        km, anchor = far
        raise Refused("spot_too_far", field="latitude", km=km, place=anchor.name,
                      lat=anchor.latitude, lon=anchor.longitude)


# --- days ---

def check_verified_on(day, today):
    """Refuse a "last checked" day that has not come yet."""
    if day is not None and day > today:
        raise Refused("checked_in_future", field="verified_on")


def check_exception_day(day, today):
    """Refuse an exception for a day that has passed or is more than two years away."""
    if day < today:
        raise Refused("exception_day_passed", field="day")
    if day > today + timedelta(days=EXCEPTION_DAYS_AHEAD):
        raise Refused("exception_day_too_far", field="day")


# --- writing ---

POINT_FIELDS = ("name", "category", "address", "latitude", "longitude", "phone", "price",
                "services", "directions", "step_free", "accessible_toilet", "lift", "seats",
                "status", "status_note", "verified_on")


def save_point(point, values, actor, today, place=None, operator=None, move=False):
    """Set a point's fields from ``values``; ``move`` also sets its place and operator.

    Refused (nothing written) when the spot is far from its place or the checked day is to
    come."""
    new = point.id is None
    check_spot(place if move or new else point.place, values["latitude"], values["longitude"])
    check_verified_on(values.get("verified_on"), today)
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


def set_exception(point, day, closed, intervals, note, actor, today):
    """Make ``day`` an exception: closed, or open only during ``intervals``; refused for a
    day that has passed or is too far ahead."""
    check_exception_day(day, today)
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
