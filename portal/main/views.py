from flask import abort, g, redirect, request
from flask_babel import refresh
from flask_login import current_user

from portal import sections
from portal.accounts.models import TEXT_SIZES
from portal.accounts.permissions import places_where
from portal.config import LOCALES
from portal.layout import LANGUAGE_COOKIE, TEXT_SIZE_COOKIE, set_preference_cookie
from portal.main import bp
from portal.rendering import render
from portal.timebank.activities import is_volunteer
from portal.urls import safe_next


@bp.get("/")
def home():
    return render("main/home.html",
                  can_work=bool(places_where(current_user, "community_worker")),
                  # A volunteer's most frequent errand, a tap from here: log service hours.
                  is_volunteer=is_volunteer(current_user),
                  # What other domains show here (the courtyard's questions waiting for me).
                  sections=sections.sections_for("home", g.courtyard))


@bp.post("/settings/language")
def set_language():
    """Switch language; kept in a cookie, and on the account when signed in."""
    return _save_preference("locale", LANGUAGE_COOKIE, LOCALES)


@bp.post("/settings/text-size")
def set_text_size():
    """Switch text size 标准 / 大 / 特大; kept like the language."""
    return _save_preference("text_size", TEXT_SIZE_COOKIE, TEXT_SIZES)


def _save_preference(attribute, cookie, allowed):
    value = request.form.get("value")
    if value not in allowed:
        abort(400)
    if current_user.is_authenticated:
        setattr(current_user, attribute, value)
    response = redirect(safe_next(), 303)
    set_preference_cookie(response, cookie, value)
    refresh()
    return response
