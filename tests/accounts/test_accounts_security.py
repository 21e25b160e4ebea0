"""Issue 8: account take-over by a worker, lock-outs, unlimited codes, sessions that outlive
sign-out. Each test stands for what a resident or a rule needs."""

import time

import pytest

from portal.accounts.models import RoleGrant, User
from portal.accounts.people import find_by_mobile, issue_first_login_code
from portal.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.helpers import text

RESIDENT_PHONE = {"REMOTE_ADDR": "198.51.100.7"}
ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}


def address(n):
    return {"REMOTE_ADDR": f"203.0.113.{n}"}


def sign_in(client, mobile, password, environ=RESIDENT_PHONE, **extra):
    return client.submit("/accounts/login", {"mobile": mobile, "password": password, **extra},
                         environ_base=environ)


def set_password_with_code(client, mobile, code, environ=RESIDENT_PHONE):
    return client.submit("/accounts/first-login", {
        "mobile": mobile, "code": code, "password": "888888", "confirm": "888888"},
        environ_base=environ)


def signed_in(client):
    return client.get("/accounts/profile").status_code == 200


def wrong(code):
    return "00000000" if code != "00000000" else "11111111"


# --- 2. a worker acts only on people who hold nothing she does not ---


@pytest.mark.parametrize("worker, person, expected", [
    ("worker", "resident", True),
    ("worker", "leader", True),          # roles she may give and take back herself
    ("worker", "peer", True),            # the same role at the same place
    ("worker", "worker", False),         # never herself: her own account is the profile
    ("worker", "admin", False),          # the probe's take-over
    ("worker", "street_worker", False),  # a worker of a wider place
    ("worker", "other_staff", False),    # a role in an organization based elsewhere
    ("worker", "outsider", False),       # lives outside her community
    ("admin", "worker", True),
    ("admin", "city_admin", False),      # an admin of a wider place
    ("city_admin", "admin", True),
    ("inactive_worker", "resident", False),
    ("leader_only", "resident", False),  # not a community worker
])
def test_who_may_manage_whom(people, worker, person, expected):
    from portal.accounts.permissions import may_manage_person

    assert may_manage_person(people[worker], people[person]) is expected


def test_a_worker_cannot_print_a_code_for_an_admin(client, login, people):
    login(people["worker"])
    admin = people["admin"]
    admin.set_password(TEST_PASSWORD)
    db.session.commit()
    assert client.get(f"/accounts/people/{admin.id}").status_code == 403
    assert client.get(f"/accounts/people/{admin.id}/slip").status_code == 403
    assert client.submit(f"/accounts/people/{admin.id}/code").status_code == 403
    db.session.refresh(admin)
    assert admin.check_password(TEST_PASSWORD) and admin.first_login_code_hash is None


def test_a_worker_cannot_print_a_code_for_a_worker_of_a_wider_place(client, login, people):
    login(people["worker"])
    target = people["street_worker"]
    assert client.submit(f"/accounts/people/{target.id}/code").status_code == 403
    db.session.refresh(target)
    assert target.first_login_code_hash is None


def test_people_search_links_only_to_people_the_worker_may_manage(client, login, people):
    login(people["worker"])
    page = text(client.get("/accounts/people", query_string={"q": "测试"}))
    assert f'/accounts/people/{people["resident"].id}"' in page
    assert f'/accounts/people/{people["admin"].id}"' not in page


def test_a_worker_cannot_take_a_role_from_someone_who_outranks_her(client, login, world,
                                                                     people):
    from portal.accounts.roles import may_revoke, revoke_role
    from portal.refusals import Refused

    admin = people["admin"]
    grant = RoleGrant(user=admin, role="courtyard_leader", place_id=world["courtyard"].id)
    db.session.add(grant)
    db.session.commit()
    token = admin.session_token
    assert not may_revoke(people["worker"], grant)  # although she may give that role there
    with pytest.raises(Refused, match="^role_outside_scope$"):
        revoke_role(people["worker"], grant)
    # Through the page it is forbidden before any work.
    login(people["worker"])
    assert client.submit(f"/accounts/roles/{grant.id}/revoke").status_code == 403
    assert db.session.get(RoleGrant, grant.id) is not None
    db.session.refresh(admin)
    assert admin.session_token == token  # nor sign them out by trying


# --- 4. nobody elsewhere can lock a resident out ---

def test_wrong_passwords_from_elsewhere_do_not_lock_the_resident_out(app, client, world,
                                                                     make_user):
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    attacker = app.test_client()
    for _ in range(5):
        assert sign_in(attacker, "13900000006", "guess", ATTACKER).status_code == 422
    locked = sign_in(attacker, "13900000006", TEST_PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert "这台设备上密码输错的次数太多" in text(locked)
    assert 'value="13900000006"' in text(locked)
    # The resident, on her own phone, signs in as if nothing happened.
    assert sign_in(client, "13900000006", TEST_PASSWORD, RESIDENT_PHONE).status_code == 303


def test_a_busy_kiosk_is_not_locked_by_thirty_wrong_passwords(client, world, make_user):
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    token = client.csrf_token()
    kiosk = address(1)
    for n in range(30):
        response = client.post("/accounts/login", data={
            "mobile": f"1390000{n:04d}", "password": "typo", "csrf_token": token},
            environ_base=kiosk)
        assert response.status_code == 422
    assert sign_in(client, "13900000006", TEST_PASSWORD, kiosk).status_code == 303


class Clock:
    """Moves the rate limiter's clock forward, so a test need not sleep."""

    def __init__(self):
        self.offset = 0

    def time(self):
        return time.time() + self.offset

    def advance(self, seconds):
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("limits.storage.memory.time", clock)
    return clock


def test_many_wrong_passwords_on_one_number_slow_it_down_but_never_lock_it(
        app, client, world, make_user, monkeypatch, clock):
    monkeypatch.setitem(app.config["PORTAL"], "LOGIN_SLOWDOWN_AFTER", "3 per 15 minutes")
    monkeypatch.setitem(app.config["PORTAL"], "LOGIN_SLOWDOWN_SECONDS", 30)
    monkeypatch.setattr("portal.accounts.throttle.time", clock)
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    for n in range(3):  # one guess from each of three addresses
        assert sign_in(app.test_client(), "13900000006", "guess", address(n)).status_code == 422
    slowed = sign_in(client, "13900000006", TEST_PASSWORD, RESIDENT_PHONE)
    assert slowed.status_code == 429
    page = text(slowed)
    assert "请等30秒钟再试" in page
    assert 'value="13900000006"' in page
    clock.advance(31)
    assert sign_in(client, "13900000006", TEST_PASSWORD, RESIDENT_PHONE).status_code == 303


def test_a_phone_that_signed_in_before_is_not_slowed_down(app, client, world, make_user,
                                                         monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "LOGIN_SLOWDOWN_AFTER", "3 per 15 minutes")
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    assert sign_in(client, "13900000006", TEST_PASSWORD).status_code == 303
    client.submit("/accounts/logout")
    assert not signed_in(client)
    for n in range(3):
        assert sign_in(app.test_client(), "13900000006", "guess", address(n)).status_code == 422
    assert sign_in(app.test_client(), "13900000006", TEST_PASSWORD,
                   address(9)).status_code == 429
    assert sign_in(client, "13900000006", TEST_PASSWORD).status_code == 303


# --- 5. first-login codes and registration are limited ---

def test_a_code_stops_working_after_five_wrong_tries(client, world, make_user):
    user = make_user(mobile="13712345678")
    code = issue_first_login_code(user, issued_by=None)
    db.session.commit()
    for n in range(5):
        response = set_password_with_code(client, "13712345678", wrong(code), address(n))
        assert response.status_code == 422
    response = set_password_with_code(client, "13712345678", code, address(7))
    assert response.status_code == 422
    assert "验证码不对或已过期" in text(response)
    db.session.refresh(user)
    assert user.password_hash is None and user.first_login_code_hash is None


def test_a_new_slip_gives_five_new_tries(world, make_user):
    from portal.accounts.people import redeem_first_login_code

    user = make_user()
    code = issue_first_login_code(user, issued_by=None)
    for _ in range(4):
        assert not redeem_first_login_code(user, wrong(code), "pw1234")
    assert user.first_login_code_failures == 4
    code = issue_first_login_code(user, issued_by=None)
    assert user.first_login_code_failures == 0
    assert redeem_first_login_code(user, code, "pw1234")


def test_wrong_codes_are_limited_per_address(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "FIRST_LOGIN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    for n in range(3):
        assert set_password_with_code(client, f"1370000000{n}", "12345678").status_code == 422
    locked = set_password_with_code(client, "13700000009", "12345678")
    assert locked.status_code == 429
    assert "这个网络上验证码输错的次数太多" in text(locked)
    assert 'value="13700000009"' in text(locked)


def test_wrong_codes_are_limited_per_number(app, client, world, make_user, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "FIRST_LOGIN_LIMIT_PER_ACCOUNT", "2 per 15 minutes")
    user = make_user(mobile="13712345678")
    code = issue_first_login_code(user, issued_by=None)
    db.session.commit()
    for n in range(2):
        assert set_password_with_code(client, "13712345678", wrong(code),
                                      address(n)).status_code == 422
    locked = set_password_with_code(client, "13712345678", code, address(5))
    assert locked.status_code == 429
    assert "这个号码的验证码输错的次数太多" in text(locked)
    db.session.refresh(user)
    assert user.password_hash is None


def test_registering_is_limited_per_address(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "REGISTER_LIMIT_PER_ADDRESS", "2 per hour")
    client.submit(f"/places/{world['courtyard'].id}/choose")
    data = {"mobile": "13812345678", "name": "王大爷", "courtyard": world["courtyard"].id,
            "password": "654321", "confirm": "654321"}
    for _ in range(2):
        assert client.submit("/accounts/register", {**data, "confirm": "no"}).status_code == 422
    response = client.submit("/accounts/register", data)
    assert response.status_code == 429
    page = text(response)
    assert "这个网络上的注册次数太多" in page and "王大爷" in page
    assert find_by_mobile("13812345678") is None


@pytest.fixture
def password_checks(monkeypatch):
    """Every password or code check made, as the hash it was checked against."""
    from werkzeug.security import check_password_hash

    from portal.accounts import people

    checked = []

    def spy(pwhash, password):
        checked.append(pwhash)
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(people, "check_password_hash", spy)
    return checked


@pytest.mark.parametrize("registered", ["no", "at the counter", "with a password"])
def test_every_sign_in_costs_one_password_check(client, world, make_user, password_checks,
                                                registered):
    if registered == "with a password":
        make_user(mobile="13900000006", password=TEST_PASSWORD)
    elif registered == "at the counter":
        make_user(mobile="13900000006")
    response = sign_in(client, "13900000006", "wrong-password")
    assert response.status_code == 422
    assert len(password_checks) == 1  # a number's answer takes as long, known or not


@pytest.mark.parametrize("registered", [False, True])
def test_every_code_costs_one_code_check(client, world, make_user, password_checks,
                                         registered):
    if registered:
        issue_first_login_code(make_user(mobile="13712345678"), issued_by=None)
        db.session.commit()
    response = set_password_with_code(client, "13712345678", "12345678")
    assert response.status_code == 422
    assert len(password_checks) == 1


# --- 6. sessions end when they should ---

def cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found else None


def copy_of(app, client, *names):
    """Another browser holding copies of ``client``'s cookies (a stolen or old device)."""
    other = app.test_client()
    for name in names:
        other.set_cookie(name, cookie(client, name))
    return other


def test_a_session_copied_before_sign_out_dies_with_it(app, client, world, make_user):
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    assert sign_in(client, "13900000006", TEST_PASSWORD, remember="y").status_code == 303
    old_session = copy_of(app, client, "session")
    old_remember = copy_of(app, client, "remember_token")
    assert signed_in(old_session) and signed_in(old_remember)
    client.submit("/accounts/logout")
    assert not signed_in(client)
    assert not signed_in(old_session)
    assert not signed_in(old_remember)


def test_changing_the_password_signs_out_other_devices_but_not_this_one(app, client, world,
                                                                      make_user):
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    assert sign_in(client, "13900000006", TEST_PASSWORD, remember="y").status_code == 303
    other = copy_of(app, client, "session", "remember_token")
    assert signed_in(other)
    response = client.submit("/accounts/profile/password", {
        "pw-current": TEST_PASSWORD, "pw-password": "new-pass-1", "pw-confirm": "new-pass-1"},
        token_from="/accounts/profile")
    assert response.status_code == 303
    assert signed_in(client)
    assert not signed_in(other)
    assert find_by_mobile("13900000006").check_password("new-pass-1")


def test_a_new_code_signs_the_resident_out_everywhere(app, client, world, make_user, login):
    resident = make_user(mobile="13900000006", courtyard=world["courtyard"],
                         password=TEST_PASSWORD)
    phone = app.test_client()
    assert sign_in(phone, "13900000006", TEST_PASSWORD).status_code == 303
    assert signed_in(phone)
    login(make_user(roles=[("community_worker", world["community"])]))
    assert client.submit(f"/accounts/people/{resident.id}/code").status_code == 303
    assert not signed_in(phone)
    db.session.refresh(resident)
    assert resident.password_hash is None and resident.first_login_code_hash


def test_sign_out_everywhere(app, client, world, make_user):
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    assert sign_in(client, "13900000006", TEST_PASSWORD).status_code == 303
    other = copy_of(app, client, "session")
    assert signed_in(other)
    page = text(client.get("/accounts/profile"))
    assert 'action="/accounts/profile/sign-out-everywhere"' in page
    response = client.submit("/accounts/profile/sign-out-everywhere",
                             token_from="/accounts/profile")
    assert response.status_code == 303
    assert "您已在所有设备上退出登录" in text(client.get(response.headers["Location"]))
    assert not signed_in(client)
    assert not signed_in(other)


def test_sign_out_everywhere_needs_the_csrf_token(client, world, make_user, login):
    user = login(make_user())
    token = user.session_token
    assert client.post("/accounts/profile/sign-out-everywhere").status_code == 400
    db.session.refresh(user)
    assert user.session_token == token and signed_in(client)


def test_taking_back_a_role_signs_the_person_out(app, client, world, make_user, login):
    leader = make_user(mobile="13900000002", courtyard=world["courtyard"],
                       password=TEST_PASSWORD,
                       roles=[("courtyard_leader", world["courtyard"])])
    phone = app.test_client()
    assert sign_in(phone, "13900000002", TEST_PASSWORD).status_code == 303
    assert signed_in(phone)  # else signing out below would prove nothing
    login(make_user(roles=[("community_worker", world["community"])]))
    grant_id = leader.grants[0].id
    assert client.submit(f"/accounts/roles/{grant_id}/revoke").status_code == 303
    assert db.session.get(RoleGrant, grant_id) is None
    assert not signed_in(phone)


def test_setting_the_password_with_a_code_ends_older_sessions(world, make_user):
    from portal.accounts.people import redeem_first_login_code

    user = make_user()
    code = issue_first_login_code(user, issued_by=None)
    before = user.get_id()
    assert redeem_first_login_code(user, code, "pw1234")
    assert user.get_id() != before


@pytest.mark.parametrize("identity", ["{id}", "{id}:", "{id}:not-the-token", "x:{token}",
                                      "{id}:{token}x"])
def test_only_the_current_token_signs_in(app, world, make_user, identity):
    from portal import load_user

    user = make_user()
    assert load_user(user.get_id()) == user
    assert load_user(identity.format(id=user.id, token=user.session_token)) is None


def test_user_ids_are_not_bare_numbers(world, make_user):
    user = make_user()
    assert user.get_id() != str(user.id)
    assert isinstance(db.session.get(User, user.id).session_token, str)
