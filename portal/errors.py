"""Friendly error pages in the visitor's language."""

import logging

from flask import current_app, g, render_template, request
from flask_babel import force_locale
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc, inspect

from portal.config import LOCALES
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import locale_asked

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something was wrong with the request"),
          _l("The page could not understand what was sent. Go back and try again.")),
    403: (_l("You cannot do that here"),
          _l("Your account does not have permission for this page or action. "
             "If you think it should, ask your community worker.")),
    404: (_l("Page not found"),
          _l("There is no page at this address. "
             "It may have moved, or the address may be mistyped.")),
    405: (_l("Something was wrong with the request"),
          _l("This page cannot be used that way. Go back and use the buttons on the page.")),
    413: (_l("Too much was sent"),
          _l("What you sent is too long. Shorten it and try again.")),
    429: (_l("Too many tries"),
          _l("There were too many attempts in a short time. Wait 15 minutes and try again, "
             "or ask at your community service centre.")),
    500: (_l("Sorry, something went wrong on our side"),
          _l("The problem has been noted. Please try again in a few minutes, "
             "or call your community hotline.")),
}

CSRF_MESSAGE = _l(
    "This form has expired or was sent from another site. "
    "Go back, reload the page and send it again."
)

# The database is away (stopped, restarting, unreachable, locked for too long) or the
# connection pool is exhausted: the request was not done, and asking again later will work.
UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)
RETRY_AFTER_SECONDS = 30


def error_page(code, message=None):
    title, default_message = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default_message), code


def _handler(code):
    def handle(error):
        # A prepared answer (the login form re-shown when the rate limit trips) wins.
        return getattr(error, "response", None) or error_page(code)

    return handle


def database_unavailable(error):
    """True when ``error`` says the database cannot be reached now, not that a query is
    wrong: a later try will work."""
    if isinstance(error, UNAVAILABLE):
        return True
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated


def _loaded(obj, name):
    """An attribute of a database row if it is already in memory; never a query."""
    if obj is None:
        return None
    try:
        return inspect(obj).dict.get(name)
    except exc.NoInspectionAvailable:
        return getattr(obj, name, None)


def _locale_without_database():
    """The visitor's language as ``select_locale`` would choose it, from what this request
    has already loaded, the language cookie and the browser — never asking the database."""
    # Flask-Babel keeps the language it chose for this request here, once it was asked.
    chosen = getattr(g.get("_flask_babel"), "babel_locale", None)
    if chosen is not None and str(chosen) in LOCALES:
        return str(chosen)
    # A signed-in user's setting if their row is loaded and not yet expired (visitors
    # have no row: _loaded gives None).
    chosen = _loaded(g.get("_login_user"), "locale")
    if chosen in LOCALES:
        return chosen
    return locale_asked(current_app.config["BABEL_DEFAULT_LOCALE"])


def unavailable_page(error):
    """503 with "try again in a few minutes", rendered without touching the database: the
    page's layout (which reads the signed-in user, their courtyard and messages) is left
    out."""
    log.error("Database unavailable during %s %s: %s", request.method, request.path,
              str(error).splitlines()[0] if str(error) else type(error).__name__)
    hotline = _loaded(g.get("community"), "phone") or current_app.config["PORTAL"]["HOTLINE"]
    locale = _locale_without_database()  # both read before the rollback forgets the rows
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool drops it  # noqa: BLE001
        log.warning("Rolling back after the database went away failed", exc_info=True)
    # For the rest of this request the visitor is treated as signed out (their session is
    # kept): loading or refreshing their row would ask the database again, and the security
    # headers read it. The page is personal anyway: not stored (Cache-Control below).
    g._login_user = AnonymousUserMixin()
    with force_locale(locale):
        # Straight from the environment: render_template would run the layout's context
        # processors, which query the database.
        html = current_app.jinja_env.get_template("errors/unavailable.html").render(
            html_lang="zh-Hans" if locale == "zh_Hans" else locale, hotline=hotline)
    return html, 503, {"Retry-After": str(RETRY_AFTER_SECONDS),
                       "Cache-Control": "no-store"}


def register(app):
    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, _handler(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(400, CSRF_MESSAGE)

    for error_class in UNAVAILABLE:
        app.register_error_handler(error_class, unavailable_page)

    @app.errorhandler(500)
    def server_error(error):
        # An error raised outside a view (the commit after it, in after_request) arrives
        # here wrapped: the database going away then is still a 503.
        original = getattr(error, "original_exception", None)
        if original is not None and database_unavailable(original):
            return unavailable_page(original)
        db.session.rollback()
        return error_page(500)
