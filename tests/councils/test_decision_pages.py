"""一征三议两公开 over HTTP: the decision's page, starting one, each step's POST route (happy
path, bad input kept with 422, nothing written), who may post each, and the sections on the
council's and the request's pages."""

from datetime import timedelta

import pytest
from flask import current_app
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.councils import decisions
from portal.councils.models import Decision
from portal.extensions import db
from portal.publicity.models import Publication
from portal.refusals import Refused
from tests.councils.test_decisions import DAY, HOUR, Flow, passed_motion
from tests.helpers import audit_page, text


@pytest.fixture
def council(make_council):
    return make_council()


@pytest.fixture
def taken_up(make_request, resident, council):
    return make_request(resident, title="车棚漏雨", state="resolved", klass="minor",
                        council_id=council.id)


def said(msgid, **values):
    """``msgid`` (or a lazy text) as the pages say it, escaped: in Chinese once the
    catalogue is compiled (tests run in Chinese), in English before."""
    with current_app.test_request_context():
        words = gettext(msgid, **values) if isinstance(msgid, str) else str(msgid)
        return str(escape(words))


def refusal(reason, **details):
    """A refusal's words as the pages say them."""
    with current_app.test_request_context():
        return str(escape(Refused(reason, **details).message))


def _next(step):
    with current_app.test_request_context():
        label = str(decisions.STEP_LABELS[step])
    return said("Next step: %(step)s", step=label)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _steps_audited():
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.startswith("councils.decision.")))


def _at(flow, step):
    """A decision whose next step is ``step``, its earlier steps done in the past (so a
    publicity window, seven days long, is over)."""
    if step != "propose":
        flow.through(decisions.STEPS[decisions.STEPS.index(step) - 1])
    return flow.decision


@pytest.fixture
def decision_at(council, worker, now, taken_up):
    def make(step):
        return _at(Flow(council, worker, now - 30 * DAY, taken_up), step)
    return make


# What a good form for each step holds (publicity windows start today, seven days).
def good(step, today, motion_id=None):
    window = {"starts_on": str(today), "ends_on": str(today + timedelta(days=6))}
    return {
        "propose": {"proposal": "建议维修车棚顶，费用从公共收益列支。"},
        "deliberate": {"motion": str(motion_id)},
        "resolve": {"resolution": "同意维修。", "votes_for": "30", "votes_against": "2",
                    "votes_abstain": "1"},
        "publish": window,
        "carry_out": {},
        "result": {"result": "车棚顶已换。", "cost": "3,200.50", **window},
    }[step]


ROUTE = {"propose": "propose", "deliberate": "deliberate", "resolve": "resolve",
         "publish": "publish", "carry_out": "carry-out", "result": "result"}


def _motion_for(step, decision, council):
    if step == "deliberate":
        return passed_motion(council, decision.proposed_at + HOUR).id
    return None


def _done(decision, step):
    db.session.expire_all()
    decision = db.session.get(Decision, decision.id)
    upcoming, _rows = decisions.step_of(decision)
    return upcoming != step


# --- the page -----------------------------------------------------------------------------

def test_the_page_shows_every_step_in_words(client, login, council, worker, now, taken_up,
                                            resident):
    flow = Flow(council, worker, now - 30 * DAY, taken_up).through("result")
    response = client.get(f"/councils/decisions/{flow.decision.id}")
    assert response.status_code == 200
    page = text(response)
    for label in decisions.STEP_LABELS.values():
        assert said(label) in page
    assert page.count(said("Step done")) >= 7 and said("Every step is done.") in page
    assert said("%(amount)s yuan", amount="3,200.50") in page
    assert said("For: %(n)d", n=30) in page
    assert worker.name not in page and "李**" in page  # masked
    assert page.count('class="publicity"') == 2
    audit_page(response)


def test_a_worker_sees_the_form_of_the_next_step_and_a_resident_does_not(
        client, login, decision_at, worker, resident):
    decision = decision_at("resolve")
    path = f"/councils/decisions/{decision.id}"
    assert _next("resolve") in text(client.get(path))
    assert f'action="{path}/resolve"' not in text(client.get(path))
    login(worker)
    page = text(client.get(path))
    assert f'action="{path}/resolve"' in page and "votes_for" in page


def test_a_missing_decision_is_404(client):
    assert client.get("/councils/decisions/999999").status_code == 404


# --- starting one -------------------------------------------------------------------------

def test_a_worker_starts_a_decision_from_a_request(client, login, council, worker, taken_up):
    login(worker)
    page = f"/councils/{council.id}/decisions/new"
    assert taken_up.title in text(client.get(page))
    response = client.submit(page, {"title": "维修车棚", "request": str(taken_up.id),
                                    "collection": ""}, token_from=page)
    assert response.status_code == 303
    decision = db.session.scalar(select(Decision))
    assert response.headers["Location"].endswith(f"/councils/decisions/{decision.id}")
    assert decision.request_id == taken_up.id and decision.created_by_id == worker.id


@pytest.mark.parametrize("fields, message", [
    ({"title": "<script>alert(1)</script>车棚", "request": ""},
     lambda: refusal("decision_needs_source")),
    ({"title": "", "request": "REQ"}, lambda: said("Give the decision a title.")),
    ({"title": "长" * 300, "request": "REQ"}, None),
    ({"title": "<script>alert(1)</script>车棚", "request": "999999"}, None),
])
def test_bad_starts_are_kept_and_nothing_is_written(client, login, council, worker, taken_up,
                                                    fields, message):
    login(worker)
    page = f"/councils/{council.id}/decisions/new"
    data = {"collection": "", **fields}
    data["request"] = str(taken_up.id) if data["request"] == "REQ" else data["request"]
    response = client.submit(page, data, token_from=page)
    assert response.status_code == 422
    assert 'class="error-summary"' in text(response)
    if fields["title"].startswith("<script>"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;车棚" in text(response)
    if message:
        assert message() in text(response)
    assert _count(Decision) == 0


# --- the steps ----------------------------------------------------------------------------

@pytest.mark.parametrize("step", list(ROUTE))
def test_each_step_over_http(client, login, decision_at, council, worker, today, step):
    decision = decision_at(step)
    data = good(step, today, _motion_for(step, decision, council))
    login(worker)
    path = f"/councils/decisions/{decision.id}"
    response = client.submit(f"{path}/{ROUTE[step]}", data, token_from=path)
    assert response.status_code == 303, text(response)
    assert response.headers["Location"].endswith(path)
    assert _done(decision, step)


BAD = {
    "propose": ({"proposal": "   "}, lambda: said("Write down the proposal.")),
    "deliberate": ({"motion": "999999"}, None),
    "resolve": ({"resolution": "同意<script>", "votes_for": "三十", "votes_against": "-2",
                 "votes_abstain": "1"}, None),
    "publish": ("SHORT", lambda: refusal("decision_window_short", days=7)),
    "result": ({"result": "车棚顶已换<script>", "cost": "-3,200"},
               lambda: said("Write the cost in yuan, like 3200 or 3,200.50.")),
}


@pytest.mark.parametrize("step", list(BAD))
def test_bad_steps_are_kept_with_422_and_nothing_is_written(client, login, decision_at, worker,
                                                            today, step):
    decision = decision_at(step)
    data, message = BAD[step]
    if data == "SHORT":
        data = {"starts_on": str(today), "ends_on": str(today + timedelta(days=3))}
    elif step == "result":
        data = {**good(step, today), **data}
    before = _steps_audited(), _count(Publication)
    login(worker)
    path = f"/councils/decisions/{decision.id}"
    response = client.submit(f"{path}/{ROUTE[step]}", data, token_from=path)
    assert response.status_code == 422
    page = text(response)
    assert 'class="error-summary"' in page
    if message:
        assert message() in page
    for name, value in data.items():
        if value.strip() and name != "motion":  # a choice not offered cannot be kept
            assert value.replace("<", "&lt;").replace(">", "&gt;") in page
    assert not _done(decision, step)
    assert (_steps_audited(), _count(Publication)) == before


def test_a_step_out_of_order_says_which_is_missing(client, login, decision_at, worker, today):
    decision = decision_at("propose")
    login(worker)
    path = f"/councils/decisions/{decision.id}"
    response = client.submit(f"{path}/resolve", good("resolve", today), token_from=path)
    assert response.status_code == 422
    assert refusal("decision_needs_proposal") in text(response)
    assert 'value="30"' in text(response)  # what was typed is kept
    assert decision.resolved_at is None


def test_carrying_out_during_the_window_is_refused_in_words(client, login, council, worker,
                                                            now, taken_up):
    flow = Flow(council, worker, now - 2 * DAY, taken_up).through("publish")  # still open
    login(worker)
    path = f"/councils/decisions/{flow.decision.id}"
    response = client.submit(f"{path}/carry-out", {}, token_from=path)
    assert response.status_code == 422 and refusal("decision_window_not_over") in text(response)
    assert flow.decision.carried_out_at is None


# --- who may post each step ---------------------------------------------------------------

WHO = ["worker_here", "convener", "member", "resident_here", "resident_elsewhere",
       "leader_here", "leader_elsewhere", "worker_elsewhere", "admin", "anonymous"]


@pytest.fixture
def person(make_user, world, login, council):
    def sign_in(who):
        if who == "anonymous":
            return None
        if who == "convener":
            return login(council.members[0].user)
        if who == "member":
            return login(council.members[2].user)
        here, there = world["courtyard"], world["other_courtyard"]
        roles = {"leader_here": [("courtyard_leader", here)],
                 "leader_elsewhere": [("courtyard_leader", there)],
                 "worker_here": [("community_worker", world["community"])],
                 "worker_elsewhere": [("community_worker", world["other_community"])],
                 "admin": [("admin", world["city"])]}.get(who, [])
        home = there if who in ("resident_elsewhere", "leader_elsewhere",
                                "worker_elsewhere") else here
        return login(make_user(courtyard=home, roles=roles))
    return sign_in


def _allowed(step, who):
    if step == "propose":
        return who in ("worker_here", "admin")
    return who in ("worker_here", "convener", "admin")


@pytest.mark.parametrize("step", list(ROUTE))
@pytest.mark.parametrize("who", WHO)
def test_who_may_post_each_step(client, person, decision_at, council, today, step, who):
    decision = decision_at(step)
    data = good(step, today, _motion_for(step, decision, council))
    before = _steps_audited()
    person(who)
    response = client.submit(f"/councils/decisions/{decision.id}/{ROUTE[step]}", data)
    allowed = _allowed(step, who)
    expected = 303 if allowed else 302 if who == "anonymous" else 403
    assert response.status_code == expected
    assert _done(decision, step) == allowed
    assert _steps_audited() == before + (1 if allowed else 0)


@pytest.mark.parametrize("who", WHO)
def test_who_may_start_a_decision(client, person, council, taken_up, who):
    person(who)
    response = client.submit(f"/councils/{council.id}/decisions/new",
                             {"title": "维修车棚", "request": str(taken_up.id)})
    allowed = who in ("worker_here", "convener", "admin")
    assert response.status_code == (303 if allowed else 302 if who == "anonymous" else 403)
    assert _count(Decision) == (1 if allowed else 0)


# --- the sections -------------------------------------------------------------------------

def test_the_council_page_lists_its_decisions_with_their_step(client, login, council, worker,
                                                              now, taken_up):
    flow = Flow(council, worker, now, taken_up).through("propose")
    page = text(client.get(f"/councils/{council.id}"))
    assert flow.decision.title in page and _next("deliberate") in page
    assert f"/councils/{council.id}/decisions/new" not in page
    login(worker)
    assert f"/councils/{council.id}/decisions/new" in text(client.get(f"/councils/{council.id}"))


def test_the_request_page_links_to_its_decision(client, council, worker, now, taken_up):
    flow = Flow(council, worker, now, taken_up)
    page = text(client.get(f"/councils/requests/{taken_up.id}"))
    assert f"/councils/decisions/{flow.decision.id}" in page
    assert _next("propose") in page
