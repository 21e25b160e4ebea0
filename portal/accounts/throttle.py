"""Slowing down wrong passwords on one number without letting anyone lock its owner out.

The login view has Flask-Limiter count wrong passwords per (number, address) and per address:
those lock only the address that made them. Across addresses, a number is slowed, never
locked: after LOGIN_SLOWDOWN_AFTER wrong passwords for it, each further try must come
LOGIN_SLOWDOWN_SECONDS after the last wrong one. A phone that has signed in to the number
before carries a signed "known device" cookie and is not slowed, so a stranger guessing
from elsewhere cannot keep the resident out.

Counts live in the rate limiter's storage (``PORTAL_RATELIMIT_STORAGE_URI``).
"""

import math
import time

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse
from limits.storage import MovingWindowSupport
from limits.strategies import MovingWindowRateLimiter

from portal.extensions import limiter

DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_DAYS = 365
DEVICE_ACCOUNTS = 5  # numbers one device remembers (a family's shared phone)


def _strategy():
    # A moving window, so "wait N seconds" counts from the last wrong password. The active
    # limiter's storage: this process's memory while Redis is away (see portal/config.py).
    storage = limiter.limiter.storage
    return MovingWindowRateLimiter(storage) if isinstance(storage, MovingWindowSupport) \
        else limiter.limiter


def _rules():
    settings = current_app.config["PORTAL"]
    return (parse(settings["LOGIN_SLOWDOWN_AFTER"]),
            parse(f"1 per {int(settings['LOGIN_SLOWDOWN_SECONDS'])} seconds"))


def seconds_to_wait(mobile):
    """Seconds before a password for ``mobile`` may be checked again; 0 means now."""
    after, pause = _rules()
    strategy = _strategy()
    if strategy.test(after, "login-slowdown", mobile) or strategy.test(pause, "login-pause",
                                                                      mobile):
        return 0
    reset_at = strategy.get_window_stats(pause, "login-pause", mobile).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def count_wrong_password(mobile):
    """Count a wrong password for ``mobile``, whatever the address."""
    after, pause = _rules()
    strategy = _strategy()
    strategy.hit(after, "login-slowdown", mobile)
    strategy.hit(pause, "login-pause", mobile)


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="linli.known-device")


def _known_ids():
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        ids = _serializer().loads(raw)
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def is_known_device(user):
    """Whether this browser has signed in to ``user``'s account before."""
    return user is not None and user.id in _known_ids()


def remember_device(response, user):
    """Mark this browser as one ``user`` signs in on; return ``response``."""
    ids = [user.id] + [i for i in _known_ids() if i != user.id][:DEVICE_ACCOUNTS - 1]
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps(ids), max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
