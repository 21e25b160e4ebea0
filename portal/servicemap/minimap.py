"""The mini-map's geometry: where the courtyard, the walking circle and the numbered points
go on a small square, and a scale bar of a round length. The SVG itself is the template
``servicemap/_minimap.html``; no tiles, no script.

North is up; the projection is flat around the origin, which at a few kilometres is exact
to well under a pixel.
"""

import math
from dataclasses import dataclass

from portal.servicemap.geo import METRES_PER_DEGREE

SIZE = 300  # the square's side, in SVG units
MARGIN = 24  # room for a marker's disc at the edge
# Points further than this many circle radii are left off the map (the list still has them).
REACH_TIMES_CIRCLE = 4
ROUND_LENGTHS = (20, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000,
                 100_000)


@dataclass(frozen=True)
class Marker:
    number: int
    x: float
    y: float
    name: str


@dataclass(frozen=True)
class MiniMap:
    size: int
    centre: float
    circle_r: float
    circle_m: float
    minutes: int
    markers: tuple
    scale_px: float
    scale_m: int
    left_off: int = 0


def offset_m(origin_lat, origin_lon, lat, lon):
    """Return the metres east and north of the origin."""
    east = (lon - origin_lon) * METRES_PER_DEGREE * math.cos(math.radians(origin_lat))
    north = (lat - origin_lat) * METRES_PER_DEGREE
    return east, north


def build(origin_lat, origin_lon, points, circle_m, minutes):
    """Lay out ``points`` ((number, lat, lon, name) …) around the origin and its circle."""
    offsets = [(number, *offset_m(origin_lat, origin_lon, lat, lon), name)
               for number, lat, lon, name in points]
    near = [o for o in offsets if max(abs(o[1]), abs(o[2])) <= REACH_TIMES_CIRCLE * circle_m]
    left_off, offsets = len(offsets) - len(near), near
    reach = max([circle_m] + [max(abs(e), abs(n)) for _num, e, n, _name in offsets])
    centre = SIZE / 2
    px_per_m = (centre - MARGIN) / (reach * 1.05)
    markers = tuple(Marker(number, round(centre + e * px_per_m, 1),
                           round(centre - n * px_per_m, 1), name)
                    for number, e, n, name in offsets)
    # The longest round length that fits in about a third of the map.
    scale_m = max([length for length in ROUND_LENGTHS if length * px_per_m <= SIZE / 3]
                  or [ROUND_LENGTHS[0]])
    return MiniMap(SIZE, centre, round(circle_m * px_per_m, 1), circle_m, minutes, markers,
                   round(scale_m * px_per_m, 1), scale_m, left_off)
