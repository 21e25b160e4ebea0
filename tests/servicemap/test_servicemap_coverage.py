"""15-minute coverage without HTTP: minutes to the nearest point of each kind, gaps, the
30-minute rule for suburban places, the CSV, and agreement with measuring every pair."""

import csv
import io
import json
import os
import random
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from portal import ROOT
from portal.config import cache_config
from portal.extensions import db
from portal.places.tree import add_place
from portal.servicemap import coverage, geo
from portal.spreadsheet import csv_text
from tests.factories import make_point, offset


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
    text = csv_text(*coverage.table(coverage.coverage(world["community"])))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["院落", "社区", "郊区", "标准（分钟）"]
    assert len(rows[0]) == 4 + 2 * 9
    assert len(rows) == 1 + 2
    east = next(r for r in rows if r[0] == "草堂东路133号院")
    assert east[4:6] == ["", "是"]  # 党群服务中心: none in reach, a gap
    assert east[6:8] == ["1", "否"]  # 助餐点: 1 minute, no gap


def test_the_spreadsheet_has_minutes_as_numbers(client, login, world, make_user):
    make_point(world["community"], "长者食堂", "meals", world["courtyard"].latitude,
               world["courtyard"].longitude)
    login(make_user(roles=[("community_worker", world["community"])]))
    response = client.get(f"/services/coverage/{world['community'].id}.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(
        values_only=True))
    east = next(r for r in rows if r[0] == "草堂东路133号院")
    assert east[4:8] == (None, "是", 1, "否")
    csv_response = client.get(f"/services/coverage/{world['community'].id}.csv")
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"


def count_measuring(monkeypatch):
    """Return a list that grows by one each time coverage() measures instead of remembering."""
    measured = []
    real_measure = coverage._measure
    monkeypatch.setattr(coverage, "_measure",
                        lambda *args: measured.append(1) or real_measure(*args))
    return measured


def test_remembered_minutes_follow_every_change(world, monkeypatch):
    measured = count_measuring(monkeypatch)
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


def test_a_kept_report_follows_names_and_new_courtyards(world, monkeypatch):
    measured = count_measuring(monkeypatch)
    east = world["courtyard"]
    make_point(world["community"], "长者食堂", "meals", east.latitude, east.longitude)
    assert "草堂东路133号院" in by_name(coverage.coverage(world["street"]))
    assert "草堂东路133号院" in by_name(coverage.coverage(world["street"]))
    assert len(measured) == 1
    east.name = "草堂东路135号院"
    db.session.commit()
    report = by_name(coverage.coverage(world["street"]))
    assert "草堂东路135号院" in report and "草堂东路133号院" not in report
    add_place("courtyard", "新建小区", world["community"], latitude=east.latitude,
              longitude=east.longitude)
    report = by_name(coverage.coverage(world["street"]))
    assert report["新建小区"].minutes["meals"] == 1 and len(measured) == 3


def test_with_the_cache_away_the_report_is_measured_all_the_same(world, monkeypatch):
    from tests.test_pagecache import StoreAway

    monkeypatch.setattr(coverage, "cache", StoreAway())
    east = world["courtyard"]
    make_point(world["community"], "长者食堂", "meals", east.latitude, east.longitude)
    assert by_name(coverage.coverage(world["community"]))[east.name].minutes["meals"] == 1


def test_two_requests_for_the_report_measure_once_until_a_point_moves(
        client, world, login_as, monkeypatch):
    login_as("community_worker", world["community"])
    measured = count_measuring(monkeypatch)
    east = world["courtyard"]
    point = make_point(world["community"], "长者食堂", "meals",
                       *offset(east.latitude, east.longitude, east_m=200))
    url = f"/services/coverage/{world['community'].id}"
    assert client.get(url).status_code == 200
    assert client.get(url + ".csv").status_code == 200
    assert len(measured) == 1
    point.latitude, point.longitude = offset(east.latitude, east.longitude, north_m=650)
    db.session.commit()
    assert client.get(url).status_code == 200
    assert len(measured) == 2


# A gunicorn worker: its own interpreter (so its own hash seed), the same settings.
SECOND_WORKER = """
import json, sys
from portal import create_app
from portal.extensions import db
from portal.places.models import Place
from portal.servicemap import coverage

measured = []
real_measure = coverage._measure
coverage._measure = lambda *args: measured.append(1) or real_measure(*args)
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    report = coverage.coverage(db.session.get(Place, int(sys.argv[2])))
    print(json.dumps({"measured": len(measured),
                      "minutes": {c.name: c.minutes for c in report.courtyards}}))
    db.session.remove()  # give the connection back first: dispose() closes only
    db.engine.dispose()  # pooled ones, and a dropped one warns when collected later
"""


def test_a_second_process_reads_the_report_the_first_one_measured(app, world, tmp_path):
    """Two processes sharing PORTAL_CACHE_URL (here a directory): what one measured, the other
    finds, so every worker does not measure a district again. Both are real interpreters, as
    two gunicorn workers are (and no second engine is left open in this one)."""
    east = world["courtyard"]
    make_point(world["community"], "长者食堂", "meals",
               *offset(east.latitude, east.longitude, east_m=200))
    db.session.commit()
    settings = {"TESTING": True, "SECRET_KEY": "test-secret",
                "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "CACHE_URL": f"file://{tmp_path}"}

    def worker():
        done = subprocess.run(
            [sys.executable, "-c", SECOND_WORKER, json.dumps(settings),
             str(world["community"].id)],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env=os.environ | {"PYTHONHASHSEED": "random"})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    first, second = worker(), worker()
    assert first["measured"] == 1 and first["minutes"][east.name]["meals"] == 6
    assert second == {"measured": 0, "minutes": first["minutes"]}


@pytest.mark.parametrize("url, store", [
    ("", "SimpleCache"),
    ("redis://cache.internal:6379/2", "RedisCache"),
    ("file:///var/cache/linli", "FileSystemCache"),
])
def test_the_cache_setting_names_the_store(url, store):
    assert cache_config(url)["CACHE_TYPE"] == store


@pytest.mark.parametrize("url", ["memcached://localhost", "file://", "/var/cache/linli"])
def test_a_cache_setting_that_names_no_store_stops_the_start(url):
    with pytest.raises(ValueError, match="PORTAL_CACHE_URL"):
        cache_config(url)
