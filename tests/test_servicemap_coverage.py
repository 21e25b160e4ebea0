"""15-minute coverage without HTTP: minutes to the nearest point of each kind, gaps, the
30-minute rule for suburban places, the CSV, and agreement with measuring every pair."""

import csv
import io
import random

from portal.extensions import db
from portal.places.tree import add_place
from portal.servicemap import coverage, geo
from tests.servicemap_helpers import make_point, offset


def by_name(report):
    return {c.name: c for c in report.courtyards}


def test_minutes_gaps_and_summary(world):
    east, north, huanhua = world["courtyard"], world["courtyard2"], world["other_courtyard"]
    # A meal point 200 m from 133号院; 草堂北路8号院 is about 540 m from it.
    make_point(world["community"], "长者食堂", "meals", *offset(east.latitude, east.longitude,
                                                            east_m=200))
    # A clinic that is temporarily closed does not count.
    make_point(world["community"], "卫生站", "health", east.latitude, east.longitude,
               status="temporarily_closed")
    report = coverage.coverage(world["street"])
    rows = by_name(report)
    assert set(rows) == {east.name, north.name, huanhua.name}
    assert rows[east.name].minutes["meals"] == geo.walking_minutes(200) == 6
    north_minutes = geo.walking_minutes(geo.distance_m(
        north.latitude, north.longitude, *offset(east.latitude, east.longitude, east_m=200)))
    assert rows[north.name].minutes["meals"] == north_minutes
    assert rows[east.name].minutes["health"] is None  # closed for now: a gap
    assert "health" in rows[east.name].gaps and "meals" not in rows[east.name].gaps
    assert rows[east.name].community == "草堂路社区"
    assert rows[huanhua.name].community == "浣花社区"
    summary = dict((code, (gaps, total)) for code, gaps, total in report.summary())
    assert summary["health"] == (3, 3)
    meal_gaps = sum(1 for c in report.courtyards if c.is_gap("meals"))
    assert summary["meals"] == (meal_gaps, 3)


def test_a_point_just_over_15_minutes_is_a_gap_in_town_but_not_in_the_suburbs(world):
    east = world["courtyard"]
    # 17 minutes away: 17 × 50 / 1.3 ≈ 654 m.
    make_point(world["community"], "远一点的食堂", "meals",
               *offset(east.latitude, east.longitude, north_m=650))
    assert coverage.coverage(world["community"]).gap_count("meals") >= 1
    assert by_name(coverage.coverage(world["community"]))[east.name].is_gap("meals")
    world["community"].suburban = True
    db.session.commit()
    report = coverage.coverage(world["community"])
    assert by_name(report)[east.name].limit == 30 and not by_name(report)[east.name].is_gap(
        "meals")
    assert report.has_suburban


def test_courtyards_without_coordinates_are_counted_apart(world):
    add_place("courtyard", "没有位置的院子", world["community"])
    db.session.commit()
    report = coverage.coverage(world["community"])
    assert [c.name for c in report.unlocated] == ["没有位置的院子"]
    assert all(total == 2 for _code, _gaps, total in report.summary())


def test_nearest_out_of_reach_is_none(world):
    east = world["courtyard"]
    make_point(world["community"], "很远的食堂", "meals",
               *offset(east.latitude, east.longitude, north_m=3000))
    assert by_name(coverage.coverage(world["community"]))[east.name].minutes["meals"] is None


def test_coverage_agrees_with_measuring_every_pair(world):
    """The grid's pruning must find what a pair-by-pair loop finds."""
    rng = random.Random(41)
    community = world["community"]
    for i in range(120):
        lat, lon = offset(30.6628, 104.0385, rng.uniform(-3000, 3000), rng.uniform(-3000, 3000))
        add_place("courtyard", f"院{i:03d}", community, latitude=lat, longitude=lon)
    points = []
    for i in range(150):
        lat, lon = offset(30.6628, 104.0385, rng.uniform(-3500, 3500), rng.uniform(-3500, 3500))
        category = rng.choice(["meals", "health", "culture", "reading"])
        points.append((category, lat, lon))
        make_point(community, f"点{i}", category, lat, lon, commit=False)
    db.session.commit()
    report = coverage.coverage(community)
    checked = 0
    for c in report.located:
        place = db.session.get(type(community), c.id)
        for category in ("meals", "health", "culture", "reading", "children"):
            distances = [geo.distance_m(place.latitude, place.longitude, lat, lon)
                         for kind, lat, lon in points if kind == category]
            reach = geo.radius_for_minutes(coverage.REACH_TIMES_LIMIT * c.limit)
            best = min([d for d in distances if d <= reach], default=None)
            expected = None if best is None else geo.walking_minutes(best)
            assert c.minutes[category] == expected, (c.name, category)
            checked += 1
    assert checked == 5 * 122


def test_csv_has_a_bom_a_header_and_a_row_per_courtyard(world):
    make_point(world["community"], "长者食堂", "meals", world["courtyard"].latitude,
               world["courtyard"].longitude)
    text = coverage.csv_text(coverage.coverage(world["community"]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["院落", "社区", "郊区", "标准（分钟）"]
    assert len(rows[0]) == 4 + 2 * 9
    assert len(rows) == 1 + 2
    east = next(r for r in rows if r[0] == "草堂东路133号院")
    assert east[4:6] == ["", "是"]  # 党群服务中心: none in reach, a gap
    assert east[6:8] == ["1", "否"]  # 助餐点: 1 minute, no gap


def test_remembered_minutes_follow_every_change(world, monkeypatch):
    coverage.forget_measurements()
    measured = []
    real_measure = coverage._measure
    monkeypatch.setattr(coverage, "_measure",
                        lambda *args: measured.append(1) or real_measure(*args))
    east = world["courtyard"]
    point = make_point(world["community"], "长者食堂", "meals",
                       *offset(east.latitude, east.longitude, east_m=200))

    def meals():
        return by_name(coverage.coverage(world["community"]))[east.name].minutes["meals"]

    assert meals() == 6 and meals() == 6
    assert len(measured) == 1  # asked twice, measured once
    point.latitude, point.longitude = offset(east.latitude, east.longitude, north_m=650)
    db.session.commit()
    assert meals() == 17
    point.status = "temporarily_closed"
    db.session.commit()
    assert meals() is None
    point.status = "active"
    db.session.commit()
    east.latitude, east.longitude = point.latitude, point.longitude
    db.session.commit()
    assert meals() == 1
    world["community"].suburban = True
    db.session.commit()
    assert by_name(coverage.coverage(world["community"]))[east.name].limit == 30
    make_point(world["community"], "另一个食堂", "meals", east.latitude, east.longitude)
    assert meals() == 1 and len(measured) == 6  # once for every change asked about
