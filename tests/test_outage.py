"""The database going away: every request answers a clear 503 page in the visitor's language
(never a traceback, never a hang), nothing half-done is kept, and the portal serves again by
itself when the database is back — no restart.

The outage is simulated in-process: new connections fail as they do when PostgreSQL is
stopped ("connection refused"), and statements fail as they do when it stops under a
request or SQLite stays locked. tools/soak.py --outage drills the real thing.
"""

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import event, exc, func, select

from portal.councils.models import Request
from portal.extensions import db

TITLE_ZH = "服务繁忙或正在维护"
TITLE_EN = "The service is busy or under maintenance"
NEW_REQUEST = "/councils/requests/new"


def refused_connection(*_args, **_kwargs):
    # The driver's own error (sqlite3's or psycopg's), which SQLAlchemy wraps as in life.
    raise db.engine.dialect.loaded_dbapi.OperationalError(
        "connection refused: the database is not running")


@contextmanager
def database_down():
    """No new connection can be made, and the pooled ones are gone (as after a restart)."""
    db.session.remove()
    db.engine.dispose()
    event.listen(db.engine, "do_connect", refused_connection)
    try:
        yield
    finally:
        event.remove(db.engine, "do_connect", refused_connection)


@contextmanager
def statements_fail(when):
    """Statements for which ``when(statement)`` is true fail as if the server went away."""
    def fail(_conn, _cursor, statement, parameters, _context, _many):
        if when(statement):
            raise exc.OperationalError(statement, parameters,
                                       sqlite3.OperationalError("database is locked"))

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)


def requests_written():
    return db.session.scalar(select(func.count()).select_from(Request))


def assert_unavailable(response, title=TITLE_ZH):
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert title in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert page.count("<h1>") == 1
    assert "Content-Security-Policy" in response.headers  # the usual headers still added
    return page


def test_a_visitor_gets_a_503_in_chinese_and_the_page_again_after(client, world):
    assert client.get("/places/").status_code == 200
    with database_down():
        page = assert_unavailable(client.get("/places/"))
        assert "请过几分钟再试，或拨打社区服务热线" in page
        assert "12345" in page  # the configured hotline: the community is not known now
    assert client.get("/places/").status_code == 200  # back by itself


def test_the_page_speaks_the_visitors_language_from_the_cookie(client, world):
    client.set_cookie("lang", "en")
    with database_down():
        page = assert_unavailable(client.get("/timebank/"), TITLE_EN)
        assert 'lang="en"' in page
    assert client.get("/timebank/").status_code == 200


def test_a_signed_in_resident_gets_the_503_too(client, login, make_user, world):
    login(make_user(courtyard=world["courtyard"]))
    assert client.get("/").status_code == 200
    with database_down():
        assert_unavailable(client.get("/"))
        assert_unavailable(client.get(NEW_REQUEST))
    assert client.get(NEW_REQUEST).status_code == 200


def test_a_write_during_the_outage_is_answered_503_and_not_done(client, login, make_user,
                                                                 world):
    login(make_user(courtyard=world["courtyard"]))
    token = client.csrf_token(NEW_REQUEST)
    form = {"csrf_token": token, "category": "environment", "public": "yes",
            "body": "三单元楼道的灯坏了一个月了"}
    with database_down():
        assert_unavailable(client.post(NEW_REQUEST, data=form))
    assert requests_written() == 0
    assert client.post(NEW_REQUEST, data=form).status_code == 303  # sent again: done once
    assert requests_written() == 1


def test_a_statement_failing_mid_request_keeps_the_signed_in_users_language(
        client, login, make_user, world):
    login(make_user(courtyard=world["courtyard"], locale="en"))
    form = {"csrf_token": client.csrf_token(NEW_REQUEST), "category": "safety",
            "public": "yes", "body": "院门的锁坏了"}
    with statements_fail(lambda sql: sql.lstrip().upper().startswith("INSERT")):
        assert_unavailable(client.post(NEW_REQUEST, data=form), TITLE_EN)
    assert requests_written() == 0


def test_a_commit_that_fails_is_answered_503_not_a_success(app, client, login, make_user,
                                                          world, monkeypatch, caplog):
    """The commit runs after the view: if the database goes then, the answer must not be the
    303 of a write that was not kept — and the log says so in one line, not a traceback an
    operator would take for a fault (the soak's outage drill met it)."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    login(make_user(courtyard=world["courtyard"]))
    form = {"csrf_token": client.csrf_token(NEW_REQUEST), "category": "other",
            "public": "no", "body": "垃圾桶满了没人清"}

    def server_gone(_conn):
        raise exc.OperationalError("COMMIT", {}, sqlite3.OperationalError("server closed"))

    event.listen(db.engine, "commit", server_gone)
    try:
        assert_unavailable(client.post(NEW_REQUEST, data=form))
    finally:
        event.remove(db.engine, "commit", server_gone)
    assert requests_written() == 0
    logged = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage().split(":")[0] for r in logged] == [
        f"Database unavailable during POST {NEW_REQUEST}"]
    assert not any(r.exc_info for r in logged)


def test_stale_pooled_connections_are_replaced_without_an_error(client, world):
    """After the database restarts, the pool's connections are dead: each is checked before
    use (pool_pre_ping) and a new one made, so the first request after is already a 200."""
    opened = []

    def remember(dbapi_connection, _record):
        opened.append(dbapi_connection)

    db.session.remove()
    db.engine.dispose()
    event.listen(db.engine, "connect", remember)
    try:
        assert client.get("/places/").status_code == 200
    finally:
        event.remove(db.engine, "connect", remember)
    assert opened
    for connection in opened:
        connection.close()  # the server side went away
    assert client.get("/places/").status_code == 200


def test_other_database_errors_stay_500(app, client, world, monkeypatch):
    """Only "cannot reach the database" is a 503; a broken query is a bug, shown as one."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    def bad_query(_conn, _cursor, statement, parameters, _context, _many):
        raise exc.ProgrammingError(statement, parameters,
                                   sqlite3.ProgrammingError("no such column"))

    event.listen(db.engine, "before_cursor_execute", bad_query)
    try:
        response = client.get("/places/")
    finally:
        event.remove(db.engine, "before_cursor_execute", bad_query)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


@pytest.mark.parametrize("url, expected", [
    ("postgresql+psycopg://u@/linli?host=/tmp", {"connect_timeout": 3}),
    ("sqlite:///instance/linli.db", None),
])
def test_postgresql_connections_time_out_quickly_and_sqlite_is_unchanged(url, expected):
    from portal.config import engine_options

    options = engine_options(url)
    assert options["pool_pre_ping"] is True
    assert options.get("connect_args") == expected
