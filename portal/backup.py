"""Backups of the portal's database, taken while it serves.

SQLite: Python's ``sqlite3`` online backup API copies the live file page by page into a new
file; readers and writers carry on (a write during the copy makes it start that part again),
and the copy is one consistent moment of the database, write-ahead log included. Restore by
stopping the app and copying the file back (``cp backup.db instance/linli.db``).

PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, the app keeps serving);
restore with ``pg_restore --clean --if-exists --no-owner --dbname …``. When ``pg_dump`` is
not installed, the exact command is given instead.
"""

import datetime
import os
import shlex
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

# Pages copied per step of the SQLite backup: small steps let the app's writers in between.
PAGES_PER_STEP = 1024


@dataclass
class Result:
    """What a backup did: the file written, or the command to run by hand."""

    path: Path | None
    command: list[str] | None = None
    missing_tool: bool = False


def default_destination(folder, now, suffix):
    """instance/backups/linli-YYYYmmdd-HHMM.<suffix> (``now`` in local time)."""
    return Path(folder) / f"linli-{now:%Y%m%d-%H%M}.{suffix}"


def backup(database_url, destination=None, folder="backups", now=None):
    """Back up the database at ``database_url`` to ``destination`` (default: a dated file in
    ``folder``); return a ``Result``. Refuses to overwrite an existing file."""
    url = make_url(database_url)
    now = now or datetime.datetime.now()
    if url.get_backend_name() == "sqlite":
        target = Path(destination or default_destination(folder, now, "db"))
        _refuse_existing(target)
        return Result(backup_sqlite(sqlite_path(url), target))
    if url.get_backend_name() == "postgresql":
        target = Path(destination or default_destination(folder, now, "dump"))
        _refuse_existing(target)
        return backup_postgresql(url, target)
    raise ValueError(f"No backup method for {url.get_backend_name()} databases.")


def _refuse_existing(target):
    if target.exists():
        raise FileExistsError(f"{target} exists already; choose another name.")


def sqlite_path(url):
    """The file of an SQLite URL; an in-memory database has none to back up."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise ValueError("An in-memory SQLite database has no file to back up.")
    return Path(database)


def backup_sqlite(source, target):
    """Copy the live database ``source`` into the new file ``target`` with SQLite's online
    backup; return ``target``. Safe while other processes read and write ``source``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if not source.is_file():  # connecting would create an empty database
        raise FileNotFoundError(f"There is no database file at {source}.")
    live = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        live.backup(copy, pages=PAGES_PER_STEP)
        # A copy is a plain file: the write-ahead log is folded in, nothing beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if problems != "ok":
            raise RuntimeError(f"The copy failed its integrity check: {problems}")
    finally:
        copy.close()
        live.close()
    partial.rename(target)  # only a finished, checked copy gets the name
    return target


def pg_dump_command(url, target):
    """``pg_dump`` for the SQLAlchemy ``url`` (its password left out: it goes in PGPASSWORD)."""
    libpq = url.set(drivername="postgresql")._replace(password=None)
    return ["pg_dump", "--format=custom", "--no-owner", f"--file={target}",
            f"--dbname={libpq.render_as_string(hide_password=False)}"]


def backup_postgresql(url, target):
    command = pg_dump_command(url, target)
    if shutil.which("pg_dump") is None:
        return Result(None, command, missing_tool=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    partial = target.with_name(target.name + ".partial")
    run = [*command[:3], f"--file={partial}", *command[4:]]
    finished = subprocess.run(run, env=env, capture_output=True, text=True)
    if finished.returncode != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"pg_dump failed: {finished.stderr.strip()}")
    partial.rename(target)
    return Result(target, command)


def shown(command):
    """A command as one line to paste into a shell."""
    return shlex.join(command)
