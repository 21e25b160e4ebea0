"""Triage over HTTP: the handling page and its moves (happy path, bad input kept, who may),
the section on the request page, the queue, reply templates."""

import pytest
from sqlalchemy import func, select

from portal.councils.models import ReplyTemplate, Request, RequestEvent
from portal.extensions import db
from portal.notifications.models import Message
from tests.helpers import audit_page, text


def _count(model, **where):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.fixture
def waiting(resident, make_request):
    return make_request(resident)


def test_a_worker_refers_from_the_handling_page(client, login, worker, waiting, department):
    login(worker)
    page = f"/councils/requests/{waiting.id}/handle"
    response = client.get(page)
    assert response.status_code == 200
    audit_page(response)
    assert f"/councils/requests/{waiting.id}/refer" in text(response)
    response = client.submit(f"/councils/requests/{waiting.id}/refer", {
        "refer-department": department.id, "refer-due_on": "", "refer-text": "已转办。"},
        token_from=page)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(page)
    request = db.session.get(Request, waiting.id)
    assert (request.state, request.department_id) == ("referred", department.id)


def test_a_bad_due_day_is_kept_beside_its_message(client, login, worker, waiting,
                                                  department):
    login(worker)
    page = f"/councils/requests/{waiting.id}/handle"
    response = client.submit(f"/councils/requests/{waiting.id}/refer", {
        "refer-department": department.id, "refer-due_on": "2001-01-01",
        "refer-text": "请尽快处理<script>"}, token_from=page)
    assert response.status_code == 422
    body = text(response)
    assert "2001-01-01" in body and "请尽快处理&lt;script&gt;" in body
    assert 'id="handle-refer" open' in body
    assert db.session.get(Request, waiting.id).state == "submitted"
    assert _count(RequestEvent) == 0


def test_guidance_without_words_is_refused_and_nothing_written(client, login, worker,
                                                               waiting):
    login(worker)
    page = f"/councils/requests/{waiting.id}/handle"
    response = client.submit(f"/councils/requests/{waiting.id}/guide", {"guide-text": " "},
                             token_from=page)
    assert response.status_code == 422
    assert db.session.get(Request, waiting.id).state == "submitted"


def test_choosing_a_template_fills_the_words_and_saves_nothing(client, login, worker,
                                                               waiting, world):
    template = ReplyTemplate(place=world["community"], klass="private", title="指引",
                             text="请到社区服务中心咨询。")
    db.session.add(template)
    db.session.commit()
    login(worker)
    page = f"/councils/requests/{waiting.id}/handle"
    response = client.submit(f"/councils/requests/{waiting.id}/guide", {
        "guide-template": template.id, "guide-use_template": "1", "guide-text": ""},
        token_from=page)
    assert response.status_code == 200
    assert "请到社区服务中心咨询。</textarea>" in text(response)
    assert db.session.get(Request, waiting.id).state == "submitted"


def test_closing_twice_tells_the_resident_once(client, login, worker, waiting, resident):
    login(worker)
    page = f"/councils/requests/{waiting.id}/handle"
    data = {"close-outcome": "not_possible", "close-reason": "不属于社区管理范围。"}
    first = client.submit(f"/councils/requests/{waiting.id}/close", data, token_from=page)
    second = client.submit(f"/councils/requests/{waiting.id}/close", data, token_from=page)
    assert (first.status_code, second.status_code) == (303, 303)
    assert _count(Message, user_id=resident.id, kind="request_closed") == 1
    assert _count(RequestEvent, request_id=waiting.id) == 1


def test_marking_a_duplicate_by_number(client, login, worker, waiting, resident,
                                       make_request):
    original = make_request(resident, title="原来的")
    login(worker)
    page = f"/councils/requests/{waiting.id}/handle"
    response = client.submit(f"/councils/requests/{waiting.id}/duplicate",
                             {"duplicate-original": "999999"}, token_from=page)
    assert response.status_code == 422 and "999999" in text(response)
    response = client.submit(f"/councils/requests/{waiting.id}/duplicate",
                             {"duplicate-original": original.number}, token_from=page)
    assert response.status_code == 303
    assert db.session.get(Request, waiting.id).duplicate_of_id == original.id


def test_the_request_page_shows_the_forms_to_the_worker_only(client, login, worker,
                                                             waiting, neighbour):
    login(worker)
    body = text(client.get(f"/councils/requests/{waiting.id}"))
    assert f"/councils/requests/{waiting.id}/close" in body
    login(neighbour)
    body = text(client.get(f"/councils/requests/{waiting.id}"))
    assert f"/councils/requests/{waiting.id}/close" not in body
    assert f"/councils/requests/{waiting.id}/withdraw" not in body


def test_the_requester_withdraws_from_the_request_page(client, login, resident, waiting,
                                                       neighbour):
    login(resident)
    page = f"/councils/requests/{waiting.id}"
    assert f"{page}/withdraw" in text(client.get(page))
    login(neighbour)
    assert client.submit(f"{page}/withdraw", token_from=page).status_code == 403
    assert db.session.get(Request, waiting.id).state == "submitted"
    login(resident)
    response = client.submit(f"{page}/withdraw", {"next": page}, token_from=page)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    assert db.session.get(Request, waiting.id).outcome == "withdrawn"


# --- who may: every POST route × role, checking the refusal and that nothing is written ---

ROUTES = {
    "refer": lambda r, d: {"refer-department": d.id, "refer-text": "转办"},
    "to-council": lambda r, d: {"council-council": "1"},
    "guide": lambda r, d: {"guide-text": "去服务站"},
    "reply": lambda r, d: {"reply-text": "已答复"},
    "close": lambda r, d: {"close-outcome": "not_possible", "close-reason": "不能办"},
    "duplicate": lambda r, d: {"duplicate-original": "1"},
    "carry-out": lambda r, d: {},
}
ROLES = ["resident_here", "resident_elsewhere", "leader_here", "leader_elsewhere",
         "worker_here", "worker_elsewhere", "admin", "anonymous"]
MAY = {"worker_here", "admin"}


@pytest.fixture
def as_role(login_as, world):
    def sign_in(role):
        return {
            "resident_here": lambda: login_as(),
            "resident_elsewhere": lambda: login_as(courtyard=world["other_courtyard"]),
            "leader_here": lambda: login_as("courtyard_leader", world["courtyard"]),
            "leader_elsewhere": lambda: login_as("courtyard_leader", world["other_courtyard"],
                                                 courtyard=world["other_courtyard"]),
            "worker_here": lambda: login_as("community_worker", world["community"]),
            "worker_elsewhere": lambda: login_as("community_worker",
                                                 world["other_community"]),
            "admin": lambda: login_as("admin", world["city"]),
            "anonymous": lambda: None,
        }[role]()
    return sign_in


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_who_may_handle(client, as_role, role, route, resident, make_request, department):
    # A state the route's move may start from, so only who asks decides.
    state = {"reply": "referred", "carry-out": "resolved"}.get(route, "submitted")
    request = make_request(resident, state=state, department_id=department.id)
    token = client.csrf_token("/")
    as_role(role)
    response = client.post(f"/councils/requests/{request.id}/{route}",
                           data={"csrf_token": token, **ROUTES[route](request, department)})
    if role in MAY:
        assert response.status_code in (303, 422)
        return
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert _count(RequestEvent) == 0 and _count(Message) == 0
    assert db.session.get(Request, request.id).state == state
    if role != "anonymous":
        assert client.get(f"/councils/requests/{request.id}/handle").status_code == 403


# --- the queue ---

def test_the_queue_lists_overdue_first_for_the_worker(client, login, worker, resident,
                                                      make_request, department, today):
    from datetime import timedelta

    make_request(resident, title="刚提交的")
    make_request(resident, title="院墙开裂", state="referred", klass="major",
                 department_id=department.id, due_on=today - timedelta(days=3))
    login(worker)
    response = client.get("/councils/triage")
    assert response.status_code == 200
    audit_page(response)
    body = text(response)
    assert body.index("院墙开裂") < body.index("刚提交的")
    filtered = text(client.get("/councils/triage?state=submitted"))
    assert "刚提交的" in filtered and "院墙开裂" not in filtered
    assert client.get("/councils/triage?state=nonsense&klass=%3Cb%3E").status_code == 200


def test_residents_have_no_queue(client, login, resident):
    login(resident)
    assert client.get("/councils/triage").status_code == 403


# --- reply templates ---

def test_a_worker_keeps_a_reply_template(client, login, worker, world, outside_worker):
    page = f"/councils/communities/{world['community'].id}/reply-templates"
    login(worker)
    assert client.get(page).status_code == 200
    response = client.submit(page, {"klass": "major", "title": "", "text": "已转办。"},
                             token_from=page)
    assert response.status_code == 422 and "已转办。" in text(response)
    assert _count(ReplyTemplate) == 0
    response = client.submit(page, {"klass": "major", "title": "转办", "text": "已转办。"},
                             token_from=page)
    assert response.status_code == 303 and _count(ReplyTemplate) == 1
    login(outside_worker)
    assert client.get(page).status_code == 403
    response = client.submit(page, {"klass": "major", "title": "x", "text": "y"})
    assert response.status_code == 403 and _count(ReplyTemplate) == 1
