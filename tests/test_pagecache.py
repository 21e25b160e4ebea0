"""Whole pages kept for visitors who are not signed in (portal/pagecache.py): served again
only to someone with the same cookies and language, each with their own form token, never
older than the last write, never a signed-in person's page and never to one.

These tests run a second app on the same database with a shared cache store (a directory),
as production does with Redis; the rest of the suite runs without kept pages.
"""

import gzip
from datetime import date
from pathlib import Path

import pytest

from portal import create_app, pagecache
from portal.extensions import db
from tests.conftest import CSRF_FIELD, PortalClient
from tests.factories import make_point

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def kept_app(app, tmp_path):
    kept = create_app({
        "TESTING": True,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret",
        "RATELIMIT_STORAGE_URI": "memory://",
        "CACHE_URL": f"file://{tmp_path}/cache",
        "PAGE_CACHE_SECONDS": 60,
    })
    kept.test_client_class = PortalClient
    yield kept
    with kept.app_context():
        db.engine.dispose()


@pytest.fixture
def visitor(kept_app):
    return kept_app.test_client()


@pytest.fixture
def meal(world):
    return make_point(world["community"], "草堂长者食堂", "meals", 30.6649, 104.0412,
                      verified_on=date(2026, 3, 1))


def sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def token(response):
    return CSRF_FIELD.search(response.get_data(as_text=True)).group(1)


def test_a_public_page_asked_twice_is_kept_for_the_next_visitor(kept_app, world, meal):
    first, second = kept_app.test_client(), kept_app.test_client()
    once = first.get(f"/services/{meal.id}", headers=ZH)
    built = first.get(f"/services/{meal.id}", headers=ZH)
    kept = second.get(f"/services/{meal.id}", headers=ZH)
    assert "X-Linli-Page" not in once.headers
    assert built.status_code == kept.status_code == 200
    assert "X-Linli-Page" not in built.headers and kept.headers["X-Linli-Page"] == "kept"
    assert "草堂长者食堂" in kept.get_data(as_text=True)
    # The same page, but each visitor's own form token, which their session accepts.
    assert token(built) != token(kept)
    assert CSRF_FIELD.sub("", built.get_data(as_text=True)) == \
        CSRF_FIELD.sub("", kept.get_data(as_text=True))
    answer = second.post("/settings/language", data={"csrf_token": token(kept), "value": "en",
                                            "next": f"/services/{meal.id}"})
    assert answer.status_code == 303


def test_kept_pages_differ_by_language_and_courtyard(kept_app, world, meal):
    visitor = kept_app.test_client()
    visitor.get("/", headers=ZH)
    visitor.get("/", headers=ZH)
    english = visitor.get("/", headers=EN)
    assert "X-Linli-Page" not in english.headers and "Service map" in english.get_data(
        as_text=True)
    visitor.set_cookie("courtyard", str(world["courtyard"].id))
    chosen = visitor.get("/", headers=ZH)
    assert "X-Linli-Page" not in chosen.headers
    assert "草堂东路133号院" in chosen.get_data(as_text=True)
    visitor.get("/", headers=ZH)
    assert visitor.get("/", headers=ZH).headers["X-Linli-Page"] == "kept"


def test_a_write_makes_kept_pages_old_at_once(kept_app, world, meal, make_user):
    worker = make_user(name="李晓梅", roles=[("community_worker", world["community"])])
    reader = kept_app.test_client()
    reader.get(f"/services/{meal.id}", headers=ZH)
    reader.get(f"/services/{meal.id}", headers=ZH)
    assert reader.get(f"/services/{meal.id}", headers=ZH).headers["X-Linli-Page"] == "kept"
    assert "2026年3月1日" in reader.get(f"/services/{meal.id}", headers=ZH).get_data(
        as_text=True)

    desk = kept_app.test_client()
    sign_in(desk, worker)
    page = desk.get(f"/services/{meal.id}", headers=ZH)
    assert desk.post(f"/services/{meal.id}/verified",
                     data={"csrf_token": token(page)}).status_code == 303

    fresh = reader.get(f"/services/{meal.id}", headers=ZH)
    assert "X-Linli-Page" not in fresh.headers
    assert "2026年3月1日" not in fresh.get_data(as_text=True)


def test_a_signed_in_page_is_never_kept_nor_served_a_kept_one(kept_app, world, meal,
                                                               make_user):
    resident = make_user(name="张桂芳", courtyard=world["courtyard"])
    visitor = kept_app.test_client()
    visitor.get("/", headers=ZH)
    visitor.get("/", headers=ZH)
    assert visitor.get("/", headers=ZH).headers["X-Linli-Page"] == "kept"

    signed_in = kept_app.test_client()
    sign_in(signed_in, resident)
    for _ in range(2):
        page = signed_in.get("/", headers=ZH)
        assert "X-Linli-Page" not in page.headers
        assert "退出" in page.get_data(as_text=True)  # the signed-in menu, not the kept page
    assert "退出" not in visitor.get("/", headers=ZH).get_data(as_text=True)


def test_a_page_showing_a_message_is_not_kept(kept_app, world, meal):
    visitor = kept_app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("success", "只给这位访客的消息")]
    page = visitor.get(f"/services/{meal.id}", headers=ZH)
    assert "只给这位访客的消息" in page.get_data(as_text=True)
    kept_app.test_client().get(f"/services/{meal.id}", headers=ZH)  # asked twice now
    other = kept_app.test_client().get(f"/services/{meal.id}", headers=ZH)
    assert "X-Linli-Page" not in other.headers
    assert "只给这位访客的消息" not in other.get_data(as_text=True)


def test_errors_redirects_and_partial_updates_are_not_kept(kept_app, world, meal):
    visitor = kept_app.test_client()
    for _ in range(2):
        assert "X-Linli-Page" not in visitor.get("/services/999999").headers
        assert "X-Linli-Page" not in visitor.get("/timebank/me").headers  # sign in first
        partial = visitor.get("/services/", headers={"HX-Request": "true"})
        assert "X-Linli-Page" not in partial.headers


def test_endless_made_up_addresses_leave_marks_not_pages(kept_app, world, meal):
    visitor = kept_app.test_client()
    page = visitor.get("/services/?q=made-up-0")
    assert page.status_code == 200 and len(page.get_data()) > 5000
    for number in range(1, 20):
        visitor.get(f"/services/?q=made-up-{number}")
    # Each address asked once left a mark of a few bytes; none left its page.
    stored = [path.stat().st_size for path in Path(kept_app.config["CACHE_DIR"]).iterdir()]
    assert len(stored) >= 20 and max(stored) < 200


def test_without_a_shared_store_nothing_is_kept(client, world, meal):
    client.get(f"/services/{meal.id}")
    client.get(f"/services/{meal.id}")
    assert "X-Linli-Page" not in client.get(f"/services/{meal.id}").headers


class StoreAway:
    """A cache store that is not running (Redis stopped): every call fails."""

    def __getattr__(self, name):
        def fail(*_args, **_kwargs):
            raise ConnectionError("Error 111 connecting to localhost:6379. Connection refused.")
        return fail


def test_with_the_store_away_pages_are_built_and_writes_answered(kept_app, world, meal,
                                                                  make_user, monkeypatch):
    monkeypatch.setattr(pagecache, "cache", StoreAway())
    worker = make_user(name="李晓梅", roles=[("community_worker", world["community"])])
    visitor = kept_app.test_client()
    for _ in range(3):
        page = visitor.get(f"/services/{meal.id}", headers=ZH)
        assert page.status_code == 200 and "X-Linli-Page" not in page.headers
        assert "2026年3月1日" in page.get_data(as_text=True)
    desk = kept_app.test_client()
    sign_in(desk, worker)
    form = desk.get(f"/services/{meal.id}", headers=ZH)
    assert desk.post(f"/services/{meal.id}/verified",
                     data={"csrf_token": token(form)}).status_code == 303
    assert "2026年3月1日" not in visitor.get(f"/services/{meal.id}", headers=ZH).get_data(
        as_text=True)


def test_a_kept_page_reaches_a_phone_compressed_with_its_own_token(kept_app, world, meal):
    first, second = kept_app.test_client(), kept_app.test_client()
    gzip_ok = {**ZH, "Accept-Encoding": "gzip, br"}
    first.get(f"/services/{meal.id}", headers=ZH)
    built = first.get(f"/services/{meal.id}", headers=ZH)
    kept = second.get(f"/services/{meal.id}", headers=gzip_ok)
    assert kept.headers["X-Linli-Page"] == "kept"
    assert kept.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in kept.headers["Vary"]
    plain = gzip.decompress(kept.get_data())
    assert int(kept.headers["Content-Length"]) == len(kept.get_data()) < len(plain) // 2
    page = plain.decode()
    assert CSRF_FIELD.sub("", page) == CSRF_FIELD.sub("", built.get_data(as_text=True))
    own_token = CSRF_FIELD.search(page).group(1)
    assert own_token != token(built)
    answer = second.post("/settings/language", data={"csrf_token": own_token, "value": "en",
                                            "next": f"/services/{meal.id}"})
    assert answer.status_code == 303
