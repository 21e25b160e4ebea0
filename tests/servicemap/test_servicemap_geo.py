"""Distances, walking time, boxes, compass words, GCJ-02 and the grid index, without HTTP."""

import math
import random

import pytest

from portal.config import DEFAULTS, read_settings
from portal.servicemap import geo

# 草堂东路133号院 and the community office of 草堂路社区 (demo data).
COURTYARD = (30.6641, 104.0402)
OFFICE = (30.6628, 104.0385)


def test_haversine_distance_matches_known_values():
    # One degree of latitude on the mean sphere.
    assert geo.distance_m(30.0, 104.0, 31.0, 104.0) == pytest.approx(111_195, abs=1)
    assert geo.distance_m(*COURTYARD, *COURTYARD) == 0
    # Beijing Tiananmen to Shanghai People's Square: about 1,067 km as the crow flies.
    assert geo.distance_m(39.9087, 116.3975, 31.2304, 121.4737) == pytest.approx(1_067_000,
                                                                                   rel=0.01)
    # Symmetric.
    assert geo.distance_m(*COURTYARD, *OFFICE) == pytest.approx(geo.distance_m(*OFFICE, *COURTYARD))


def test_walking_minutes_is_distance_times_route_factor_over_speed_rounded_up():
    # 500 m × 1.3 / 50 m a minute = 13 minutes.
    assert geo.walking_minutes(500, speed=50, route_factor=1.3) == 13
    # 501 m is 13.03 minutes: rounded up, so "15 minutes" is never an underestimate.
    assert geo.walking_minutes(501, speed=50, route_factor=1.3) == 14
    assert geo.walking_minutes(0, speed=50, route_factor=1.3) == 1
    # A brisker pace and straighter streets make it shorter.
    assert geo.walking_minutes(500, speed=80, route_factor=1.0) == 7


def test_walking_uses_the_settings(app, monkeypatch):
    assert geo.walking_settings() == (50.0, 1.3)
    monkeypatch.setitem(app.config["PORTAL"], "SERVICE_WALKING_SPEED", 65.0)
    monkeypatch.setitem(app.config["PORTAL"], "SERVICE_ROUTE_FACTOR", 1.0)
    assert geo.walking_minutes(650) == 10
    assert geo.radius_for_minutes(10) == pytest.approx(650)


def test_settings_are_read_from_the_environment():
    settings = read_settings({"PORTAL_SERVICE_WALKING_SPEED": "42.5",
                              "PORTAL_SERVICE_SUBURBAN_MINUTES": "25",
                              "PORTAL_SERVICE_TILE_URL": "https://tiles.example/{z}/{x}/{y}.png"})
    assert settings["SERVICE_WALKING_SPEED"] == 42.5
    assert settings["SERVICE_SUBURBAN_MINUTES"] == 25
    assert settings["SERVICE_TILE_URL"].startswith("https://")
    assert DEFAULTS["SERVICE_TILE_URL"] == ""  # no tile layer unless a deployment sets one
    assert (DEFAULTS["SERVICE_URBAN_MINUTES"], DEFAULTS["SERVICE_SUBURBAN_MINUTES"]) == (15, 30)


def test_radius_and_minutes_agree_at_the_edge():
    radius = geo.radius_for_minutes(15, speed=50, route_factor=1.3)
    assert geo.walking_minutes(radius, speed=50, route_factor=1.3) == 15
    assert geo.walking_minutes(radius + 1, speed=50, route_factor=1.3) == 16


@pytest.mark.parametrize("lat, lon, ok", [
    (30.66, 104.04, True), (-90, 180, True), (90.0001, 0, False), (0, -180.5, False),
    ("abc", 0, False), (None, 1, False), (float("nan"), 0, False), (float("inf"), 0, False),
])
def test_valid_coordinates(lat, lon, ok):
    assert geo.valid_coordinates(lat, lon) is ok


def test_bounding_box_holds_the_whole_circle():
    rng = random.Random(7)
    for _ in range(300):
        lat, lon = rng.uniform(-60, 60), rng.uniform(-170, 170)
        radius = rng.uniform(100, 30_000)
        south, north, west, east = geo.bounding_box(lat, lon, radius)
        for angle in range(0, 360, 5):
            # A point on the circle, by walking ``radius`` along the bearing ``angle``.
            d = radius / geo.EARTH_RADIUS_M
            b = math.radians(angle)
            p1, l1 = math.radians(lat), math.radians(lon)
            p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
            l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1),
                                 math.cos(d) - math.sin(p1) * math.sin(p2))
            assert south - 1e-9 <= math.degrees(p2) <= north + 1e-9
            assert west - 1e-9 <= math.degrees(l2) <= east + 1e-9


@pytest.mark.parametrize("target, word", [
    ((31.0, 104.0), "N"), ((30.0, 105.0), "E"), ((29.0, 104.0), "S"), ((30.0, 103.0), "W"),
    ((30.5, 104.6), "NE"), ((29.5, 103.4), "SW"),
])
def test_compass_point(target, word):
    assert geo.compass_point(geo.bearing(30.0, 104.0, *target)) == word


@pytest.mark.parametrize("wgs, gcj", [
    # Published reference values (googollee/eviltransform's tests).
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
])
def test_wgs84_to_gcj02_matches_reference_values(wgs, gcj):
    lat, lon = geo.wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-7)
    assert lon == pytest.approx(gcj[1], abs=1e-7)


def test_gcj02_shift_is_a_few_hundred_metres_in_china_and_nothing_outside():
    shifted = geo.wgs84_to_gcj02(*COURTYARD)
    assert 100 < geo.distance_m(*COURTYARD, *shifted) < 700
    assert geo.wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)  # London
    assert geo.wgs84_to_gcj02(0.0, 0.0) == (0.0, 0.0)


def test_grid_nearest_agrees_with_measuring_everything():
    rng = random.Random(2026)
    points = [(30.66 + rng.uniform(-0.05, 0.05), 104.04 + rng.uniform(-0.05, 0.05), i)
              for i in range(400)]
    grid = geo.GridIndex(600, 30.66)
    for lat, lon, i in points:
        grid.add(lat, lon, i)
    for _ in range(300):
        qlat, qlon = 30.66 + rng.uniform(-0.07, 0.07), 104.04 + rng.uniform(-0.07, 0.07)
        max_m = rng.choice([300, 800, 2000, 50_000])
        everything = sorted((geo.distance_m(qlat, qlon, lat, lon), i) for lat, lon, i in points)
        expected = everything[0] if everything[0][0] <= max_m else None
        found = grid.nearest(qlat, qlon, max_m)
        if expected is None:
            # Right at the limit the flat projection may disagree by centimetres.
            assert found is None or found[0] == pytest.approx(max_m, rel=1e-3)
        else:
            assert found is not None and found[0] == pytest.approx(expected[0], abs=0.5)


def test_grid_nearest_of_an_empty_grid_is_none():
    assert geo.GridIndex(500, 30).nearest(30, 104, 10_000) is None


def test_tile_settings_and_coordinates(app, monkeypatch):
    assert geo.tile_settings() == ("", "gcj02")  # no tiles unless a deployment sets them
    monkeypatch.setitem(app.config["PORTAL"], "SERVICE_TILE_URL", "https://t.example/{z}/{x}/{y}")
    monkeypatch.setitem(app.config["PORTAL"], "SERVICE_TILE_DATUM", "wgs84")
    assert geo.tile_settings() == ("https://t.example/{z}/{x}/{y}", "wgs84")
    assert geo.tile_coordinates(*COURTYARD, "wgs84") == COURTYARD
    assert geo.tile_coordinates(*COURTYARD, "gcj02") == geo.wgs84_to_gcj02(*COURTYARD)
    monkeypatch.setitem(app.config["PORTAL"], "SERVICE_TILE_DATUM", "bd09")
    with pytest.raises(ValueError):
        geo.tile_settings()
    with pytest.raises(ValueError):
        geo.tile_coordinates(*COURTYARD, "bd09")
