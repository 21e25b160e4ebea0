"""The leaders' desk: for each courtyard a leader leads (or a worker works in), what needs
doing — objections to answer, the doors to knock on for the latest notice, how many
households are recorded.

The desk costs the same few queries for one courtyard as for a page of them: the courtyards
come a page at a time (``PER_PAGE``), and every figure of a page is one grouped query over
all its courtyards, never one query per courtyard.
"""

from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import case, distinct, exists, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from portal.accounts.models import User
from portal.accounts.permissions import places_where
from portal.courtyards.models import Household, Notice, NoticeView
from portal.extensions import db
from portal.places.models import PLACE_KINDS, Place, preload_lineages, within
from portal.publicity import rules as publicity
from portal.publicity.models import Objection

DESK_ROLES = ("courtyard_leader", "community_worker")
PER_PAGE = 10  # courtyards on one page of the desk (a community has ~20)
MOST_OBJECTIONS = 50
MOST_COLLECTIONS = 30  # open collections, the first to close first
# Households not reached listed per courtyard (the notice's page lists them all): more for
# a leader's one courtyard than for each of a worker's many.
MOST_DOORS = 40
FEW_DOORS = 8


def _courtyard_of(place):
    """The id of the courtyard a courtyard or building is (in), read from its path."""
    ids = place.lineage_ids
    if place.kind == "courtyard":
        return place.id
    return ids[-2] if place.kind == "building" and len(ids) >= 2 else None


def desk_courtyards(user):
    """Select the courtyards on ``user``'s desk, by path (for a paginator): those they lead
    (at the courtyard or one of its buildings) and those of the places they work in."""
    places = places_where(user, DESK_ROLES)
    direct = {_courtyard_of(p) for p in places if p.kind in ("courtyard", "building")} - {None}
    wider = [p for p in places if PLACE_KINDS.index(p.kind) < PLACE_KINDS.index("courtyard")]
    return (select(Place).where(Place.kind == "courtyard",
                                or_(Place.id.in_(direct), *(within(p) for p in wider)))
            .order_by(Place.path))


def may_use_desk(user):
    return bool(user.is_authenticated and places_where(user, DESK_ROLES))


def notices_with_objections(user, now):
    """[(notice, publication, unanswered objections)] for the notices whose 公示 has
    objections ``user`` may answer and nobody has, the earliest due first."""
    objections = db.session.scalars(
        publicity.unanswered_for(user, now, subject_type=Notice.__tablename__)
        .options(contains_eager(Objection.publication)).limit(MOST_OBJECTIONS)).all()
    by_publication = defaultdict(list)
    for objection in objections:
        by_publication[objection.publication].append(objection)
    if not by_publication:
        return []
    found = {n.id: n for n in db.session.scalars(
        select(Notice).where(Notice.id.in_([p.subject_id for p in by_publication]))
        .options(joinedload(Notice.place)))}
    return [(found[p.subject_id], p, waiting) for p, waiting in by_publication.items()
            if p.subject_id in found]


class Readers(NamedTuple):
    """Who in a courtyard has opened its latest notice (as ``notices.Readers``)."""

    households: int
    households_seen: int
    loose: int  # residents with no household recorded
    loose_seen: int


def _latest_notices(courtyards):
    """{courtyard id: its newest notice still up}, its own or its community's: one query
    for the newest of each place, then the newer of the two per courtyard."""
    community_of = {}
    for courtyard in courtyards:
        community = courtyard.ancestor("community")
        community_of[courtyard.id] = community.id if community is not None else None
    place_ids = {c.id for c in courtyards} | set(community_of.values()) - {None}
    ranked = (select(Notice.id.label("id"), func.row_number().over(
        partition_by=Notice.place_id,
        order_by=(Notice.created_at.desc(), Notice.id.desc())).label("rank"))
        .where(Notice.place_id.in_(place_ids), Notice.withdrawn_at.is_(None)).subquery())
    newest = {n.place_id: n for n in db.session.scalars(
        select(Notice).join(ranked, ranked.c.id == Notice.id).where(ranked.c.rank == 1))}
    latest = {}
    for courtyard in courtyards:
        candidates = [n for n in (newest.get(courtyard.id),
                                  newest.get(community_of[courtyard.id])) if n is not None]
        if candidates:
            latest[courtyard.id] = max(candidates, key=lambda n: (n.created_at, n.id))
    return latest


def _lived_in(courtyard_ids):
    """(courtyard id, household id) of the households someone of those courtyards lives in
    now (as ``notices._households_lived_in``, for many courtyards)."""
    return (select(User.home_courtyard_id.label("courtyard_id"),
                   User.household_id.label("household_id"))
            .where(User.home_courtyard_id.in_(courtyard_ids), User.active.is_(True),
                   User.household_id.is_not(None)).distinct().subquery())


def courtyard_rows(courtyards):
    """For each courtyard: its residents and households, its latest notice, how many
    households have opened it and the first of those that have not (``MOST_DOORS`` when
    there is one courtyard, ``FEW_DOORS`` each when there are more) — in six queries for
    any number of courtyards."""
    if not courtyards:
        return []
    preload_lineages(courtyards)
    ids = [c.id for c in courtyards]
    counted = {row[0]: tuple(row[1:]) for row in db.session.execute(
        select(User.home_courtyard_id, func.count(User.id),
               func.count(distinct(User.household_id)), func.count(User.household_id))
        .where(User.home_courtyard_id.in_(ids), User.active.is_(True))
        .group_by(User.home_courtyard_id))}
    latest = _latest_notices(courtyards)
    seen, loose_seen, not_seen = {}, {}, defaultdict(list)
    if latest:
        lived = _lived_in(list(latest))
        # Each courtyard's own latest notice, as an SQL expression of its id.
        notice_of = case(
            {c: n.id for c, n in latest.items()}, value=lived.c.courtyard_id)
        seen = dict(db.session.execute(
            select(lived.c.courtyard_id, func.count(distinct(NoticeView.household_id)))
            .join(NoticeView, (NoticeView.household_id == lived.c.household_id)
                  & (NoticeView.notice_id == notice_of))
            .group_by(lived.c.courtyard_id)).all())
        loose_seen = dict(db.session.execute(
            select(User.home_courtyard_id, func.count(NoticeView.id))
            .join(NoticeView, NoticeView.user_id == User.id)
            .where(User.home_courtyard_id.in_(list(latest)), User.active.is_(True),
                   User.household_id.is_(None),
                   NoticeView.notice_id == case({c: n.id for c, n in latest.items()},
                                                value=User.home_courtyard_id))
            .group_by(User.home_courtyard_id)).all())
        not_seen = _first_doors_not_seen(
            lived, notice_of, MOST_DOORS if len(courtyards) == 1 else FEW_DOORS)
    rows = []
    for courtyard in courtyards:
        residents, homes, with_home = counted.get(courtyard.id, (0, 0, 0))
        notice = latest.get(courtyard.id)
        readers = None if notice is None else Readers(
            homes, seen.get(courtyard.id, 0), residents - with_home,
            loose_seen.get(courtyard.id, 0))
        rows.append({
            "courtyard": courtyard,
            "counts": (residents, homes, with_home),
            "latest": notice,
            "readers": readers,
            "not_seen": not_seen.get(courtyard.id, []),
            "not_seen_count": 0 if readers is None
            else readers.households - readers.households_seen,
        })
    return rows


def _first_doors_not_seen(lived, notice_of, most):
    """{courtyard id: [household]}: the first ``most`` households of each courtyard (by
    building, unit and room) from which nobody has opened its latest notice."""
    building = aliased(Place)
    viewed = exists().where(NoticeView.household_id == lived.c.household_id,
                            NoticeView.notice_id == notice_of)
    ranked = (select(lived.c.courtyard_id, Household.id.label("household_id"),
                     func.row_number().over(
                         partition_by=lived.c.courtyard_id,
                         order_by=(building.name, Household.unit, Household.room,
                                   Household.id)).label("rank"))
              .join(Household, Household.id == lived.c.household_id)
              .outerjoin(building, Household.building_id == building.id)
              .where(~viewed).subquery())
    rows = db.session.execute(
        select(ranked.c.courtyard_id, Household)
        .join(ranked, ranked.c.household_id == Household.id)
        .where(ranked.c.rank <= most)
        .options(joinedload(Household.building))
        .order_by(ranked.c.courtyard_id, ranked.c.rank)).all()
    doors = defaultdict(list)
    for courtyard_id, household in rows:
        doors[courtyard_id].append(household)
    return doors

