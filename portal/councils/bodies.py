"""Councils 议事会 and their members: one council per building, courtyard, residents'
group or community; seats held for a term by residents of the place or by an organization's staff.

Invariants:
- a place has at most one council (the unique place decides under races);
- a seat's term ends on or after the day it starts (both days are in the term);
- one person holds at most one seat on a council on any day, and a council has at most one
  convener and one recorder on any day (a second is refused until the first term ends).
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import audit
from portal.accounts.permissions import can
from portal.councils.access import council_for, may_keep_council, works_over
from portal.councils.models import POSITIONS, REPRESENTS, Council, CouncilMember
from portal.councils.words import POSITION_LABELS
from portal.extensions import db
from portal.refusals import Refused
from portal.timeutil import to_local

# 楼栋, 院落 (楼院议事会), 居民小组, 社区: the levels of 三级议事会 and the courtyard's own.
COUNCIL_KINDS = ("building", "courtyard", "group", "community")
NAME_MAX = 80
# One seat of each of these at a time.
SINGLE_POSITIONS = ("convener", "recorder")
# How a council's members are listed: chairs first.
POSITION_ORDER = {position: i for i, position in enumerate(POSITIONS)}


def local_day(now):
    return to_local(now).date()


def may_create_council(user, place):
    """A worker over a building, courtyard, group or community sets up its council."""
    return place is not None and place.kind in COUNCIL_KINDS and works_over(user, place)


def create_council(actor, place, name, now):
    """Set up the council of ``place``; return it."""
    if not works_over(actor, place):
        raise Refused("council_not_yours")
    if place.kind not in COUNCIL_KINDS:
        raise Refused("council_place_kind")
    name = (name or "").strip()
    if not name:
        raise Refused("council_name_missing", field="name")
    if len(name) > NAME_MAX:
        raise Refused("council_text_too_long", field="name", max=NAME_MAX)
    if council_for(place) is not None:
        raise Refused("council_exists", field="name")
    council = Council(place=place, name=name, created_at=now)
    try:
        with db.session.begin_nested():  # two workers at once: the unique place decides
            db.session.add(council)
            db.session.flush()
    except IntegrityError:
        raise Refused("council_exists", field="name") from None
    audit.record("councils.council.create", council, actor=actor, place=place.id, name=name)
    return council


def current_members(council, today):
    """The council's seats in term on ``today``, chairs first, with their people."""
    seats = db.session.scalars(
        select(CouncilMember).options(joinedload(CouncilMember.user),
                                      joinedload(CouncilMember.organization))
        .where(CouncilMember.council_id == council.id, CouncilMember.starts_on <= today,
               CouncilMember.ends_on >= today)).all()
    return sorted(seats, key=lambda s: (POSITION_ORDER.get(s.position, 9), s.id))


def _overlapping(council, starts_on, ends_on):
    """Seats on ``council`` whose term shares a day with [starts_on, ends_on]."""
    return db.session.scalars(
        select(CouncilMember).where(CouncilMember.council_id == council.id,
                                    CouncilMember.starts_on <= ends_on,
                                    CouncilMember.ends_on >= starts_on)).all()


def add_member(actor, council, user, position, starts_on, ends_on, now,
               represents="residents", organization=None):
    """Give ``user`` a seat on ``council`` for the term; return the seat."""
    if not may_keep_council(actor, council, local_day(now)):
        raise Refused("council_not_yours")
    if position not in POSITIONS:
        raise Refused("member_bad_choice", field="position")
    if represents not in REPRESENTS:
        raise Refused("member_bad_choice", field="represents")
    if represents == "organization":
        if organization is None:
            raise Refused("member_organization_missing", field="organization")
        if not can(user, "org_staff", organization):
            raise Refused("member_not_staff", field="mobile")
    else:
        organization = None
        if not can(user, "resident", council.place):
            raise Refused("member_not_resident", field="mobile")
    if starts_on is None or ends_on is None or ends_on <= starts_on:
        raise Refused("member_term_order", field="ends_on")
    overlapping = _overlapping(council, starts_on, ends_on)
    if any(seat.user_id == user.id for seat in overlapping):
        raise Refused("member_already_seated", field="mobile")
    if position in SINGLE_POSITIONS and any(s.position == position for s in overlapping):
        raise Refused("member_position_taken", field="position",
                      position=str(POSITION_LABELS[position]))
    seat = CouncilMember(council=council, user=user, position=position,
                         represents=represents, organization=organization,
                         starts_on=starts_on, ends_on=ends_on)
    db.session.add(seat)
    db.session.flush()
    audit.record("councils.member.add", seat, actor=actor, council=council.id, user=user.id,
                 position=position, represents=represents, starts_on=starts_on,
                 ends_on=ends_on)
    return seat


def end_term(actor, member, on_day, now):
    """End ``member``'s term on ``on_day`` (their last day on the council)."""
    if not may_keep_council(actor, member.council, local_day(now)):
        raise Refused("council_not_yours")
    if on_day is None or on_day < member.starts_on:
        raise Refused("member_term_end_early", field="ends_on")
    if on_day >= member.ends_on:
        raise Refused("member_term_end_late", field="ends_on")
    before = member.ends_on
    member.ends_on = on_day
    audit.record("councils.member.end_term", member, actor=actor, before=before,
                 after=on_day)
    return member
