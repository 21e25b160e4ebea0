"""Regression tests for what an outside probe broke: reflected markup through translated
strings, NUL characters, personal pages in caches, open redirects and the Host header.
(Races under a real server are in test_server_races.py; every route is attacked by itself in
test_url_map.py.)"""

from datetime import timedelta

import pytest
from flask import render_template_string

from portal import create_app
from portal.accounts.models import User
from portal.config import InsecureConfiguration
from portal.extensions import db
from portal.i18n import lazy_gettext
from portal.timebank.models import HourLog
from portal.timeutil import local_today, utcnow
from tests.helpers import text

PAYLOAD = '<form hx-post="/timebank/gift" hx-trigger="load"><b>X</b></form>'


# --- 1. reflected markup ---

def test_a_translated_string_escapes_the_values_put_into_it(app):
    with app.test_request_context():
        message = lazy_gettext("There is no kind of service called “%(value)s”.",
                               value="<b>X</b>")
        html = render_template_string("{{ message }}", message=message)
    assert "<b>" not in html and "&lt;b&gt;X&lt;/b&gt;" in html


@pytest.mark.parametrize("path", ["/services/", "/services/coverage/{community}"])
def test_query_values_shown_in_messages_are_escaped(client, world, login_as, path):
    login_as("community_worker", world["community"])
    url = path.format(community=world["community"].id)
    response = client.get(url, query_string={"category": PAYLOAD})
    assert "<form hx-post" not in text(response) and "<b>X" not in text(response)
    assert "&lt;form hx-post" in text(response)  # shown back, as text


def test_htmx_runs_no_script_that_arrives_in_swapped_content(client):
    page = text(client.get("/places/"))  # a page that loads htmx
    assert "allowScriptTags&#34;:false" in page


# --- NUL characters ---

def test_nul_characters_are_refused_and_nothing_is_stored(client, world, login_as):
    user = login_as()
    response = client.submit("/accounts/profile", {
        "name": "张\x00三", "courtyard": world["courtyard"].id, "locale": "zh_Hans",
        "text_size": "standard"}, token_from="/accounts/profile")
    assert response.status_code == 400 and "请求有问题" in text(response)
    db.session.refresh(user)
    assert user.name == "测试居民"
    assert client.get("/services/", query_string={"near": "a\x00"}).status_code == 400


def test_ids_too_large_to_exist_are_not_found_and_ignored_in_queries(client, world, login_as):
    login_as("admin", world["city"])
    assert client.get(f"/places/{2**63}").status_code == 404
    assert client.get(f"/places/{2**31}").status_code == 404
    response = client.get("/accounts/profile", query_string={"courtyard": str(10**30)})
    assert response.status_code == 200
    response = client.get(f"/places/{world['community'].id}", query_string={"page": str(2**63)})
    assert response.status_code == 200


# --- 11. personal pages are not cached ---

def test_signed_in_pages_and_exports_are_never_stored(client, world, login_as):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login_as("community_worker", world["community"])
    for path in ("/", "/accounts/profile", "/timebank/me", "/timebank/export"):
        response = client.get(path)
        assert response.status_code in (200, 303), path
        assert response.cache_control.no_store, path
        assert response.cache_control.private, path


# --- 12. next and Host ---

def test_approving_never_sends_anyone_to_another_site(client, world, login, make_user,
                                                       make_volunteer, make_activity):
    from portal.timebank import activities, logs

    volunteer = make_volunteer()
    activity = make_activity()
    activities.sign_up(volunteer, activity, utcnow() - timedelta(hours=3))
    log = logs.submit(volunteer, 60, now=utcnow(), today=local_today(), activity=activity)
    db.session.commit()
    login(make_user(name="社工", roles=[("community_worker", world["community"])]))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.submit(f"/timebank/logs/{log.id}/approve", {"next": target})
        assert response.status_code == 303
        assert "evil.example" not in response.headers["Location"]
    assert db.session.get(HourLog, log.id).status == "approved"


def test_printed_addresses_come_from_the_configured_base_not_the_host_header(
        app, client, world, make_activity, login_as):
    activity = make_activity()
    calendar = text(client.get(f"/timebank/activities/{activity.id}.ics",
                               headers={"Host": "evil.example"}))
    base = app.config["PORTAL"]["BASE_URL"]
    assert "evil.example" not in calendar and f"URL:{base}/timebank/" in calendar

    login_as("community_worker", world["community"])
    client.submit("/accounts/counter", {"mobile": "13912345678", "name": "王大爷",
                                        "courtyard": world["courtyard"].id},
                  token_from="/accounts/counter")
    resident = db.session.scalar(db.select(User).filter_by(mobile="13912345678"))
    slip = text(client.get(f"/accounts/people/{resident.id}/slip",
                           headers={"Host": "evil.example"}))
    assert "evil.example" not in slip


def test_production_needs_an_https_base_url_and_sends_hsts(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    settings = {"ENV": "production", "SECRET_KEY": "x" * 40,
                "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    with pytest.raises(InsecureConfiguration):
        create_app(settings)
    app = create_app(settings | {"BASE_URL": "https://linli.example.cn/"})
    assert app.config["PORTAL"]["BASE_URL"] == "https://linli.example.cn"
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        response = app.test_client().get("/")
        db.session.remove()  # give the connection back first: dispose() closes only
        db.engine.dispose()  # pooled ones, and a dropped one warns when collected later
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
