"""Friendly error pages in the visitor's language."""

from flask import render_template
from flask_wtf.csrf import CSRFError

from portal.extensions import db
from portal.i18n import lazy_gettext as _l

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


def error_page(code, message=None):
    title, default_message = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default_message), code


def _handler(code):
    def handle(error):
        # A prepared answer (the login form re-shown when the rate limit trips) wins.
        return getattr(error, "response", None) or error_page(code)

    return handle


def register(app):
    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, _handler(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(400, CSRF_MESSAGE)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return error_page(500)
