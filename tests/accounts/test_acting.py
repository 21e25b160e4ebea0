"""代办: a community worker acts for a resident at the counter. Who may act for whom, one at a
time, the end (button, timeout, sign-out), the forbidden actions, both people on every audit
entry, and the resident's history of what was done."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import acting
from portal.accounts.models import ActingSession, User
from portal.audit import AuditEntry
from portal.councils.models import Request
from portal.extensions import db
from portal.refusals import Refused
from portal.timebank.models import SignUp
from portal.timeutil import utcnow
from tests.helpers import audit_page, text


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def grandma(make_user, world):
    return make_user(name="张桂芳", courtyard=world["courtyard"])


def start_over_http(client, resident, reason="看不清手机，想反映院墙的问题"):
    page = f"/accounts/counter/act/{resident.id}"
    return client.submit(page, {"reason": reason, "present": "y", "agrees": "y"},
                         token_from=page)


# --- the rules ---

def test_a_worker_acts_for_a_resident_of_their_community(worker, grandma, now):
    session = acting.start(worker, grandma, "报名重阳节午餐", True, True, now)
    assert (session.worker_id, session.resident_id) == (worker.id, grandma.id)
    assert session.expires_at == now + timedelta(minutes=30)
    entry = db.session.scalar(select(AuditEntry).filter_by(action="acting.start"))
    assert (entry.actor_id, entry.on_behalf_of_id) == (worker.id, grandma.id)


@pytest.mark.parametrize("who, reason", [
    ("worker elsewhere", "acting_outside"), ("another worker", "acting_staff"),
    ("an admin", "acting_staff"), ("themselves", "acting_self"),
])
def test_who_may_not_be_acted_for(who, reason, worker, make_user, world, now):
    if who == "worker elsewhere":
        actor = make_user(roles=[("community_worker", world["other_community"])])
        person = make_user(courtyard=world["courtyard"])
    elif who == "another worker":
        actor, person = worker, make_user(courtyard=world["courtyard"],
                                          roles=[("community_worker", world["courtyard"])])
    elif who == "an admin":
        actor, person = worker, make_user(courtyard=world["courtyard"],
                                          roles=[("admin", world["other_community"])])
    else:
        actor = person = worker
    with pytest.raises(Refused) as refused:
        acting.start(actor, person, "帮忙", True, True, now)
    assert refused.value.reason == reason
    assert count(ActingSession) == 0


def test_the_resident_must_be_present_and_agree(worker, grandma, now):
    for present, agrees in ((False, True), (True, False)):
        with pytest.raises(Refused, match="acting_consent"):
            acting.start(worker, grandma, "帮忙", present, agrees, now)


def test_one_resident_at_a_time_until_the_first_ends_or_expires(worker, grandma, make_user,
                                                                  world, now):
    other = make_user(courtyard=world["courtyard2"])
    first = acting.start(worker, grandma, "帮忙", True, True, now)
    with pytest.raises(Refused, match="acting_already"):
        acting.start(worker, other, "帮忙", True, True, now + timedelta(minutes=5))
    assert acting.start(worker, other, "帮忙", True, True, first.expires_at)  # it ran out
    assert count(ActingSession) == 2


# --- starting and ending over HTTP ---

def test_starting_shows_the_banner_on_every_page(client, login, worker, grandma):
    login(worker)
    response = start_over_http(client, grandma)
    assert response.status_code == 303
    session = db.session.scalar(select(ActingSession))
    assert (session.worker_id, session.resident_id, session.resident_present,
            session.resident_agrees) == (worker.id, grandma.id, True, True)
    for path in ("/", "/timebank/", "/accounts/profile"):
        page = client.get(path)
        assert "正在代 张** 办理" in text(page) and "结束代办" in text(page)
    audit_page(client.get("/"))


def test_bad_input_is_kept_and_nothing_starts(client, login, worker, grandma):
    login(worker)
    page = f"/accounts/counter/act/{grandma.id}"
    response = client.submit(page, {"reason": "想报名活动", "present": "y"}, token_from=page)
    assert response.status_code == 422
    assert "必须征得居民同意" in text(response) and 'value="想报名活动"' in text(response)
    response = client.submit(page, {"reason": "", "present": "y", "agrees": "y"},
                             token_from=page)
    assert response.status_code == 422 and "请写明为什么代居民办理" in text(response)
    assert count(ActingSession) == 0


def test_acting_for_a_worker_is_refused_with_a_message(client, login, worker, make_user, world):
    colleague = make_user(name="王同事", courtyard=world["courtyard"],
                          roles=[("community_worker", world["courtyard"])])
    login(worker)
    response = start_over_http(client, colleague)
    assert response.status_code == 422 and "不能代其他社区工作者或管理员办理" in text(response)
    assert count(ActingSession) == 0


def test_a_second_start_is_refused_until_the_first_ends(client, login, worker, grandma, now):
    acting.start(worker, grandma, "先来的", True, True, now)
    db.session.commit()
    login(worker)
    other = User(mobile="13600009999", name="赵大爷", home_courtyard_id=grandma.home_courtyard_id)
    db.session.add(other)
    db.session.commit()
    response = start_over_http(client, other)
    assert response.status_code == 422 and "您正在代别人办理" in text(response)
    assert count(ActingSession) == 1


def test_the_banner_button_ends_it(client, login, worker, grandma):
    login(worker)
    start_over_http(client, grandma)
    response = client.submit("/accounts/acting/end", token_from="/")
    assert response.status_code == 303 and response.location.endswith("/accounts/counter")
    session = db.session.scalar(select(ActingSession))
    assert session.ended_how == "ended" and session.ended_at is not None
    assert "正在代" not in text(client.get("/accounts/counter"))


def test_after_it_expired_the_next_request_says_so_and_does_nothing(client, login, worker,
                                                                    grandma):
    login(worker)
    start_over_http(client, grandma)
    token = client.csrf_token("/councils/requests/new")
    session = db.session.scalar(select(ActingSession))
    session.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post("/councils/requests/new",
                           data={"body": "院墙裂了一条缝", "category": "safety", "public": "yes",
                                 "csrf_token": token})
    assert response.status_code == 303 and response.location.endswith("/accounts/counter")
    assert count(Request) == 0
    db.session.refresh(session)
    assert session.ended_how == "timeout" and session.ended_at <= session.expires_at
    assert "已经结束" in text(client.get("/accounts/counter"))


def test_signing_out_ends_it_and_signs_out_the_worker_not_the_resident(client, login, worker,
                                                                       grandma):
    login(worker)
    start_over_http(client, grandma)
    tokens = (worker.session_token, grandma.session_token)
    assert client.submit("/accounts/logout", token_from="/").status_code == 303
    session = db.session.scalar(select(ActingSession))
    assert session.ended_how == "signed_out"
    db.session.refresh(worker)
    db.session.refresh(grandma)
    assert worker.session_token != tokens[0] and grandma.session_token == tokens[1]


# --- what is done while acting ---

def test_a_request_submitted_while_acting_is_the_residents_done_by_the_worker(
        client, login, worker, grandma):
    login(worker)
    start_over_http(client, grandma)
    response = client.submit("/councils/requests/new",
                             {"body": "3栋西头的院墙裂了一条大缝", "category": "safety",
                              "public": "yes"}, token_from="/councils/requests/new")
    assert response.status_code == 303
    request = db.session.scalar(select(Request))
    assert request.requester_id == grandma.id
    entry = db.session.scalar(select(AuditEntry).filter_by(action="councils.request.submit"))
    session = db.session.scalar(select(ActingSession))
    assert (entry.actor_id, entry.on_behalf_of_id, entry.acting_session_id) == (
        worker.id, grandma.id, session.id)


def test_a_write_no_rule_audits_is_recorded_all_the_same(client, login, worker, grandma,
                                                         make_activity):
    from portal.timebank.activities import join

    join(grandma)
    activity = make_activity(starts=utcnow() + timedelta(days=2))
    login(worker)
    start_over_http(client, grandma)
    page = f"/timebank/activities/{activity.id}"
    response = client.submit(f"{page}/sign-up", token_from=page)
    assert response.status_code == 303
    signup = db.session.scalar(select(SignUp))
    assert signup.user_id == grandma.id
    entry = db.session.scalar(select(AuditEntry).filter_by(action="acting.write",
                                                            subject_type="SignUp"))
    assert (entry.actor_id, entry.on_behalf_of_id, entry.subject_id) == (
        worker.id, grandma.id, signup.id)


@pytest.mark.parametrize("path, data", [
    ("/accounts/profile/password", {"pw-current": "x", "pw-password": "abcdef12",
                                    "pw-confirm": "abcdef12"}),
    ("/accounts/profile/pin", {"pin-current": "x", "pin-pin": "258147",
                               "pin-confirm": "258147"}),
    ("/accounts/profile", {"name": "改了", "locale": "en", "text_size": "large"}),
    ("/settings/language", {"value": "en"}),
    ("/accounts/profile/sign-out-everywhere", {}),
    ("/timebank/gift", {"mobile": "13600000001", "hours": "1"}),
    ("/timebank/donate", {"hours": "1"}),
])
def test_the_residents_secrets_settings_and_hours_are_refused(path, data, client, login,
                                                              worker, grandma):
    login(worker)
    start_over_http(client, grandma)
    before = (grandma.name, grandma.locale, grandma.password_hash, grandma.session_token)
    response = client.submit(path, data, token_from="/accounts/profile")
    assert response.status_code == 403
    assert "代办期间，不能修改居民的密码" in text(response)
    db.session.refresh(grandma)
    assert (grandma.name, grandma.locale, grandma.password_hash,
            grandma.session_token) == before


def test_the_resident_sees_who_when_why_and_what(client, login, worker, grandma):
    login(worker)
    start_over_http(client, grandma, reason="看不清手机")
    client.submit("/councils/requests/new",
                  {"body": "楼道灯坏了两个月", "category": "amenities", "public": "yes"},
                  token_from="/councils/requests/new")
    client.submit("/accounts/acting/end", token_from="/")
    with client.session_transaction() as session:
        session.clear()
    login(grandma)
    profile = client.get("/accounts/profile")
    assert "社区工作者代您办理过1次" in text(profile)
    history = client.get("/accounts/profile/acting")
    assert history.status_code == 200
    page = text(history)
    assert "李** 代您办理" in page and "看不清手机" in page and "提交了诉求" in page
    assert "李晓梅" not in page  # the worker's name masked
    audit_page(history)


# --- the counter ---

def test_the_counter_finds_a_resident_and_lists_todays_visitors(client, login, worker,
                                                                grandma, make_user, world):
    make_user(name="张远方", courtyard=world["other_courtyard"])  # another community
    login(worker)
    found = client.get("/accounts/counter", query_string={"q": "张"})
    assert "张桂芳" in text(found) and "张远方" not in text(found)
    assert f"/accounts/counter/act/{grandma.id}" in text(found)
    by_mobile = client.get("/accounts/counter", query_string={"q": grandma.mobile[-4:]})
    assert "张桂芳" in text(by_mobile)
    start_over_http(client, grandma, reason="报名午餐")
    client.submit("/accounts/acting/end", token_from="/")
    counter = client.get("/accounts/counter")
    assert "今天接待的居民" in text(counter) and "报名午餐" in text(counter)
    audit_page(counter)


def test_the_resident_types_a_pin_at_the_counter(client, login, worker, grandma):
    login(worker)
    page = f"/accounts/counter/pin/{grandma.id}"
    response = client.submit(page, {"pin": "123456", "confirm": "123456"}, token_from=page)
    assert response.status_code == 422 and "太容易被猜到" in text(response)
    response = client.submit(page, {"pin": grandma.mobile[-6:], "confirm": grandma.mobile[-6:]},
                             token_from=page)
    assert response.status_code == 422 and "不要用手机号的末几位" in text(response)
    response = client.submit(page, {"pin": "12345", "confirm": "12345"}, token_from=page)
    assert response.status_code == 422 and "密码必须是6位数字" in text(response)
    db.session.refresh(grandma)
    assert grandma.kiosk_pin_hash is None
    response = client.submit(page, {"pin": "258147", "confirm": "258147"}, token_from=page)
    assert response.status_code == 303
    db.session.refresh(grandma)
    assert grandma.kiosk_pin_hash and "258147" not in grandma.kiosk_pin_hash


def test_a_resident_sets_their_own_pin_with_their_password(client, login, make_user, world):
    from tests.conftest import TEST_PASSWORD

    me = login(make_user(courtyard=world["courtyard"], password=TEST_PASSWORD))
    wrong = client.submit("/accounts/profile/pin", {"pin-current": "nope", "pin-pin": "258147",
                                                    "pin-confirm": "258147"},
                          token_from="/accounts/profile")
    assert wrong.status_code == 422
    letters = client.submit("/accounts/profile/pin", {"pin-current": TEST_PASSWORD,
                                                      "pin-pin": "abcdef", "pin-confirm": "abcdef"},
                            token_from="/accounts/profile")
    assert letters.status_code == 422 and "密码必须是6位数字" in text(letters)
    db.session.refresh(me)
    assert me.kiosk_pin_hash is None
    right = client.submit("/accounts/profile/pin", {"pin-current": TEST_PASSWORD,
                                                    "pin-pin": "258147", "pin-confirm": "258147"},
                          token_from="/accounts/profile")
    assert right.status_code == 303
    db.session.refresh(me)
    assert me.kiosk_pin_hash is not None


# --- who may: every write of the counter, across communities and roles ---

def _visitor(kind, make_user, world):
    here, there = world["courtyard"], world["other_courtyard"]
    return {
        "resident here": lambda: make_user(courtyard=here),
        "resident elsewhere": lambda: make_user(courtyard=there),
        "leader here": lambda: make_user(courtyard=here, roles=[("courtyard_leader", here)]),
        "leader elsewhere": lambda: make_user(courtyard=there,
                                              roles=[("courtyard_leader", there)]),
        "worker here": lambda: make_user(courtyard=world["courtyard2"],
                                         roles=[("community_worker", world["community"])]),
        "worker of another": lambda: make_user(courtyard=there, roles=[
            ("community_worker", world["other_community"])]),
        "admin": lambda: make_user(roles=[("admin", world["city"])]),
        "anonymous": lambda: None,
    }[kind]()


KINDS = ["resident here", "resident elsewhere", "leader here", "leader elsewhere",
         "worker here", "worker of another", "admin", "anonymous"]
ALLOWED = {"worker here", "admin"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("write", ["act", "pin"])
def test_who_may_act_for_a_resident_or_set_their_pin(kind, write, client, login, make_user,
                                                     world, grandma):
    visitor = _visitor(kind, make_user, world)
    if visitor is not None:
        login(visitor)
    path = (f"/accounts/counter/act/{grandma.id}" if write == "act"
            else f"/accounts/counter/pin/{grandma.id}")
    data = ({"reason": "帮忙", "present": "y", "agrees": "y"} if write == "act"
            else {"pin": "258147", "confirm": "258147"})
    response = client.submit(path, data)
    db.session.refresh(grandma)
    if kind in ALLOWED:
        assert response.status_code == 303
        assert count(ActingSession) == 1 or grandma.kiosk_pin_hash is not None
    else:
        assert response.status_code == (302 if kind == "anonymous" else 403)
        assert count(ActingSession) == 0 and grandma.kiosk_pin_hash is None
        if kind != "anonymous":
            counter = client.get("/accounts/counter", query_string={"q": "张"})
            assert f"/accounts/counter/act/{grandma.id}" not in text(counter)
