"""Meetings: calling with an agenda (requests move and their followers are told), moving,
cancelling, opening, attendance and quorum, minutes and closing; members told once each."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.councils import meetings
from portal.councils.models import Attendance, Meeting, RequestEvent, RequestSupport
from portal.courtyards.models import Collection
from portal.extensions import db
from portal.notifications.models import Message
from portal.refusals import Refused


def call(council, now, actor=None, starts=None, agenda=(), **fields):
    """Call a meeting of ``council`` two days from ``now`` (by its convener)."""
    actor = actor or council.members[0].user
    meeting = meetings.call_meeting(
        actor, council, fields.pop("title", "六月议事会"), starts or now + timedelta(days=2),
        fields.pop("minutes_long", 90), place_text=fields.pop("place_text", "社区活动室"),
        agenda=agenda, now=now, **fields)
    db.session.commit()
    return meeting


def opened(council, now, present=3, agenda=()):
    """A meeting called and opened on its day, the first ``present`` members present and the
    others absent; returns (meeting, a moment during it)."""
    meeting = call(council, now, agenda=agenda)
    during = meeting.starts_at + timedelta(minutes=5)
    meetings.open_meeting(council.members[0].user, meeting, during)
    for i, member in enumerate(council.members):
        meetings.record_attendance(council.members[1].user, meeting, member,
                                   "present" if i < present else "absent", during)
    db.session.commit()
    return meeting, during


def _messages(kind):
    return db.session.scalars(select(Message).filter_by(kind=kind)).all()


# --- calling ---

def test_calling_tells_each_member_once(make_council, now):
    council = make_council()
    meeting = call(council, now)
    assert meeting.state == "called" and meeting.sequence == 0
    told = _messages("meeting_called")
    assert sorted(m.user_id for m in told) == sorted(m.user_id for m in council.members)
    # told again (a double submit of the same change): still one message each
    meetings.tell_members(meeting, "meeting_called", meeting.id, now, when="x")
    assert len(_messages("meeting_called")) == 5
    assert db.session.scalar(select(AuditEntry.action).filter_by(
        subject_type="Meeting", subject_id=meeting.id)) == "councils.meeting.call"


def test_a_request_on_the_agenda_moves_and_its_followers_are_told(
        make_council, make_request, resident, neighbour, now):
    council = make_council()
    request = make_request(resident, state="with_council", council_id=council.id)
    db.session.add(RequestSupport(request_id=request.id, user_id=neighbour.id))
    db.session.commit()
    meeting = call(council, now, agenda=[meetings.Topic("request", request, 20)])
    assert request.state == "on_agenda"
    assert [(i.kind, i.request_id, i.minutes_long) for i in meeting.agenda] == [
        ("request", request.id, 20)]
    event = db.session.scalar(select(RequestEvent).filter_by(request_id=request.id))
    assert (event.action, event.actor_role) == ("put_on_agenda", "council_member")
    told = _messages("request_on_agenda")
    assert sorted(m.user_id for m in told) == sorted([resident.id, neighbour.id])
    assert meetings.meeting_day(meeting).isoformat() in told[0].params


def test_only_waiting_requests_of_this_council_go_on_the_agenda(
        make_council, make_request, resident, world, now):
    council = make_council()
    other = make_council(place=world["building"])
    elsewhere = make_request(resident, state="with_council", council_id=other.id)
    waiting = make_request(resident, state="submitted", council_id=council.id)
    for request in (elsewhere, waiting):
        with pytest.raises(Refused, match="agenda_not_waiting"):
            call(council, now, agenda=[meetings.Topic("request", request, 10, "request_x")])
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_collections_and_other_items_go_on_the_agenda(make_council, world, worker, now):
    council = make_council()
    collection = Collection(place=world["courtyard"], title="停车棚改造意见", opens_at=now,
                            closes_at=now + timedelta(days=1), opened_by_id=worker.id)
    far = Collection(place=world["other_courtyard"], title="别处的", opens_at=now,
                     closes_at=now + timedelta(days=1), opened_by_id=worker.id)
    db.session.add_all([collection, far])
    db.session.commit()
    assert meetings.collections_of(council) == [collection]
    meeting = call(council, now, agenda=[meetings.Topic("collection", collection, 10),
                                         meetings.Topic("other", "  绿化带  ", 5)])
    assert [(i.kind, i.title) for i in meeting.agenda] == [
        ("collection", "停车棚改造意见"), ("other", "绿化带")]
    with pytest.raises(Refused, match="agenda_collection_elsewhere"):
        call(council, now, agenda=[meetings.Topic("collection", far, 10)])


@pytest.mark.parametrize("change, reason", [
    ({"starts": "past"}, "meeting_in_past"),
    ({"place_text": ""}, "meeting_place_missing"),
    ({"title": " "}, "meeting_title_missing"),
    ({"minutes_long": 5}, "meeting_length"),
    ({"agenda": [meetings.Topic("other", "议题", 0)]}, "agenda_item_minutes"),
])
def test_bad_meetings_are_refused(make_council, now, change, reason):
    council = make_council()
    if change.get("starts") == "past":
        change["starts"] = now - timedelta(minutes=1)
    with pytest.raises(Refused, match=reason):
        call(council, now, **change)


def test_an_ordinary_member_may_not_call_a_meeting(make_council, now, outside_worker):
    council = make_council()
    for someone in (council.members[2].user, outside_worker):
        with pytest.raises(Refused, match="meeting_not_yours"):
            call(council, now, actor=someone)


def test_a_worker_calls_a_meeting_as_a_worker(make_council, make_request, resident, worker,
                                              now):
    council = make_council()
    request = make_request(resident, state="with_council", council_id=council.id)
    call(council, now, actor=worker, agenda=[meetings.Topic("request", request, 10)])
    event = db.session.scalar(select(RequestEvent).filter_by(request_id=request.id))
    assert event.actor_role == "community_worker"


# --- moving and cancelling ---

def test_moving_adds_to_the_sequence_and_tells_once_per_move(make_council, now):
    council = make_council()
    meeting = call(council, now)
    convener = council.members[0].user
    meetings.move_meeting(convener, meeting, now + timedelta(days=3), now)
    meetings.move_meeting(convener, meeting, now + timedelta(days=4), now)
    db.session.commit()
    assert meeting.sequence == 2
    assert len(_messages("meeting_moved")) == 10  # five members, two moves
    with pytest.raises(Refused, match="meeting_in_past"):
        meetings.move_meeting(convener, meeting, now - timedelta(days=1), now)


def test_cancelling_puts_requests_back_and_tells_members(make_council, make_request,
                                                         resident, now):
    council = make_council()
    request = make_request(resident, state="with_council", council_id=council.id)
    meeting = call(council, now, agenda=[meetings.Topic("request", request, 10)])
    with pytest.raises(Refused, match="meeting_reason_missing"):
        meetings.cancel_meeting(council.members[0].user, meeting, "  ", now)
    meetings.cancel_meeting(council.members[0].user, meeting, "下雨", now)
    db.session.commit()
    assert (meeting.state, meeting.sequence, meeting.cancel_reason) == ("cancelled", 1, "下雨")
    assert request.state == "with_council"
    assert len(_messages("meeting_cancelled")) == 5
    with pytest.raises(Refused, match="meeting_not_called"):
        meetings.cancel_meeting(council.members[0].user, meeting, "再取消", now)
    with pytest.raises(Refused, match="meeting_not_called"):
        meetings.open_meeting(council.members[0].user, meeting, meeting.starts_at)


def test_a_meeting_opens_on_its_day_not_before(make_council, now):
    council = make_council()
    meeting = call(council, now, starts=now + timedelta(days=2))
    with pytest.raises(Refused, match="meeting_too_early"):
        meetings.open_meeting(council.members[0].user, meeting, now)
    meetings.open_meeting(council.members[0].user, meeting, meeting.starts_at)
    assert meeting.state == "open"


# --- attendance and quorum ---

def test_quorum_is_more_than_half_of_the_members(make_council, now):
    council = make_council(members=5)
    meeting, _during = opened(council, now, present=2)
    assert meetings.quorum(meeting) == meetings.Quorum(members=5, present=2, needed=3)
    assert not meetings.quorum(meeting).has_quorum
    meetings.record_attendance(council.members[1].user, meeting, council.members[2],
                               "present", _during)
    assert meetings.quorum(meeting).has_quorum


def test_the_quorum_share_is_a_setting(app, make_council, now):
    council = make_council(members=5)
    meeting, _during = opened(council, now, present=3)
    settings = app.config["PORTAL"]
    before = settings["COUNCIL_QUORUM_SHARE"]
    settings["COUNCIL_QUORUM_SHARE"] = 2 / 3
    try:
        assert meetings.quorum(meeting).needed == 4
        assert not meetings.quorum(meeting).has_quorum
    finally:
        settings["COUNCIL_QUORUM_SHARE"] = before
    assert meetings.quorum(meeting).has_quorum


def test_a_second_tap_changes_the_same_attendance_row(make_council, now):
    council = make_council()
    meeting, during = opened(council, now, present=5)
    recorder = council.members[1].user
    meetings.record_attendance(recorder, meeting, council.members[4], "leave", during)
    meetings.record_attendance(recorder, meeting, council.members[4], "leave", during)
    db.session.commit()
    rows = db.session.scalars(select(Attendance).filter_by(member_id=council.members[4].id))
    assert [r.status for r in rows] == ["leave"]


def test_attendance_is_for_members_of_this_council_by_its_recorder(make_council, world, now):
    council = make_council()
    other = make_council(place=world["building"])
    meeting, during = opened(council, now)
    with pytest.raises(Refused, match="attendance_not_member"):
        meetings.record_attendance(council.members[1].user, meeting, other.members[0],
                                   "present", during)
    with pytest.raises(Refused, match="meeting_not_recorder"):
        meetings.record_attendance(council.members[3].user, meeting, council.members[3],
                                   "present", during)
    with pytest.raises(Refused, match="attendance_bad_status"):
        meetings.record_attendance(council.members[1].user, meeting, council.members[3],
                                   "asleep", during)


def test_attendance_before_the_meeting_opens_is_refused(make_council, now):
    council = make_council()
    meeting = call(council, now)
    with pytest.raises(Refused, match="meeting_not_open"):
        meetings.record_attendance(council.members[1].user, meeting, council.members[0],
                                   "present", now)


# --- minutes and closing ---

def test_closing_needs_attendance_of_everyone_and_approved_minutes(
        make_council, make_request, resident, now):
    council = make_council()
    request = make_request(resident, state="with_council", council_id=council.id)
    meeting = call(council, now, agenda=[meetings.Topic("request", request, 10)])
    convener, recorder = council.members[0].user, council.members[1].user
    during = meeting.starts_at
    meetings.open_meeting(convener, meeting, during)
    for member in council.members[:4]:
        meetings.record_attendance(recorder, meeting, member, "present", during)
    with pytest.raises(Refused, match="attendance_incomplete") as refused:
        meetings.close_meeting(convener, meeting, during)
    assert refused.value.details == {"missing": 1}
    meetings.record_attendance(recorder, meeting, council.members[4], "leave", during)
    with pytest.raises(Refused, match="minutes_not_approved"):
        meetings.close_meeting(convener, meeting, during)
    with pytest.raises(Refused, match="minutes_missing"):
        meetings.approve_minutes(convener, meeting, during)
    meetings.write_minutes(recorder, meeting, "会议讨论了楼道灯。", during)
    with pytest.raises(Refused, match="minutes_not_approver"):
        meetings.approve_minutes(recorder, meeting, during)
    meetings.approve_minutes(convener, meeting, during)
    with pytest.raises(Refused, match="minutes_approved"):
        meetings.write_minutes(recorder, meeting, "改一下", during)
    meetings.close_meeting(convener, meeting, during)
    db.session.commit()
    assert (meeting.state, meeting.closed_at) == ("closed", during)
    # the request was not discussed: it waits for the next meeting
    assert request.state == "with_council"
    with pytest.raises(Refused, match="meeting_not_open"):
        meetings.add_motion(recorder, meeting, "再议", during)


def test_a_worker_approves_minutes_for_a_council_without_a_convener(make_council, worker, now):
    council = make_council()
    meeting, during = opened(council, now)
    meetings.write_minutes(council.members[1].user, meeting, "纪要", during)
    meetings.approve_minutes(worker, meeting, during)
    assert meeting.minutes_approved_by_id == worker.id
