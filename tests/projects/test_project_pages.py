"""The projects' pages over HTTP: the demo's 停车棚 project from a resident's home page, the
permission matrix of every POST route, and bad input answered with 422, what was typed kept
and nothing written."""


import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.funds import money
from portal.funds.models import Fund
from portal.projects import calls, projects
from portal.projects.models import Bid, Payment, Project, Score
from tests.helpers import audit_page, text
from tests.projects.conftest import ROLES, bid

# --- the demo, as a resident finds it ----------------------------------------------------


@pytest.fixture
def demo(app):
    from portal.demo import DEMO_PASSWORD, seed_demo
    from portal.projects import demo as projects_demo

    world = seed_demo()
    projects_demo.seed(world, DEMO_PASSWORD)  # a no-op once portal/demo.py lists it
    db.session.commit()
    return world


def test_the_demo_project_from_the_home_page_to_its_money_in_one_tap(demo, client, login):
    from portal.accounts.models import User

    guifang = db.session.scalar(select(User).filter_by(mobile="13900000006"))
    project = db.session.scalar(select(Project).filter_by(title="133号院停车棚翻修和充电桩安装"))
    assert project.stage == "accepted" and project.result_publication_id is not None
    login(guifang)
    home = client.get("/")
    link = f'href="/projects/{project.id}"'
    assert link in text(home)
    page = client.get(f"/projects/{project.id}")
    assert page.status_code == 200
    audit_page(page)
    body = text(page)
    assert "17,600" in body and "1.0" in body  # the two lines and the leverage
    assert f'href="/councils/decisions/{project.decision_id}"' in body
    call = calls.call_of(project)
    assert [r.bid.organization.name for r in calls.ranking(call)][0] == "常青树社会服务中心"
    assert projects.paid_fen(project) == project.contract_fen == 3_520_000
    # Half of it out of the community fund, whose public accounts show it.
    fund = db.session.scalar(select(Fund))
    assert list(projects.payment_funds(project).values()) == [fund]
    assert money.balance(fund) == 3_850_000 - 1_760_000
    assert money.verify() == []
    assert project.title in text(client.get(f"/funds/{fund.id}"))
    # The contractor's progress report with its photo of the chargers.
    (photographed,) = projects.photographed(project)
    photo = client.get(f"/projects/progress/{photographed}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert f"/projects/progress/{photographed}/photo" in body
    assert projects.satisfaction_counts(project) == {"yes": 2, "partly": 1, "no": 0}
    call_page = client.get(f"/projects/calls/{call.id}")
    assert call_page.status_code == 200
    audit_page(call_page)
    assert "常青树社会服务中心" in text(call_page)
    listing = client.get(f"/projects/?place={project.place.parent_id}")
    assert listing.status_code == 200 and link in text(listing)
    audit_page(listing)


def test_the_pages_of_a_worker_fit_the_budget(demo, client, login):
    from portal.accounts.models import User

    worker = db.session.scalar(select(User).filter_by(mobile="13900000001"))
    project = db.session.scalar(select(Project).filter_by(title="133号院停车棚翻修和充电桩安装"))
    call = calls.call_of(project)
    login(worker)
    for path in (f"/projects/{project.id}", f"/projects/calls/{call.id}",
                 f"/projects/bids/{calls.bids(call)[0].id}",
                 f"/projects/new?place={project.place.parent_id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        audit_page(response)


# --- the permission matrix ---------------------------------------------------------------

KEEPERS = {"worker_here", "admin"}
WRITES = [  # (route, who may, form data)
    ("/projects/new?place={community}", KEEPERS, {"title": "x"}),
    ("/projects/{project}/call", KEEPERS, {"title": "x"}),
    ("/projects/{project}/payments", KEEPERS, {"label": "x", "amount": "1"}),
    ("/projects/{project}/accept", KEEPERS, {"note": "x"}),
    ("/projects/{project}/result", KEEPERS, {"starts_on": "2026-01-01"}),
    # not contracted yet: nobody reports its progress
    ("/projects/{project}/progress", set(), {"percent": "5", "text": "x"}),
    ("/projects/{project}/answer", {"resident_here", "leader_here"}, {"answer": "yes"}),
    ("/projects/calls/{call}/bid", set(), {"plan": "x"}),
    ("/projects/bids/{bid}/score", set(), {}),
    ("/projects/calls/{call}/declare", set(), {}),
    ("/projects/calls/{call}/submit", set(), {}),
    ("/projects/calls/{call}/award", KEEPERS, {"reason": "x"}),
    ("/projects/calls/{call}/contract", KEEPERS, {"amount": "1"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "allowed", "data"), WRITES,
                         ids=[w[0].split("}")[-1] or "new" for w in WRITES])
def test_who_may_post_where(client, scene, world, sign_in, role, route, allowed, data):
    path = route.format(community=world["community"].id, project=scene["project"].id,
                        call=scene["call"].id, bid=scene["bid"].id)
    sign_in(role)
    written = db.session.scalar(select(func.count(AuditEntry.id)))
    response = client.submit(path, data)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role in allowed:
        assert response.status_code in (303, 422), response.status_code
    else:
        assert response.status_code == 403
    if role not in allowed:
        assert db.session.scalar(select(func.count(AuditEntry.id))) == written


# --- bad input ---------------------------------------------------------------------------

def test_a_bid_after_the_deadline_is_refused_and_what_was_typed_kept(
        client, login, make_call, make_org):
    call = make_call(deadline_in=-1)
    organization, staff = make_org("常青树社会服务中心")
    login(staff)
    page = f"/projects/calls/{call.id}/bid"
    response = client.submit(page, {"organization": organization.id, "plan": "我们的方案甲",
                                    "team": "三人", "price": "30,000", "timetable": "四周"},
                             token_from=page)
    assert response.status_code == 422
    assert "我们的方案甲" in text(response) and 'class="field-error"' in text(response)
    assert db.session.scalar(select(func.count(Bid.id))) == 0


@pytest.mark.parametrize(("field", "value"), [("plan", "x" * 10_000), ("price", "-5"),
                                              ("price", "1.005"), ("price", "abc")])
def test_bad_bids_are_answered_422_with_nothing_written(client, login, make_call, make_org,
                                                        field, value):
    call = make_call()
    organization, staff = make_org("常青树社会服务中心")
    login(staff)
    page = f"/projects/calls/{call.id}/bid"
    data = {"organization": organization.id, "plan": "方案", "team": "三人",
            "price": "30,000", "timetable": "四周", field: value}
    response = client.submit(page, data, token_from=page)
    assert response.status_code == 422
    assert value[:50] in text(response)
    assert db.session.scalar(select(func.count(Bid.id))) == 0


def test_script_in_a_bid_is_kept_as_text(client, login, make_call, make_org):
    call = make_call()
    organization, staff = make_org("常青树社会服务中心")
    login(staff)
    page = f"/projects/calls/{call.id}/bid"
    response = client.submit(page, {"organization": organization.id,
                                    "plan": "<script>alert(1)</script>", "team": "三人",
                                    "price": "30,000", "timetable": "四周"}, token_from=page)
    assert response.status_code == 303
    found = db.session.scalar(select(Bid))
    shown = text(client.get(f"/projects/bids/{found.id}"))
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;" in shown


def test_a_bid_is_sealed_over_http_before_the_deadline(client, login, make_call, make_org,
                                                       worker, panel):
    call = make_call()
    organization, staff = make_org("常青树社会服务中心")
    found = bid(call, organization, staff, 100_000, call.opens_at)
    db.session.commit()
    for viewer in (worker, panel[0]):
        login(viewer)
        assert client.get(f"/projects/bids/{found.id}").status_code == 403
        assert "/projects/bids/" not in text(client.get(f"/projects/calls/{call.id}"))
    login(staff)
    assert client.get(f"/projects/bids/{found.id}").status_code == 200


@pytest.mark.parametrize("value", ["11", "-1", "7.5", ""])
def test_a_score_outside_0_to_10_is_422_and_nothing_written(client, login, scene, panel,
                                                            value):
    call, found = scene["call"], scene["bid"]
    login(panel[0])
    page = f"/projects/bids/{found.id}"
    data = {f"s-score_{c.id}": "8" for c in call.criteria}
    data[f"s-score_{call.criteria[1].id}"] = value
    data[f"s-comment_{call.criteria[0].id}"] = "写得很细"
    response = client.submit(f"/projects/bids/{found.id}/score", data, token_from=page)
    assert response.status_code == 422
    assert "写得很细" in text(response)
    assert db.session.scalar(select(func.count(Score.id))) == 0


def test_a_panel_member_scores_and_submits_over_http(client, login, scene, panel):
    call, found = scene["call"], scene["bid"]
    login(panel[0])
    page = f"/projects/bids/{found.id}"
    data = {f"s-score_{c.id}": "8" for c in call.criteria}
    assert client.submit(f"/projects/bids/{found.id}/score", data,
                         token_from=page).status_code == 303
    assert db.session.scalar(select(func.count(Score.id))) == 3
    again = client.submit(f"/projects/bids/{found.id}/score", data, token_from=page)
    assert again.status_code in (200, 422)
    assert db.session.scalar(select(func.count(Score.id))) == 3
    assert client.submit(f"/projects/calls/{call.id}/submit", {},
                         token_from=page).status_code == 303


def test_awarding_before_the_panel_has_scored_is_422(client, login, scene, worker):
    call = scene["call"]
    login(worker)
    page = f"/projects/calls/{call.id}"
    response = client.submit(f"{page}/award", {"bid": scene["bid"].id, "reason": "理由甲",
                                               "starts_on": "2030-01-01",
                                               "ends_on": "2030-01-10"}, token_from=page)
    assert response.status_code == 422
    assert call.awarded_at is None


@pytest.mark.parametrize("amount", ["-10", "0.001", "1,500.00", "9" * 40])
def test_payments_never_exceed_the_contract_nor_take_bad_amounts(client, login, contracted,
                                                                 worker, amount):
    login(worker)
    page = f"/projects/{contracted.id}"
    response = client.submit(f"{page}/payments", {"label": "首付款乙", "amount": amount},
                             token_from=page)
    assert response.status_code == 422
    assert "首付款乙" in text(response)
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_progress_payment_acceptance_result_and_satisfaction_over_http(
        client, login, contracted, worker, make_user, world):
    staff = calls.staff_of(contracted.organization)[0]
    page = f"/projects/{contracted.id}"
    login(staff)
    assert client.submit(f"{page}/progress", {"percent": "100", "text": "完工"},
                         token_from=page).status_code == 303
    login(worker)
    assert client.submit(f"{page}/payments", {"label": "首付", "amount": "600"},
                         token_from=page).status_code == 303
    failed = client.submit(f"{page}/accept", {"item_1": "顶棚不漏", "passed_1": "y",
                                              "item_2": "桩通电", "note": "验收"},
                           token_from=page)
    assert failed.status_code == 422 and "桩通电" in text(failed)
    assert client.submit(f"{page}/accept", {"item_1": "顶棚不漏", "passed_1": "y",
                                            "note": "验收"}, token_from=page).status_code == 303
    assert client.submit(f"{page}/result", {"starts_on": "2030-01-01", "ends_on": "2030-01-07"},
                         token_from=page).status_code == 303
    resident = login(make_user(name="居民", courtyard=world["courtyard"]))
    assert client.submit(f"{page}/answer", {"answer": "yes"}, token_from=page).status_code == 303
    again = client.submit(f"{page}/answer", {"answer": "no"}, token_from=page)
    assert again.status_code == 422
    project = db.session.get(Project, contracted.id)
    assert project.stage == "accepted" and projects.percent(project) == 100
    assert projects.answer_of(resident, project).answer == "yes"
