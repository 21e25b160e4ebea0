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
    # The address people reach the portal at, like https://linli.example.cn; links printed on
    # slips, QR codes, calendar files and open data are built from it, never from the Host
    # header a client sent. Production requires an https:// address.
    "BASE_URL": "http://127.0.0.1:5000",
    # Flask-Limiter storage; set a redis:// URL when several app processes run.
    "RATELIMIT_STORAGE_URI": "memory://",
    # Where results worth keeping between requests live (the 15-minute coverage report):
    # empty = this process's memory; redis://… (or rediss://, unix://) = one store shared
    # by every app process; file:///var/cache/linli = a directory of its own, shared by the
    # processes of one machine.
    "CACHE_URL": "",
    # Seconds a public page built for someone not signed in is served again to the next
    # such visitor with the same cookies and language (portal/pagecache.py); any write
    # makes kept pages old at once. Only when CACHE_URL names a shared store; 0 = never.
    "PAGE_CACHE_SECONDS": 60,
    # Wrong passwords for one mobile number from one IP address before that address may not
    # try that number for a while ("from this device"); nobody elsewhere is locked out.
    "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "5 per 15 minutes",
    # Wrong passwords from one IP address, for any numbers, before it may not sign in for a
    # while. Generous: a service-centre kiosk or a whole building's NAT shares one address.
    "LOGIN_LIMIT_PER_ADDRESS": "100 per 15 minutes",
    # Wrong passwords for one number from all addresses after which that number is slowed
    # down, not locked: each further try must wait LOGIN_SLOWDOWN_SECONDS after the last
    # one. A phone that has signed in to the number before is not slowed.
    "LOGIN_SLOWDOWN_AFTER": "10 per 15 minutes",
    "LOGIN_SLOWDOWN_SECONDS": 30,
    # Wrong first-login codes allowed per mobile number (from all addresses) and per IP
    # address before the code form refuses for a while; a code is void after
    # FIRST_LOGIN_CODE_TRIES wrong tries anyway (the resident needs a new slip).
    "FIRST_LOGIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes",
    "FIRST_LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "FIRST_LOGIN_CODE_TRIES": 5,
    # Registration forms sent from one IP address (right or wrong) before it must wait.
    "REGISTER_LIMIT_PER_ADDRESS": "20 per hour",
    "DEFAULT_LOCALE": "zh_Hans",
    "TIMEZONE": "Asia/Shanghai",
    # Hours a first-login code printed at the counter stays valid.
    "FIRST_LOGIN_CODE_HOURS": 72,
    # Shown in the footer when no community is chosen.
    "HOTLINE": "12345",
    # Open data: the province and postal code of addresses whose places in the tree do not
    # say (a city's province, a district's postal code are set on the place), and the
    # country (ISO 3166-1).
    "PROVINCE": "",
    "POSTAL_CODE": "",
    "COUNTRY": "CN",
    # Time bank: how many days back a volunteer may log hours.
    "TIMEBANK_LOG_WINDOW_DAYS": 90,
    # Most hours a person may hold (Nanjing's rule is 1,500); earned hours above it go to
    # the community's pool.
    "TIMEBANK_STORAGE_CAP_HOURS": 1500,
    # Who may spend hours on services (help from a volunteer, service rewards): "anyone", or
    # "eligible" — only people a community worker has marked (aged 60+, hardship, disability).
    "TIMEBANK_SPENDERS": "anyone",
    # Help given straight to a neighbour is confirmed by that neighbour alone, so two
    # accounts could mint hours between them. These caps keep such records to everyday help;
    # more is logged through an activity (an organiser approves it). A volunteer may log at
    # most 4 hours of it a day (the longest quick choice on the log form; the probe logged
    # 3 × 12 h), and at most 12 hours a month for the same neighbour (about 3 hours a week
    # of regular visits). Workers of the community review what neighbours approved.
    "TIMEBANK_NEIGHBOUR_DAY_CAP_HOURS": 4,
    "TIMEBANK_NEIGHBOUR_PAIR_MONTH_CAP_HOURS": 12,
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
    # An SMS gateway for 我的消息: each message is POSTed there as JSON {"mobile", "text"} by
    # `flask --app wsgi jobs run-due` (cron, every minute), retried after 1, 5 and 30 minutes
    # and given up after 5 tries. Empty: no SMS, messages are only in the inbox.
    "SMS_WEBHOOK_URL": "",
    # Proxies in front of the portal that set X-Forwarded-For and X-Forwarded-Proto (nginx:
    # 1). The client's address (for the sign-in limits) and https are then read from the
    # headers the nearest that many proxies added; 0 trusts no header.
    "PROXIES": 0,
    # Councils: a meeting has quorum when more than this share of its members are present
    # (0.5: more than half); a motion passes by a majority of the members "present", or of
    # all "members" of the council.
    "COUNCIL_QUORUM_SHARE": 0.5,
    "COUNCIL_MAJORITY_OF": "present",
    # Days a department has to answer a 大事 unless the worker sets another due day, and the
    # days after closing when the requester is asked whether the matter stayed solved.
    "COUNCIL_DEPARTMENT_DAYS": 15,
    "COUNCIL_FOLLOW_UP_DAYS": 28,
    # 代办: minutes a community worker's session acting for a resident at the counter lasts
    # before it ends by itself (the worker can end it sooner, and signing out ends it).
    "ACTING_MINUTES": 30,
    # Kiosks: seconds without a touch before the "还在用吗？" warning, and how long the
    # warning counts down before the kiosk signs out and clears everything (WCAG 2.2.1 asks
    # at least 20). The server also signs a kiosk out after both have passed without a request.
    "KIOSK_IDLE_SECONDS": 60,
    "KIOSK_WARNING_SECONDS": 20,
    # Days an enrolled kiosk's cookie lasts (browsers keep a cookie at most 400 days; each
    # visit of the enrolment page by a worker can renew it).
    "KIOSK_COOKIE_DAYS": 400,
    # Wrong kiosk PINs for one mobile number (from every kiosk), and at one kiosk (for any
    # numbers), before the PIN pad refuses for a while. Passwords on a phone still work.
    "KIOSK_PIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "KIOSK_PIN_LIMIT_PER_KIOSK": "20 per 15 minutes",
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


def base_url(settings):
    """The configured public address, without a trailing slash; production must set it."""
    if settings["ENV"] == "production" and not settings["BASE_URL"].startswith("https://"):
        raise InsecureConfiguration(
            "PORTAL_BASE_URL must be set to the portal's https:// address in production "
            "(PORTAL_ENV=production), like https://linli.example.cn."
        )
    return settings["BASE_URL"].rstrip("/")


def cache_config(url):
    """Flask-Caching's keys for ``PORTAL_CACHE_URL`` (see DEFAULTS)."""
    # Bounded in memory and on disk: a district's coverage report is a few hundred KB, a kept
    # page (portal/pagecache.py) a few KB compressed.
    common = {"CACHE_KEY_PREFIX": "linli:", "CACHE_THRESHOLD": 2000}
    if not url:
        return common | {"CACHE_TYPE": "SimpleCache"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return common | {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}
    if url.startswith("file://") and len(url) > len("file://"):
        return common | {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": url.removeprefix("file://")}
    raise ValueError(
        f"PORTAL_CACHE_URL must be empty, a redis:// URL or a file:///directory, not {url!r}."
    )


# Seconds a request may wait for PostgreSQL to accept a connection before it answers "busy,
# try again" (503): an unreachable server must not hold a worker for minutes.
CONNECT_TIMEOUT_SECONDS = 3


def engine_options(database_url):
    """SQLAlchemy engine options: connections checked before use (a database restarted
    under the running app is reconnected to by itself) and, for PostgreSQL, a short
    connect timeout. SQLite waits on its own busy timeout (portal/__init__.py)."""
    options = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return options


def flask_config(settings, instance_path):
    """Translate portal settings into the Flask and extension configuration keys."""
    production = settings["ENV"] == "production"
    database_url = settings["DATABASE_URL"]
    if not database_url:
        # The default SQLite file lives in the instance folder, which a fresh clone lacks
        # when PORTAL_SECRET_KEY is set (nothing else would create it).
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        database_url = "sqlite:///" + str(Path(instance_path) / "linli.db")
    return {
        "PORTAL": settings | {"BASE_URL": base_url(settings)},
        "SECRET_KEY": secret_key(settings, instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        # Brotli where the browser takes it, else gzip; tiny responses are not worth it.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_BR_LEVEL": 6,
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/csv", "text/calendar",
                               "application/javascript", "text/javascript",
                               "application/json", "application/geo+json", "image/svg+xml"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "RATELIMIT_STORAGE_URI": settings["RATELIMIT_STORAGE_URI"],
        # Redis away: count in this process's memory until it is back, not answer 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        **cache_config(settings["CACHE_URL"]),
        "BABEL_DEFAULT_LOCALE": settings["DEFAULT_LOCALE"],
        "BABEL_DEFAULT_TIMEZONE": settings["TIMEZONE"],
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        # Forms have no time limit (older users type slowly); the token lives as long as
        # the session.
        "WTF_CSRF_TIME_LIMIT": None,
        # Views marked with portal.urls.takes_uploads (a photo of up to 5 MB) allow more.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    }
