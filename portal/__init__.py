"""Linli 邻里: the application factory."""

import hashlib
import importlib
import os
from pathlib import Path

from flask import Flask, abort, current_app, has_request_context, make_response, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import pagecache, urls
from portal.config import LOCALES, flask_config, read_settings
from portal.extensions import (
    babel,
    cache,
    compress,
    csrf,
    db,
    htmx,
    limiter,
    login_manager,
    migrate,
)
from portal.i18n import install_template_gettext, locale_asked
from portal.i18n import lazy_gettext as _l
from portal.urls import IdConverter

ROOT = Path(__file__).resolve().parent.parent

# One blueprint per domain, each a package of the same name.
DOMAINS = ("main", "places", "accounts", "notifications", "organizations", "servicemap",
           "timebank", "publicity", "courtyards", "councils", "projects", "funds",
           "kiosks")

# Strict: no inline script or style anywhere, nothing loaded from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def create_app(config=None):
    """Create the portal. ``config`` overrides portal settings (``DATABASE_URL`` …) and
    Flask keys (``TESTING`` …), for tests and scripts."""
    config = dict(config or {})
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Set before any route is added: routes compile their converters when they are added.
    app.url_map.converters["int"] = IdConverter
    settings = read_settings()
    settings.update({k: config.pop(k) for k in list(config) if k in settings})
    app.config.from_mapping(flask_config(settings, app.instance_path))
    app.config.update(config)
    if settings["PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["PROXIES"],
                                x_proto=settings["PROXIES"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    # Before the CSRF check, which reads the body: the size limit depends on the view.
    app.before_request(urls.allow_uploads)
    pagecache.register_serving(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    compress.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    pagecache.register_keeping(app)

    from portal import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)

    for domain in DOMAINS:
        # Each domain's views module adds its routes to the blueprint in its __init__.
        app.register_blueprint(importlib.import_module(f"portal.{domain}.views").bp)

    from portal import errors, layout, rendering
    from portal.cli import register_commands

    errors.register(app)
    layout.register(app)
    register_commands(app)

    app.url_defaults(hash_static_urls)
    app.before_request(refuse_nul_characters)
    app.after_request(commit_or_roll_back)
    app.after_request(security_headers)
    app.after_request(rendering.htmx_redirects)
    app.after_request(read_static_files_whole)  # runs before Flask-Compress's hook
    return app


@login_manager.user_loader
def load_user(user_id):
    """The user whose identity ("<id>:<session token>", see ``User.get_id``) the session or
    remember cookie carries; None, i.e. signed out, once the token has changed."""
    import hmac

    from sqlalchemy.orm import joinedload

    from portal.accounts.models import User

    ident, _, token = user_id.partition(":")
    if not (ident.isascii() and ident.isdigit()) or not token:
        return None
    # Every page shows the user's courtyard and community: read it with the user.
    user = db.session.get(User, int(ident), options=[joinedload(User.home_courtyard)])
    if user is None or not user.session_token:
        return None
    return user if hmac.compare_digest(user.session_token.encode(), token.encode()) else None


def select_locale():
    """The user's setting, then the language cookie, then the browser's, then Chinese."""
    if not has_request_context():  # commands and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return locale_asked(LOCALES[0])


@event.listens_for(Engine, "connect")
def sqlite_pragmas(dbapi_connection, _record):
    """Foreign keys on, write-ahead log and a busy timeout for the embedded database."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # Python's sqlite3 starts transactions late and on its own, so a SAVEPOINT issued
        # first would commit on release; SQLAlchemy begins them instead (see sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "begin")
def sqlite_begin(connection):
    """Begin every SQLite transaction explicitly, so savepoints nest inside it.

    A request that may write (anything but GET and HEAD) takes the write lock at once, so
    writers queue behind the busy timeout. Begun late, two processes' transactions would
    both read, then one would fail to write ("database is locked") — a double tap's 500.
    """
    if connection.dialect.name == "sqlite":
        writes = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def refuse_nul_characters():
    """No one types a NUL character: SQLite would store it and PostgreSQL fails on it."""
    fields = [request.args]
    if request.method not in ("GET", "HEAD") and request.mimetype != "multipart/form-data":
        fields.append(request.form)
    sent = [request.path] + [text for values in fields
                             for pair in values.items(multi=True) for text in pair]
    if any("\x00" in text for text in sent):
        abort(400)


def commit_or_roll_back(response):
    """One transaction per request: kept when the request succeeded, dropped otherwise.

    Views never commit; a 4xx answer (bad input is 422) writes nothing.
    """
    if not db.session().in_transaction():
        return response  # nothing was read or written (a kept page, a static file)
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception as error:
        from portal.errors import database_unavailable, unavailable_page

        if not database_unavailable(error):
            raise
        # The database went away after the view: nothing was kept, and the answer says so
        # (here, not through the 500 handler, whose way logs a traceback as for a fault).
        # The security headers were added to the view's answer already: add them to this one.
        return security_headers(make_response(unavailable_page(error)))
    return response


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["PORTAL"]["ENV"] == "production":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static" and current_user.is_authenticated:
        # A signed-in page is personal: a kiosk or shared PC must not show it again from its
        # cache (the back button after sign-out), and no proxy may keep it.
        response.cache_control.no_store = True
        response.cache_control.private = True
        response.cache_control.public = None
        response.cache_control.max_age = None
    if request.endpoint == "static" and "v" in request.args:
        # The URL carries the file's hash, so it can be cached for a year.
        response.cache_control.public = True
        response.cache_control.max_age = 31536000
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response


_static_hashes = {}


def hash_static_urls(endpoint, values):
    """Add ``?v=<content hash>`` to every static URL so browsers can cache them forever."""
    if endpoint != "static" or "filename" not in values:
        return
    path = Path(current_app.static_folder) / values["filename"]
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return
    key = (values["filename"], stamp)
    if key not in _static_hashes:
        _static_hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    values["v"] = _static_hashes[key]


def htmx_config():
    """htmx settings, read by htmx from a <meta> tag so no inline script is needed."""
    return {
        # htmx would add an inline <style>, which the CSP forbids; our CSS styles indicators.
        "includeIndicatorStyles": False,
        "allowEval": False,
        "selfRequestsOnly": True,
        # Never run a <script> that arrives in swapped-in content.
        "allowScriptTags": False,
        "historyCacheSize": 0,
        # Bad input comes back as 422 with the form and its messages: swap it in.
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "422", "swap": True},
            {"code": "[45]..", "swap": False, "error": True},
        ],
    }


def read_static_files_whole(response):
    """Read a static file into the response so it is compressed like a page: Flask-Compress
    would stream it and leave the file open. Our static files are tens of KB."""
    if request.endpoint == "static" and response.is_streamed and response.status_code == 200:
        response.direct_passthrough = False
        response.get_data()  # the file is closed when the response is
    return response
