"""The request's state machine, generated from ``states.TRANSITIONS``: every state × every
move (× every outcome for closing moves) is either taken, writing one timeline step, or
refused, changing nothing; random walks keep the timeline consistent. A state or move added
to the table is covered without a new test."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.councils import states
from portal.councils.models import OUTCOMES, Request, RequestEvent
from portal.extensions import db
from portal.refusals import Refused

ACTIONS = sorted(states.TRANSITIONS)
# Closing moves are tried with every outcome there is (and none); others with none.
TRIES = [(action, outcome) for action in ACTIONS
         for outcome in ((*OUTCOMES, None) if action in states.CLOSING else (None,))]


def expected(state, action, outcome):
    """What the transition table says, read independently of ``states.allowed``."""
    sources, _target = states.TRANSITIONS[action]
    if state not in sources:
        return False
    if action not in states.CLOSING:
        return outcome is None
    if outcome not in states.CLOSING[action]:
        return False
    return outcome not in ("done", "partly_done") or state in states.DONE_FROM


def _events(request):
    return db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)
                              .order_by(RequestEvent.id)).all()


def test_the_table_names_only_states_that_exist():
    for sources, target in states.TRANSITIONS.values():
        assert set(sources) <= set(states.STATES) and target in states.STATES
    assert states.OPEN | {"closed", "followed_up"} == set(states.STATES)
    # Every state can be left (nothing is stuck) and every state but the first reached.
    assert all(states.moves_from(state) for state in states.STATES)
    reached = {target for _sources, target in states.TRANSITIONS.values()}
    assert reached == set(states.STATES)


@pytest.mark.parametrize("state", states.STATES)
def test_every_move_from_every_state(state, resident, worker, make_request, now):
    for action, outcome in TRIES:
        request = make_request(resident, state=state)
        before = {c: getattr(request, c) for c in ("state", "klass", "outcome", "closed_at")}
        if expected(state, action, outcome):
            assert states.allowed(request, action, outcome)
            assert action in states.moves_from(state)
            event = states.move(request, action, worker, "community_worker", now,
                                outcome=outcome)
            db.session.commit()
            assert request.state == states.TRANSITIONS[action][1]
            [stored] = _events(request)
            assert (stored.id, stored.action, stored.from_state, stored.to_state,
                    stored.actor_id) == (event.id, action, state, request.state, worker.id)
            if action in states.CLOSING:
                assert (request.outcome, request.closed_at) == (outcome, now)
        else:
            assert not states.allowed(request, action, outcome)
            with pytest.raises(Refused) as refused:
                states.move(request, action, worker, "community_worker", now,
                            outcome=outcome)
            assert refused.value.reason == "move_not_allowed"
            db.session.commit()
            assert {c: getattr(request, c) for c in before} == before
            assert _events(request) == []


def test_an_unknown_move_is_refused(resident, worker, make_request, now):
    request = make_request(resident)
    with pytest.raises(Refused, match="move_not_allowed"):
        states.move(request, "teleport", worker, "community_worker", now)


def test_a_note_changes_no_state(resident, worker, make_request, now):
    request = make_request(resident, state="referred")
    event = states.note(request, "duplicate_joined", worker, "community_worker", now,
                        number="000001")
    db.session.commit()
    assert (request.state, event.from_state, event.to_state) == ("referred",) * 3


# --- random walks ---

MOVES = st.sampled_from(TRIES)


def check_timeline(request, events):
    """What must hold of a request and its timeline after any walk."""
    steps = [e for e in events if e.action in states.TRANSITIONS]
    assert steps[0].from_state == "submitted"
    for previous, step in zip(steps, steps[1:], strict=False):
        assert step.from_state == previous.to_state
        assert step.at >= previous.at
    assert request.state == steps[-1].to_state
    closed = request.state in ("closed", "followed_up")
    assert (request.closed_at is not None) == closed
    assert (request.outcome is not None) == closed
    if request.state in states.TRIAGED:
        last_sort = next(e for e in reversed(steps) if e.to_state in states.CLASS_OF)
        assert request.klass == states.CLASS_OF[last_sort.to_state]
        assert request.triaged_at is not None
    if request.state == "submitted":
        assert request.klass is None
    if request.klass is not None:
        assert request.triaged_at is not None


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(walk=st.lists(MOVES, min_size=1, max_size=25))
def test_random_walks_keep_the_timeline_consistent(walk, resident, worker, make_request,
                                                   now):
    request = make_request(resident)
    states.move(request, "refer", worker, "community_worker", now)  # a first step
    taken = 1
    for i, (action, outcome) in enumerate(walk):
        moment = now + timedelta(minutes=i + 1)
        state = request.state
        if states.allowed(request, action, outcome):
            states.move(request, action, worker, "community_worker", moment, outcome=outcome)
            taken += 1
        else:
            with pytest.raises(Refused):
                states.move(request, action, worker, "community_worker", moment,
                            outcome=outcome)
            assert request.state == state
    db.session.commit()
    events = _events(request)
    assert len(events) == taken
    check_timeline(db.session.get(Request, request.id), events)
    assert db.session.scalar(select(func.count()).select_from(RequestEvent)
                             .where(RequestEvent.request_id == request.id)) == taken
