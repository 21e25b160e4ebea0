"""Settings read from ``PORTAL_*`` environment variables, with safe defaults.

Every key of ``DEFAULTS`` can be overridden by an environment variable of the same name
prefixed with ``PORTAL_`` (``PORTAL_DATABASE_URL``, ``PORTAL_LOG_WINDOW_DAYS`` …). Values are
converted to the type of the default, so numbers stay numbers.
"""

import os
import secrets
from pathlib import Path

DEFAULTS = {
    # "development" or "production"; production refuses to start without a secret key
    # and marks cookies Secure.
    "ENV": "development",
    # SQLAlchemy URL; empty means an SQLite file in the instance folder.
    "DATABASE_URL": "",
    "SECRET_KEY": "",
    # Flask-Limiter storage; set a redis:// URL when several app processes run.
    "RATELIMIT_STORAGE_URI": "memory://",
    # Failed logins allowed before the form is locked for a while.
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "DEFAULT_LOCALE": "zh_Hans",
    "TIMEZONE": "Asia/Shanghai",
    # Hours a first-login code printed at the counter stays valid.
    "FIRST_LOGIN_CODE_HOURS": 72,
    # Shown in the footer when no community is chosen.
    "HOTLINE": "12345",
    # Time bank: how many days back a volunteer may log hours.
    "TIMEBANK_LOG_WINDOW_DAYS": 90,
    # Most hours a person may hold (Nanjing's rule is 1,500); earned hours above it go to
    # the community's pool.
    "TIMEBANK_STORAGE_CAP_HOURS": 1500,
    # Who may spend hours on services (help from a volunteer, service rewards): "anyone", or
    # "eligible" — only people a community worker has marked (aged 60+, hardship, disability).
    "TIMEBANK_SPENDERS": "anyone",
    # Service map: walking time = straight-line distance × route factor ÷ walking speed.
    # 50 m a minute (3 km/h) is an older person's unhurried pace; 1.3 allows for streets
    # not running straight.
    "SERVICE_WALKING_SPEED": 50.0,
    "SERVICE_ROUTE_FACTOR": 1.3,
    # The walk every courtyard should have to each kind of service ("城区15分钟、郊区30分钟");
    # places marked suburban use the second.
    "SERVICE_URBAN_MINUTES": 15,
    "SERVICE_SUBURBAN_MINUTES": 30,
    # A map tile URL template ({z}/{x}/{y}) for an interactive layer on kiosks and PCs, and
    # whether its tiles are drawn in "gcj02" (AMap, Tencent) or "wgs84" (OpenStreetMap).
    # Empty: no tiles, no map script; the server-drawn SVG map is all there is.
    "SERVICE_TILE_URL": "",
    "SERVICE_TILE_DATUM": "gcj02",
}

LOCALES = ("zh_Hans", "en")
ROOT = Path(__file__).resolve().parent.parent


def _convert(raw, default):
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def read_settings(environ=os.environ, defaults=DEFAULTS):
    """Return ``defaults`` overridden by ``PORTAL_<KEY>`` variables found in ``environ``."""
    settings = dict(defaults)
    for key, default in defaults.items():
        raw = environ.get(f"PORTAL_{key}")
        if raw is not None and raw != "":
            settings[key] = _convert(raw, default)
    return settings


class InsecureConfiguration(RuntimeError):
    """Raised when production mode is asked for without the settings it needs."""


def secret_key(settings, instance_path):
    """Return the configured secret key, or one generated once into the instance folder."""
    if settings["SECRET_KEY"]:
        return settings["SECRET_KEY"]
    if settings["ENV"] == "production":
        raise InsecureConfiguration(
            "PORTAL_SECRET_KEY must be set in production (PORTAL_ENV=production)."
        )
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def flask_config(settings, instance_path):
    """Translate portal settings into the Flask and extension configuration keys."""
    production = settings["ENV"] == "production"
    database_url = settings["DATABASE_URL"] or (
        "sqlite:///" + str(Path(instance_path) / "linli.db")
    )
    return {
        "PORTAL": settings,
        "SECRET_KEY": secret_key(settings, instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "RATELIMIT_STORAGE_URI": settings["RATELIMIT_STORAGE_URI"],
        "RATELIMIT_HEADERS_ENABLED": False,
        "BABEL_DEFAULT_LOCALE": settings["DEFAULT_LOCALE"],
        "BABEL_DEFAULT_TIMEZONE": settings["TIMEZONE"],
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        # Forms have no time limit (older users type slowly); the token lives as long as
        # the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    }
