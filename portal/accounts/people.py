"""Rules about people: registration, passwords, one-time first-login codes (mobile numbers
themselves are read in portal/phones.py)."""

import re
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit
from portal.accounts.models import User
from portal.extensions import db
from portal.phones import normalize_mobile
from portal.timeutil import utcnow

NAME_MAX = 40
PASSWORD_MIN = 6
PASSWORD_MAX = 128
CODE_LENGTH = 8


def find_by_mobile(mobile):
    return db.session.scalar(db.select(User).filter_by(mobile=normalize_mobile(mobile)))


def register(mobile, name, courtyard, password=None, registered_by=None):
    """Create a resident; without a password they sign in first with a counter code."""
    user = User(mobile=mobile, name=name.strip(), home_courtyard=courtyard,
                registered_by_id=getattr(registered_by, "id", None))
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.register", user, actor=registered_by or user,
                 assisted=registered_by is not None)
    return user


@cache
def _dummy_hash():
    """A hash of nothing anyone knows, made like a real one (same method, same cost)."""
    return generate_password_hash(secrets.token_hex(16))


def password_matches(user, password):
    """Check ``password`` against the user's hash — or, when there is no user or no password
    yet, against a dummy hash, so the answer takes as long and the time says nothing about
    which numbers are registered."""
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def change_password(user, current, new):
    """Set a new password if ``current`` is right; return whether it was. Every session of
    the user ends (the caller signs this device in again)."""
    if not password_matches(user, current):
        return False
    user.set_password(new)
    user.sign_out_everywhere()
    audit.record("user.password", user, actor=user)
    return True


def issue_first_login_code(user, issued_by):
    """Give ``user`` a fresh one-time code (digits, easy to type on any phone); return it.

    It comes with a fresh set of tries, and the user is signed out everywhere: whoever holds
    the slip is the one to choose the password now.
    """
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    hours = current_app.config["PORTAL"]["FIRST_LOGIN_CODE_HOURS"]
    user.first_login_code_hash = generate_password_hash(code)
    user.first_login_code_expires_at = utcnow() + timedelta(hours=hours)
    user.first_login_code_failures = 0
    user.sign_out_everywhere()
    audit.record("user.first_login_code", user, actor=issued_by)
    return code


def _has_live_code(user):
    return (
        user is not None
        and bool(user.first_login_code_hash)
        and user.first_login_code_expires_at is not None
        and user.first_login_code_expires_at >= utcnow()
    )


def _take_a_try(user):
    """Count one try at the user's code before checking it. Return whether a try was left
    (and is now used) and whether no try is left after it.

    One UPDATE that counts only while tries remain, so requests sent at once cannot check
    the code more often than FIRST_LOGIN_CODE_TRIES.
    """
    tries = current_app.config["PORTAL"]["FIRST_LOGIN_CODE_TRIES"]
    taken = db.session.execute(
        db.update(User)
        .where(User.id == user.id, User.first_login_code_failures < tries)
        .values(first_login_code_failures=User.first_login_code_failures + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(user, ["first_login_code_failures"])
    return bool(taken), user.first_login_code_failures >= tries


def redeem_first_login_code(user, code, new_password):
    """Set the password if ``code`` is the user's unexpired code; return whether it was.

    After FIRST_LOGIN_CODE_TRIES wrong codes the code is void: the resident needs a new slip.
    A wrong code is counted even though the request is refused, so this commits it (the app
    rolls refused requests back).
    """
    code = re.sub(r"\s", "", code or "")
    if not _has_live_code(user):
        check_password_hash(_dummy_hash(), code)  # as long as a real check takes
        return False
    taken, last = _take_a_try(user)
    right = taken and check_password_hash(user.first_login_code_hash, code)
    if not taken:
        check_password_hash(_dummy_hash(), code)
    if right:
        user.set_password(new_password)
        user.first_login_code_hash = None
        user.first_login_code_expires_at = None
        user.first_login_code_failures = 0
        user.sign_out_everywhere()
        audit.record("user.first_login", user, actor=user)
        return True
    if last:
        user.first_login_code_hash = None
        user.first_login_code_expires_at = None
        audit.record("user.first_login_code_void", user, actor=None)
    db.session.commit()
    return False
