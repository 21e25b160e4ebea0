"""Sending a message: into the recipient's inbox always, and by SMS when a gateway is set.

``notify`` is called by a domain's rule inside the request's transaction. It stores one
message per change (the unique ``key``), and when ``PORTAL_SMS_WEBHOOK_URL`` is set it only
queues an ``SmsDelivery``: no gateway is ever called inside a request, so a slow or broken
gateway cannot fail or hold up the action that caused the message.

``deliver_due`` (run by ``flask --app wsgi jobs run-due``, see portal/notifications/jobs.py)
sends what is due through the channel: by default the webhook, an HTTP POST of JSON
``{"mobile": …, "text": …}`` per message. A failed send is retried after 1, 5 and 30 minutes
and given up after ``MAX_ATTEMPTS``. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` (on
PostgreSQL) and pushed past a claim window before anything is sent, so any number of app
machines can run the job at once and each delivery is tried by one of them.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.config import LOCALES
from portal.extensions import db
from portal.notifications import kinds
from portal.notifications.models import Message, SmsDelivery
from portal.timeutil import utcnow
from portal.urls import absolute_url

__all__ = ["BACKOFF", "MAX_ATTEMPTS", "Delivered", "deliver_due", "notify", "sms_channel",
           "webhook_channel"]

# Minutes to wait after the 1st, 2nd, 3rd (and every later) failed try.
BACKOFF = (1, 5, 30)
MAX_ATTEMPTS = 5
# A claimed delivery is not due again for this long, so a machine that dies while sending
# leaves it to be tried again later, and no other machine takes it meanwhile.
CLAIM = timedelta(minutes=10)
TIMEOUT_SECONDS = 5
KEY_MAX = 120


def _subject_type(subject):
    return type(subject).__tablename__


def notify(user, kind, subject, key, now=None, **params):
    """Tell ``user`` that something about ``subject`` (a model instance with an id) changed;
    return the message (the one already stored when this change was told before).

    ``key`` names the change ("objection_answered:12"); the recipient's id is added to it, so
    one change can tell several people, each once. ``params`` (plain values) fill the words
    registered for ``kind``. Sending the same change twice — a double submit, two requests
    racing — stores one message."""
    if not kinds.is_registered(kind):
        raise KeyError(f"no words registered for message kind {kind!r}")
    now = utcnow() if now is None else now
    full_key = f"{key}:{user.id}"
    if len(full_key) > KEY_MAX:
        raise ValueError(f"message key {full_key!r} is longer than {KEY_MAX} characters")
    existing = _by_key(full_key)
    if existing is not None:
        return existing
    message = Message(user_id=user.id, kind=kind, subject_type=_subject_type(subject),
                      subject_id=subject.id, key=full_key, created_at=now,
                      params=json.dumps(params, ensure_ascii=False, default=str))
    try:
        # A savepoint: losing a race to the same key undoes only this insert, not the
        # caller's work in the same transaction.
        with db.session.begin_nested():
            db.session.add(message)
            if _webhook_url() and user.mobile:
                db.session.add(SmsDelivery(message=message, next_attempt_at=now))
    except IntegrityError:
        return _by_key(full_key)
    return message


def _by_key(key):
    return db.session.scalar(select(Message).where(Message.key == key))


def _webhook_url():
    return current_app.config["PORTAL"].get("SMS_WEBHOOK_URL", "")


# --- channels ----------------------------------------------------------------------------

def webhook_channel(url, timeout=TIMEOUT_SECONDS):
    """A channel that POSTs ``{"mobile", "text"}`` as JSON to ``url``; it raises (OSError,
    ValueError) unless the gateway answers 2xx within ``timeout`` seconds."""
    if not url.startswith(("http://", "https://")):
        raise ValueError("PORTAL_SMS_WEBHOOK_URL must be an http:// or https:// URL")

    def send(mobile, text):
        body = json.dumps({"mobile": mobile, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as refused:  # 4xx, 5xx: said plainly, its socket closed
            refused.close()
            raise OSError(f"gateway answered {refused.code}") from None
        if not 200 <= status < 300:
            raise OSError(f"gateway answered {status}")

    return send


def sms_channel():
    """The configured SMS channel, or None when no gateway is set."""
    url = _webhook_url()
    return webhook_channel(url) if url else None


# --- the timed job -----------------------------------------------------------------------

@dataclass
class Delivered:
    """What one run of ``deliver_due`` did."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0

    def __str__(self):
        return (f"sms: {self.sent} sent, {self.retrying} to retry later, "
                f"{self.given_up} given up.")


def sms_text(message):
    """The SMS for ``message``: its words in the recipient's language, and its link."""
    user = message.user
    locale = user.locale if user.locale in LOCALES else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        text = kinds.words(message)
    with current_app.test_request_context():  # url_for outside a request
        link = absolute_url("notifications.open", message_id=message.id)
    return f"{text} {link}"


def _claim(now, limit):
    """Take up to ``limit`` due deliveries for this run and commit, so no other run (on this
    machine or another) takes them: locked rows are skipped, claimed ones are no longer due."""
    claimed = db.session.scalars(
        select(SmsDelivery)
        .where(SmsDelivery.delivered_at.is_(None), SmsDelivery.next_attempt_at <= now)
        .order_by(SmsDelivery.next_attempt_at, SmsDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)).all()
    for delivery in claimed:
        delivery.attempts += 1
        delivery.next_attempt_at = now + CLAIM
    db.session.commit()
    return claimed


def deliver_due(now=None, limit=50, send=None):
    """Send the SMS deliveries due at ``now`` through ``send(mobile, text)`` (default: the
    configured webhook; nothing is done when none is set). Commits; returns ``Delivered``."""
    now = utcnow() if now is None else now
    send = send or sms_channel()
    done = Delivered()
    if send is None:
        return done
    for delivery in _claim(now, limit):
        message = delivery.message
        try:
            send(message.user.mobile, sms_text(message))
        except (OSError, ValueError) as problem:  # refused, timed out, 4xx/5xx, bad URL
            delivery.last_error = (str(problem) or type(problem).__name__)[:200]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.next_attempt_at = None
                done.given_up += 1
            else:
                wait = BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
                delivery.next_attempt_at = now + timedelta(minutes=wait)
                done.retrying += 1
        else:
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.last_error = None
            done.sent += 1
        db.session.commit()  # each result is kept: a crash later sends nothing twice
    return done
