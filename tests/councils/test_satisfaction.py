"""问题解决了吗？: who answers, once; a follow-up "no" reopens, a "yes" follows it up."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.councils import satisfaction
from portal.councils.models import RequestEvent, RequestSupport, Satisfaction
from portal.extensions import db
from portal.notifications.models import Message
from portal.refusals import Refused


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def closed(make_request, resident, now):
    return make_request(resident, state="closed", klass="minor", outcome="done",
                        closed_at=now, follow_up_at=now + timedelta(days=28))


def test_the_outcome_is_answered_once(closed, resident, now):
    satisfaction.answer(closed, resident, "outcome", "partly", "灯修了一半", now)
    with pytest.raises(Refused) as refused:
        satisfaction.answer(closed, resident, "outcome", "yes", None, now)
    assert refused.value.reason == "satisfaction_already"
    db.session.commit()
    assert _count(Satisfaction) == 1 and closed.state == "closed"


def test_a_followup_no_reopens_with_a_timeline_step(closed, resident, neighbour, now):
    db.session.add(RequestSupport(request_id=closed.id, user_id=neighbour.id))
    closed.follow_up_sent_at = now
    satisfaction.answer(closed, neighbour, "followup", "no", "灯又坏了", now)
    db.session.commit()
    assert (closed.state, closed.klass, closed.outcome) == ("submitted", None, None)
    event = db.session.scalars(select(RequestEvent).order_by(RequestEvent.id.desc())).first()
    assert (event.action, event.actor_id, event.text) == ("reopen", neighbour.id, "灯又坏了")
    told = db.session.scalars(select(Message.user_id)).all()
    assert sorted(told) == sorted([resident.id, neighbour.id])


def test_a_followup_yes_follows_up_once(closed, resident, neighbour, now):
    db.session.add(RequestSupport(request_id=closed.id, user_id=neighbour.id))
    closed.follow_up_sent_at = now
    satisfaction.answer(closed, resident, "followup", "yes", None, now)
    satisfaction.answer(closed, neighbour, "followup", "partly", None, now)
    db.session.commit()
    assert closed.state == "followed_up"
    assert _count(RequestEvent) == 1


@pytest.mark.parametrize("case, reason", [
    ("stranger", "satisfaction_not_yours"),
    ("open", "satisfaction_not_asked"),
    ("wrong_ask", "satisfaction_not_asked"),
    ("bad_answer", "satisfaction_unknown_answer"),
])
def test_what_is_refused(closed, resident, neighbour, now, case, reason):
    user, ask, given = resident, "outcome", "yes"
    if case == "stranger":
        user = neighbour
    elif case == "open":
        closed.state = "guided"
    elif case == "wrong_ask":
        ask = "followup"
    else:
        given = "maybe"
    with pytest.raises(Refused) as refused:
        satisfaction.answer(closed, user, ask, given, None, now)
    assert refused.value.reason == reason
    assert _count(Satisfaction) == 0


def test_the_summary_counts_per_class(closed, resident, now):
    satisfaction.answer(closed, resident, "outcome", "yes", None, now)
    db.session.commit()
    assert satisfaction.summary(closed.community)["minor"] == {"yes": 1, "partly": 0, "no": 0}


def test_answering_over_http(client, login, closed, resident, neighbour):
    path = f"/councils/requests/{closed.id}"
    login(neighbour)
    assert client.submit(f"{path}/answer", {"answer": "yes"}).status_code == 403
    login(resident)
    response = client.submit(f"{path}/answer", {"answer": "", "words": "<i>还行</i>"},
                             token_from=path)
    assert response.status_code == 422 and "&lt;i&gt;还行&lt;/i&gt;" in response.text
    assert _count(Satisfaction) == 0
    response = client.submit(f"{path}/answer", {"answer": "no", "words": "没修好"},
                             token_from=path)
    assert response.status_code == 303
    assert client.submit(f"{path}/answer", {"answer": "yes"}).status_code == 422
    assert _count(Satisfaction) == 1
