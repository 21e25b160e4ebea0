"""一征三议两公开, the rules: the step order (each refused until the one before is done), each
step with who and when and its note on the request's timeline, the publicity windows and
their objections, a resolution not carried, the cost typed in yuan, and who is told."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.councils import decisions
from portal.councils.models import Decision, Meeting, Motion, RequestEvent, RequestSupport
from portal.courtyards.models import Collection
from portal.extensions import db
from portal.notifications.models import Message
from portal.publicity import rules as publicity
from portal.refusals import Refused

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def council(make_council):
    return make_council()


@pytest.fixture
def convener(council):
    return council.members[0].user


@pytest.fixture
def taken_up(make_request, resident, council):
    """A 小事 this council took up and decided on (the meetings moved it to "resolved")."""
    return make_request(resident, title="车棚漏雨", state="resolved", klass="minor",
                        council_id=council.id)


def passed_motion(council, at, passed=True, text="同意维修车棚，费用从公共收益列支。"):
    meeting = Meeting(council=council, title="三月议事会", starts_at=at - HOUR, state="closed",
                      called_by_id=council.members[0].user_id, closed_at=at)
    motion = Motion(meeting=meeting, text=text, closed_at=at, passed=passed)
    db.session.add_all([meeting, motion])
    db.session.commit()
    return motion


class Flow:
    """Carries one decision step by step, each an hour after the last (publicity: 7 days)."""

    def __init__(self, council, worker, now, request=None):
        self.council, self.worker, self.at = council, worker, now
        self.decision = decisions.start(worker, council, "维修车棚", now, request=request)
        db.session.commit()

    def tick(self, by=HOUR):
        self.at += by
        return self.at

    def propose(self):
        return decisions.propose(self.worker, self.decision, "建议维修车棚顶。", self.tick())

    def deliberate(self):
        motion = passed_motion(self.council, self.tick())
        return decisions.deliberate(self.worker, self.decision, motion, self.tick())

    def resolve(self, votes=(30, 2, 1)):
        return decisions.resolve(self.worker, self.decision, "同意维修。", *votes, self.tick())

    def publish(self, days=7):
        starts = self.tick()
        return decisions.publish_decision(self.worker, self.decision, starts,
                                          starts + days * DAY, self.at)

    def carry_out(self):
        return decisions.carry_out(self.worker, self.decision, self.tick(8 * DAY))

    def result(self, cost=320050):
        starts = self.tick()
        return decisions.publish_result(self.worker, self.decision, "车棚顶已换。", cost,
                                        starts, starts + 7 * DAY, self.at)

    def through(self, last):
        """Do every step after 征 up to and including ``last``."""
        for step in decisions.STEPS[1:decisions.STEPS.index(last) + 1]:
            getattr(self, "result" if step == "result" else step)()
            db.session.commit()
        return self


@pytest.fixture
def flow(council, worker, now, taken_up):
    return Flow(council, worker, now, taken_up)


MISSING = {"propose": "decision_needs_proposal", "deliberate": "decision_needs_deliberation",
           "resolve": "decision_needs_resolution", "publish": "decision_needs_publication",
           "carry_out": "decision_needs_carrying_out"}


@pytest.mark.parametrize("done", decisions.STEPS[:-2])
def test_every_later_step_is_refused_naming_the_missing_one(flow, done):
    if done != "collect":
        flow.through(done)
    missing = decisions.STEPS[decisions.STEPS.index(done) + 1]
    for later in decisions.STEPS[decisions.STEPS.index(done) + 2:]:
        with pytest.raises(Refused) as refused:
            getattr(flow, later)()
        assert refused.value.reason == MISSING[missing], later
    db.session.rollback()
    assert decisions.step_of(flow.decision)[0] == missing


@pytest.mark.parametrize("step", decisions.STEPS[1:])
def test_a_step_is_not_recorded_twice(flow, step):
    flow.through(step)
    with pytest.raises(Refused, match="decision_step_done"):
        getattr(flow, step)()


def test_the_whole_way_with_who_when_and_the_timeline(flow, worker, taken_up, now):
    flow.through("result")
    decision = db.session.get(Decision, flow.decision.id)
    upcoming, rows = decisions.step_of(decision)
    assert upcoming is None
    assert [key for key, *_rest in rows] == list(decisions.STEPS)
    assert all(done_at is not None and who == worker and role == "community_worker"
               for _key, _label, done_at, who, role in rows)
    assert [at for _k, _l, at, _w, _r in rows] == sorted(at for _k, _l, at, _w, _r in rows)
    assert decision.cost_fen == 320050 and decisions.yuan(decision.cost_fen) == "3,200.50"
    assert decision.decision_publication_id != decision.result_publication_id
    notes = db.session.scalars(select(RequestEvent).where(
        RequestEvent.request_id == taken_up.id, RequestEvent.action == "decision_step")
        .order_by(RequestEvent.id)).all()
    assert [json.loads(n.details)["step"] for n in notes] == list(decisions.STEPS)
    assert all(n.actor_id == worker.id for n in notes)
    assert "建议维修车棚顶。" in notes[1].text
    # 实施 moved the request on, once, through the state machine
    db.session.refresh(taken_up)
    assert taken_up.state == "carrying_out"
    moves = db.session.scalars(select(RequestEvent.action).where(
        RequestEvent.request_id == taken_up.id, RequestEvent.action == "carry_out")).all()
    assert moves == ["carry_out"]


def test_a_convener_may_carry_it_but_only_a_worker_proposes(council, convener, worker, now,
                                                              taken_up):
    decision = decisions.start(convener, council, "维修车棚", now, request=taken_up)
    with pytest.raises(Refused, match="decision_worker_only"):
        decisions.propose(convener, decision, "建议", now + HOUR)
    decisions.propose(worker, decision, "建议", now + HOUR)
    motion = passed_motion(council, now + 2 * HOUR)
    decisions.deliberate(convener, decision, motion, now + 3 * HOUR)
    assert decisions.step_of(decision)[1][2][4] == "council_member"


def test_starting_needs_what_was_collected(council, worker, now, make_request, resident,
                                          make_council, world):
    with pytest.raises(Refused) as refused:
        decisions.start(worker, council, "车棚", now)
    assert refused.value.reason == "decision_needs_source" and refused.value.field == "request"
    other = make_council(place=world["courtyard"])
    elsewhere = make_request(resident, state="with_council", klass="minor",
                             council_id=other.id)
    with pytest.raises(Refused, match="decision_request_not_here"):
        decisions.start(worker, council, "车棚", now, request=elsewhere)
    major = make_request(resident, state="referred", klass="major")
    with pytest.raises(Refused, match="decision_request_not_here"):
        decisions.start(worker, council, "车棚", now, request=major)
    with pytest.raises(Refused, match="decision_title_needed"):
        decisions.start(worker, council, "  ", now, request=elsewhere)


def _collection(place, worker, now, closes):
    row = Collection(place=place, title="车棚意见征集", opens_at=now - 10 * DAY,
                     closes_at=closes, opened_by_id=worker.id)
    db.session.add(row)
    db.session.commit()
    return row


def test_a_decision_may_start_from_a_closed_collection_of_its_place(council, worker, now,
                                                                    world):
    still_open = _collection(world["courtyard"], worker, now, now + DAY)
    with pytest.raises(Refused, match="decision_collection_open"):
        decisions.start(worker, council, "车棚", now, collection=still_open)
    elsewhere = _collection(world["other_courtyard"], worker, now, now - DAY)
    with pytest.raises(Refused, match="decision_collection_not_here"):
        decisions.start(worker, council, "车棚", now, collection=elsewhere)
    closed = _collection(world["courtyard"], worker, now, now - DAY)
    assert decisions.choosable_collections(council, now) == [closed]
    decision = decisions.start(worker, council, "车棚", now, collection=closed)
    assert decision.collection_id == closed.id and decision.request is None
    decisions.propose(worker, decision, "建议", now + HOUR)  # no timeline: no request


@pytest.mark.parametrize("who", ["member", "resident", "outside_worker", "stranger"])
def test_only_workers_here_and_conveners_start_one(council, now, taken_up, who, request):
    user = council.members[2].user if who == "member" else request.getfixturevalue(who)
    with pytest.raises(Refused, match="decision_not_yours"):
        decisions.start(user, council, "车棚", now, request=taken_up)


def test_the_motion_must_be_this_councils_passed_after_the_proposal(flow, make_council, world,
                                                                    now):
    flow.propose()
    early = passed_motion(flow.council, now - DAY)
    failed = passed_motion(flow.council, flow.tick(), passed=False)
    other = passed_motion(make_council(place=world["courtyard"]), flow.tick())
    still_open = passed_motion(flow.council, flow.tick())
    still_open.closed_at = None
    for motion in (early, failed, other, still_open, None):
        with pytest.raises(Refused) as refused:
            decisions.deliberate(flow.worker, flow.decision, motion, flow.tick())
        assert refused.value.reason == "decision_motion_not_here"
        assert refused.value.field == "motion"
    assert decisions.choosable_motions(flow.decision) == []


def test_a_resolution_not_carried_stops_the_decision(flow):
    flow.through("deliberate")
    flow.resolve(votes=(10, 10, 5))
    assert decisions.stopped(flow.decision)
    assert decisions.step_of(flow.decision)[0] is None
    with pytest.raises(Refused) as refused:
        flow.publish()
    assert refused.value.reason == "decision_not_carried"
    assert "10" in refused.value.message


@pytest.mark.parametrize("votes, field", [((-1, 0, 0), "votes_for"), ((1, "2", 0),
                                          "votes_against"), ((1, 0, 10**9), "votes_abstain")])
def test_counts_are_whole_numbers_not_below_zero(flow, votes, field):
    flow.through("deliberate")
    with pytest.raises(Refused) as refused:
        flow.resolve(votes=votes)
    assert refused.value.field == field
    assert flow.decision.resolved_at is None


@pytest.mark.parametrize("days", [1, 6])
def test_a_publicity_window_under_seven_days_is_refused(flow, days):
    flow.through("resolve")
    with pytest.raises(Refused) as refused:
        flow.publish(days=days)
    assert refused.value.reason == "decision_window_short"
    assert "7" in refused.value.message and refused.value.field == "ends_on"


def test_carrying_out_waits_for_the_window_and_every_answer(flow, resident, worker):
    flow.through("resolve")
    publication = flow.publish()
    opened = flow.at
    with pytest.raises(Refused, match="decision_window_not_over"):
        decisions.carry_out(worker, flow.decision, opened + 6 * DAY)
    objection = publicity.raise_objection(publication, resident, "objection", "太贵了",
                                          opened + DAY)
    over = opened + 7 * DAY + HOUR
    with pytest.raises(Refused) as refused:
        decisions.carry_out(worker, flow.decision, over)
    assert refused.value.reason == "decision_objections_open" and "1" in refused.value.message
    publicity.answer(objection, worker, "费用已比价三家。", over)
    decisions.carry_out(worker, flow.decision, over + HOUR)
    assert flow.decision.carried_out_at == over + HOUR


def test_a_withdrawn_publicity_is_published_again(flow, worker):
    flow.through("resolve")
    first = flow.publish()
    publicity.withdraw(first, worker, "日期写错了", flow.tick())
    with pytest.raises(Refused, match="decision_publication_withdrawn"):
        decisions.carry_out(worker, flow.decision, flow.at + 8 * DAY)
    assert decisions.step_of(flow.decision)[0] == "publish"
    second = flow.publish()
    assert flow.decision.decision_publication_id == second.id != first.id
    flow.carry_out()


@pytest.mark.parametrize("typed, fen", [("3200", 320000), ("3,200.50", 320050),
                                        ("3200.5", 320050), ("０", 0), ("¥1,234,567.89",
                                                                        123456789),
                                        (" 12元 ", 1200)])
def test_costs_are_read_in_yuan(typed, fen):
    assert decisions.parse_yuan(typed) == fen


@pytest.mark.parametrize("typed", ["-5", "3.333", "三千", "", "1,23", "1e5", "12,34.5",
                                   "9" * 20, "NaN", "3200.5.1"])
def test_bad_costs_are_refused(typed):
    with pytest.raises(ValueError):
        decisions.parse_yuan(typed)


def test_a_negative_cost_is_refused_by_the_rule(flow):
    flow.through("carry_out")
    with pytest.raises(Refused, match="decision_cost_bad"):
        flow.result(cost=-1)


def _messages(kind):
    return db.session.scalars(select(Message).where(Message.kind == kind)).all()


def test_the_requester_and_supporters_are_told_once_each(flow, resident, neighbour, taken_up,
                                                        worker):
    db.session.add(RequestSupport(request_id=taken_up.id, user_id=neighbour.id))
    db.session.commit()
    flow.through("publish")
    published = _messages("decision_published")
    assert sorted(m.user_id for m in published) == sorted([resident.id, neighbour.id])
    assert all(m.subject_type == "decision" for m in published)
    flow.carry_out()
    assert sorted(m.user_id for m in _messages("request_carrying_out")) == sorted(
        [resident.id, neighbour.id])
    flow.result()
    assert sorted(m.user_id for m in _messages("result_published")) == sorted(
        [resident.id, neighbour.id])
    assert db.session.scalar(select(func.count()).select_from(Message)) == 6


def test_only_a_resolved_request_is_moved_on(flow, taken_up):
    taken_up.state = "closed"
    db.session.commit()
    flow.through("carry_out")
    db.session.refresh(taken_up)
    assert taken_up.state == "closed"
    assert _messages("request_carrying_out") == []
