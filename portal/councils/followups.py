"""Four weeks after a request is closed, its requester and supporters are asked again
whether the problem stayed solved (``follow_up_due`` in 我的消息).

``send_follow_ups(now)`` is a timed job (``flask --app wsgi jobs run-due``, any number of
machines at once): each batch of due requests is claimed with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, marked sent and told in the same transaction, then committed, so no request is
told twice. Closing again after a reopening sets a new ``follow_up_at`` (``states.move``), and
so a new follow-up, with its own message key.
"""

from sqlalchemy import select

from portal.councils import telling
from portal.councils.models import Request
from portal.extensions import db
from portal.notifications.jobs import register_job

BATCH = 200
CLOSED = ("closed",)


def _claim(now, limit):
    """Due follow-ups of this run, locked (others skip them) until the commit."""
    return db.session.scalars(
        select(Request)
        .where(Request.state.in_(CLOSED), Request.follow_up_at.is_not(None),
               Request.follow_up_at <= now, Request.follow_up_sent_at.is_(None))
        .order_by(Request.follow_up_at, Request.id)
        .limit(limit)
        .with_for_update(skip_locked=True)).all()


def send_follow_ups(now, batch=BATCH):
    """Tell the requester and supporters of every closed request whose follow-up is due at
    ``now``; commit each batch; return what was done in a line."""
    sent = 0
    while True:
        due = _claim(now, batch)
        for request in due:
            request.follow_up_sent_at = now
            telling.tell_request(request, "follow_up_due",
                                 f"{request.id}:{request.follow_up_at.isoformat()}", now)
        db.session.commit()
        sent += len(due)
        if len(due) < batch:
            return f"{sent} follow-ups sent"


register_job("council_follow_ups", send_follow_ups)
