"""Time-bank pages over HTTP: every role and scope check, every bad input, page weights."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.spreadsheet import XLSX_MIMETYPE
from portal.timebank import activities, certificates, help, ledger, logs, rewards
from portal.timebank.models import (
    Activity,
    Certificate,
    CorrectionRequest,
    HelpRequest,
    HourLog,
    Redemption,
    Reward,
    SignUp,
    Transfer,
    Volunteer,
)
from portal.timeutil import local_today, utcnow
from tests.helpers import PAGE_BUDGET, audit_page, text


def count(model, **where):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.fixture
def activity(make_activity, volunteer, world):
    activity = make_activity(organization=world["organization"])
    activities.sign_up(volunteer, activity, utcnow() - timedelta(hours=3))
    db.session.commit()
    return activity


def pending_log(volunteer, activity, minutes=120):
    log = logs.submit(volunteer, minutes, activity=activity, now=utcnow(), today=local_today())
    db.session.commit()
    return log


def give(user, world, minutes):
    ledger.move("grant", ledger.pool_account(world["community"]), ledger.person_account(user),
                minutes)
    db.session.commit()


# --- logging hours, without JavaScript ---

def test_log_hours_as_a_plain_form(client, login, volunteer, activity):
    login(volunteer)
    page = text(client.get("/timebank/me"))
    assert activity.title in page and 'value="120"' in page
    response = client.submit("/timebank/me/log", {"what": f"activity:{activity.id}", "quick": "120",
                                                  "token": "form-1"}, token_from="/timebank/me")
    assert response.status_code == 303
    log = db.session.scalar(select(HourLog))
    assert (log.minutes, log.status, log.activity_id) == (120, "pending", activity.id)
    assert "已提交 2 小时，等待审核" in text(client.get("/timebank/me"))


def test_typed_minutes_win_over_the_quick_choice(client, login, volunteer, activity):
    login(volunteer)
    client.submit("/timebank/me/log", {"what": f"activity:{activity.id}", "quick": "120",
                                       "minutes": "75", "token": "form-2"})
    assert db.session.scalar(select(HourLog.minutes)) == 75


def test_log_hours_with_htmx_returns_the_panel_only(client, login, volunteer, activity):
    login(volunteer)
    token = client.csrf_token("/timebank/me")
    response = client.post("/timebank/me/log", data={
        "csrf_token": token, "what": f"activity:{activity.id}", "quick": "120", "token": "form-3"},
        headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = text(response)
    assert page.strip().startswith('<section id="log-panel"') and "<html" not in page
    assert "已提交 2 小时，等待审核" in re.sub(r"<[^>]+>", "", page)
    assert "HX-Request" in response.headers["Vary"]


def test_the_same_form_sent_twice_logs_once(client, login, volunteer, activity):
    login(volunteer)
    form = {"what": f"activity:{activity.id}", "quick": "60", "token": "double-click-1"}
    assert client.submit("/timebank/me/log", form).status_code == 303
    assert client.submit("/timebank/me/log", form).status_code == 303
    assert count(HourLog) == 1


@pytest.mark.parametrize("changes, message", [
    ({"quick": ""}, "请选择服务了多长时间"),
    ({"quick": "0"}, "请从列出的选项中选择一个"),
    ({"quick": "", "minutes": "0"}, "请填 1 到 720 分钟"),
    ({"quick": "", "minutes": "-30"}, "请填 1 到 720 分钟"),
    ({"quick": "", "minutes": "721"}, "请填 1 到 720 分钟"),
    ({"quick": "", "minutes": "两小时"}, "请填整数"),
    ({"what": ""}, "请选择活动，或选“我帮了邻居”"),
    ({"what": "activity:999999"}, "请从列出的选项中选择一个"),
    ({"service_date": "2099-01-01"}, "请选活动期间的日期"),
    ({"service_date": "昨天"}, "日期请写成 2026-05-01 这样"),
    ({"what": "neighbour"}, "请填写您帮助的邻居的手机号码"),
    ({"what": "neighbour", "neighbour": "12345"}, "请输入 11 位手机号码"),
    ({"what": "neighbour", "neighbour": "13999999999"}, "这个号码还没有注册"),
    ({"what": "neighbour", "neighbour": "SELF"}, "不是您自己的"),
    ({"what": "neighbour", "neighbour": "OTHER", "service_date": "2099-01-01"},
     "日期不能是将来的日子"),
    ({"what": "neighbour", "neighbour": "OTHER", "service_date": "2000-01-01"},
     "只能登记最近 90 天内的服务"),
])
def test_bad_logs_are_explained_kept_and_not_written(client, login, volunteer, activity,
                                                     make_user, world, changes, message):
    login(volunteer)
    other = make_user(courtyard=world["courtyard2"])
    form = {"what": f"activity:{activity.id}", "quick": "120", "token": "bad-1", "note": "扫了院坝"}
    form.update(changes)
    form["neighbour"] = {"SELF": volunteer.mobile, "OTHER": other.mobile}.get(
        form.get("neighbour"), form.get("neighbour", ""))
    response = client.submit("/timebank/me/log", form)
    assert response.status_code == 422
    page = text(response)
    assert message in page and "有问题需要修改" in page
    assert "扫了院坝" in page  # what was typed is kept
    assert count(HourLog) == 0


def test_an_activity_one_did_not_sign_up_for_is_not_offered(client, login, volunteer,
                                                            make_activity):
    other = make_activity(title="别人的活动")
    login(volunteer)
    assert "别人的活动" not in text(client.get("/timebank/me"))
    response = client.submit("/timebank/me/log", {"what": f"activity:{other.id}", "quick": "60",
                                                  "token": "sneaky"})
    assert response.status_code == 422 and count(HourLog) == 0


def test_a_second_log_for_the_same_activity_and_day_is_refused(client, login, volunteer,
                                                               make_activity, world):
    activity = make_activity(length=timedelta(days=3))  # a long one stays on the form
    activities.sign_up(volunteer, activity, utcnow() - timedelta(hours=3))
    pending_log(volunteer, activity)
    login(volunteer)
    response = client.submit("/timebank/me/log", {"what": f"activity:{activity.id}", "quick": "60",
                                                  "token": "again"})
    assert response.status_code == 422
    assert "您已经登记过这个活动这一天的时长了" in text(response) and count(HourLog) == 1


def test_non_volunteers_are_sent_to_join_first(client, login_as, activity):
    login_as()
    assert "请先注册成为志愿者" in text(client.get("/timebank/me"))
    response = client.submit("/timebank/me/log", {"what": f"activity:{activity.id}", "quick": "60"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/join")


def test_joining_needs_consent(client, login_as):
    user = login_as()
    response = client.submit("/timebank/join", {"skills": "修电器"})
    assert response.status_code == 422 and "请勾选同意服务记录规则" in text(response)
    assert "修电器" in text(response) and db.session.get(Volunteer, user.id) is None
    response = client.submit("/timebank/join", {"skills": "修电器", "consent": "y"})
    assert response.status_code == 303 and db.session.get(Volunteer, user.id).skills == "修电器"


# --- approving ---

def approval_roles(world):
    return {
        "worker": [("community_worker", world["community"])],
        "org_staff": [("org_staff", world["organization"])],
        "admin": [("admin", world["city"])],
        "other_worker": [("community_worker", world["other_community"])],
        "other_staff": [("org_staff", world["other_organization"])],
        "leader": [("courtyard_leader", world["courtyard"])],
        "resident": [],
    }


@pytest.mark.parametrize("role, allowed", [
    ("worker", True), ("org_staff", True), ("admin", True), ("other_worker", False),
    ("other_staff", False), ("leader", False), ("resident", False), ("self", False),
])
def test_who_may_approve_over_http(client, login, make_user, world, volunteer, activity, role,
                                   allowed):
    log = pending_log(volunteer, activity)
    person = volunteer if role == "self" else make_user(roles=approval_roles(world)[role])
    login(person)
    shown = f'id="log-{log.id}"' in text(client.get("/timebank/approvals"))
    response = client.submit(f"/timebank/logs/{log.id}/approve")
    db.session.refresh(log)
    assert shown is allowed  # the queue shows only what the code allows
    if allowed:
        assert response.status_code == 303 and log.status == "approved"
        assert ledger.balance(volunteer) == 120
    else:
        assert response.status_code == 403 and log.status == "pending"
        assert ledger.balance(volunteer) == 0 and count(Transfer) == 0


def test_approving_twice_pays_once(client, login, worker, volunteer, activity):
    log = pending_log(volunteer, activity)
    login(worker)
    client.submit(f"/timebank/logs/{log.id}/approve")
    response = client.submit(f"/timebank/logs/{log.id}/approve", follow_redirects=True)
    assert "这条记录已经审核过了" in text(response)
    assert ledger.balance(volunteer) == 120 and count(Transfer, kind="earn") == 1


def test_htmx_approval_swaps_the_row(client, login, worker, volunteer, activity):
    log = pending_log(volunteer, activity)
    login(worker)
    token = client.csrf_token("/timebank/approvals")
    response = client.post(f"/timebank/logs/{log.id}/approve", data={"csrf_token": token},
                           headers={"HX-Request": "true"})
    page = text(response)
    assert response.status_code == 200 and page.strip().startswith(
        f'<li class="approval" id="log-{log.id}">')
    assert "已通过" in page and "李晓梅" in page


def test_rejecting_needs_a_reason(client, login, worker, volunteer, activity):
    log = pending_log(volunteer, activity)
    login(worker)
    response = client.submit(f"/timebank/logs/{log.id}/reject", {f"log{log.id}-reason": " "})
    assert response.status_code == 422 and "请说明原因，让志愿者明白" in text(response)
    db.session.refresh(log)
    assert log.status == "pending"
    client.submit(f"/timebank/logs/{log.id}/reject", {f"log{log.id}-reason": "那天没来"})
    db.session.refresh(log)
    assert (log.status, log.reason) == ("rejected", "那天没来")
    login(volunteer)
    assert "那天没来" in text(client.get("/timebank/me"))


def test_the_organiser_checks_in_and_approves_everyone_checked_in(client, login, worker,
                                                                 volunteer, activity,
                                                                 make_volunteer):
    late = make_volunteer(name="没来的人")
    activities.sign_up(late, activity, utcnow() - timedelta(hours=3))
    for person in (volunteer, late):
        pending_log(person, activity)
    login(worker)
    signup = activities.sign_up_of(volunteer, activity)
    response = client.post(f"/timebank/signups/{signup.id}/check-in",
                           data={"csrf_token": client.csrf_token(
                               f"/timebank/activities/{activity.id}/roster"), "present": "1"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and text(response).strip().startswith(
        f'<li id="signup-{signup.id}"')
    assert "已签到" in text(response)
    client.submit(f"/timebank/activities/{activity.id}/approve-checked-in")
    assert (ledger.balance(volunteer), ledger.balance(late)) == (120, 0)


@pytest.mark.parametrize("role", ["community_worker_elsewhere", "org_staff_elsewhere",
                                  "resident"])
def test_rosters_are_for_organisers(client, login, make_user, world, activity, role):
    roles = {"community_worker_elsewhere": [("community_worker", world["other_community"])],
             "org_staff_elsewhere": [("org_staff", world["other_organization"])],
             "resident": []}[role]
    login(make_user(roles=roles, courtyard=world["courtyard"]))
    assert client.get(f"/timebank/activities/{activity.id}/roster").status_code == 403
    signup = db.session.scalar(select(SignUp))
    assert client.submit(f"/timebank/signups/{signup.id}/check-in",
                         {"present": "1"}).status_code == 403
    assert client.submit(f"/timebank/activities/{activity.id}/approve-checked-in"
                         ).status_code == 403
    db.session.refresh(signup)
    assert signup.checked_in_at is None


# --- activities ---

def activity_form(world, **changes):
    form = {"title": "楼道大扫除", "description": "打扫楼道。", "organiser": "community",
            "place": world["courtyard"].id, "day": (local_today() + timedelta(days=3))
            .isoformat(), "starts": "09:00", "ends": "11:00", "slots": "8", "hours": "2"}
    form.update(changes)
    return form


def test_a_worker_publishes_an_activity(client, login, worker, world):
    login(worker)
    response = client.submit("/timebank/activities/new", activity_form(world, hours="1.5"))
    assert response.status_code == 303
    activity = db.session.scalar(select(Activity))
    assert (activity.minutes, activity.community_id, activity.slots) == (
        90, world["community"].id, 8)
    assert activities.local_days(activity)[0] == local_today() + timedelta(days=3)


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "请给活动起个名字"),
    ({"title": "长" * 10_000}, "最多 80 个字"),
    ({"ends": "08:00"}, "结束时间要晚于开始时间"),
    ({"starts": "25:99"}, "请按 08:30 这样的格式写时间"),
    ({"day": "2026-02-30"}, "没有“2026-02-30”这一天"),
    ({"slots": "0"}, "请填 1 到 500 之间的数"),
    ({"hours": "0"}, "小时数要大于 0"),
    ({"hours": "abc"}, "请用数字写小时数"),
    ({"hours": "13"}, "最多 12 小时"),
    ({"place": "OTHER"}, "请从列出的地点中选择一个"),
    ({"organiser": "organization:999"}, "请从列出的选项中选择一个"),
])
def test_bad_activities_are_explained_and_not_written(client, login, worker, world, changes,
                                                      message):
    login(worker)
    if changes.get("place") == "OTHER":
        changes["place"] = world["other_courtyard"].id
    response = client.submit("/timebank/activities/new", activity_form(world, **changes))
    assert response.status_code == 422 and message in text(response)
    assert count(Activity) == 0


def test_residents_cannot_publish_activities(client, login_as, world):
    login_as()
    assert client.get("/timebank/activities/new").status_code == 403
    assert client.submit("/timebank/activities/new", activity_form(world)).status_code == 403


def test_org_staff_publish_for_their_organization_at_places_it_serves(client, login, make_user,
                                                                       world):
    login(make_user(roles=[("org_staff", world["organization"])]))
    organiser = f"organization:{world['organization'].id}"
    response = client.submit("/timebank/activities/new", activity_form(
        world, organiser=organiser, place=world["other_courtyard"].id))
    assert response.status_code == 303  # 浣花社区 is in the organization's 街道
    assert db.session.scalar(select(Activity)).organization_id == world["organization"].id


def test_signing_up_and_cancelling(client, login, volunteer, make_activity):
    coming = make_activity(starts=utcnow() + timedelta(days=2), slots=1)
    login(volunteer)
    assert client.submit(f"/timebank/activities/{coming.id}/sign-up").status_code == 303
    assert "您已报名" in text(client.get(f"/timebank/activities/{coming.id}"))
    db.session.refresh(coming)
    assert coming.signed_up == 1
    client.submit(f"/timebank/activities/{coming.id}/cancel")
    db.session.refresh(coming)
    assert coming.signed_up == 0


def test_a_full_activity_says_so(client, login, make_volunteer, make_activity):
    coming = make_activity(starts=utcnow() + timedelta(days=2), slots=1)
    activities.sign_up(make_volunteer(name="先到"), coming, utcnow())
    db.session.commit()
    login(make_volunteer(name="后到"))
    response = client.submit(f"/timebank/activities/{coming.id}/sign-up")
    assert response.status_code == 422 and "这个活动已经报满了" in text(response)
    assert count(SignUp) == 1


def test_the_activity_calendar_file(client, make_activity):
    activity = make_activity(title="周末助老理发, 第一次")
    response = client.get(f"/timebank/activities/{activity.id}.ics")
    body = text(response)
    assert response.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in body and "SUMMARY:周末助老理发\\, 第一次" in body
    assert body.count("\r\n") > 8
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


# --- gifts ---

def test_a_gift_is_confirmed_with_a_masked_name_first(client, login, make_user, world):
    son, mother = make_user(name="王建"), make_user(name="王桂兰", mobile="13711112222")
    give(son, world, 180)
    login(son)
    form = {"mobile": "137 1111 2222", "hours": "2", "token": "gift-form-1"}
    page = text(client.submit("/timebank/gift", form))
    assert "王**" in page and "137****2222" in page and "王桂兰" not in page
    assert ledger.balance(mother) == 0
    form["confirmed"] = "yes"
    assert client.submit("/timebank/gift", form).status_code == 303
    assert client.submit("/timebank/gift", form).status_code == 303  # double click
    assert (ledger.balance(son), ledger.balance(mother)) == (60, 120)


@pytest.mark.parametrize("changes, message", [
    ({"mobile": "13999999999"}, "这个号码还没有注册"),
    ({"mobile": "SELF"}, "不能把时间送给自己"),
    ({"hours": "4"}, "您的时间余额不够"),
    ({"hours": "0"}, "小时数要大于 0"),
    ({"hours": "-1"}, "小时数要大于 0"),
    ({"mobile": "123"}, "请输入 11 位手机号码"),
])
def test_bad_gifts_are_refused(client, login, make_user, world, changes, message):
    son = make_user(name="王建")
    make_user(name="王桂兰", mobile="13711112222")
    give(son, world, 180)
    login(son)
    form = {"mobile": "13711112222", "hours": "1", "token": "gift-form-2", "confirmed": "yes"}
    form.update(changes)
    if form["mobile"] == "SELF":
        form["mobile"] = son.mobile
    response = client.submit("/timebank/gift", form)
    assert response.status_code == 422 and message in text(response)
    assert ledger.balance(son) == 180 and count(Transfer) == 1


# --- rewards ---

@pytest.fixture
def rice(world):
    reward = Reward(community=world["community"], name="大米一袋", price_minutes=600, stock=1)
    db.session.add(reward)
    db.session.commit()
    return reward


def test_redeeming_gives_a_pickup_code_and_a_worker_hands_it_over(client, login, make_user,
                                                                   world, rice, worker):
    resident = make_user(courtyard=world["courtyard"])
    give(resident, world, 600)
    login(resident)
    response = client.submit(f"/timebank/rewards/{rice.id}/redeem", {"token": "r-form-1"})
    assert response.status_code == 303
    redemption = db.session.scalar(select(Redemption))
    assert redemption.pickup_code in text(client.get(response.headers["Location"]))
    assert client.submit(f"/timebank/redemptions/{redemption.id}/hand-over").status_code == 403
    login(worker)
    assert client.submit(f"/timebank/redemptions/{redemption.id}/hand-over").status_code == 303
    db.session.refresh(redemption)
    assert redemption.handed_over_at is not None


@pytest.mark.parametrize("balance, stock, message", [
    (300, 5, "您的时间余额不够"), (900, 0, "这个已经兑完了")])
def test_bad_redemptions_change_nothing(client, login, make_user, world, rice, balance, stock,
                                        message):
    rice.stock = stock
    resident = make_user(courtyard=world["courtyard"])
    give(resident, world, balance)
    login(resident)
    response = client.submit(f"/timebank/rewards/{rice.id}/redeem", {"token": "r-form-2"})
    assert response.status_code == 422 and message in text(response)
    db.session.refresh(rice)
    assert rice.stock == stock and ledger.balance(resident) == balance
    assert count(Redemption) == 0


def test_rewards_are_managed_by_workers_of_that_community(client, login, make_user, world,
                                                         worker):
    path = f"/timebank/community/{world['community'].id}/rewards"
    login(make_user(roles=[("community_worker", world["other_community"])]))
    assert client.get(path).status_code == 403
    login(worker)
    response = client.submit(path, {"name": "理发", "kind": "service", "hours": "abc",
                                    "stock": "3"})
    assert response.status_code == 422 and "请用数字写小时数" in text(response)
    assert count(Reward) == 0
    client.submit(path, {"name": "理发", "kind": "service", "hours": "2", "stock": "3"})
    assert db.session.scalar(select(Reward.price_minutes)) == 120


# --- help between neighbours ---

def test_help_over_http_moves_hours_after_both_confirm(client, login, make_user, world,
                                                       volunteer):
    grandma = make_user(name="张桂芳", courtyard=world["courtyard"])
    give(grandma, world, 120)
    login(grandma)
    response = client.submit("/timebank/help/new", {"title": "扛米上楼", "hours": "1"})
    request_ = db.session.scalar(select(HelpRequest))
    assert response.status_code == 303
    login(volunteer)
    client.submit(f"/timebank/help/{request_.id}/take")
    login(grandma)
    client.submit(f"/timebank/help/{request_.id}/accept")
    login(volunteer)
    assert grandma.mobile in text(client.get(f"/timebank/help/{request_.id}"))
    client.submit(f"/timebank/help/{request_.id}/confirm")
    login(grandma)
    client.submit(f"/timebank/help/{request_.id}/confirm")
    assert (ledger.balance(grandma), ledger.balance(volunteer)) == (60, 60)


def test_help_asks_are_checked(client, login, make_user, world):
    resident = make_user(courtyard=world["courtyard"])
    login(resident)
    response = client.submit("/timebank/help/new", {"title": "扛米上楼", "hours": "1"})
    assert response.status_code == 422 and "您的时间余额不够" in text(response)
    response = client.submit("/timebank/help/new", {"title": "", "hours": "13"})
    assert "请说明需要帮什么忙" in text(response) and "最多 12 小时" in text(response)
    assert count(HelpRequest) == 0


@pytest.mark.parametrize("action", ["confirm", "cancel", "accept", "release"])
def test_strangers_cannot_touch_help(client, login, make_user, make_volunteer, world, action):
    grandma = make_user(courtyard=world["courtyard"])
    give(grandma, world, 60)
    request_ = help.ask(grandma, "修水龙头", 60)
    help.take(request_, make_volunteer(), utcnow())
    db.session.commit()
    login(make_user(name="路人"))
    response = client.submit(f"/timebank/help/{request_.id}/{action}")
    assert response.status_code == 403
    db.session.refresh(request_)
    assert (request_.status, request_.requester_confirmed_at, request_.accepted_at) == (
        "taken", None, None)


def test_the_asker_withdraws_a_request(client, login, make_user, world):
    grandma = make_user(courtyard=world["courtyard"])
    give(grandma, world, 60)
    request_ = help.ask(grandma, "修水龙头", 60)
    db.session.commit()
    login(grandma)
    response = client.submit(f"/timebank/help/{request_.id}/cancel")
    assert response.status_code == 303
    db.session.refresh(request_)
    assert request_.status == "cancelled"
    assert "求助已撤回" in text(client.get(f"/timebank/help/{request_.id}"))


# --- certificates, corrections ---

@pytest.fixture
def approved(volunteer, activity, make_user, world):
    log = pending_log(volunteer, activity)
    logs.approve(log, make_user(roles=[("org_staff", world["organization"])]), utcnow())
    db.session.commit()
    return log


def test_a_certificate_and_its_public_check(client, login, volunteer, approved, world,
                                            make_user):
    login(volunteer)
    response = client.submit("/timebank/certificates",
                             {"issuer": f"organization:{world['organization'].id}"})
    certificate = db.session.scalar(select(Certificate))
    page = text(client.get(response.headers["Location"]))
    assert certificate.number in page and "常青树社会服务中心" in page
    assert "不含往返路途时间" in page and "<svg" in page and "盖章" in page
    login(make_user(name="别人"))
    assert client.get(f"/timebank/certificates/{certificate.number}").status_code == 403
    public = text(client.get(f"/timebank/verify/{certificate.verify_token}"))
    assert "李**" in public and "2 小时" in public
    assert "李志鹏" not in public and volunteer.mobile not in public
    assert client.get("/timebank/verify/forged-token").status_code == 404


def test_a_correction_request_is_answered_and_kept(client, login, volunteer, approved, world,
                                                   make_user):
    login(volunteer)
    response = client.submit(f"/timebank/logs/{approved.id}/correction",
                             {"hours": "abc", "explanation": "只做了一个半小时"})
    assert response.status_code == 422 and "只做了一个半小时" in text(response)
    client.submit(f"/timebank/logs/{approved.id}/correction",
                  {"hours": "1.5", "explanation": "只做了一个半小时"})
    staff = make_user(roles=[("org_staff", world["organization"])])
    login(staff)
    correction = db.session.scalar(select(CorrectionRequest))
    assert "只做了一个半小时" in text(client.get("/timebank/approvals"))
    client.submit(f"/timebank/corrections/{correction.id}",
                  {f"c{correction.id}-decision": "accept", f"c{correction.id}-answer": "已改"})
    db.session.refresh(correction)
    assert correction.status == "accepted" and ledger.balance(volunteer) == 90
    assert ledger.verify() == []


def test_others_cannot_ask_to_correct_a_record(client, login, approved, make_user):
    login(make_user())
    assert client.get(f"/timebank/logs/{approved.id}/correction").status_code == 403


# --- the desk: grants, eligibility, exports ---

def test_a_worker_grants_hours_and_bad_grants_are_refused(client, login, worker, world,
                                                          make_user):
    resident = make_user(courtyard=world["courtyard"], mobile="13722223333")
    login(worker)
    path = f"/timebank/community/{world['community'].id}/grant"
    for form, message in [
        ({"mobile": "13799999999", "hours": "2", "reason": "独居"}, "这个号码还没有注册"),
        ({"mobile": "13722223333", "hours": "2", "reason": ""}, "请说明发放原因"),
        ({"mobile": "13722223333", "hours": "200", "reason": "独居"}, "最多 100 小时"),
    ]:
        response = client.submit(path, {**form, "token": "grant-x"})
        assert response.status_code == 422 and message in text(response)
    assert ledger.balance(resident) == 0
    client.submit(path, {"mobile": "13722223333", "hours": "2", "reason": "独居",
                         "token": "grant-1"})
    assert ledger.balance(resident) == 120
    other = f"/timebank/community/{world['other_community'].id}/grant"
    assert client.submit(other, {"mobile": "13722223333", "hours": "2", "reason": "x",
                                 "token": "grant-2"}).status_code == 403


def test_the_export_is_utf8_with_a_bom_and_scoped(client, login, worker, approved, world,
                                                  make_user):
    login(worker)
    response = client.get(f"/timebank/export?scope=place:{world['community'].id}")
    body = response.get_data()
    # One charset, said once: LibreOffice reads the header only when it is well formed.
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["日期", "志愿者", "手机号码"]
    assert rows[1][1:4] == ["李志鹏", approved.volunteer.mobile, approved.activity.title]
    assert rows[1][6:8] == ["2", "120"]
    bad = client.get(f"/timebank/export?scope=place:{world['other_community'].id}")
    assert bad.status_code == 422 and "请从列出的选项中选择一个" in text(bad)
    bad = client.get(f"/timebank/export?scope=place:{world['community'].id}&first=2026-05-01"
                     "&last=2026-04-01")
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in text(bad)


def test_the_export_as_a_spreadsheet_has_real_dates_and_numbers(client, login, worker,
                                                                 approved, world):
    login(worker)
    response = client.get(f"/timebank/export?scope=place:{world['community'].id}&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "志愿者", "手机号码")
    assert rows[1][0].date() == approved.service_date  # a date cell, not text
    assert rows[1][1] == "李志鹏"
    assert rows[1][6:8] == (2, 120)  # hours and minutes as numbers
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd"


def test_organization_staff_export_their_activity_with_masked_numbers(client, login, approved,
                                                                      world, make_user):
    login(make_user(roles=[("org_staff", world["organization"])]))
    response = client.get(f"/timebank/export?scope=activity:{approved.activity_id}")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[1][2] == approved.volunteer.mobile[:3] + "****" + approved.volunteer.mobile[-4:]


def test_residents_have_no_export(client, login_as):
    login_as()
    assert client.get("/timebank/export").status_code == 403


# --- what every page must be ---

def timebank_pages(world, make_user, make_volunteer, make_activity):
    worker = make_user(name="李晓梅", roles=[("community_worker", world["community"])],
                       courtyard=world["courtyard2"])
    volunteer = make_volunteer(name="李志鹏")
    activity = make_activity(organization=world["organization"])
    activities.sign_up(volunteer, activity, utcnow() - timedelta(hours=3))
    log = pending_log(volunteer, activity)
    logs.approve(log, worker, utcnow())
    second = make_activity(title="第二次", length=timedelta(days=2))
    activities.sign_up(volunteer, second, utcnow() - timedelta(hours=3))
    pending_log(volunteer, second)
    reward = Reward(community=world["community"], name="大米一袋", price_minutes=60, stock=3)
    db.session.add(reward)
    db.session.commit()
    redemption = rewards.redeem(volunteer, reward, token="pages")
    certificate = certificates.issue(volunteer, world["organization"], utcnow())
    neighbour = make_user(name="王奶奶", courtyard=world["courtyard"])
    for minutes in (60, 90):  # help a neighbour approved alone: workers review it
        logs.approve(logs.submit(volunteer, minutes, neighbour=neighbour, now=utcnow(),
                                 today=local_today()), neighbour, utcnow())
    give(neighbour, world, 60)
    offered = help.ask(neighbour, "扛米上楼", 60)
    help.take(offered, volunteer, utcnow())
    db.session.commit()
    community = world["community"].id
    return [
        (None, "/timebank/"), (None, f"/timebank/activities/{activity.id}"),
        (None, "/timebank/help"), (None, "/timebank/rewards"),
        (None, f"/timebank/branch/{world['district'].id}"),
        (None, f"/timebank/branch/{community}"),
        (None, f"/timebank/verify/{certificate.verify_token}"),
        (volunteer, "/timebank/"), (volunteer, "/timebank/me"), (volunteer, "/timebank/join"),
        (volunteer, "/timebank/me/history"), (volunteer, "/timebank/gift"),
        (volunteer, "/timebank/donate"), (volunteer, "/timebank/help/new"),
        (volunteer, f"/timebank/redemptions/{redemption.id}"),
        (volunteer, "/timebank/certificates"),
        (volunteer, f"/timebank/certificates/{certificate.number}"),
        (volunteer, f"/timebank/logs/{log.id}/correction"),
        (worker, "/timebank/approvals"), (worker, "/timebank/activities/new"),
        (worker, f"/timebank/activities/{activity.id}/roster"),
        (worker, f"/timebank/community/{community}"),
        (worker, f"/timebank/community/{community}/rewards"),
        (worker, f"/timebank/community/{community}/redemptions"),
        (worker, "/timebank/export"), (worker, "/timebank/neighbour-approvals"),
        (neighbour, f"/timebank/help/{offered.id}"), (volunteer, f"/timebank/help/{offered.id}"),
    ]


@pytest.mark.parametrize("language, lang", [("zh-CN", "zh-Hans"), ("en", "en")])
def test_every_time_bank_page_is_light_and_clean(client, login, world, make_user,
                                                 make_volunteer, make_activity, language,
                                                 lang):
    weights = {}
    pages = timebank_pages(world, make_user, make_volunteer, make_activity)
    for who, url in pages:
        if who:
            login(who)
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code == 200, url
        weights[url] = audit_page(response, lang)
    # Every page was weighed, and none is over the budget audit_page enforces.
    assert set(weights) == {url for _who, url in pages}
    assert all(0 < weight <= PAGE_BUDGET for weight in weights.values())


def test_the_home_page_links_the_time_bank_by_its_name(client):
    page = text(client.get("/"))
    assert 'href="/timebank/">时间银行' in page


# --- activities at service points ---

def test_an_activity_at_a_service_point_shows_on_the_points_page(client, login, worker, world):
    from tests.factories import make_point

    hall = make_point(world["community"], name="草堂路社区党群服务中心", category="centre")
    elsewhere = make_point(world["other_community"], name="浣花邻里驿站", category="neighbours")
    login(worker)
    assert "浣花邻里驿站" not in text(client.get("/timebank/activities/new"))
    response = client.submit("/timebank/activities/new", activity_form(
        world, place=world["community"].id, point=str(elsewhere.id)))
    assert response.status_code == 422 and "请从列出的地点中选择一个" in text(response)
    assert count(Activity) == 0
    response = client.submit("/timebank/activities/new", activity_form(
        world, place=world["community"].id, point=str(hall.id), title="周末助老理发"))
    assert response.status_code == 303
    assert db.session.scalar(select(Activity.service_point_id)) == hall.id
    page = text(client.get(f"/services/{hall.id}"))
    assert "这里的志愿活动" in page and "周末助老理发" in page
    assert "这里的志愿活动" not in text(client.get(f"/services/{elsewhere.id}"))
