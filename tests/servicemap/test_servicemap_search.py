"""Finding points without HTTP: the query string, "open now" in SQL, near me with pruning,
pages, and the mini-map's geometry."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.servicemap import geo, hours, minimap, search
from portal.servicemap.forms import ListForm
from portal.servicemap.models import ServicePoint
from tests.factories import NEVER, make_point, offset

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)


# --- the query string ---

def ask(args):
    return ListForm(MultiDict(args)).asked()


def test_the_list_form_reads_good_values(world):
    asked = ask({
        "category": "meals", "open": "1", "within": "15", "step_free": "on", "page": "2",
        "place": str(world["community"].id), "from": str(world["courtyard2"].id)})
    f = asked.filters
    assert asked.problems == []
    assert (f.category, f.open_now, f.within, f.step_free, f.page) == ("meals", True, 15, True, 2)
    assert f.place == world["community"] and asked.courtyard == world["courtyard2"]


@pytest.mark.parametrize("args", [
    {"within": "-5"}, {"within": "abc"}, {"within": "0"}, {"within": "999"},
    {"category": "karaoke"}, {"open": "maybe"}, {"step_free": "2"}, {"page": "0"},
    {"page": "x"}, {"page": "101"}, {"place": "abc"}, {"place": "99999"},
    {"from": "99999"}, {"from": "abc"}, {"lat": "100", "lon": "104"},
    {"lat": "abc", "lon": "104"}, {"lat": "30.6"}, {"lat": "nan", "lon": "nan"},
    {"lat": "30.6", "lon": "inf"},
])
def test_nonsense_gives_a_problem_beside_its_filter_and_no_filter_at_all(world, args):
    form = ListForm(MultiDict({"category": "meals", "open": "1", **args}))
    asked = form.asked()
    assert len(asked.problems) == 1
    assert asked.filters == search.ListFilters()  # unfiltered
    assert asked.location is None and asked.courtyard is None
    name = next(iter(args))
    assert form["lat" if name == "lon" else name].errors == asked.problems


def test_a_good_page_is_kept_when_a_filter_makes_no_sense(world):
    asked = ask({"within": "abc", "page": "3"})
    assert asked.problems and asked.filters == search.ListFilters(page=3)


def test_typed_values_are_never_markup(world):
    asked = ask({"category": "<b>x</b>", "open": "<script>"})
    assert len(asked.problems) == 2
    assert not any(hasattr(problem, "__html__") for problem in asked.problems)


def test_a_courtyard_to_start_from_must_be_a_courtyard(world):
    asked = ask({"from": str(world["community"].id)})
    assert asked.problems and asked.courtyard is None


# --- "open now" in SQL agrees with hours.state ---

def _random_week(rng):
    week = {}
    for weekday in range(7):
        pieces, start = [], rng.choice([0, 360, 480, 660])
        for _ in range(rng.randint(0, 2)):
            length = rng.choice([60, 150, 240, 600])
            end = start + length
            if end > 1440:
                # Across midnight, sometimes; the week's own check refuses clashes.
                pieces.append(f"{start // 60:02d}:{start % 60:02d}-次日"
                              f"{(end - 1440) // 60:02d}:{end % 60:02d}")
                break
            pieces.append(f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
            start = end + rng.choice([30, 120, 300])
            if start >= 1440:
                break
        week[weekday] = ", ".join(pieces)
    try:
        hours.parse_week([week[d] for d in range(7)])
    except hours.HoursError:
        week = {d: text for d, text in week.items() if "次日" not in text}
    return week


def test_open_now_in_sql_agrees_with_hours_state_on_random_schedules(world):
    rng = random.Random(20260302)
    base = date(2026, 3, 2)
    points = []
    for i in range(60):
        exceptions = []
        for _ in range(rng.randint(0, 2)):
            day = base + timedelta(days=rng.randint(-1, 3))
            if any(e[0] == day for e in exceptions):
                continue
            closed = rng.random() < 0.5
            exceptions.append((day, closed, "" if closed else rng.choice(
                ["09:00-10:00", "20:00-次日03:00", "00:00-24:00", "12:00-12:30"]), "x"))
        status = "temporarily_closed" if i % 15 == 0 else "active"
        points.append(make_point(world["community"], name=f"点{i}", week=_random_week(rng),
                                 exceptions=exceptions, status=status, commit=False))
    db.session.commit()
    for _ in range(80):
        now = datetime.combine(base + timedelta(days=rng.randint(-1, 3)),
                               datetime.min.time(), tzinfo=SHANGHAI) + timedelta(
            minutes=rng.choice([0, 1, 59, 60, 180, 539, 540, 600, 720, 749, 750, 1199, 1200,
                                rng.randint(0, 1439)]))
        in_sql = set(db.session.scalars(
            db.select(ServicePoint.id).where(search.open_now_condition(now))))
        in_python = {p.id for p in points
                     if p.status == "active" and hours.state(p.schedule(), now).is_open}
        assert in_sql == in_python, now
        # The same moment as naive UTC (how the portal stores and passes time) agrees.
        naive_utc = now.astimezone(UTC).replace(tzinfo=None)
        assert set(db.session.scalars(db.select(ServicePoint.id).where(
            search.open_now_condition(naive_utc)))) == in_sql, now


# --- near me ---

def _spread(world, count, rng, **fields):
    lat0, lon0 = world["courtyard"].latitude, world["courtyard"].longitude
    made = []
    for i in range(count):
        lat, lon = offset(lat0, lon0, rng.uniform(-6000, 6000), rng.uniform(-6000, 6000))
        made.append(make_point(world["community"], name=f"点{i:03d}", lat=lat, lon=lon,
                               category=rng.choice(["meals", "health"]), commit=False,
                               step_free=rng.random() < 0.5, **fields))
    db.session.commit()
    return made


def test_nearest_with_a_growing_box_is_the_same_as_measuring_everything(world):
    rng = random.Random(5)
    made = _spread(world, 150, rng)
    origin = search.Origin.of(world["courtyard"])
    everything = sorted((geo.distance_m(origin.latitude, origin.longitude, p.latitude,
                                        p.longitude), p.id) for p in made)
    for want in (1, 5, 11, 40, 150):
        found = search.nearest(search.filtered(search.ListFilters(), MONDAY_NOON), origin, want)
        assert len(found) >= want
        assert [i for _m, i in found[:want]] == [i for _m, i in everything[:want]]


def test_within_minutes_keeps_exactly_the_points_that_near(world):
    rng = random.Random(6)
    made = _spread(world, 80, rng)
    origin = search.Origin.of(world["courtyard"])
    found = search.nearest(search.filtered(search.ListFilters(), MONDAY_NOON), origin, 1,
                           within_minutes=15)
    expected = {p.id for p in made if geo.walking_minutes(geo.distance_m(
        origin.latitude, origin.longitude, p.latitude, p.longitude)) <= 15}
    assert {i for _m, i in found} == expected and expected


def test_nothing_further_than_32_km_is_near(world):
    make_point(world["community"], name="远方", lat=31.2, lon=104.0402)  # about 60 km north
    found = search.find_points(search.ListFilters(), search.Origin.of(world["courtyard"]),
                               MONDAY_NOON)
    assert found.items == [] and found.total == 0 and not found.has_next


def test_find_points_pages_filters_and_rows(world):
    near = make_point(world["community"], name="近的助餐点", lat=30.6645, lon=104.0405,
                      week=NEVER, step_free=True)
    closed = make_point(world["community"], name="暂停的助餐点", lat=30.6650, lon=104.0410,
                        status="temporarily_closed", status_note="装修")
    make_point(world["community"], name="撤销的助餐点", lat=30.6642, lon=104.0403,
               status="defunct")
    far = make_point(world["other_community"], name="远一点的助餐点", lat=30.6700,
                     lon=104.0500)
    clinic = make_point(world["community"], name="卫生站", category="health", lat=30.6640,
                        lon=104.0401)
    origin = search.Origin.of(world["courtyard"])
    f = search.ListFilters(category="meals")
    page = search.find_points(f, origin, MONDAY_NOON, per_page=2)
    assert [r.point for r in page.items] == [near, closed] and page.has_next
    assert [r.number for r in page.items] == [1, 2] and page.first == 1
    assert (page.page, page.pages, page.next_num, page.prev_num) == (1, 2, 2, None)
    assert page.items[0].headline == "开放时间未知"  # no hours given: call first
    assert page.items[1].state is None and page.items[1].detail == "装修"
    second = search.find_points(search.ListFilters(category="meals", page=2), origin,
                                MONDAY_NOON, per_page=2)
    assert [r.point for r in second.items] == [far] and not second.has_next
    assert second.items[0].number == 3 and second.items[0].is_open
    assert (second.first, second.total, second.has_prev, second.prev_num) == (3, 3, True, 1)
    assert [r.point for r in search.find_points(
        search.ListFilters(open_now=True), origin, MONDAY_NOON).items] == [clinic, far]
    assert [r.point for r in search.find_points(
        search.ListFilters(step_free=True), origin, MONDAY_NOON).items] == [near]
    assert far not in [r.point for r in search.find_points(
        search.ListFilters(place=world["community"]), origin, MONDAY_NOON).items]
    # Without an origin: by kind (the official order), then name; no distances; paged in SQL.
    rows = search.find_points(search.ListFilters(), None, MONDAY_NOON).items
    assert [r.point.category for r in rows] == ["meals", "meals", "meals", "health"]
    assert all(r.metres is None for r in rows)
    by_kind = search.find_points(search.ListFilters(page=2), None, MONDAY_NOON, per_page=3)
    assert [r.number for r in by_kind.items] == [4] and by_kind.total == 4
    assert (by_kind.pages, by_kind.has_next, by_kind.prev_num) == (2, False, 1)


def test_suburban_places_get_30_minutes(world):
    assert search.Origin.of(world["courtyard"]).limit == 15
    world["street"].suburban = True
    db.session.commit()
    assert search.Origin.of(world["courtyard"]).limit == 30
    assert search.Origin.of(world["community"].parent.parent) is None  # no coordinates


# --- the mini-map ---

def test_minimap_puts_north_up_east_right_and_keeps_the_circle_to_scale():
    lat, lon = 30.6641, 104.0402
    north = offset(lat, lon, north_m=300)
    east = offset(lat, lon, east_m=400)
    far = offset(lat, lon, north_m=9000)
    m = minimap.build(lat, lon, [(1, *north, "北边"), (2, *east, "东边"), (3, *far, "很远")],
                      580, 15)
    one, two = m.markers
    assert m.left_off == 1  # 9 km is more than four circles away: the list has it, the map not
    assert one.x == pytest.approx(m.centre, abs=0.5) and one.y < m.centre
    assert two.y == pytest.approx(m.centre, abs=0.5) and two.x > m.centre
    px_per_m = m.circle_r / 580
    assert (m.centre - one.y) / px_per_m == pytest.approx(300, rel=0.01)
    assert m.scale_px == pytest.approx(m.scale_m * px_per_m, abs=0.1)
    assert m.scale_m in minimap.ROUND_LENGTHS and m.scale_px <= m.size / 3
    for marker in m.markers:
        assert minimap.MARGIN - 1 <= marker.x <= m.size - minimap.MARGIN + 1
        assert minimap.MARGIN - 1 <= marker.y <= m.size - minimap.MARGIN + 1


def test_minimap_grows_to_fit_the_listed_points():
    lat, lon = 30.6641, 104.0402
    point = offset(lat, lon, east_m=1500)
    m = minimap.build(lat, lon, [(1, *point, "x")], 580, 15)
    assert m.markers[0].x <= m.size - minimap.MARGIN + 1
    assert m.circle_r < m.size / 2 / 2  # the circle shrank to make room
