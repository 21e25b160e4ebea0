"""What every page knows: the visitor's courtyard and community, text size, language."""

import json
from datetime import datetime

from babel.dates import format_skeleton
from flask import current_app, g, request, url_for
from flask_babel import format_date, get_locale, gettext
from flask_login import current_user
from markupsafe import Markup, escape

from portal.accounts.models import TEXT_SIZES
from portal.accounts.permissions import can, mask_name, shown_mobile
from portal.extensions import db
from portal.phones import dial
from portal.places.models import Place
from portal.qr import qr_svg
from portal.timeutil import to_local
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
    return size if size in TEXT_SIZES else "standard"


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
    }


def when(moment):
    """A stored UTC moment as a local day and time: 11月29日周日 18:00 / Sun, Nov 29 18:00."""
    local = to_local(moment)
    return f"{day(local)} {local:%H:%M}"


def clock(moment):
    """A stored UTC moment as the local time of day: 18:00."""
    return f"{to_local(moment):%H:%M}"


def span(starts, ends):
    """From–to, the day said once when both are on it: 11月29日周日 09:00–11:00."""
    if to_local(starts).date() == to_local(ends).date():
        return f"{when(starts)}–{clock(ends)}"
    return f"{when(starts)} – {when(ends)}"


def day(value):
    """A date (or a stored UTC moment) with its weekday: 11月29日周日 / Sun, Nov 29."""
    if isinstance(value, datetime) and value.tzinfo is None:
        value = to_local(value)
    return format_skeleton("MMMEd", value, locale=str(get_locale()))


def day_words(day, short=False):
    """Write a date in full: 2026年3月2日星期一 (``short``: without the weekday)."""
    return format_date(day, "long" if short else "full")


def duration(minutes):
    """Minutes as hours and minutes: 2 小时 / 1 小时 30 分钟 / 45 分钟."""
    minutes = int(minutes or 0)
    sign, minutes = ("-" if minutes < 0 else ""), abs(minutes)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        text = gettext("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)
    elif hours:
        text = gettext("%(hours)d h", hours=hours)
    else:
        text = gettext("%(minutes)d min", minutes=rest)
    return sign + text


def unbroken(value):
    """``value`` — a phone number, an amount with its unit, a date or a time — in a span that
    never breaks inside (``{{ hotline|unbroken }}``, ``{{ log.minutes|duration|unbroken }}``).
    Browser tests measure every such span for a single line box."""
    return Markup('<span class="unbroken">{}</span>').format(value)


# Amounts and days in pieces that never break inside: "1 小时 30 分钟" whole is 190 px in
# 特大 text, wider than a card on a 240 px phone; "1 小时" · "30 分钟" may go on two lines.

def duration_unbroken(minutes, signed=False):
    """``duration(minutes)`` as "1 小时" and "30 分钟", each whole; ``signed``: "+" before
    more than nothing (a statement's credits)."""
    minutes = int(minutes or 0)
    sign = "-" if minutes < 0 else "+" if signed and minutes > 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return Markup("{} {}").format(unbroken(sign + duration(hours * 60)),
                                      unbroken(duration(rest)))
    return unbroken(sign + duration(abs(minutes)))


def _local_date(value):
    return to_local(value) if isinstance(value, datetime) and value.tzinfo is None else value


def day_unbroken(value):
    """``day(value)`` with its month and day whole: "11月25日" then "周三" ("Wed, Nov 25")."""
    whole = day(value)
    month_day = format_skeleton("MMMd", _local_date(value), locale=str(get_locale()))
    before, found, after = whole.partition(month_day)
    if not found:
        return unbroken(whole)
    # "周三" whole too; whatever space the locale puts between the parts stays a space.
    pieces = [unbroken(before.rstrip()) if before.strip() else Markup(""),
              escape(before[len(before.rstrip()):]), unbroken(month_day),
              escape(after[:len(after) - len(after.lstrip())]),
              unbroken(after.lstrip()) if after.strip() else Markup("")]
    return Markup("").join(pieces)


def phone_unbroken(number):
    """A phone number, whole: 11 or 12 figures, which on a 240 px phone in 特大 text fit only
    a little smaller (see ``.phone`` in portal.css)."""
    return Markup('<span class="unbroken phone">{}</span>').format(number)


def place_crumb(place):
    """A breadcrumb (label, url) for a place."""
    return place.name, url_for("places.show", place_id=place.id)


def register(app):
    app.jinja_env.filters.update(place_crumb=place_crumb, when=when, day=day, clock=clock,
                                 day_words=day_words, duration=duration, masked=mask_name,
                                 unbroken=unbroken, duration_unbroken=duration_unbroken,
                                 day_unbroken=day_unbroken, phone_unbroken=phone_unbroken)
    app.jinja_env.filters["dial"] = dial  # every tel: link: {{ phone|dial }}
    app.jinja_env.globals["span"] = span
    app.before_request(load_place_context)
    app.context_processor(template_context)
    app.jinja_env.globals.update(can=can, shown_mobile=shown_mobile, qr_svg=qr_svg,
                                 absolute_url=absolute_url)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
