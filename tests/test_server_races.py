"""Double taps and races against a real multi-process server (gunicorn, 2 workers).

Sixteen requests at once from one signed-in resident: every one is answered without a 5xx,
and the ledger moves exactly what the rules allow. On SQLite this needs write transactions
that wait their turn (``BEGIN IMMEDIATE`` with a busy timeout); PostgreSQL locks rows.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from portal.extensions import db
from portal.timebank import ledger, wallet
from tests.conftest import CSRF_FIELD, TEST_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
RACERS = 16


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(app):
    """gunicorn with two worker processes, on the test database."""
    port = _free_port()
    env = dict(os.environ, PORTAL_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               PORTAL_SECRET_KEY="race-secret", PORTAL_RATELIMIT_STORAGE_URI="memory://",
               PORTAL_BASE_URL=f"http://127.0.0.1:{port}")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "1",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar and a CSRF token: what a phone's browser carries between taps."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()

    def token(self, path):
        return CSRF_FIELD.search(self.request(path)[1]).group(1)

    def sign_in(self, user):
        status, _ = self.request("/accounts/login", {
            "csrf_token": self.token("/accounts/login"), "mobile": user.mobile,
            "password": TEST_PASSWORD})
        assert status == 303


def _at_once(calls):
    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.fixture
def donor(make_volunteer, make_user, world):
    """A volunteer holding 10 hours, granted from the community's pool."""
    worker = make_user(name="社工", roles=[("community_worker", world["community"])])
    volunteer = make_volunteer(name="赵志愿", password=TEST_PASSWORD)
    wallet.grant(worker, world["community"], volunteer, 10 * 60, "测试", token="race")
    db.session.commit()
    return volunteer


def _donate(browser, csrf, token):
    return lambda: browser.request("/timebank/donate",
                                   {"csrf_token": csrf, "token": token, "hours": "1"})


def test_sixteen_taps_of_one_donation_give_once_and_never_fail(server, donor):
    browser = Browser(server)
    browser.sign_in(donor)
    csrf = browser.token("/timebank/donate")
    answers = _at_once([_donate(browser, csrf, "same-tap")] * RACERS)
    assert sorted({status for status, _ in answers}) == [303]
    db.session.rollback()  # end the test's own snapshot to read what the server wrote
    assert ledger.balance(donor) == 9 * 60


def test_sixteen_different_donations_at_once_spend_no_more_than_the_balance(server, donor):
    browser = Browser(server)
    browser.sign_in(donor)
    csrf = browser.token("/timebank/donate")
    answers = _at_once([_donate(browser, csrf, f"tap-{n}") for n in range(RACERS)])
    statuses = [status for status, _ in answers]
    assert statuses.count(303) == 10
    assert statuses.count(422) == RACERS - 10
    refused = [html for status, html in answers if status == 422]
    assert all(re.search("余额|balance", html) for html in refused)
    db.session.rollback()  # end the test's own snapshot to read what the server wrote
    assert ledger.balance(donor) == 0
