"""Opening hours: the weekly notation, its checks, and "open now / opens at / closes in".

The notation, one line per weekday, is a list of intervals: ``08:00-11:30, 14:00-17:30``.

- An interval closes after it opens on the same day; ``24:00`` is the midnight that ends it.
- An interval that runs past midnight says so with 次日 ("next day") before the closing
  time: ``20:00-次日02:00``. ``20:00-02:00+1`` and ``20:00-02:00 next day`` mean the same.
  Without the marker ``20:00-02:00`` is refused, because it closes before it opens.
- An interval belongs to the day it opens: Monday's ``22:00-次日02:00`` keeps a point open
  until 02:00 on Tuesday, and an exception dated Tuesday changes only what opens on Tuesday.
- An empty line, 休息 or "closed" means closed that day.

Every answer is computed in the portal's time zone (Asia/Shanghai) from an explicit ``now``,
so tests control the clock. A naive ``now`` is UTC, as everywhere in the portal.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import gettext as _

from portal.i18n import lazy_gettext as _l
from portal.timeutil import local_now, to_local, zone

MINUTES_PER_DAY = 24 * 60
MAX_INTERVALS_PER_DAY = 6
# How far ahead "opens …" looks for the next opening.
HORIZON_DAYS = 14

WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
            _l("Saturday"), _l("Sunday"))
CLOSED_WORDS = {"", "休息", "休", "关门", "闭馆", "不开放", "无", "closed", "close", "off", "-"}

_NEXT_DAY = r"(?:次日|第二天|next\s*day|\+1)"
_TIME = r"(\d{1,2}):(\d{2})"
_INTERVAL = re.compile(
    rf"^{_TIME}\s*(?:-|–|—|~|至|到)\s*({_NEXT_DAY})?\s*{_TIME}\s*(\(?{_NEXT_DAY}\)?)?$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[,;、\n]+")


class HoursError(ValueError):
    """Hours that cannot be used; ``message`` says why in the user's language."""

    def __init__(self, message, weekday=None):
        super().__init__(str(message))
        self.message = message
        self.weekday = weekday


def _normalise(text):
    # NFKC turns full-width digits and punctuation (０８：００，) into ASCII ones.
    return unicodedata.normalize("NFKC", text or "").strip()


def _minutes(hours, minutes, text):
    hours, minutes = int(hours), int(minutes)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise HoursError(_l("“%(text)s” is not a time of day. Use 00:00 to 24:00.", text=text))
    return hours * 60 + minutes


def parse_interval(text):
    """Read one interval like ``08:00-11:30`` or ``20:00-次日02:00`` as (opens, closes) minutes."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise HoursError(_l("“%(text)s” is not an opening time. Write it like 08:00-11:30.",
                            text=text))
    oh, om, marker_before, ch, cm, marker_after = match.groups()
    opens = _minutes(oh, om, text)
    closes = _minutes(ch, cm, text)
    if opens == MINUTES_PER_DAY:
        raise HoursError(_l("“%(text)s” opens at 24:00. Write 00:00 on the next day instead.",
                            text=text))
    if marker_before or marker_after:
        closes += MINUTES_PER_DAY
        if closes - opens > MINUTES_PER_DAY:
            raise HoursError(_l("“%(text)s” is longer than a whole day.", text=text))
    elif closes == opens:
        raise HoursError(_l("“%(text)s” closes at the time it opens.", text=text))
    elif closes < opens:
        raise HoursError(_l(
            "“%(text)s” closes before it opens. For hours past midnight write 次日, "
            "like 20:00-次日02:00.", text=text))
    return opens, closes


def parse_day(text):
    """Read a day's intervals, sorted; refuse unreadable or overlapping ones."""
    text = _normalise(text)
    if text.lower() in CLOSED_WORDS:
        return []
    pieces = [piece.strip() for piece in _SEPARATORS.split(text) if piece.strip()]
    if len(pieces) > MAX_INTERVALS_PER_DAY:
        raise HoursError(_l("At most %(count)d opening times a day.",
                            count=MAX_INTERVALS_PER_DAY))
    intervals = sorted(parse_interval(piece) for piece in pieces)
    for (o1, c1), (o2, c2) in zip(intervals, intervals[1:], strict=False):
        if o2 < c1:
            raise HoursError(_l("%(first)s and %(second)s overlap.",
                                first=format_interval(o1, c1), second=format_interval(o2, c2)))
    return intervals


def parse_week(texts):
    """Read seven lines (Monday first) into {weekday: intervals}, or raise HoursError."""
    # The error's ``weekday`` says which line to mark.
    week = {}
    for weekday, text in enumerate(texts):
        try:
            week[weekday] = parse_day(text)
        except HoursError as error:
            error.weekday = weekday
            raise
    check_week(week)
    return week


def check_week(week):
    """Refuse a night opening that runs into the next day's hours (Sunday's into Monday's)."""
    for weekday in range(7):
        following = (weekday + 1) % 7
        for opens, closes in week.get(weekday, []):
            spill = closes - MINUTES_PER_DAY
            clash = next((iv for iv in week.get(following, []) if iv[0] < spill), None)
            if spill > 0 and clash:
                raise HoursError(_l(
                    "%(day)s %(first)s runs into %(next_day)s %(second)s.",
                    day=WEEKDAYS[weekday], first=format_interval(opens, closes),
                    next_day=WEEKDAYS[following], second=format_interval(*clash)),
                    weekday=following)


def _clock(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_interval(opens, closes):
    """Write ``08:00-11:30``, or ``20:00-次日02:00`` (``20:00-02:00 next day`` in English)."""
    if closes > MINUTES_PER_DAY:
        return f"{_clock(opens)}-" + _("%(time)s next day", time=_clock(closes - MINUTES_PER_DAY))
    return f"{_clock(opens)}-{_clock(closes)}"


def format_day(intervals):
    """Write a day's intervals in the notation the form reads back ("" when closed)."""
    return ", ".join(format_interval(o, c) for o, c in intervals)


# --- a point's schedule, and what it means at a given moment ---

@dataclass(frozen=True)
class DayException:
    """A date with other hours than usual: closed, or special intervals."""

    closed: bool
    intervals: tuple = ()
    note: str = ""


@dataclass
class Schedule:
    weekly: dict = field(default_factory=dict)  # weekday (0 = Monday) -> [(opens, closes)]
    exceptions: dict = field(default_factory=dict)  # date -> DayException

    @property
    def known(self):
        """False when no hours were ever given (call first)."""
        return any(self.weekly.values()) or bool(self.exceptions)

    def intervals_on(self, day):
        """Return the intervals that open on ``day``: the exception's if there is one."""
        exception = self.exceptions.get(day)
        if exception is not None:
            return [] if exception.closed else list(exception.intervals)
        return list(self.weekly.get(day.weekday(), []))


@dataclass(frozen=True)
class HoursState:
    is_open: bool
    closes_at: datetime | None = None  # open: when it closes; None = not within two weeks
    opens_at: datetime | None = None  # closed: next opening; None = none within two weeks
    known: bool = True


def as_local(now=None):
    """Return ``now`` in the portal's zone. A naive value is UTC, the form the portal stores
    and passes (``portal.timeutil``); an aware one is converted from its own zone."""
    if now is None:
        return local_now()
    if now.tzinfo is None:
        return to_local(now)
    return now.astimezone(zone())


def _openings(schedule, first_day, days):
    """Merge the intervals opening on ``days`` days into (start, end) local datetimes."""
    tz = zone()
    spans = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        midnight = datetime.combine(day, time(), tzinfo=tz)
        for opens, closes in schedule.intervals_on(day):
            spans.append((midnight + timedelta(minutes=opens),
                          midnight + timedelta(minutes=closes)))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def state(schedule, now=None):
    """Tell whether the point is open at ``now`` and until when, or when it opens next."""
    local = as_local(now)
    # Yesterday's intervals can run past midnight into today.
    first_day = local.date() - timedelta(days=1)
    days = HORIZON_DAYS + 2
    horizon_end = datetime.combine(first_day + timedelta(days=days), time(), tzinfo=zone())
    for start, end in _openings(schedule, first_day, days):
        if start <= local < end:
            return HoursState(True, closes_at=None if end >= horizon_end else end,
                              known=schedule.known)
        if start > local:
            return HoursState(False, opens_at=start, known=schedule.known)
    return HoursState(False, known=schedule.known)


def is_open(schedule, now=None):
    return state(schedule, now).is_open


def _day_words(moment, local):
    """Name the day: "" for today, "tomorrow", a weekday, or a date a week or more away."""
    days = (moment.date() - local.date()).days
    if days == 0:
        return ""
    if days == 1:
        return _("tomorrow")
    if days < 7:
        return str(WEEKDAYS[moment.weekday()])
    return _("%(month)d/%(day)d", month=moment.month, day=moment.day)


def describe(hours_state, now=None):
    """Say it in words: ("Open now", "closes in 20 min") and the like."""
    local = as_local(now)
    if not hours_state.known:
        return _("Hours not given"), _("call before you go")
    if hours_state.is_open:
        end = hours_state.closes_at
        if end is None:
            return _("Open now"), _("open day and night")
        left = int((end - local).total_seconds() // 60)
        if left <= 60:
            return _("Open now"), _("closes in %(minutes)d min", minutes=max(1, left))
        day = _day_words(end, local)
        if day:
            return _("Open now"), _("closes %(day)s at %(time)s", day=day,
                                    time=end.strftime("%H:%M"))
        return _("Open now"), _("closes at %(time)s", time=end.strftime("%H:%M"))
    start = hours_state.opens_at
    if start is None:
        return _("Closed"), _("no opening in the next two weeks")
    wait = int((start - local).total_seconds() // 60)
    if wait < 60:
        return _("Closed"), _("opens in %(minutes)d min", minutes=max(1, wait))
    day = _day_words(start, local)
    if day:
        return _("Closed"), _("opens %(day)s at %(time)s", day=day, time=start.strftime("%H:%M"))
    return _("Closed"), _("opens at %(time)s", time=start.strftime("%H:%M"))


def week_rows(schedule, today):
    """Return seven (weekday name, [interval texts], is today) rows, Monday first."""
    return [(WEEKDAYS[weekday], [format_interval(*iv) for iv in schedule.weekly.get(weekday, [])],
             weekday == today.weekday()) for weekday in range(7)]


def upcoming_exceptions(schedule, today):
    """Return the (date, DayException) pairs from today on, soonest first."""
    return sorted((day, exception) for day, exception in schedule.exceptions.items()
                  if day >= today)
