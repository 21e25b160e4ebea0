"""The follow-up job: four weeks after closing, the requester and supporters are asked again,
once; a request reopened and closed again is asked again, once more."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.councils import followups, states
from portal.councils.models import RequestSupport
from portal.extensions import db
from portal.notifications import jobs
from portal.notifications.models import Message

DAY = timedelta(days=1)


def _sent():
    return db.session.scalars(select(Message).where(Message.kind == "follow_up_due")
                              .order_by(Message.id)).all()


@pytest.fixture
def closed(make_request, resident, neighbour, worker, now, app):
    """A request closed as done by the worker at ``now`` (its follow-up four weeks on)."""
    request = make_request(resident, state="guided", klass="private")
    db.session.add(RequestSupport(request_id=request.id, user_id=neighbour.id))
    states.move(request, "close", worker, "community_worker", now, outcome="done")
    db.session.commit()
    return request


def test_the_job_is_registered():
    assert "council_follow_ups" in [name for name, _job in jobs.JOBS]


def test_due_follow_ups_are_sent_once(closed, resident, neighbour, now, app):
    days = app.config["PORTAL"]["COUNCIL_FOLLOW_UP_DAYS"]
    assert followups.send_follow_ups(now + (days - 1) * DAY) == "0 follow-ups sent"
    assert _sent() == []
    due = now + days * DAY
    assert followups.send_follow_ups(due) == "1 follow-ups sent"
    assert sorted(m.user_id for m in _sent()) == sorted([resident.id, neighbour.id])
    db.session.refresh(closed)
    assert closed.follow_up_sent_at == due
    assert followups.send_follow_ups(due + DAY) == "0 follow-ups sent"
    assert len(_sent()) == 2


def test_a_follow_up_marked_unsent_again_stores_no_second_message(closed, now, app):
    due = now + app.config["PORTAL"]["COUNCIL_FOLLOW_UP_DAYS"] * DAY
    followups.send_follow_ups(due)
    closed.follow_up_sent_at = None  # a run that died after telling, before its commit
    db.session.commit()
    followups.send_follow_ups(due)
    assert len(_sent()) == 2  # the message keys name the follow-up: nobody is told twice


def test_open_and_followed_up_requests_are_not_asked(make_request, resident, now):
    make_request(resident, state="with_council", klass="minor", follow_up_at=now - DAY)
    make_request(resident, state="followed_up", klass="minor", follow_up_at=now - DAY)
    assert followups.send_follow_ups(now) == "0 follow-ups sent"


def test_reopened_and_closed_again_gets_a_new_follow_up(closed, worker, resident, now, app):
    days = app.config["PORTAL"]["COUNCIL_FOLLOW_UP_DAYS"]
    first = now + days * DAY
    followups.send_follow_ups(first)
    states.move(closed, "reopen", resident, "resident", first + DAY)
    states.move(closed, "guide", worker, "community_worker", first + 2 * DAY)
    states.move(closed, "close", worker, "community_worker", first + 3 * DAY, outcome="done")
    db.session.commit()
    assert closed.follow_up_sent_at is None
    assert followups.send_follow_ups(first + 4 * DAY) == "0 follow-ups sent"
    assert followups.send_follow_ups(first + (days + 3) * DAY) == "1 follow-ups sent"
    assert len(_sent()) == 4
    assert followups.send_follow_ups(first + (days + 4) * DAY) == "0 follow-ups sent"


def test_many_are_sent_in_batches(make_request, resident, worker, now):
    for i in range(5):
        request = make_request(resident, title=f"诉求{i}", state="guided", klass="private")
        states.move(request, "close", worker, "community_worker", now - 40 * DAY,
                    outcome="done")
    db.session.commit()
    assert followups.send_follow_ups(now, batch=2) == "5 follow-ups sent"
    assert db.session.scalar(select(func.count()).select_from(Message)) == 5
