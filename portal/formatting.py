"""How values are written for people, in every domain: days, times, durations, numbers that
never break. Views import these functions; templates use them as filters of the same names."""

import re
from datetime import datetime
from functools import cache

from babel import Locale
from babel.dates import format_datetime, match_skeleton
from flask_babel import format_date, get_locale, gettext
from markupsafe import Markup, escape

from portal.phones import dial
from portal.timeutil import to_local


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
    return _by_skeleton("MMMEd", value)


@cache
def _skeleton_pattern(skeleton, locale):
    # Babel's ``format_skeleton`` searches the locale's skeletons on every call.
    skeletons = Locale.parse(locale).datetime_skeletons
    return skeletons[skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)]


def _by_skeleton(skeleton, value):
    """Babel's ``format_skeleton(skeleton, value)`` in the request's locale."""
    locale = str(get_locale())
    return format_datetime(value, _skeleton_pattern(skeleton, locale), locale=locale)


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
    month_day = _by_skeleton("MMMd", _local_date(value))
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


# --- plain text written by people (notices, agreements, objections) ---
# Nobody writes HTML here: the text is escaped, then blank lines make paragraphs and lines
# that start with "- " make a list. Whatever else was typed (tags, scripts) is shown as text.

# "- ", and the full-width dash or bullet a Chinese keyboard gives.
_ITEM = re.compile(r"^\s*[-－•·]\s+")
_BLANK_LINES = re.compile(r"\n\s*\n")


def _block(lines):
    """One paragraph (lines kept with <br>) or one list, for consecutive lines alike."""
    if _ITEM.match(lines[0]):
        items = Markup("").join(Markup("<li>{}</li>").format(_ITEM.sub("", line, count=1))
                                for line in lines)
        return Markup("<ul>{}</ul>").format(items)
    return Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in lines))


def paragraphs(text):
    """``text`` as escaped <p> and <ul> blocks, in a Markup ready for a template."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for chunk in _BLANK_LINES.split(text):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        # Within a chunk, a run of list lines is a list, a run of other lines a paragraph.
        run = []
        for line in lines:
            if run and bool(_ITEM.match(line)) != bool(_ITEM.match(run[0])):
                blocks.append(_block(run))
                run = []
            run.append(line)
        if run:
            blocks.append(_block(run))
    return Markup("\n").join(blocks)


def register(app):
    app.jinja_env.filters.update(when=when, day=day, clock=clock, day_words=day_words,
                                 duration=duration, unbroken=unbroken,
                                 duration_unbroken=duration_unbroken, day_unbroken=day_unbroken,
                                 phone_unbroken=phone_unbroken, paragraphs=paragraphs)
    app.jinja_env.filters["dial"] = dial  # every tel: link: {{ phone|dial }}
    app.jinja_env.globals["span"] = span
