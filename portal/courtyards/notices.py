"""Notices 通知 and 公示 of a courtyard, or of a whole community (shown in each of its
courtyards), and who has seen them.

A 公示 is a notice with a publication (``portal.publicity``) for its window. A notice is
never deleted: it is withdrawn with a reason, and its publication with it. Leaders and
workers see how many households of a courtyard have opened a notice and which have not;
residents never see who has read what.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from portal import audit
from portal.accounts.models import User
from portal.accounts.permissions import can
from portal.courtyards.models import Household, Notice, NoticeView
from portal.extensions import db
from portal.places.models import Place, within
from portal.publicity import rules as publicity
from portal.publicity.models import Publication
from portal.refusals import Refused
from portal.timeutil import to_local, to_utc

TITLE_MAX = 100
BODY_MAX = 5000
REASON_MAX = 500
PUBLICITY_DAYS = publicity.PUBLICITY_DAYS


# --- who may do what ---

def may_post(user, place):
    """In a courtyard: its leaders and the community's workers; for a whole community: its
    workers."""
    if place is None or place.kind not in ("courtyard", "community"):
        return False
    roles = ("courtyard_leader", "community_worker") if place.kind == "courtyard" else (
        "community_worker",)
    return can(user, roles, place)


def may_withdraw(user, notice):
    """Whoever posted it, or a community worker over its place (the same people who may
    withdraw its publication)."""
    return user.is_authenticated and (
        notice.posted_by_id == user.id or can(user, "community_worker", notice.place))


def may_see_readers(user, notice, courtyard):
    """Leaders of ``courtyard`` and workers over it see who has opened ``notice`` there."""
    return courtyard is not None and notice.place.contains(courtyard) and can(
        user, ("courtyard_leader", "community_worker"), courtyard)


def shown_in(notice, courtyard):
    """Tell whether ``notice`` is on ``courtyard``'s board (its own, or its community's)."""
    return notice.place.contains(courtyard)


# --- posting and withdrawing ---

def window_times(starts_on, ends_on):
    """A publicity window of whole local days, ``starts_on`` to ``ends_on`` included, as the
    naive UTC moments the publication keeps."""
    return (to_utc(datetime.combine(starts_on, time())),
            to_utc(datetime.combine(ends_on + timedelta(days=1), time())))


def window_days(publication):
    """The first and the last local day of ``publication``'s window (its end is excluded)."""
    return (to_local(publication.starts_at).date(),
            to_local(publication.ends_at - timedelta(microseconds=1)).date())


def post_notice(user, place, title, body, now, today, window=None, pinned_until=None):
    """Post a notice in ``place`` (a courtyard or a community); with ``window`` (first day,
    last day) it is a 公示 published for those days. Return the notice."""
    if place is None or place.kind not in ("courtyard", "community"):
        raise Refused("notice_place")
    if not may_post(user, place):
        raise Refused("not_yours_to_post")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise Refused("notice_empty", field="title")
    if not body:
        raise Refused("notice_empty", field="body")
    if len(title) > TITLE_MAX:
        raise Refused("text_too_long", field="title", max=TITLE_MAX)
    if len(body) > BODY_MAX:
        raise Refused("text_too_long", field="body", max=BODY_MAX)
    if pinned_until is not None and pinned_until < today:
        raise Refused("pin_past", field="pinned_until")
    notice = Notice(place=place, title=title, body=body, posted_by_id=user.id, created_at=now,
                    pinned_until=pinned_until)
    db.session.add(notice)
    db.session.flush()
    if window is not None:
        starts_at, ends_at = window_times(*window)
        publicity.publish(notice, place, title, user, starts_at, ends_at, now=now)
    audit.record("courtyards.notice.post", notice, actor=user, place=place.id,
                 publicity=window is not None)
    return notice


def withdraw_notice(notice, user, reason, now):
    """Withdraw ``notice`` (and its publication) with a reason residents will read."""
    if not may_withdraw(user, notice):
        raise Refused("not_yours_to_post")
    if notice.withdrawn_at is not None:
        raise Refused("notice_withdrawn")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("withdrawal_reason_needed", field="reason")
    if len(reason) > REASON_MAX:
        raise Refused("text_too_long", field="reason", max=REASON_MAX)
    notice.withdrawn_at = now
    notice.withdrawal_reason = reason
    publication = publicity.publication_of(notice)
    if publication is not None and publication.withdrawn_at is None:
        publicity.withdraw(publication, user, reason, now)
    audit.record("courtyards.notice.withdraw", notice, actor=user, reason=reason)
    return notice


# --- the board ---

def _publication_join():
    return and_(Publication.subject_type == Notice.__tablename__,
                Publication.subject_id == Notice.id)


def on_board(courtyard):
    """SQL condition: notices shown in ``courtyard`` (its own and its community's)."""
    community = courtyard.ancestor("community")
    ids = [courtyard.id] + ([community.id] if community is not None else [])
    return Notice.place_id.in_(ids)


def board(courtyard, now, today, limit=10):
    """The current notices of ``courtyard``: pinned first, then 公示 in their window, then
    the newest of the rest; withdrawn ones are left to the archive. Return [(notice,
    publication or None)]."""
    pinned = and_(Notice.pinned_until.is_not(None), Notice.pinned_until >= today)
    open_window = and_(Publication.id.is_not(None), Publication.withdrawn_at.is_(None),
                       Publication.starts_at <= now, Publication.ends_at > now)
    rows = db.session.execute(
        select(Notice, Publication)
        .outerjoin(Publication, _publication_join())
        .where(on_board(courtyard), Notice.withdrawn_at.is_(None))
        .order_by(case((pinned, 0), (open_window, 1), else_=2),
                  Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)).all()
    return [tuple(row) for row in rows]


def archive(courtyard):
    """Select every notice ever shown in ``courtyard``, withdrawn ones too, newest first
    (for a paginator; ``with_publications`` adds their 公示)."""
    return (select(Notice).where(on_board(courtyard))
            .order_by(Notice.created_at.desc(), Notice.id.desc()))


def with_publications(rows):
    """[(notice, publication or None)] for ``rows`` of notices, in one query."""
    found = {p.subject_id: p for p in db.session.scalars(
        select(Publication).where(Publication.subject_type == Notice.__tablename__,
                                  Publication.subject_id.in_([n.id for n in rows])))}
    return [(notice, found.get(notice.id)) for notice in rows]


def latest(courtyard):
    """The newest notice still up in ``courtyard``, or None."""
    return db.session.scalar(
        select(Notice).where(on_board(courtyard), Notice.withdrawn_at.is_(None))
        .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(1))


# --- who has seen a notice ---

def record_view(notice, user, now):
    """Note that ``user``, a resident where ``notice`` is shown, opened it (the first time
    only); return whether this was the first time. Opening it twice at once is no error."""
    if not user.is_authenticated or not can(user, "resident", notice.place):
        return False
    seen = select(NoticeView.id).where(NoticeView.notice_id == notice.id,
                                       NoticeView.user_id == user.id)
    if db.session.scalar(seen) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(NoticeView(notice_id=notice.id, user_id=user.id,
                                      household_id=user.household_id, seen_at=now))
    except IntegrityError:
        return False  # the same resident's other tab got there first
    return True


def _households_lived_in(courtyard):
    """Select the ids of households of ``courtyard`` someone lives in now."""
    return (select(User.household_id)
            .where(User.home_courtyard_id == courtyard.id, User.active.is_(True),
                   User.household_id.is_not(None)).distinct())


class Readers:
    """How many households of a courtyard have opened a notice, of how many; residents
    without a recorded household are counted apart."""

    def __init__(self, households, households_seen, loose, loose_seen):
        self.households = households
        self.households_seen = households_seen
        self.loose = loose  # residents with no household recorded
        self.loose_seen = loose_seen


def readers(notice, courtyard):
    """Count who in ``courtyard`` has opened ``notice``: households, and residents who have
    not recorded theirs. Households are counted by the household a view was made from."""
    lived_in = _households_lived_in(courtyard)
    households = db.session.scalar(
        select(func.count()).select_from(lived_in.subquery()))
    households_seen = db.session.scalar(
        select(func.count(distinct(NoticeView.household_id)))
        .where(NoticeView.notice_id == notice.id, NoticeView.household_id.in_(lived_in)))
    loose_people = select(User.id).where(User.home_courtyard_id == courtyard.id,
                                         User.active.is_(True), User.household_id.is_(None))
    loose = db.session.scalar(select(func.count()).select_from(loose_people.subquery()))
    loose_seen = db.session.scalar(
        select(func.count(NoticeView.id))
        .where(NoticeView.notice_id == notice.id, NoticeView.user_id.in_(loose_people)))
    return Readers(households, households_seen, loose, loose_seen)


def households_not_seen(notice, courtyard):
    """The households of ``courtyard`` (lived in) from which no one has opened ``notice``, by
    building, unit and room: the doors to knock on."""
    seen = select(NoticeView.household_id).where(NoticeView.notice_id == notice.id,
                                                 NoticeView.household_id.is_not(None))
    building = aliased(Place)
    return db.session.scalars(
        select(Household).outerjoin(building, Household.building_id == building.id)
        .where(Household.id.in_(_households_lived_in(courtyard)), Household.id.not_in(seen))
        .order_by(building.name, Household.unit, Household.room)
        .options(contains_eager(Household.building.of_type(building)))).all()


def courtyards_for_readers(user, notice):
    """The courtyards where ``user`` may see who has opened ``notice``: its own courtyard, or
    for a community notice the community's courtyards the user leads or works in."""
    if notice.place.kind == "courtyard":
        return [notice.place] if may_see_readers(user, notice, notice.place) else []
    if not user.is_authenticated:
        return []
    courtyards = db.session.scalars(
        select(Place).where(Place.kind == "courtyard", within(notice.place))
        .order_by(Place.name)).all()
    return [c for c in courtyards if may_see_readers(user, notice, c)]

