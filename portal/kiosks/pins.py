"""Kiosk PINs: 6 digits a resident types on the kiosk's number pad to sign in there.

Stored as a password hash (``User.kiosk_pin_hash``), never shown. The obvious ones are
refused: one digit six times, a run up or down (123456, 987654, 890123), a pattern of two or
three digits repeated (121212, 123123), and the last six digits of the person's own mobile
number. Wrong PINs are counted by the kiosk views (per number and per kiosk).
"""

import re
import secrets
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit
from portal.refusals import Refused

PIN_LENGTH = 6
_PIN = re.compile(r"^[0-9]{6}$")


def is_simple(pin):
    """Whether ``pin`` is one of the easy guesses."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return (len(steps) == 1 and steps <= {0, 1, 9}) or pin == pin[:2] * 3 or pin == pin[:3] * 2


def check_pin(user, pin):
    """Raise Refused unless ``pin`` is a PIN ``user`` may choose."""
    if not _PIN.match(pin or ""):
        raise Refused("pin_format", field="pin")
    if user.mobile.endswith(pin):
        raise Refused("pin_mobile", field="pin")
    if is_simple(pin):
        raise Refused("pin_simple", field="pin")


def set_pin(user, pin, actor):
    """Give ``user`` the kiosk PIN ``pin`` (chosen by them: in their profile, or typed by them
    at the counter, ``actor`` being the worker there)."""
    check_pin(user, pin)
    user.kiosk_pin_hash = generate_password_hash(pin)
    audit.record("user.kiosk_pin", user, actor=actor)
    return user


@cache
def _dummy_hash():
    return generate_password_hash(secrets.token_hex(8))


def pin_matches(user, pin):
    """Check ``pin`` against the user's; as slow for an unknown number or no PIN yet, so the
    time says nothing about which numbers have one."""
    if user is None or not user.active or not user.kiosk_pin_hash:
        check_password_hash(_dummy_hash(), pin or "")
        return False
    return check_password_hash(user.kiosk_pin_hash, pin or "")
