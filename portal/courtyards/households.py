"""Households 户: the flat a resident lives in (3栋2单元401), recorded by the resident or at
the counter. A household is what "one vote per household" counts; nothing else needs one.

A household is found by its address (courtyard, building, unit, room) or created once: the
address is unique, so two neighbours of one flat recording it at the same moment share it.
"""

import unicodedata

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import User
from portal.accounts.permissions import can
from portal.courtyards.models import Household
from portal.extensions import db
from portal.places.models import Place, within
from portal.refusals import Refused

PART_MAX = 10  # characters of a unit or a room (the columns' size)


def tidy(text, suffixes=()):
    """A part of an address as it is compared: full-width digits made plain, spaces gone,
    a trailing "单元" or "室" dropped ("２单元" and "2" are one unit)."""
    text = "".join(unicodedata.normalize("NFKC", text or "").split())
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return text


def building_choice(value):
    """A building choice's value as an id, or None for "no building" (the empty option)."""
    return None if value in ("", None) else int(value)


def buildings_of(courtyard):
    """Select the buildings of ``courtyard``, by name."""
    return (select(Place).where(within(courtyard), Place.kind == "building")
            .order_by(Place.name))


def may_record(actor, user):
    """The person themselves, or a community worker over their courtyard."""
    return actor.id == user.id or (user.home_courtyard is not None and can(
        actor, "community_worker", user.home_courtyard))


def record_household(user, courtyard, building, unit, room, actor):
    """Say that ``user`` lives in ``building`` (or None), ``unit``, ``room`` of ``courtyard``;
    find that household or create it, and return it."""
    if courtyard is None or courtyard.kind != "courtyard":
        raise Refused("not_a_courtyard")
    if user.home_courtyard_id != courtyard.id:
        raise Refused("household_elsewhere")
    if not may_record(actor, user):
        raise Refused("household_elsewhere")
    if building is not None and (building.kind != "building" or not courtyard.contains(building)
                                 or building.id == courtyard.id):
        raise Refused("building_elsewhere", field="building")
    unit, room = tidy(unit, ("单元",)), tidy(room, ("室", "号"))
    if not room:
        raise Refused("room_needed", field="room")
    for field, value in (("unit", unit), ("room", room)):
        if len(value) > PART_MAX:
            raise Refused("text_too_long", field=field, max=PART_MAX)
    household = _find_or_create(courtyard, building, unit, room)
    if user.household_id != household.id:
        user.household_id = household.id
        audit.record("courtyards.household.record", household, actor=actor,
                     on_behalf_of=user if actor.id != user.id else None, user=user.id)
    return household


def _address(courtyard, building, unit, room):
    building_id = building.id if building is not None else None
    return select(Household).where(
        Household.courtyard_id == courtyard.id, Household.unit == unit, Household.room == room,
        Household.building_id.is_(None) if building_id is None
        else Household.building_id == building_id)


def _find_or_create(courtyard, building, unit, room):
    found = db.session.scalar(_address(courtyard, building, unit, room))
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            household = Household(courtyard_id=courtyard.id,
                                  building_id=building.id if building is not None else None,
                                  unit=unit, room=room)
            db.session.add(household)
    except IntegrityError:
        # A neighbour of the same flat recorded it a moment ago: theirs is ours.
        return db.session.scalar(_address(courtyard, building, unit, room))
    return household


def clear_household(user, actor):
    """Forget which flat ``user`` lives in (they moved, or it was recorded wrongly)."""
    if not may_record(actor, user):
        raise Refused("household_elsewhere")
    if user.household_id is not None:
        audit.record("courtyards.household.clear", user, actor=actor,
                     on_behalf_of=user if actor.id != user.id else None,
                     household=user.household_id)
        user.household_id = None


def label(household):
    """3栋2单元401 (or 2单元401, or 401 when there is no building or unit)."""
    parts = [household.building.name if household.building is not None else ""]
    if household.unit:
        parts.append(household.unit + "单元")
    parts.append(household.room)
    return "".join(parts)


def counts(place):
    """Households and residents of each courtyard at or under ``place``, in one query:
    rows of (courtyard, residents, households, residents with a household). A household
    counts when someone lives in it (a flat everyone moved out of does not)."""
    residents = (select(User.home_courtyard_id.label("courtyard_id"),
                        func.count(User.id).label("residents"),
                        func.count(distinct(User.household_id)).label("households"),
                        func.count(User.household_id).label("with_household"))
                 .join(Place, Place.id == User.home_courtyard_id)
                 .where(User.active.is_(True), within(place))
                 .group_by(User.home_courtyard_id).subquery())
    rows = db.session.execute(
        select(Place, func.coalesce(residents.c.residents, 0),
               func.coalesce(residents.c.households, 0),
               func.coalesce(residents.c.with_household, 0))
        .outerjoin(residents, residents.c.courtyard_id == Place.id)
        .where(within(place), Place.kind == "courtyard")
        .order_by(Place.path)).all()
    return [tuple(row) for row in rows]
