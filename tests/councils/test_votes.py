"""Motions and roll-call votes: no vote without quorum, only members present, once each;
majority of those present (or of all members, a setting), a tie fails; a motion on a request
moves it and tells its followers."""

import pytest
from sqlalchemy import func, select

from portal.councils import meetings
from portal.councils.models import Motion, Vote
from portal.extensions import db
from portal.notifications.models import Message
from portal.refusals import Refused
from tests.councils.test_meetings import opened


def _votes():
    return db.session.scalar(select(func.count()).select_from(Vote))


def _vote_all(motion, members, choices, when):
    recorder = members[1].user
    for member, choice in zip(members, choices, strict=False):
        meetings.record_vote(recorder, motion, member, choice, when)


def test_no_motion_without_quorum(make_council, now):
    council = make_council(members=5)
    meeting, during = opened(council, now, present=2)
    with pytest.raises(Refused, match="no_quorum"):
        meetings.add_motion(council.members[1].user, meeting, "修车棚", during)
    assert db.session.scalar(select(func.count()).select_from(Motion)) == 0


def test_no_vote_once_quorum_is_lost(make_council, now):
    council = make_council(members=5)
    meeting, during = opened(council, now, present=3)
    recorder = council.members[1].user
    motion = meetings.add_motion(recorder, meeting, "修车棚", during)
    meetings.record_attendance(recorder, meeting, council.members[2], "leave", during)
    with pytest.raises(Refused, match="no_quorum"):
        meetings.record_vote(recorder, motion, council.members[0], "for", during)
    assert _votes() == 0


def test_a_vote_by_an_absent_member_or_a_non_member_is_refused(make_council, world, now):
    council = make_council(members=5)
    other = make_council(place=world["building"])
    meeting, during = opened(council, now, present=3)
    recorder = council.members[1].user
    motion = meetings.add_motion(recorder, meeting, "修车棚", during)
    with pytest.raises(Refused, match="vote_not_present"):
        meetings.record_vote(recorder, motion, council.members[4], "for", during)
    with pytest.raises(Refused, match="attendance_not_member"):
        meetings.record_vote(recorder, motion, other.members[0], "for", during)
    with pytest.raises(Refused, match="vote_bad_choice"):
        meetings.record_vote(recorder, motion, council.members[0], "maybe", during)
    with pytest.raises(Refused, match="meeting_not_recorder"):
        meetings.record_vote(council.members[2].user, motion, council.members[2], "for",
                             during)
    assert _votes() == 0


def test_a_second_vote_for_a_member_is_refused_and_one_row_stays(make_council, now):
    council = make_council()
    meeting, during = opened(council, now)
    recorder = council.members[1].user
    motion = meetings.add_motion(recorder, meeting, "修车棚", during)
    meetings.record_vote(recorder, motion, council.members[0], "for", during)
    with pytest.raises(Refused, match="vote_already"):
        meetings.record_vote(recorder, motion, council.members[0], "against", during)
    db.session.commit()
    assert [v.choice for v in db.session.scalars(select(Vote))] == ["for"]


def test_a_member_who_voted_stays_present_until_the_vote_closes(make_council, now):
    council = make_council()
    meeting, during = opened(council, now)
    recorder = council.members[1].user
    motion = meetings.add_motion(recorder, meeting, "修车棚", during)
    meetings.record_vote(recorder, motion, council.members[0], "for", during)
    with pytest.raises(Refused, match="attendance_has_voted"):
        meetings.record_attendance(recorder, meeting, council.members[0], "absent", during)


@pytest.mark.parametrize("present, choices, majority_of, passed", [
    (3, ["for", "for", "against"], "present", True),
    (4, ["for", "for", "against", "against"], "present", False),  # a tie fails
    (4, ["for", "for", "abstain", "abstain"], "present", False),
    (3, ["for", "for", "against"], "members", False),  # 2 of 5 members
    (5, ["for", "for", "for", "against", "against"], "members", True),
])
def test_majority(app, make_council, now, present, choices, majority_of, passed):
    council = make_council(members=5)
    meeting, during = opened(council, now, present=present)
    settings = app.config["PORTAL"]
    before = settings["COUNCIL_MAJORITY_OF"]
    settings["COUNCIL_MAJORITY_OF"] = majority_of
    try:
        motion = meetings.add_motion(council.members[1].user, meeting, "修车棚", during)
        _vote_all(motion, council.members, choices, during)
        meetings.close_motion(council.members[1].user, motion, during)
    finally:
        settings["COUNCIL_MAJORITY_OF"] = before
    assert motion.passed is passed and motion.closed_at == during
    assert meetings.counts(motion)["for"] == choices.count("for")


def test_no_vote_after_the_motion_closed(make_council, now):
    council = make_council()
    meeting, during = opened(council, now)
    recorder = council.members[1].user
    motion = meetings.add_motion(recorder, meeting, "修车棚", during)
    meetings.close_motion(recorder, motion, during)
    with pytest.raises(Refused, match="motion_closed"):
        meetings.record_vote(recorder, motion, council.members[0], "for", during)
    with pytest.raises(Refused, match="motion_closed"):
        meetings.close_motion(recorder, motion, during)


def test_a_passed_motion_on_a_request_discusses_and_decides_it(make_council, make_request,
                                                               resident, now):
    council = make_council()
    request = make_request(resident, state="with_council", council_id=council.id)
    meeting, during = opened(council, now, agenda=[meetings.Topic("request", request, 10)])
    recorder = council.members[1].user
    motion = meetings.add_motion(recorder, meeting, "同意修灯", during,
                                 agenda_item=meeting.agenda[0])
    _vote_all(motion, council.members, ["for", "for", "against"], during)
    meetings.close_motion(recorder, motion, during)
    db.session.commit()
    assert request.state == "resolved"
    assert [e.action for e in request.events] == ["put_on_agenda", "deliberate", "resolve"]
    kinds = db.session.scalars(select(Message.kind).filter_by(user_id=resident.id)
                               .order_by(Message.id)).all()
    assert kinds == ["request_on_agenda", "request_deliberated", "request_resolved"]


def test_a_failed_motion_on_a_request_leaves_it_discussed(make_council, make_request,
                                                          resident, now):
    council = make_council()
    request = make_request(resident, state="with_council", council_id=council.id)
    meeting, during = opened(council, now, agenda=[meetings.Topic("request", request, 10)])
    recorder = council.members[1].user
    motion = meetings.add_motion(recorder, meeting, "同意修灯", during,
                                 agenda_item=meeting.agenda[0])
    _vote_all(motion, council.members, ["against", "against", "for"], during)
    meetings.close_motion(recorder, motion, during)
    assert request.state == "deliberated"
    # a second motion on it, passed, decides it
    second = meetings.add_motion(recorder, meeting, "改为下月修", during,
                                 agenda_item=meeting.agenda[0])
    _vote_all(second, council.members, ["for", "for", "for"], during)
    meetings.close_motion(recorder, second, during)
    assert request.state == "resolved"


def test_a_meeting_with_an_open_vote_does_not_close(make_council, now):
    council = make_council()
    meeting, during = opened(council, now, present=5)
    recorder, convener = council.members[1].user, council.members[0].user
    meetings.add_motion(recorder, meeting, "修车棚", during)
    meetings.write_minutes(recorder, meeting, "纪要", during)
    meetings.approve_minutes(convener, meeting, during)
    with pytest.raises(Refused, match="motions_still_open"):
        meetings.close_meeting(convener, meeting, during)
