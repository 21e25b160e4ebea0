"""Kiosk fixtures: a service point of 草堂路社区 with an enrolled kiosk, a client that is that
kiosk (its signed cookie), and residents with a kiosk PIN."""

import pytest

from portal.extensions import db
from portal.kiosks import enrolment, pins
from portal.timeutil import utcnow
from tests.factories import make_point

PIN = "258147"


@pytest.fixture
def point(world):
    return make_point(world["community"], name="草堂路社区党群服务中心", category="centre")


@pytest.fixture
def kiosk(point, worker):
    kiosk = enrolment.enrol(worker, point, "大厅入口左侧", utcnow())
    db.session.commit()
    return kiosk


def kiosk_cookie(app, kiosk):
    with app.test_request_context():
        return enrolment.cookie_value(kiosk)


@pytest.fixture
def at_kiosk(app, client, kiosk):
    """The test client, enrolled as ``kiosk``."""
    client.set_cookie(enrolment.COOKIE, kiosk_cookie(app, kiosk))
    return client


@pytest.fixture
def with_pin(make_user, world):
    """with_pin(name=…) -> a resident of the first courtyard whose kiosk PIN is PIN."""

    def make(name="张桂芳", **fields):
        fields.setdefault("courtyard", world["courtyard"])
        user = make_user(name=name, **fields)
        pins.set_pin(user, PIN, actor=user)
        db.session.commit()
        return user

    return make


def press(client, path, mobile="", pin="", step="mobile", key="", **extra):
    """One key of the pad at ``path``, with what was typed before."""
    data = {"mobile": mobile, "pin": pin, "step": step, "key": key, **extra}
    return client.submit(path, data, token_from="/kiosk/")


def sign_in_at_kiosk(client, user, pin=PIN):
    """The last key of the PIN: the number and five digits were typed already."""
    return press(client, "/kiosk/sign-in", mobile=user.mobile, pin=pin[:5], step="pin",
                 key=pin[5])
