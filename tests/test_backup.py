"""`flask --app wsgi backup`: a copy taken while the portal serves is one consistent moment,
and a database restored from it passes both ledgers' checks with the balances of that moment.

The backup test builds its own SQLite file database (the suite's may be PostgreSQL); the
PostgreSQL path runs when the suite's database is PostgreSQL and pg_dump is installed.
"""

import shutil
import sqlite3
import subprocess
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from portal import backup as backups
from portal import create_app
from portal.accounts.models import User
from portal.extensions import db
from portal.funds import money
from portal.funds.models import Fund
from portal.timebank import ledger
from portal.timebank.models import Account
from portal.timeutil import utcnow


@contextmanager
def portal_on(url, demo=False):
    """A portal on the database at ``url``, migrated to the head (and holding the demo world:
    funds with donations, grants and a disbursement, time-bank hours), closed afterwards."""
    app = create_app({"TESTING": True, "DATABASE_URL": str(url), "SECRET_KEY": "backup-test",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
        if demo:
            from portal.demo import seed_demo

            seed_demo()
            db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def balances():
    """Every fund's and every time-bank account's balance, by id."""
    funds = {fund.id: money.balance(fund) for fund in db.session.scalars(select(Fund))}
    hours = dict(db.session.execute(select(Account.id, Account.balance)).all())
    return funds, hours


def verified(app):
    runner = app.test_cli_runner()
    for group in ("funds", "timebank"):
        result = runner.invoke(args=[group, "verify"])
        assert result.exit_code == 0, result.output
        assert "0 problem" not in result.output and "equals the sum" in result.output


def backed_up_while_serving(live, copy):
    """Back ``live`` up to ``copy`` and carry on writing money and hours: the balances at
    the moment of the backup."""
    with live.app_context():
        at_backup = balances()
    assert at_backup[0] and at_backup[1]  # there is money and there are hours to keep
    result = live.test_cli_runner().invoke(args=["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert str(copy) in result.output
    with live.app_context():  # the portal carries on after the backup
        worker = db.session.scalar(select(User).filter_by(mobile="13900000001"))
        giver = db.session.scalar(select(User).filter_by(mobile="13900000006"))
        money.donate(worker, db.session.scalars(select(Fund)).first(), 12_345, "赵六",
                     utcnow())
        ledger.move("donate", ledger.person_account(giver),
                    ledger.pool_account(giver.home_courtyard.ancestor("community")), 30,
                    actor=giver)
        db.session.commit()
        assert balances() != at_backup
    return at_backup


def assert_restored_as_of(url, at_backup):
    """A portal on the restored database at ``url``: both ledgers verify, with the balances
    of the moment of the backup."""
    with portal_on(url) as restored:  # upgrade() finds it at the head already
        verified(restored)
        with restored.app_context():
            assert balances() == at_backup


@pytest.fixture
def live(tmp_path):
    """A portal on an SQLite file holding the demo world."""
    with portal_on(f"sqlite:///{tmp_path / 'live.db'}", demo=True) as app:
        yield app


def test_a_restored_backup_verifies_with_the_balances_of_its_moment(live, tmp_path):
    copy = tmp_path / "backups" / "linli.db"
    at_backup = backed_up_while_serving(live, copy)
    restored_file = tmp_path / "restored.db"
    shutil.copyfile(copy, restored_file)  # the documented restore: cp
    assert_restored_as_of(f"sqlite:///{restored_file}", at_backup)
    verified(live)


def test_a_backup_leaves_out_what_is_not_committed_yet(live, tmp_path):
    """A write in progress in another process neither blocks the copy nor gets into it."""
    live_file = make_url(live.config["SQLALCHEMY_DATABASE_URI"]).database
    writer = sqlite3.connect(live_file, isolation_level=None, timeout=10)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE fund_account SET balance = balance + 1 WHERE kind = 'fund'")
        copy = backups.backup_sqlite(backups.sqlite_path(make_url(f"sqlite:///{live_file}")),
                                     tmp_path / "mid-write.db")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with portal_on(f"sqlite:///{copy}") as restored:
        verified(restored)  # the half-done +1 would break the fund's books


def test_the_default_name_is_dated_in_the_instance_folder(tmp_path):
    source = tmp_path / "x.db"
    sqlite3.connect(source).close()
    import datetime

    result = backups.backup(f"sqlite:///{source}", folder=tmp_path / "backups",
                            now=datetime.datetime(2025, 3, 9, 7, 5))
    assert result.path == tmp_path / "backups" / "linli-20250309-0705.db"
    assert result.path.is_file()
    assert not list((tmp_path / "backups").glob("*.partial"))


def test_a_backup_never_overwrites_or_invents(live, tmp_path):
    runner = live.test_cli_runner()
    taken = tmp_path / "taken.db"
    taken.write_text("an older backup")
    result = runner.invoke(args=["backup", str(taken)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert taken.read_text() == "an older backup"
    with pytest.raises(FileNotFoundError):
        backups.backup(f"sqlite:///{tmp_path / 'nothing-here.db'}", tmp_path / "copy.db")
    assert not (tmp_path / "nothing-here.db").exists()
    with pytest.raises(ValueError, match="in-memory"):
        backups.backup("sqlite://", tmp_path / "memory.db")


def test_postgresql_backups_use_pg_dump_with_the_url_and_no_password_on_the_line(
        tmp_path, monkeypatch):
    url = make_url("postgresql+psycopg://linli:s3cret@db.example.cn:5433/linli?sslmode=require")
    command = backups.pg_dump_command(url, tmp_path / "linli.dump")
    assert command[:3] == ["pg_dump", "--format=custom", "--no-owner"]
    assert f"--file={tmp_path / 'linli.dump'}" in command
    assert ("--dbname=postgresql://linli@db.example.cn:5433/linli?sslmode=require"
            in command)
    assert "s3cret" not in " ".join(command)

    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    result = backups.backup(str(url), tmp_path / "linli.dump")
    assert result.missing_tool and result.path is None and result.command == command


def postgresql_url():
    import os

    url = os.environ.get("PORTAL_TEST_DATABASE_URL") or os.environ.get("PORTAL_DATABASE_URL")
    return url if url and url.startswith("postgresql") else None


@pytest.mark.skipif(postgresql_url() is None,
                    reason="the suite's database is not PostgreSQL (PORTAL_TEST_DATABASE_URL)")
@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                    reason="pg_dump and pg_restore are not installed")
def test_postgresql_backup_is_an_archive_pg_restore_reads(world, tmp_path):
    db.session.commit()
    result = backups.backup(postgresql_url(), tmp_path / "linli.dump")
    assert result.path.is_file() and not result.missing_tool
    listing = subprocess.run(["pg_restore", "--list", str(result.path)], check=True,
                             capture_output=True, text=True).stdout
    assert "TABLE DATA public fund_entry" in listing
    assert "TABLE DATA public place" in listing


@contextmanager
def new_postgresql_database(name):
    """An empty database of that name beside the suite's, dropped afterwards: its URL (with
    its password, for the app)."""
    suite = make_url(postgresql_url())
    server = create_engine(suite, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield suite.set(database=name).render_as_string(hide_password=False)
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


@pytest.mark.skipif(postgresql_url() is None,
                    reason="the suite's database is not PostgreSQL (PORTAL_TEST_DATABASE_URL)")
@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                    reason="pg_dump and pg_restore are not installed")
def test_a_postgresql_backup_restored_as_documented_verifies_with_its_balances(tmp_path):
    """The drill on PostgreSQL: the demo world's database backed up while the portal carries
    on, restored into an empty database with the README's pg_restore line; both ledgers verify
    there, with the balances of the moment of the backup."""
    suite = make_url(postgresql_url()).database
    with (new_postgresql_database(f"{suite}_drill_live") as live_url,
          new_postgresql_database(f"{suite}_drill_restored") as restored_url):
        with portal_on(live_url, demo=True) as live:
            at_backup = backed_up_while_serving(live, tmp_path / "linli.dump")
        libpq = (make_url(restored_url).set(drivername="postgresql")
                 .render_as_string(hide_password=False))
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                        f"--dbname={libpq}", str(tmp_path / "linli.dump")],
                       check=True, capture_output=True)
        assert_restored_as_of(restored_url, at_backup)
