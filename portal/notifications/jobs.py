"""Timed work, run by one idempotent command that cron calls every minute on any number of
app machines at once: ``flask --app wsgi jobs run-due``.

A job is a function ``job(now)`` that does what is due at ``now``, commits its own work,
claims each due item so that concurrent runs never do it twice (``FOR UPDATE SKIP LOCKED``
on PostgreSQL), and returns a line saying what it did. Later timed work (reminders,
closing votes …) is added to ``JOBS`` with ``register_job``.
"""

from portal.extensions import db
from portal.notifications.sender import deliver_due

JOBS = []


def register_job(name, job):
    """Add ``job(now) -> str`` to the work ``run-due`` does, under ``name``; once per name."""
    if all(existing != name for existing, _job in JOBS):
        JOBS.append((name, job))


def run_due(now):
    """Run every job once; yield (name, what it did, ok). One job failing does not stop the
    others: its transaction is rolled back and the error reported."""
    for name, job in JOBS:
        try:
            yield name, str(job(now)), True
        except Exception as problem:  # noqa: BLE001  (reported, and the next job runs)
            db.session.rollback()
            yield name, f"{type(problem).__name__}: {problem}", False


register_job("sms", lambda now: deliver_due(now))
