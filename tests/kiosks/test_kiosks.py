"""Kiosks: enrolment by a worker of the point's community, revoking, forged and revoked
cookies, kiosk mode (big targets, no downloads, no links away, the pad instead of the
password), PIN sign-in and its limits, the idle reset, the QR code and check-in."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.kiosks import enrolment, pins
from portal.kiosks.checkin import today_bounds
from portal.kiosks.models import Kiosk
from portal.kiosks.pad import Pad
from portal.kiosks.views import IDLE_KEY
from portal.refusals import Refused
from portal.timebank import activities, logs
from portal.timebank.models import SignUp
from portal.timeutil import local_today, utcnow
from tests.helpers import audit_page, text
from tests.kiosks.conftest import PIN, kiosk_cookie, press, sign_in_at_kiosk


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def signed_in_as(client):
    with client.session_transaction() as session:
        return session.get("_user_id", "").partition(":")[0]


# --- enrolment ---

def test_a_worker_enrols_the_screen_in_front_of_them(client, login, worker, point):
    login(worker)
    page = client.get("/kiosk/manage")
    assert page.status_code == 200
    audit_page(page)
    response = client.submit("/kiosk/enrol", {"point": point.id, "name": "大厅入口左侧"},
                             token_from="/kiosk/manage")
    assert response.status_code == 303 and response.location.endswith("/kiosk/")
    kiosk = db.session.scalar(select(Kiosk))
    assert (kiosk.service_point_id, kiosk.name, kiosk.enrolled_by_id) == (
        point.id, "大厅入口左侧", worker.id)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("kiosk=") and "HttpOnly" in cookie and kiosk.token not in cookie
    assert signed_in_as(client) == ""  # the worker left the screen to the residents
    home = client.get("/kiosk/")
    assert home.status_code == 200 and 'class="size-large kiosk"' in text(home)


def test_a_nameless_kiosk_is_refused_with_the_point_kept(client, login, worker, point):
    login(worker)
    response = client.submit("/kiosk/enrol", {"point": point.id, "name": " "},
                             token_from="/kiosk/manage")
    assert response.status_code == 422 and "请给这台触摸屏起个名字" in text(response)
    assert f'<option selected value="{point.id}"' in text(response) or \
        re.search(rf'value="{point.id}"\s+selected|selected[^>]*value="{point.id}"', text(response))
    assert count(Kiosk) == 0


def test_a_worker_elsewhere_may_not_enrol_or_revoke(client, login, make_user, world, point,
                                                    kiosk):
    login(make_user(roles=[("community_worker", world["other_community"])]))
    response = client.submit("/kiosk/enrol", {"point": point.id, "name": "偷偷的"},
                             token_from="/kiosk/manage")
    assert response.status_code in (403, 422)
    assert count(Kiosk) == 1 and "Set-Cookie" not in response.headers or \
        "kiosk=" not in response.headers.get("Set-Cookie", "")
    assert client.submit(f"/kiosk/{kiosk.id}/revoke").status_code == 403
    db.session.refresh(kiosk)
    assert kiosk.revoked_at is None
    assert "大厅入口左侧" not in text(client.get("/kiosk/manage"))


def test_revoking_makes_the_kiosk_an_ordinary_browser(app, client, login, worker, kiosk):
    client.set_cookie(enrolment.COOKIE, kiosk_cookie(app, kiosk))
    assert 'kiosk"' in text(client.get("/kiosk/"))
    login(worker)
    with client.session_transaction() as session:
        session[IDLE_KEY] = 10**12  # a worker's session on this kiosk, just touched
    response = client.submit(f"/kiosk/{kiosk.id}/revoke", token_from="/kiosk/manage")
    assert response.status_code == 303
    db.session.refresh(kiosk)
    assert kiosk.revoked_at is not None and kiosk.revoked_by_id == worker.id
    assert client.get("/kiosk/").status_code == 302
    assert " kiosk" not in text(client.get("/")).split(">")[1]


def test_a_forged_cookie_is_an_ordinary_browser(client, kiosk):
    for forged in (kiosk.token, "x" * 60, kiosk.token + ".forged", ""):
        client.set_cookie(enrolment.COOKIE, forged)
        assert client.get("/kiosk/").status_code == 302
        home = text(client.get("/"))
        assert 'class="size-standard"' in home and "kiosk.js" not in home
        assert client.get("/kiosk/sign-in").status_code == 302


def test_last_seen_is_noted_at_most_once_a_minute(at_kiosk, kiosk):
    first = kiosk.last_seen_at
    at_kiosk.get("/kiosk/")
    db.session.refresh(kiosk)
    assert kiosk.last_seen_at == first  # enrolled just now
    kiosk.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    at_kiosk.get("/kiosk/")
    db.session.refresh(kiosk)
    assert kiosk.last_seen_at > utcnow() - timedelta(minutes=1)


# --- kiosk mode ---

def test_the_kiosk_home_has_big_choices_and_no_way_out(at_kiosk, point):
    response = at_kiosk.get("/kiosk/")
    page = text(response)
    assert 'class="size-large kiosk"' in page and "kiosk.js" in page
    for choice in ("附近服务", "今天的活动", "我要反映问题", "我的时间银行"):
        assert choice in page
    assert f"lat={point.latitude:.5f}" in page  # distances measured from the kiosk's point
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert not [h for h in hrefs if h.startswith(("http", "tel:", "mailto:", "//"))]
    assert "remember" not in page
    assert response.headers["Cache-Control"].startswith("no-store") or \
        "no-store" in response.headers["Cache-Control"]
    audit_page(response)


def test_downloads_are_refused_on_a_kiosk(at_kiosk, world, make_activity):
    activity = make_activity()
    for path in (f"/services/coverage/{world['community'].id}.csv",
                 f"/timebank/activities/{activity.id}.ics", "/services/open-data/hsds/x.csv"):
        response = at_kiosk.get(path)
        assert response.status_code == 403 and "这台触摸屏不提供下载" in text(response)


def test_the_password_form_becomes_the_pin_pad(at_kiosk):
    response = at_kiosk.get("/accounts/login?next=/timebank/me")
    assert response.status_code == 303 and "/kiosk/sign-in" in response.location
    assert "next=/timebank/me" in response.location.replace("%2F", "/")


def test_the_qr_code_carries_only_the_pages_public_address(at_kiosk, with_pin, monkeypatch):
    seen = []
    import portal.layout

    monkeypatch.setattr(portal.layout, "qr_svg", lambda data, label: seen.append(data) or "")
    at_kiosk.get("/services/?category=meals")
    assert seen[-1] == "http://127.0.0.1:5000/services/?category=meals"
    grandma = with_pin()
    sign_in_at_kiosk(at_kiosk, grandma)
    at_kiosk.get("/timebank/me")
    assert seen[-1] == "http://127.0.0.1:5000/accounts/login?next=/timebank/me"
    at_kiosk.get("/accounts/profile")
    assert seen[-1] == "http://127.0.0.1:5000/"
    for data in seen:
        assert grandma.mobile not in data and grandma.mobile[-4:] not in data
        assert not re.search(r"\b(user|id|token|session)\b", data)


# --- the number pad ---

def test_the_pad_moves_from_the_number_to_the_pin():
    pad = Pad()
    for key in "1380013800":
        pad.press(key)
    assert (pad.step, pad.shown_mobile) == ("mobile", "138 0013 800")
    pad.press("0")
    assert pad.step == "pin"
    for key in "25814":
        pad.press(key)
    assert not pad.ready
    pad.press("back").press("4").press("7")
    assert pad.ready and pad.pin == "258147"
    pad.wrong()
    assert (pad.step, pad.pin) == ("pin", "")
    pad.press("back")
    assert (pad.step, pad.mobile) == ("mobile", "1380013800")
    assert Pad.read("12345678901", "123", "pin").step == "mobile"  # not a mobile number
    assert Pad.read("138 0013 8000x", "12a3", "pin").pin == "123"
    assert Pad().press("restart").press("x").press("12").mobile == ""


def test_a_resident_signs_in_with_the_pad(at_kiosk, with_pin):
    grandma = with_pin()
    page = at_kiosk.get("/kiosk/sign-in")
    assert page.status_code == 200 and "第一步：输入手机号" in text(page)
    audit_page(page)
    typed = press(at_kiosk, "/kiosk/sign-in", mobile=grandma.mobile[:10],
                  key=grandma.mobile[10])
    assert typed.status_code == 200 and "第二步：输入6位密码" in text(typed)
    response = sign_in_at_kiosk(at_kiosk, grandma)
    assert response.status_code == 303
    assert signed_in_as(at_kiosk) == str(grandma.id)
    assert "张桂芳" in text(at_kiosk.get("/kiosk/"))


@pytest.mark.parametrize("pin", ["111111", "123456", "987654", "121212", "123123", "890123"])
def test_easy_pins_are_refused(pin, make_user):
    with pytest.raises(Refused, match="pin_simple"):
        pins.set_pin(make_user(mobile="13600001234"), pin, actor=None)


@pytest.mark.parametrize("pin", ["12345", "1234567", "abcdef", "１２３４５６", ""])
def test_pins_are_six_ascii_digits(pin, make_user):
    with pytest.raises(Refused, match="pin_format"):
        pins.set_pin(make_user(), pin, actor=None)


def test_the_end_of_the_mobile_number_is_refused(make_user):
    with pytest.raises(Refused, match="pin_mobile"):
        pins.set_pin(make_user(mobile="13600258147"), "258147", actor=None)


def test_a_wrong_pin_says_so_and_signs_nobody_in(at_kiosk, with_pin):
    grandma = with_pin()
    response = sign_in_at_kiosk(at_kiosk, grandma, pin="369258")
    assert response.status_code == 422 and "手机号或密码不对" in text(response)
    assert signed_in_as(at_kiosk) == ""
    assert f'value="{grandma.mobile}"' in text(response) and 'name="pin" value=""' in text(response)


def test_wrong_pins_are_limited_per_number(at_kiosk, with_pin, app, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "KIOSK_PIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    grandma = with_pin()
    for _ in range(3):
        assert sign_in_at_kiosk(at_kiosk, grandma, pin="369258").status_code == 422
    response = sign_in_at_kiosk(at_kiosk, grandma)  # even the right PIN waits now
    assert response.status_code == 429 and "这个号码输错密码的次数太多了" in text(response)
    assert signed_in_as(at_kiosk) == ""
    other = with_pin(name="赵大爷")
    assert sign_in_at_kiosk(at_kiosk, other).status_code == 303  # others are not locked out


def test_wrong_pins_are_limited_per_kiosk(at_kiosk, with_pin, app, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "KIOSK_PIN_LIMIT_PER_KIOSK", "3 per 15 minutes")
    people = [with_pin(name=f"居民{i}") for i in range(4)]
    for person in people[:3]:
        assert sign_in_at_kiosk(at_kiosk, person, pin="369258").status_code == 422
    response = sign_in_at_kiosk(at_kiosk, people[3])
    assert response.status_code == 429 and "这台触摸屏上输错密码的次数太多了" in text(response)


def test_the_pad_answers_nonsense_without_an_error(at_kiosk):
    for data in ({"mobile": "x" * 500, "pin": "<b>", "step": "pin", "key": "9" * 50},
                 {"mobile": "13800138000", "step": "pin", "pin": "１２３４５", "key": "６"}):
        response = at_kiosk.submit("/kiosk/sign-in", data, token_from="/kiosk/")
        assert response.status_code in (200, 422)


def test_the_pin_pad_is_only_on_kiosks(client, with_pin):
    grandma = with_pin()
    assert client.get("/kiosk/sign-in").status_code == 302
    response = client.submit("/kiosk/sign-in", {"mobile": grandma.mobile, "step": "pin",
                                                "pin": PIN[:5], "key": PIN[5]})
    assert response.status_code == 404
    assert signed_in_as(client) == ""


# --- the idle reset ---

def test_a_kiosk_left_alone_is_signed_out_by_the_server(at_kiosk, with_pin):
    grandma = with_pin()
    sign_in_at_kiosk(at_kiosk, grandma)
    assert at_kiosk.get("/timebank/me").status_code == 200
    with at_kiosk.session_transaction() as session:
        session[IDLE_KEY] -= 60 + 20 + 1
    response = at_kiosk.get("/timebank/me")
    assert response.status_code == 303 and response.location.endswith("/kiosk/")
    assert signed_in_as(at_kiosk) == ""
    assert "已自动退出" in text(at_kiosk.get("/kiosk/"))


def test_the_reset_signs_out_and_clears_everything(at_kiosk, with_pin):
    grandma = with_pin()
    sign_in_at_kiosk(at_kiosk, grandma)
    page = at_kiosk.get("/timebank/me")
    assert 'data-kiosk-idle="60"' in text(page) and "还在用吗？" in text(page)
    assert "no-store" in page.headers["Cache-Control"]
    response = at_kiosk.submit("/kiosk/reset", token_from="/kiosk/")
    assert response.status_code == 303 and response.location.endswith("/kiosk/")
    with at_kiosk.session_transaction() as session:
        assert dict(session) == {}
    db.session.refresh(grandma)
    assert grandma.session_token  # her phone stays signed in: only this screen was cleared


def test_nothing_to_reset_on_an_ordinary_browser(client):
    assert client.submit("/kiosk/reset").status_code == 404


# --- checking in ---

@pytest.fixture
def todays(make_activity, point, world):
    """An activity at the point all of today, in the portal's zone: one starting in half an
    hour is tomorrow's after 23:30 there (the suite runs at any hour)."""
    start, end = today_bounds(utcnow())
    return make_activity(title="重阳节包饺子", starts=start,
                         length=end - start - timedelta(seconds=1),
                         place=world["community"], service_point_id=point.id)


def test_a_volunteer_checks_in_with_the_pad_and_it_counts(at_kiosk, with_pin, todays, worker):
    grandma = with_pin()
    activities.join(grandma)
    activities.sign_up(grandma, todays, utcnow())
    db.session.commit()
    listing = at_kiosk.get("/kiosk/today")
    assert "重阳节包饺子" in text(listing)
    audit_page(listing)
    path = f"/kiosk/activities/{todays.id}/check-in"
    response = press(at_kiosk, path, mobile=grandma.mobile, pin=PIN[:5], step="pin", key=PIN[5])
    assert response.status_code == 303
    signup = db.session.scalar(select(SignUp))
    assert signup.checked_in_at is not None
    assert signed_in_as(at_kiosk) == ""  # checking in signs nobody in
    # It counts like the organiser's check-in: their hours are approved with the others.
    now = todays.ends_at
    logs.submit(grandma, todays.minutes, now=now, today=local_today(), activity=todays)
    assert logs.approve_checked_in(todays, worker, now) == 1


def test_someone_not_signed_up_is_told_to_ask_the_organiser(at_kiosk, with_pin, todays):
    grandma = with_pin()
    path = f"/kiosk/activities/{todays.id}/check-in"
    response = press(at_kiosk, path, mobile=grandma.mobile, pin=PIN[:5], step="pin", key=PIN[5])
    assert response.status_code == 422 and "您没有报名这个活动" in text(response)
    assert count(SignUp) == 0


def test_an_activity_elsewhere_cannot_be_checked_in_here(at_kiosk, make_activity):
    elsewhere = make_activity()
    assert at_kiosk.get(f"/kiosk/activities/{elsewhere.id}/check-in").status_code == 403


# --- who may enrol and revoke ---

KINDS = ["resident here", "resident elsewhere", "leader here", "leader elsewhere",
         "worker here", "worker of another", "admin", "anonymous"]


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


@pytest.mark.parametrize("kind", KINDS)
def test_who_may_enrol_and_revoke(kind, client, login, make_user, world, point, kiosk):
    visitor = _visitor(kind, make_user, world)
    if visitor is not None:
        login(visitor)
    enrolled = client.submit("/kiosk/enrol", {"point": point.id, "name": "二楼"})
    if visitor is not None:
        login(visitor)  # enrolling signs the worker out of the screen they made a kiosk
        with client.session_transaction() as session:
            session[IDLE_KEY] = 10**12
    revoked = client.submit(f"/kiosk/{kiosk.id}/revoke")
    db.session.refresh(kiosk)
    if kind in ("worker here", "admin"):
        assert (enrolled.status_code, revoked.status_code) == (303, 303)
        assert count(Kiosk) == 2 and kiosk.revoked_at is not None
    else:
        expected = 302 if kind == "anonymous" else 403
        assert enrolled.status_code in (expected, 422) and revoked.status_code == expected
        assert count(Kiosk) == 1 and kiosk.revoked_at is None
