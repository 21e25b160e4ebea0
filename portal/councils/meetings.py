"""Council meetings: called with an agenda and a notice to the members, moved or cancelled,
opened on the day; attendance, quorum, motions with roll-call votes, minutes approved by the
convener, closed.

Invariants:
- a meeting goes called → open → closed, or called → cancelled; each move or cancellation
  adds one to its iCalendar SEQUENCE;
- a request on the agenda is moved through ``portal.councils.states`` only: put on the
  agenda when the meeting is called, taken off when it is cancelled or closes without
  having discussed it, discussed (and decided, when the motion passed) when a vote on it
  closes;
- no motion is put and no vote recorded without quorum, nor once the meeting is closed;
- a member votes at most once on a motion (the unique key decides under races) and only
  while marked present;
- a meeting closes only with every member's attendance recorded and approved minutes.
"""

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.permissions import can
from portal.councils import states
from portal.councils.access import (
    community_of,
    may_approve_minutes,
    may_keep_council,
    may_record,
    seat_in,
)
from portal.councils.bodies import current_members
from portal.councils.models import (
    ATTENDANCE,
    CHOICES,
    AgendaItem,
    Attendance,
    Meeting,
    Motion,
    Request,
    Vote,
)
from portal.councils.telling import tell_members, tell_request
from portal.courtyards.models import Collection
from portal.extensions import db
from portal.places.models import Place, within
from portal.refusals import Refused
from portal.servicemap.models import ServicePoint
from portal.timeutil import to_local

TITLE_MAX = 80
PLACE_MAX = 120
ITEM_TITLE_MAX = 100
REASON_MAX = 500
MOTION_MAX = 1000
MINUTES_MAX = 5000
SHORTEST, LONGEST = 15, 480  # minutes a meeting lasts
ITEM_LONGEST = 240
MAX_ITEMS = 12
OTHER_LINES = 5


class Topic(NamedTuple):
    """An agenda item as the caller chose it: kind "request" (subject a Request),
    "collection" (a Collection) or "other" (subject the title); ``field`` names the form
    field a refusal about it belongs beside."""

    kind: str
    subject: object
    minutes: int
    field: str | None = None


@dataclass(frozen=True)
class Quorum:
    """Who counts at a meeting: members in term on its day, present, needed for quorum."""

    members: int
    present: int
    needed: int

    @property
    def has_quorum(self):
        return self.members > 0 and self.present >= self.needed


# --- who and when ---

def meeting_day(meeting):
    return to_local(meeting.starts_at).date()


def ends_at(meeting):
    return meeting.starts_at + timedelta(minutes=meeting.minutes_long)


def local_when(moment):
    """The local day and time as plain ISO text, for messages: 2026-05-01 19:00."""
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def role_of(actor, council, today):
    """The role ``actor`` acts in at ``council`` (a ROLE_LABELS key), for the timeline."""
    if seat_in(actor, council, today) is not None:
        return "council_member"
    if can(actor, "admin", council.place) and not can(actor, "community_worker",
                                                      community_of(council.place)):
        return "admin"
    return "community_worker"


def _today(now):
    return to_local(now).date()


def _keeper(actor, council, now):
    if not may_keep_council(actor, council, _today(now)):
        raise Refused("meeting_not_yours")


def _recorder(actor, council, now):
    if not may_record(actor, council, _today(now)):
        raise Refused("meeting_not_recorder")


def _text(value, most, missing, field):
    value = (value or "").strip()
    if not value:
        raise Refused(missing, field=field)
    if len(value) > most:
        raise Refused("council_text_too_long", field=field, max=most)
    return value


def _when(starts_at, minutes_long, now):
    if starts_at is None or starts_at <= now:
        raise Refused("meeting_in_past", field="day")
    if minutes_long is None or not SHORTEST <= minutes_long <= LONGEST:
        raise Refused("meeting_length", field="minutes_long", least=SHORTEST, most=LONGEST)


# --- what may be put on an agenda ---

def waiting_requests(council):
    """Requests given to ``council`` and waiting for a meeting, oldest first."""
    return db.session.scalars(
        select(Request).where(Request.council_id == council.id,
                              Request.state == "with_council")
        .order_by(Request.created_at, Request.id)).all()


def collections_of(council, limit=20):
    """Opinion collections of the council's place (or under it), newest first."""
    return db.session.scalars(
        select(Collection).join(Place, Collection.place_id == Place.id)
        .where(within(council.place)).order_by(Collection.created_at.desc()).limit(limit)).all()


def points_for(council):
    """The service points of the council's community, where it may meet."""
    community = community_of(council.place)
    if community is None:
        return []
    return db.session.scalars(
        select(ServicePoint).join(Place, ServicePoint.place_id == Place.id)
        .where(within(community), ServicePoint.status == "active")
        .order_by(ServicePoint.name)).all()


def _checked_agenda(council, agenda):
    if len(agenda) > MAX_ITEMS:
        raise Refused("agenda_too_long", field=agenda[0].field, most=MAX_ITEMS)
    items, seen = [], set()
    for topic in agenda:
        if topic.minutes is None or not 1 <= topic.minutes <= ITEM_LONGEST:
            raise Refused("agenda_item_minutes", field=topic.field and f"{topic.field}_minutes",
                          most=ITEM_LONGEST)
        if topic.kind == "request":
            request = topic.subject
            if request.council_id != council.id or request.state != "with_council":
                raise Refused("agenda_not_waiting", field=topic.field)
            key, title = ("request", request.id), request.title
        elif topic.kind == "collection":
            collection = topic.subject
            if not council.place.contains(collection.place):
                raise Refused("agenda_collection_elsewhere", field=topic.field)
            key, title = ("collection", collection.id), collection.title
        elif topic.kind == "other":
            title = _text(topic.subject, ITEM_TITLE_MAX, "meeting_title_missing", topic.field)
            key = ("other", title)
        else:
            raise Refused("member_bad_choice", field=topic.field)
        if key not in seen:
            seen.add(key)
            items.append((topic, title[:ITEM_TITLE_MAX]))
    return items


# --- calling, moving, cancelling ---

def call_meeting(actor, council, title, starts_at, minutes_long, service_point=None,
                 place_text=None, agenda=(), *, now):
    """Call a meeting of ``council`` with its agenda (``Topic``s); tell the members and
    everyone following a request put on it. Return the meeting."""
    _keeper(actor, council, now)
    title = _text(title, TITLE_MAX, "meeting_title_missing", "title")
    _when(starts_at, minutes_long, now)
    place_text = (place_text or "").strip() or None
    if place_text is not None and len(place_text) > PLACE_MAX:
        raise Refused("council_text_too_long", field="place_text", max=PLACE_MAX)
    if service_point is not None and service_point not in points_for(council):
        raise Refused("meeting_point_elsewhere", field="point")
    if service_point is None and place_text is None:
        raise Refused("meeting_place_missing", field="place_text")
    items = _checked_agenda(council, list(agenda))
    meeting = Meeting(council=council, title=title, starts_at=starts_at,
                      minutes_long=minutes_long, service_point_id=getattr(service_point, "id",
                                                                          None),
                      place_text=place_text, state="called", called_by_id=actor.id,
                      created_at=now)
    db.session.add(meeting)
    db.session.flush()
    role = role_of(actor, council, _today(now))
    day = meeting_day(meeting).isoformat()
    for position, (topic, item_title) in enumerate(items):
        item = AgendaItem(meeting_id=meeting.id, position=position, kind=topic.kind,
                          title=item_title, minutes_long=topic.minutes)
        if topic.kind == "request":
            item.request_id = topic.subject.id
            states.move(topic.subject, "put_on_agenda", actor, role, now, meeting=meeting.id)
            tell_request(topic.subject, "request_on_agenda", f"{topic.subject.id}:{meeting.id}",
                         now, day=day)
        elif topic.kind == "collection":
            item.collection_id = topic.subject.id
        db.session.add(item)
    db.session.flush()
    audit.record("councils.meeting.call", meeting, actor=actor, council=council.id,
                 starts_at=starts_at, items=len(items))
    tell_members(meeting, "meeting_called", meeting.id, now, when=local_when(starts_at))
    return meeting


def move_meeting(actor, meeting, starts_at, now, minutes_long=None):
    """Move a called meeting to ``starts_at``; tell the members once per move."""
    _keeper(actor, meeting.council, now)
    if meeting.state != "called":
        raise Refused("meeting_not_called")
    minutes_long = meeting.minutes_long if minutes_long is None else minutes_long
    _when(starts_at, minutes_long, now)
    before = meeting.starts_at
    meeting.starts_at, meeting.minutes_long = starts_at, minutes_long
    meeting.sequence += 1
    audit.record("councils.meeting.move", meeting, actor=actor, before=before, after=starts_at)
    tell_members(meeting, "meeting_moved", f"{meeting.id}:{meeting.sequence}", now,
                 when=local_when(starts_at))
    return meeting


def _take_off_agenda(meeting, actor, now, why):
    role = role_of(actor, meeting.council, _today(now))
    for item in meeting.agenda:
        if item.request is not None and states.allowed(item.request, "take_off_agenda"):
            states.move(item.request, "take_off_agenda", actor, role, now,
                        meeting=meeting.id, why=why)


def cancel_meeting(actor, meeting, reason, now):
    """Cancel a called meeting; its requests wait for the next one; tell the members."""
    _keeper(actor, meeting.council, now)
    if meeting.state != "called":
        raise Refused("meeting_not_called")
    meeting.cancel_reason = _text(reason, REASON_MAX, "meeting_reason_missing", "reason")
    meeting.state = "cancelled"
    meeting.sequence += 1
    _take_off_agenda(meeting, actor, now, "cancelled")
    audit.record("councils.meeting.cancel", meeting, actor=actor, reason=meeting.cancel_reason)
    tell_members(meeting, "meeting_cancelled", meeting.id, now,
                 when=local_when(meeting.starts_at))
    return meeting


def open_meeting(actor, meeting, now):
    """Open the meeting on its day (not before)."""
    _keeper(actor, meeting.council, now)
    if meeting.state != "called":
        raise Refused("meeting_not_called")
    if _today(now) < meeting_day(meeting):
        raise Refused("meeting_too_early")
    meeting.state = "open"
    audit.record("councils.meeting.open", meeting, actor=actor)
    return meeting


# --- attendance and quorum ---

def members_of(meeting):
    """The council's seats in term on the meeting's day: who is expected."""
    return current_members(meeting.council, meeting_day(meeting))


def attendance_of(meeting):
    """{member id: Attendance} for the meeting."""
    rows = db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    return {row.member_id: row for row in rows}


def quorum(meeting, members=None, attendance=None):
    """Members expected, present, and needed for quorum: more than the share (a setting,
    half by default) of the members."""
    members = members_of(meeting) if members is None else members
    attendance = attendance_of(meeting) if attendance is None else attendance
    share = current_app.config["PORTAL"]["COUNCIL_QUORUM_SHARE"]
    ids = {m.id for m in members}
    present = sum(1 for member_id, row in attendance.items()
                  if member_id in ids and row.status == "present")
    return Quorum(members=len(members), present=present,
                  needed=math.floor(len(members) * share) + 1)


def _open(meeting):
    if meeting.state != "open":
        raise Refused("meeting_not_open")


def _expected(meeting, member):
    if member.council_id != meeting.council_id or member not in members_of(meeting):
        raise Refused("attendance_not_member", field="member")


def record_attendance(actor, meeting, member, status, now):
    """Mark ``member`` present, absent or on leave; a second tap changes the same row."""
    _recorder(actor, meeting.council, now)
    _open(meeting)
    _expected(meeting, member)
    if status not in ATTENDANCE:
        raise Refused("attendance_bad_status", field="status")
    if status != "present" and db.session.scalar(
            select(func.count(Vote.id)).join(Motion)
            .where(Motion.meeting_id == meeting.id, Motion.closed_at.is_(None),
                   Vote.member_id == member.id)):
        raise Refused("attendance_has_voted", field="status")
    row = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                     Attendance.member_id == member.id))
    if row is None:
        try:
            with db.session.begin_nested():  # a double tap: the unique row decides
                row = Attendance(meeting_id=meeting.id, member_id=member.id, status=status,
                                 recorded_by_id=actor.id, recorded_at=now)
                db.session.add(row)
                db.session.flush()
        except IntegrityError:
            row = db.session.scalar(
                select(Attendance).where(Attendance.meeting_id == meeting.id,
                                         Attendance.member_id == member.id)
                .execution_options(populate_existing=True))
    row.status, row.recorded_by_id, row.recorded_at = status, actor.id, now
    audit.record("councils.meeting.attendance", meeting, actor=actor, member=member.id,
                 status=status)
    return row


# --- motions and votes ---

def _with_quorum(meeting):
    if not quorum(meeting).has_quorum:
        raise Refused("no_quorum")


def add_motion(actor, meeting, text, now, agenda_item=None):
    """Put a motion to the meeting (open, with quorum); return it."""
    _recorder(actor, meeting.council, now)
    _open(meeting)
    _with_quorum(meeting)
    text = _text(text, MOTION_MAX, "motion_text_missing", "text")
    if agenda_item is not None and agenda_item.meeting_id != meeting.id:
        raise Refused("motion_item_elsewhere", field="agenda_item")
    motion = Motion(meeting_id=meeting.id, agenda_item=agenda_item, text=text, created_at=now)
    db.session.add(motion)
    db.session.flush()
    audit.record("councils.motion.add", motion, actor=actor, meeting=meeting.id,
                 agenda_item=getattr(agenda_item, "id", None))
    return motion


def record_vote(actor, motion, member, choice, now):
    """Record ``member``'s vote on ``motion`` in the roll call; a second one is refused."""
    meeting = motion.meeting
    _recorder(actor, meeting.council, now)
    if motion.closed_at is not None:
        raise Refused("motion_closed")
    _open(meeting)
    _with_quorum(meeting)
    _expected(meeting, member)
    row = attendance_of(meeting).get(member.id)
    if row is None or row.status != "present":
        raise Refused("vote_not_present", field="member")
    if choice not in CHOICES:
        raise Refused("vote_bad_choice", field="choice")
    if db.session.scalar(select(Vote.id).where(Vote.motion_id == motion.id,
                                               Vote.member_id == member.id)):
        raise Refused("vote_already", field="member")
    vote = Vote(motion_id=motion.id, member_id=member.id, choice=choice,
                recorded_by_id=actor.id, recorded_at=now)
    try:
        with db.session.begin_nested():  # two recorders at once: the unique key decides
            db.session.add(vote)
            db.session.flush()
    except IntegrityError:
        raise Refused("vote_already", field="member") from None
    audit.record("councils.motion.vote", motion, actor=actor, member=member.id, choice=choice)
    return vote


def counts(motion):
    """{"for": n, "against": n, "abstain": n} of the motion's votes."""
    tally = dict.fromkeys(CHOICES, 0)
    for vote in motion.votes:
        tally[vote.choice] = tally.get(vote.choice, 0) + 1
    return tally


def majority_base(meeting, quorum_now):
    """How many the votes for are counted against: those present, or (a setting) every
    member."""
    if current_app.config["PORTAL"]["COUNCIL_MAJORITY_OF"] == "members":
        return quorum_now.members
    return quorum_now.present


def close_motion(actor, motion, now):
    """Close the vote: passed when more than half of those present (or of the members)
    voted for. A motion on a request moves it to discussed, and to decided when passed."""
    meeting = motion.meeting
    _recorder(actor, meeting.council, now)
    if motion.closed_at is not None:
        raise Refused("motion_closed")
    _open(meeting)
    tally = counts(motion)
    base = majority_base(meeting, quorum(meeting))
    motion.passed = tally["for"] * 2 > base
    motion.closed_at = now
    audit.record("councils.motion.close", motion, actor=actor, passed=motion.passed, **tally)
    item = motion.agenda_item
    request = item.request if item is not None else None
    if request is not None:
        role = role_of(actor, meeting.council, _today(now))
        if states.allowed(request, "deliberate"):
            states.move(request, "deliberate", actor, role, now, meeting=meeting.id,
                        motion=motion.id)
            tell_request(request, "request_deliberated", motion.id, now)
        if motion.passed and states.allowed(request, "resolve"):
            states.move(request, "resolve", actor, role, now, meeting=meeting.id,
                        motion=motion.id)
            tell_request(request, "request_resolved", motion.id, now)
    return motion


# --- minutes and closing ---

def write_minutes(actor, meeting, text, now):
    _recorder(actor, meeting.council, now)
    _open(meeting)
    if meeting.minutes_approved_at is not None:
        raise Refused("minutes_approved", field="text")
    meeting.minutes = _text(text, MINUTES_MAX, "minutes_missing", "text")
    audit.record("councils.meeting.minutes", meeting, actor=actor)
    return meeting


def approve_minutes(actor, meeting, now):
    if not may_approve_minutes(actor, meeting.council, _today(now)):
        raise Refused("minutes_not_approver")
    _open(meeting)
    if not (meeting.minutes or "").strip():
        raise Refused("minutes_missing")
    if meeting.minutes_approved_at is not None:
        raise Refused("minutes_approved")
    meeting.minutes_approved_by_id, meeting.minutes_approved_at = actor.id, now
    audit.record("councils.meeting.approve_minutes", meeting, actor=actor)
    return meeting


def close_meeting(actor, meeting, now):
    """Close the meeting: every member's attendance recorded, every vote closed, minutes
    approved. Requests it did not discuss wait for the next meeting."""
    _keeper(actor, meeting.council, now)
    _open(meeting)
    attendance = attendance_of(meeting)
    missing = sum(1 for m in members_of(meeting) if m.id not in attendance)
    if missing:
        raise Refused("attendance_incomplete", missing=missing)
    if db.session.scalar(select(func.count(Motion.id)).where(
            Motion.meeting_id == meeting.id, Motion.closed_at.is_(None))):
        raise Refused("motions_still_open")
    if meeting.minutes_approved_at is None:
        raise Refused("minutes_not_approved")
    meeting.state, meeting.closed_at = "closed", now
    _take_off_agenda(meeting, actor, now, "not_discussed")
    audit.record("councils.meeting.close", meeting, actor=actor)
    return meeting


def motions_of(meeting):
    return db.session.scalars(select(Motion).where(Motion.meeting_id == meeting.id)
                              .order_by(Motion.id)).all()
