from datetime import timedelta

import pytest

from portal.accounts.models import User
from portal.accounts.people import (
    find_by_mobile,
    issue_first_login_code,
    redeem_first_login_code,
)
from portal.audit import AuditEntry
from portal.extensions import db
from portal.phones import normalize_mobile
from portal.timeutil import utcnow
from tests.conftest import TEST_PASSWORD
from tests.helpers import text


def user_count():
    return db.session.scalar(db.select(db.func.count(User.id)))


def choose(client, courtyard):
    client.submit(f"/places/{courtyard.id}/choose")


def registration(world, **changes):
    data = {"mobile": "13812345678", "name": "王大爷", "courtyard": world["courtyard"].id,
            "password": "654321", "confirm": "654321"}
    data.update(changes)
    return data


# --- mobile numbers ---

@pytest.mark.parametrize("typed, expected", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),  # full-width digits from a Chinese keyboard
])
def test_mobile_numbers_are_normalized(typed, expected):
    assert normalize_mobile(typed) == expected


# --- registering ---

def test_register_asks_to_choose_a_courtyard_first(client, world):
    page = text(client.get("/accounts/register"))
    assert "请先选择您住的院落" in page
    assert 'name="password"' not in page


def test_register_offers_the_chosen_courtyard_first(client, world):
    choose(client, world["courtyard2"])
    page = text(client.get("/accounts/register"))
    assert f'<option selected value="{world["courtyard2"].id}">' in page


def test_register_signs_the_resident_in(client, world):
    choose(client, world["courtyard"])
    response = client.submit("/accounts/register", registration(world, mobile="138 1234 5678"))
    assert response.status_code == 303
    user = find_by_mobile("13812345678")
    assert user.name == "王大爷" and user.home_courtyard == world["courtyard"]
    assert user.check_password("654321") and user.password_hash != "654321"
    assert "您好，王大爷" in text(client.get("/"))


@pytest.mark.parametrize("changes, message", [
    ({"mobile": "12345"}, "请输入 11 位手机号码"),
    ({"mobile": "23812345678"}, "请输入 11 位手机号码"),
    ({"mobile": ""}, "请输入手机号码"),
    ({"name": ""}, "请输入您的姓名"),
    ({"name": "   "}, "请输入您的姓名"),
    ({"name": "张" * 10_000}, "姓名最多 40 个字"),
    ({"password": "123", "confirm": "123"}, "密码需要 6 到 128 个字符"),
    ({"confirm": "different"}, "两次输入的密码不一样"),
    ({"courtyard": "not-a-number"}, "请从列出的院落中选择一个"),
])
def test_bad_registration_is_explained_and_nothing_is_written(client, world, changes, message):
    choose(client, world["courtyard"])
    before = user_count()
    response = client.submit("/accounts/register", registration(world, **changes))
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert "有问题需要修改" in page  # the error summary at the top
    assert user_count() == before
    if changes.get("name", "").strip() and len(changes["name"]) < 100:
        assert changes["name"] in page  # what was typed is kept


def test_registering_into_another_communitys_courtyard_is_refused(client, world):
    choose(client, world["courtyard"])
    response = client.submit("/accounts/register",
                             registration(world, courtyard=world["other_courtyard"].id))
    assert response.status_code == 422
    assert "请从列出的院落中选择一个" in text(response)
    assert find_by_mobile("13812345678") is None


def test_a_registered_number_cannot_register_again(client, world, make_user):
    make_user(mobile="13812345678")
    choose(client, world["courtyard"])
    response = client.submit("/accounts/register", registration(world))
    assert response.status_code == 422
    assert "这个号码已经注册过了" in text(response)
    assert "13812345678" in text(response)
    assert user_count() == 1


def test_register_without_csrf_token_writes_nothing(client, world):
    choose(client, world["courtyard"])
    response = client.post("/accounts/register", data=registration(world))
    assert response.status_code == 400
    assert user_count() == 0


# --- signing in ---

def test_sign_in_and_out(client, world, make_user):
    make_user(name="张桂芳", mobile="13900000006", password=TEST_PASSWORD)
    response = client.submit("/accounts/login",
                             {"mobile": "139 0000 0006", "password": TEST_PASSWORD})
    assert response.status_code == 303
    assert "您好，张桂芳" in text(client.get("/"))
    assert client.submit("/accounts/logout").status_code == 303
    assert "您好，张桂芳" not in text(client.get("/"))


def test_sign_in_returns_to_the_page_asked_for(client, world, make_user):
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    response = client.get("/accounts/profile")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    response = client.submit("/accounts/login?next=/accounts/profile",
                             {"mobile": "13900000006", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/accounts/profile"


@pytest.mark.parametrize("mobile, password", [
    ("13900000006", "wrong-password"),
    ("13900000099", TEST_PASSWORD),  # nobody has this number: the same message
])
def test_wrong_sign_in_keeps_the_number_and_says_so(client, world, make_user, mobile, password):
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    response = client.submit("/accounts/login", {"mobile": mobile, "password": password})
    assert response.status_code == 422
    assert "手机号码或密码不对" in text(response)
    assert f'value="{mobile}"' in text(response)


def test_counter_registered_resident_is_told_to_use_the_slip(client, world, make_user):
    user = make_user(mobile="13900000006")
    issue_first_login_code(user, issued_by=None)
    db.session.commit()
    response = client.submit("/accounts/login", {"mobile": "13900000006", "password": "anything"})
    assert response.status_code == 422
    assert "请先用凭条上的验证码设置密码" in text(response)
    assert "手机号码或密码不对" not in text(response)
    assert client.get("/accounts/profile").status_code == 302  # not signed in


def test_failed_sign_ins_are_limited_per_account_and_address(client, app, world, make_user,
                                                             monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS",
                        "3 per 15 minutes")
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    for _ in range(3):
        assert client.submit("/accounts/login", {"mobile": "13900000006",
                                                 "password": "nope"}).status_code == 422
    locked = client.submit("/accounts/login", {"mobile": "13900000006",
                                               "password": TEST_PASSWORD})
    assert locked.status_code == 429
    assert "这台设备上密码输错的次数太多。请15分钟后再试" in text(locked)
    assert 'value="13900000006"' in text(locked)
    # Another account from the same address is not locked by this one.
    make_user(mobile="13900000007", password=TEST_PASSWORD)
    assert client.submit("/accounts/login", {"mobile": "13900000007",
                                             "password": TEST_PASSWORD}).status_code == 303


def test_failed_sign_ins_are_limited_per_address(client, app, world, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "LOGIN_LIMIT_PER_ADDRESS", "4 per 15 minutes")
    for n in range(4):
        assert client.submit("/accounts/login", {"mobile": f"1390000001{n}",
                                                 "password": "guess"}).status_code == 422
    response = client.submit("/accounts/login", {"mobile": "13900000020", "password": "guess"})
    assert response.status_code == 429
    assert "这个网络上密码输错的次数太多" in text(response)
    assert 'value="13900000020"' in text(response)


def test_successful_sign_ins_do_not_count_towards_the_limit(client, app, world, make_user,
                                                            monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS",
                        "2 per 15 minutes")
    monkeypatch.setitem(app.config["PORTAL"], "LOGIN_SLOWDOWN_AFTER", "2 per 15 minutes")
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    for _ in range(3):
        assert client.submit("/accounts/login", {"mobile": "13900000006",
                                                 "password": TEST_PASSWORD}).status_code == 303
        assert client.submit("/accounts/logout").status_code == 303


def test_logout_is_a_post_with_csrf(client, world, login, make_user):
    login(make_user())
    assert client.get("/accounts/logout").status_code == 405
    assert client.post("/accounts/logout").status_code == 400
    assert client.get("/accounts/profile").status_code == 200  # still signed in


# --- the profile ---

def test_profile_saves_language_size_and_courtyard(client, world, login_as):
    user = login_as()
    response = client.submit("/accounts/profile", {
        "name": "新名字", "courtyard": world["courtyard2"].id, "locale": "en",
        "text_size": "xlarge"}, token_from="/accounts/profile")
    assert response.status_code == 303
    db.session.refresh(user)
    assert (user.name, user.home_courtyard, user.locale, user.text_size) == (
        "新名字", world["courtyard2"], "en", "xlarge")
    page = text(client.get("/"))
    assert '<html lang="en" class="size-xlarge">' in page


def test_make_this_my_courtyard_offers_a_courtyard_of_another_community(client, world, login_as):
    login_as()
    other = world["other_courtyard"]
    page = text(client.get(f"/accounts/profile?courtyard={other.id}"))
    assert f'<option selected value="{other.id}">' in page


@pytest.mark.parametrize("changes, message", [
    ({"locale": "fr"}, "请从列出的选项中选择一个"),
    ({"text_size": "huge"}, "请从列出的选项中选择一个"),
    ({"name": ""}, "请输入您的姓名"),
    ({"courtyard": "999999"}, "请从列出的院落中选择一个"),
])
def test_bad_profile_input_changes_nothing(client, world, login_as, changes, message):
    user = login_as(name="原名")
    data = {"name": "新名字", "courtyard": world["courtyard"].id, "locale": "zh_Hans",
            "text_size": "large"}
    data.update(changes)
    response = client.submit("/accounts/profile", data, token_from="/accounts/profile")
    assert response.status_code == 422
    assert message in text(response)
    db.session.refresh(user)
    assert user.name == "原名" and user.text_size is None


def test_change_password(client, world, login_as):
    user = login_as(password=TEST_PASSWORD)
    data = {"pw-current": "wrong", "pw-password": "new-pass-1", "pw-confirm": "new-pass-1"}
    response = client.submit("/accounts/profile/password", data, token_from="/accounts/profile")
    assert response.status_code == 422 and "现在的密码不对" in text(response)
    db.session.refresh(user)
    assert user.check_password(TEST_PASSWORD)
    data["pw-current"] = TEST_PASSWORD
    response = client.submit("/accounts/profile/password", data, token_from="/accounts/profile")
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.check_password("new-pass-1")


# --- counter registration and first sign-in ---

def test_worker_registers_a_resident_who_then_sets_a_password(client, world, login_as):
    worker = login_as("community_worker", world["community"])
    response = client.submit("/accounts/counter", {
        "mobile": "13712345678", "name": "刘奶奶", "courtyard": world["courtyard2"].id})
    assert response.status_code == 303
    slip = text(client.get(response.headers["Location"]))
    shown = slip.split('<dd class="code">')[1].split("<")[0]  # "1234 5678", easy to read
    code = shown.replace(" ", "")
    assert len(code) == 8 and code.isdigit()
    assert '<svg role="img" aria-label="' in slip  # a QR code to the first-login page
    resident = find_by_mobile("13712345678")
    assert resident.password_hash is None and resident.registered_by_id == worker.id
    # The code is shown once; reloading the slip does not show it again.
    assert shown not in text(client.get(response.headers["Location"]))

    client.submit("/accounts/logout")
    response = client.submit("/accounts/first-login", {
        "mobile": "13712345678", "code": shown, "password": "888888", "confirm": "888888"})
    assert response.status_code == 303
    db.session.refresh(resident)
    assert resident.check_password("888888") and resident.first_login_code_hash is None
    client.submit("/accounts/logout")
    # The code works once only.
    again = client.submit("/accounts/first-login", {
        "mobile": "13712345678", "code": code, "password": "999999", "confirm": "999999"})
    assert again.status_code == 422 and "验证码不对或已过期" in text(again)


def test_expired_or_wrong_codes_are_refused(world, make_user):
    user = make_user()
    code = issue_first_login_code(user, issued_by=None)
    assert not redeem_first_login_code(user, "00000000" if code != "00000000" else "1", "pw1234")
    user.first_login_code_expires_at = utcnow() - timedelta(minutes=1)
    assert not redeem_first_login_code(user, code, "pw1234")
    assert user.password_hash is None


def test_counter_is_for_community_workers_only(client, world, login_as):
    login_as("courtyard_leader", world["courtyard"])
    assert client.get("/accounts/counter").status_code == 403
    assert client.get("/accounts/work").status_code == 403
    assert client.get("/accounts/people", query_string={"q": "刘"}).status_code == 403
    response = client.submit("/accounts/counter", {
        "mobile": "13712345678", "name": "刘奶奶", "courtyard": world["courtyard"].id})
    assert response.status_code == 403
    assert find_by_mobile("13712345678") is None


def test_counter_cannot_register_into_another_community(client, world, login_as):
    login_as("community_worker", world["community"])
    response = client.submit("/accounts/counter", {
        "mobile": "13712345678", "name": "刘奶奶", "courtyard": world["other_courtyard"].id})
    assert response.status_code == 422
    assert "请从列出的院落中选择一个" in text(response)
    assert find_by_mobile("13712345678") is None


def test_worker_finds_residents_of_their_community_only(client, world, login_as, make_user):
    login_as("community_worker", world["community"], mobile="13911110000")
    make_user(name="刘奶奶", courtyard=world["courtyard2"], mobile="13711112222")
    make_user(name="刘大爷", courtyard=world["other_courtyard"], mobile="13711113333")
    page = text(client.get("/accounts/people", query_string={"q": "刘"}))
    assert "刘奶奶" in page and "13711112222" in page  # workers see the full number
    assert "刘大爷" not in page
    assert "刘奶奶" in text(client.get("/accounts/people", query_string={"q": "2222"}))


def test_person_page_and_new_code_are_in_scope_only(client, world, login_as, make_user):
    login_as("community_worker", world["community"])
    outsider = make_user(courtyard=world["other_courtyard"], password=TEST_PASSWORD)
    assert client.get(f"/accounts/people/{outsider.id}").status_code == 403
    assert client.get(f"/accounts/people/{outsider.id}/slip").status_code == 403
    assert client.submit(f"/accounts/people/{outsider.id}/code").status_code == 403
    db.session.refresh(outsider)
    assert outsider.check_password(TEST_PASSWORD) and outsider.first_login_code_hash is None
    assert client.get("/accounts/people/999999").status_code == 404
    assert client.submit("/accounts/people/999999/code").status_code == 404


def test_new_code_replaces_a_forgotten_password(client, world, login_as, make_user):
    login_as("community_worker", world["community"])
    resident = make_user(courtyard=world["courtyard"], password=TEST_PASSWORD)
    response = client.submit(f"/accounts/people/{resident.id}/code")
    assert response.status_code == 303
    db.session.refresh(resident)
    assert resident.password_hash is None and resident.first_login_code_hash
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "user.first_login_code" in actions
