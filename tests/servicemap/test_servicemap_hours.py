"""Opening hours: the notation, its checks, and open now / opens at / closes in, in
Asia/Shanghai whatever the clock's zone — all with an explicit ``now``."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from portal.servicemap import hours
from portal.servicemap.hours import DayException, HoursError, Schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 3, 2)  # a Monday


def at(day, hhmm, tz=SHANGHAI):
    h, m = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=tz)


def week(**days):
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {names.index(name): hours.parse_day(text) for name, text in days.items()}


# --- the notation ---

@pytest.mark.parametrize("text, expected", [
    ("08:00-11:30, 14:00-17:30", [(480, 690), (840, 1050)]),
    ("14:00-17:30，08:00-11:30", [(480, 690), (840, 1050)]),  # full-width comma, any order
    ("０８：００－１１：３０", [(480, 690)]),  # full-width digits and colon
    ("8:00~12:00、13:00至17:00", [(480, 720), (780, 1020)]),
    ("09:00-24:00", [(540, 1440)]),
    ("00:00-24:00", [(0, 1440)]),
    ("20:00-次日02:00", [(1200, 1560)]),
    ("20:00-02:00+1", [(1200, 1560)]),
    ("20:00 - 02:00 next day", [(1200, 1560)]),
    ("22:00-次日22:00", [(1320, 2760)]),  # a full day is still allowed
    ("", []), ("休息", []), ("Closed", []),
])
def test_parse_day(text, expected):
    assert hours.parse_day(text) == expected


@pytest.mark.parametrize("text, words", [
    ("17:00-08:00", "closes before it opens"),
    ("22:00-02:00", "次日"),  # the hint how to write hours past midnight
    ("08:00-08:00", "closes at the time it opens"),
    ("08:00-11:30, 11:00-13:00", "overlap"),
    ("20:00-次日02:00, 23:00-23:30", "overlap"),
    ("25:00-26:00", "not a time of day"),
    ("08:60-09:00", "not a time of day"),
    ("24:00-次日01:00", "24:00"),
    ("20:00-次日21:00", "longer than a whole day"),
    ("eight to noon", "not an opening time"),
    ("08:00", "not an opening time"),
    ("1:00-2:00, 3:00-4:00, 5:00-6:00, 7:00-8:00, 9:00-10:00, 11:00-12:00, 13:00-14:00",
     "At most 6"),
])
def test_parse_day_refuses_with_a_message(text, words):
    with pytest.raises(HoursError) as refused, force_locale("en"):
        hours.parse_day(text)
    with force_locale("en"):
        assert words in str(refused.value.message)


def test_week_refuses_a_night_running_into_the_next_morning():
    lines = ["22:00-次日03:00", "02:00-10:00", "", "", "", "", ""]
    with pytest.raises(HoursError) as refused:
        hours.parse_week(lines)
    assert refused.value.weekday == 1  # marked on Tuesday's line
    # Sunday's night runs into Monday.
    with pytest.raises(HoursError) as refused:
        hours.parse_week(["01:00-05:00", "", "", "", "", "", "23:00-次日02:00"])
    assert refused.value.weekday == 0
    # Back to back is fine.
    assert hours.parse_week(["22:00-次日03:00", "03:00-10:00", "", "", "", "", ""])[1] == [
        (180, 600)]


def test_format_round_trips_in_both_languages():
    for locale in ("zh_Hans", "en"):
        with force_locale(locale):
            for text in ("08:00-11:30, 14:00-17:30", "20:00-次日02:00", "09:00-24:00"):
                intervals = hours.parse_day(text)
                assert hours.parse_day(hours.format_day(intervals)) == intervals
    with force_locale("zh_Hans"):
        assert hours.format_day([(1200, 1560)]) == "20:00-次日02:00"
    with force_locale("en"):
        assert hours.format_day([(1200, 1560)]) == "20:00-02:00 next day"


# --- open now, opens at, closes in ---

MEALS = Schedule(week(mon="11:00-13:00, 17:00-18:30", tue="11:00-13:00, 17:00-18:30",
                      wed="11:00-13:00, 17:00-18:30", thu="11:00-13:00, 17:00-18:30",
                      fri="11:00-13:00, 17:00-18:30"))


@pytest.mark.parametrize("hhmm, is_open, closes, opens", [
    ("10:59", False, None, "11:00"),
    ("11:00", True, "13:00", None),
    ("12:59", True, "13:00", None),
    ("13:00", False, None, "17:00"),  # closing time itself is closed
    ("18:29", True, "18:30", None),
    ("18:30", False, None, "11:00"),
])
def test_state_during_a_day(hhmm, is_open, closes, opens):
    result = hours.state(MEALS, at(MONDAY, hhmm))
    assert result.is_open is is_open
    assert (result.closes_at.strftime("%H:%M") if result.closes_at else None) == closes
    assert (result.opens_at.strftime("%H:%M") if result.opens_at else None) == opens


def test_opens_at_on_the_next_day_and_after_the_weekend():
    evening = hours.state(MEALS, at(MONDAY, "19:00"))
    assert evening.opens_at == at(MONDAY + timedelta(days=1), "11:00")
    friday_night = hours.state(MEALS, at(MONDAY + timedelta(days=4), "20:00"))
    assert friday_night.opens_at == at(MONDAY + timedelta(days=7), "11:00")  # next Monday


def test_interval_across_midnight_belongs_to_the_day_it_opens():
    night = Schedule(week(fri="20:00-次日02:00"))
    friday, saturday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=5)
    assert hours.state(night, at(friday, "23:30")).is_open
    late = hours.state(night, at(saturday, "01:59"))
    assert late.is_open and late.closes_at == at(saturday, "02:00")
    assert not hours.state(night, at(saturday, "02:00")).is_open
    # Thursday night is not Friday night.
    assert not hours.state(night, at(friday, "01:00")).is_open


def test_exceptions_close_a_day_or_change_its_hours():
    tuesday = MONDAY + timedelta(days=1)
    closed = Schedule(MEALS.weekly, {tuesday: DayException(True, note="清明节")})
    assert not hours.state(closed, at(tuesday, "12:00")).is_open
    assert hours.state(closed, at(MONDAY, "19:00")).opens_at == at(tuesday + timedelta(days=1),
                                                                    "11:00")
    special = Schedule(MEALS.weekly, {tuesday: DayException(False, ((540, 600),))})
    assert hours.state(special, at(tuesday, "09:30")).is_open
    assert not hours.state(special, at(tuesday, "12:00")).is_open
    # A Sunday special opening on a day normally closed.
    sunday = MONDAY + timedelta(days=6)
    fair = Schedule(MEALS.weekly, {sunday: DayException(False, ((900, 1080),))})
    assert hours.state(fair, at(sunday, "15:30")).is_open


def test_an_exception_on_the_next_day_does_not_cut_last_nights_hours():
    night = Schedule(week(fri="20:00-次日02:00"))
    saturday = MONDAY + timedelta(days=5)
    with_holiday = Schedule(night.weekly, {saturday: DayException(True)})
    assert hours.state(with_holiday, at(saturday, "01:00")).is_open


def test_state_is_computed_in_shanghai_whatever_zone_now_is_in():
    # 03:30 UTC is 11:30 in Shanghai: lunch is being served.
    utc = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)
    assert hours.state(MEALS, utc).is_open
    # 16:30 UTC on Sunday is 00:30 on Monday in Shanghai, not Sunday evening.
    sunday_utc = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert hours.state(MEALS, sunday_utc).opens_at == at(MONDAY, "11:00")
    # New York's Monday 22:30 is Tuesday 11:30 in Shanghai.
    new_york = datetime(2026, 3, 2, 22, 30, tzinfo=ZoneInfo("America/New_York"))
    assert hours.state(MEALS, new_york).is_open
    # A naive value is UTC, as the portal stores it: 03:30 UTC is 11:30 in Shanghai.
    assert hours.state(MEALS, datetime(2026, 3, 2, 3, 30)).is_open
    assert not hours.state(MEALS, datetime(2026, 3, 2, 11, 30)).is_open  # 19:30 there


@pytest.mark.parametrize("hhmm", ["00:30", "10:59", "11:00", "12:59", "13:00", "17:30",
                                  "23:59"])
def test_naive_utc_and_aware_local_now_give_the_same_answer(hhmm):
    local = at(MONDAY, hhmm)
    naive_utc = local.astimezone(UTC).replace(tzinfo=None)
    assert hours.state(MEALS, naive_utc) == hours.state(MEALS, local)
    assert hours.describe(hours.state(MEALS, naive_utc), naive_utc) == hours.describe(
        hours.state(MEALS, local), local)


def test_the_clock_is_the_portals_when_no_now_is_given(monkeypatch):
    monkeypatch.setattr(hours, "local_now", lambda: at(MONDAY, "12:00"))
    assert hours.is_open(MEALS)
    monkeypatch.setattr(hours, "local_now", lambda: at(MONDAY, "14:00"))
    assert not hours.is_open(MEALS)


def test_always_open_and_never_given():
    always = Schedule({day: [(0, 1440)] for day in range(7)})
    result = hours.state(always, at(MONDAY, "03:00"))
    assert result.is_open and result.closes_at is None
    unknown = hours.state(Schedule(), at(MONDAY, "03:00"))
    assert not unknown.is_open and not unknown.known


@pytest.mark.parametrize("hhmm, day_offset, expected", [
    ("12:50", 0, ("Open now", "closes in 10 min")),
    ("11:30", 0, ("Open now", "closes at 13:00")),
    ("13:30", 0, ("Closed", "opens at 17:00")),
    ("16:45", 0, ("Closed", "opens in 15 min")),
    ("19:00", 0, ("Closed", "opens tomorrow at 11:00")),
    ("19:00", 4, ("Closed", "opens Monday at 11:00")),  # Friday evening
])
def test_describe_in_words(hhmm, day_offset, expected):
    now = at(MONDAY + timedelta(days=day_offset), hhmm)
    with force_locale("en"):
        assert hours.describe(hours.state(MEALS, now), now) == expected


def test_describe_in_chinese():
    now = at(MONDAY, "19:00")
    with force_locale("zh_Hans"):
        headline, detail = hours.describe(hours.state(MEALS, now), now)
    assert headline == "已关门" and "明天" in detail and "11:00" in detail


def test_night_opening_says_it_closes_tomorrow():
    night = Schedule(week(mon="20:00-次日06:00"))
    now = at(MONDAY, "21:00")
    with force_locale("en"):
        assert hours.describe(hours.state(night, now), now) == ("Open now",
                                                                "closes tomorrow at 06:00")


def test_week_rows_mark_today_and_upcoming_exceptions_are_sorted():
    rows = hours.week_rows(MEALS, MONDAY + timedelta(days=2))
    assert [today for _n, _t, today in rows] == [False, False, True, False, False, False, False]
    assert rows[0][1] == ["11:00-13:00", "17:00-18:30"] and rows[6][1] == []
    schedule = Schedule({}, {MONDAY + timedelta(days=9): DayException(True),
                             MONDAY - timedelta(days=3): DayException(True),
                             MONDAY + timedelta(days=2): DayException(True)})
    assert [d for d, _e in hours.upcoming_exceptions(schedule, MONDAY)] == [
        MONDAY + timedelta(days=2), MONDAY + timedelta(days=9)]
