"""Two requests at the same moment, on PostgreSQL with two real connections: the first holds
its transaction open until the second is seen waiting for a lock, then both commit. Tests
that use this are marked ``postgres`` and skipped on SQLite (one writer at a time there)."""

import threading
import time

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.refusals import Refused


@pytest.fixture
def postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("locks between two connections are tested on PostgreSQL")


def _someone_waits_for_a_lock():
    with db.engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")).scalar() > 0


def race(app, first, second):
    """Run ``first`` in one connection and hold its transaction open until ``second``, in
    another, is blocked on a lock; then commit both. Return {"first": …, "second": …}: what
    each returned, the reason it was refused, or the exception it raised."""
    results, holding, release = {}, threading.Event(), threading.Event()

    def run(name, action, hold):
        with app.app_context():
            try:
                outcome = action()
                if hold:
                    holding.set()
                    release.wait(20)
                db.session.commit()
                results[name] = outcome
            except Refused as refused:
                db.session.rollback()
                results[name] = refused.reason
            except Exception as error:  # noqa: BLE001  (reported to the test)
                db.session.rollback()
                results[name] = error
            finally:
                holding.set()
                db.session.remove()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    holding.wait(20)
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    deadline = time.monotonic() + 20
    while not _someone_waits_for_a_lock():
        assert time.monotonic() < deadline, "the second connection never waited for a lock"
        time.sleep(0.02)
    release.set()
    one.join(20)
    two.join(20)
    return results
