"""What every page knows: the visitor's courtyard and community, text size, language."""

import json

from flask import current_app, g, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal import formatting
from portal.accounts.models import TEXT_SIZES
from portal.accounts.permissions import can, mask_name, shown_mobile
from portal.extensions import db
from portal.places.models import Place
from portal.qr import qr_svg
from portal.urls import absolute_url, current_path

COURTYARD_COOKIE = "courtyard"
LANGUAGE_COOKIE = "lang"
TEXT_SIZE_COOKIE = "size"
COOKIE_AGE = 365 * 24 * 3600


def chosen_courtyard():
    """The signed-in user's home courtyard, else the one chosen in this browser."""
    if current_user.is_authenticated and current_user.home_courtyard is not None:
        return current_user.home_courtyard
    raw = request.cookies.get(COURTYARD_COOKIE, "")
    if raw.isdigit():
        place = db.session.get(Place, int(raw))
        if place is not None and place.kind == "courtyard":
            return place
    return None


def text_size():
    if current_user.is_authenticated and current_user.text_size in TEXT_SIZES:
        return current_user.text_size
    size = request.cookies.get(TEXT_SIZE_COOKIE)
    if size in TEXT_SIZES:
        return size
    return "large" if g.get("kiosk") is not None else "standard"  # 大 on a kiosk


def set_preference_cookie(response, name, value):
    response.set_cookie(
        name, str(value), max_age=COOKIE_AGE, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def load_place_context():
    if request.endpoint == "static":
        return
    g.courtyard = chosen_courtyard()
    g.community = g.courtyard.ancestor("community") if g.courtyard else None


def template_context():
    from portal import htmx_config

    locale = str(get_locale())
    community = g.get("community")
    return {
        "courtyard": g.get("courtyard"),
        "community": community,
        "hotline": (community.phone if community and community.phone
                    else current_app.config["PORTAL"]["HOTLINE"]),
        "html_lang": "zh-Hans" if locale == "zh_Hans" else locale,
        "locale": locale,
        "text_size": text_size(),
        "htmx_config": json.dumps(htmx_config(), separators=(",", ":")),
        "current_path": current_path(),
        "unread_messages": unread_messages(),
        # 代办: the worker acting for a resident in this request (the banner on every page).
        "acting": g.get("acting"),
        **kiosk_context(),
    }


def kiosk_context():
    """On an enrolled kiosk: the kiosk, the idle warning's timing (none on the home screen
    with nobody signed in: nothing to clear) and the "continue on your phone" QR code."""
    kiosk = g.get("kiosk")
    if kiosk is None:
        return {"kiosk": None}
    from flask_babel import gettext

    from portal.kiosks.phone import continue_url

    settings = current_app.config["PORTAL"]
    resting = request.endpoint == "kiosks.home" and not current_user.is_authenticated
    return {
        "kiosk": kiosk,
        "kiosk_idle": 0 if resting else settings["KIOSK_IDLE_SECONDS"],
        "kiosk_warning": settings["KIOSK_WARNING_SECONDS"],
        "phone_qr": qr_svg(continue_url(), gettext("QR code of this page for your phone")),
    }


def unread_messages():
    """How many unread messages the signed-in user has (one COUNT, once per request); 0 for
    visitors."""
    if not current_user.is_authenticated:
        return 0
    if "unread_messages" not in g:
        from portal.notifications.inbox import unread_count

        g.unread_messages = unread_count(current_user)
    return g.unread_messages


def place_crumb(place):
    """A breadcrumb (label, url) for a place."""
    return place.name, url_for("places.show", place_id=place.id)


def register(app):
    formatting.register(app)
    app.jinja_env.filters.update(place_crumb=place_crumb, masked=mask_name)
    app.before_request(load_place_context)
    app.context_processor(template_context)
    app.jinja_env.globals.update(can=can, shown_mobile=shown_mobile, qr_svg=qr_svg,
                                 absolute_url=absolute_url)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
