"""Distances, walking time at an older person's pace, GCJ-02, and a grid for nearest points.

Walking time is an estimate without a street map: the straight-line (great-circle) distance
times a route factor (streets are not straight; 1.3 is a common detour ratio for city grids),
divided by a walking speed. The default, 50 metres a minute (3 km/h), is an older person's
unhurried pace; young adults walk about 80. Both are settings (``SERVICE_WALKING_SPEED``,
``SERVICE_ROUTE_FACTOR``), so a district can adjust them to its streets.
"""

import math
from dataclasses import dataclass, field

from flask import current_app

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180

DEFAULT_SPEED = 50.0  # metres a minute
DEFAULT_ROUTE_FACTOR = 1.3

COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def walking_settings():
    """Return (metres a minute, route factor) from the portal settings, or the defaults."""
    try:
        portal = current_app.config["PORTAL"]
    except (RuntimeError, KeyError):
        return DEFAULT_SPEED, DEFAULT_ROUTE_FACTOR
    return (float(portal.get("SERVICE_WALKING_SPEED", DEFAULT_SPEED)),
            float(portal.get("SERVICE_ROUTE_FACTOR", DEFAULT_ROUTE_FACTOR)))


def valid_coordinates(latitude, longitude):
    """Tell whether the pair is a real place on Earth (numbers, in range, not NaN)."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180


def distance_m(lat1, lon1, lat2, lon2):
    """Measure the great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def walking_minutes(metres, speed=None, route_factor=None):
    """Count whole minutes to walk ``metres`` of straight line, rounded up, at least one."""
    if speed is None or route_factor is None:
        default_speed, default_factor = walking_settings()
        speed = speed or default_speed
        route_factor = route_factor or default_factor
    return max(1, math.ceil(metres * route_factor / speed - 1e-9))


def radius_for_minutes(minutes, speed=None, route_factor=None):
    """Return the straight-line distance ``minutes`` of walking covers (a circle's radius)."""
    if speed is None or route_factor is None:
        default_speed, default_factor = walking_settings()
        speed = speed or default_speed
        route_factor = route_factor or default_factor
    return minutes * speed / route_factor


def bounding_box(latitude, longitude, radius_m):
    """Return (south, north, west, east) degrees of a box holding the circle (for SQL)."""
    dlat = radius_m / METRES_PER_DEGREE
    # The circle is widest in longitude at its pole-ward edge; 1 % more covers the sphere's
    # curvature at city distances.
    widest = min(89.9, abs(latitude) + dlat)
    dlon = min(180.0, 1.01 * dlat / math.cos(math.radians(widest)))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def box_around(latitudes, longitudes, radius_m):
    """Return (south, north, west, east) of a box holding ``radius_m`` around every point."""
    south, north = min(latitudes), max(latitudes)
    pole_ward = south if abs(south) > abs(north) else north
    _s, _n, west, east = bounding_box(pole_ward, 0.0, radius_m)
    dlat = radius_m / METRES_PER_DEGREE
    return south - dlat, north + dlat, min(longitudes) + west, max(longitudes) + east


def bearing(lat1, lon1, lat2, lon2):
    """Return the initial compass bearing in degrees from the first point to the second."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def compass_point(degrees):
    """Name the bearing's compass point: N, NE, E, SE, S, SW, W or NW."""
    return COMPASS[round(degrees / 45) % 8]


# --- WGS-84 → GCJ-02 ---
# Map tiles of Chinese providers (AMap/Gaode, Tencent) are drawn in GCJ-02, the obfuscated
# datum required by Chinese law; WGS-84 points (GPS, OpenStreetMap, browsers) land 300–600 m
# off on them unless converted. This is the widely published approximation (Krasovsky 1940
# ellipsoid constants); it applies inside China only.

_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def in_china(latitude, longitude):
    """Tell whether the point lies in mainland China's rough box, where GCJ-02 applies."""
    return 72.004 <= longitude <= 137.8347 and 0.8293 <= latitude <= 55.8271


def _gcj_offsets(x, y):
    pi = math.pi
    common = (20 * math.sin(6 * x * pi) + 20 * math.sin(2 * x * pi)) * 2 / 3
    dlat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + common
    dlat += (20 * math.sin(y * pi) + 40 * math.sin(y / 3 * pi)) * 2 / 3
    dlat += (160 * math.sin(y / 12 * pi) + 320 * math.sin(y * pi / 30)) * 2 / 3
    dlon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + common
    dlon += (20 * math.sin(x * pi) + 40 * math.sin(x / 3 * pi)) * 2 / 3
    dlon += (150 * math.sin(x / 12 * pi) + 300 * math.sin(x / 30 * pi)) * 2 / 3
    return dlat, dlon


def wgs84_to_gcj02(latitude, longitude):
    """Convert WGS-84 (GPS) to GCJ-02 (Chinese map tiles); unchanged outside China."""
    if not in_china(latitude, longitude):
        return latitude, longitude
    dlat, dlon = _gcj_offsets(longitude - 105.0, latitude - 35.0)
    radlat = math.radians(latitude)
    magic = 1 - _GCJ_EE * math.sin(radlat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = dlat * 180 / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = dlon * 180 / (_GCJ_A / sqrt_magic * math.cos(radlat) * math.pi)
    return latitude + dlat, longitude + dlon


TILE_DATUMS = ("gcj02", "wgs84")


def tile_settings():
    """Return (tile URL template, datum) of the deployment's tiles; the URL is "" if none."""
    portal = current_app.config["PORTAL"]
    datum = portal.get("SERVICE_TILE_DATUM", "gcj02")
    if datum not in TILE_DATUMS:
        raise ValueError(f"PORTAL_SERVICE_TILE_DATUM must be one of {TILE_DATUMS}, not {datum!r}")
    return portal.get("SERVICE_TILE_URL", ""), datum


def tile_coordinates(latitude, longitude, datum):
    """Place a WGS-84 point on tiles drawn in ``datum`` (AMap and Tencent draw GCJ-02)."""
    if datum == "gcj02":
        return wgs84_to_gcj02(latitude, longitude)
    if datum == "wgs84":
        return latitude, longitude
    raise ValueError(f"unknown datum {datum!r}")


# --- a grid index, so "nearest" looks at a few cells instead of every point ---

@dataclass
class GridIndex:
    """Points bucketed into square cells of ``cell_m`` metres on a local flat projection.

    Over a city (tens of km) the equirectangular projection around ``reference_latitude``
    is off by well under 1 %; candidates are compared on it, and the winner's distance is
    then measured properly (haversine).
    """

    cell_m: float
    reference_latitude: float
    cells: dict = field(default_factory=dict)

    def __post_init__(self):
        self._x_scale = METRES_PER_DEGREE * math.cos(math.radians(self.reference_latitude))

    def project(self, latitude, longitude):
        return longitude * self._x_scale, latitude * METRES_PER_DEGREE

    def key(self, x, y):
        return math.floor(x / self.cell_m), math.floor(y / self.cell_m)

    def add(self, latitude, longitude, item):
        x, y = self.project(latitude, longitude)
        self.cells.setdefault(self.key(x, y), []).append((x, y, latitude, longitude, item))

    def nearest(self, latitude, longitude, max_m):
        """Return (metres, item) of the nearest item within ``max_m``, or None."""
        # Ring by ring outwards, until no unvisited cell can hold anything nearer.
        qx, qy = self.project(latitude, longitude)
        cx, cy = self.key(qx, qy)
        best_d2 = max_m * max_m
        best = None
        ring = 0
        # Every point in ring k lies at least (k - 1) cells away from the query point; the
        # 0.99 leaves room for the flat projection's error across a city.
        while ring <= 1 or ((ring - 1) * self.cell_m * 0.99) ** 2 <= best_d2:
            for key in ring_cells(cx, cy, ring):
                for x, y, plat, plon, item in self.cells.get(key, ()):
                    d2 = (x - qx) ** 2 + (y - qy) ** 2
                    if d2 <= best_d2:
                        best_d2, best = d2, (plat, plon, item)
            ring += 1
        if best is None:
            return None
        return distance_m(latitude, longitude, best[0], best[1]), best[2]


def ring_cells(cx, cy, ring):
    """Yield the cells at Chebyshev distance ``ring`` from cell (cx, cy)."""
    if ring == 0:
        yield cx, cy
        return
    for dx in range(-ring, ring + 1):
        yield cx + dx, cy - ring
        yield cx + dx, cy + ring
    for dy in range(-ring + 1, ring):
        yield cx - ring, cy + dy
        yield cx + ring, cy + dy
