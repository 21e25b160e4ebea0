"""Rules about people: mobile numbers, registration, one-time first-login codes."""

import re
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit
from portal.accounts.models import User
from portal.extensions import db
from portal.timeutil import utcnow

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
NAME_MAX = 40
PASSWORD_MIN = 6
PASSWORD_MAX = 128
CODE_LENGTH = 8


def normalize_mobile(text):
    """Turn what people type ("138 1234-5678", full-width digits, +86) into 11 digits."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s\-()]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def is_valid_mobile(mobile):
    return bool(MOBILE_PATTERN.match(mobile or ""))


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


def issue_first_login_code(user, issued_by):
    """Give ``user`` a fresh one-time code (digits, easy to type on any phone); return it."""
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    hours = current_app.config["PORTAL"]["FIRST_LOGIN_CODE_HOURS"]
    user.first_login_code_hash = generate_password_hash(code)
    user.first_login_code_expires_at = utcnow() + timedelta(hours=hours)
    audit.record("user.first_login_code", user, actor=issued_by)
    return code


def redeem_first_login_code(user, code, new_password):
    """Set the password if ``code`` is the user's unexpired code; return whether it was."""
    if (
        user is None
        or not user.first_login_code_hash
        or user.first_login_code_expires_at is None
        or user.first_login_code_expires_at < utcnow()
        or not check_password_hash(user.first_login_code_hash, re.sub(r"\s", "", code))
    ):
        return False
    user.set_password(new_password)
    user.first_login_code_hash = None
    user.first_login_code_expires_at = None
    audit.record("user.first_login", user, actor=user)
    return True
