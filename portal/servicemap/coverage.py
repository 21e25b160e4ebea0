"""15-minute coverage: for every courtyard under a place, the walk to the nearest open-for-
business point of each kind, and the gaps — over 15 minutes, or 30 in suburban places.

At city scale (≈2,000 courtyards × 2,000 points) nothing is measured pair by pair: the points
are loaded once (only those in reach of the place's courtyards), bucketed into a grid of cells
a 15-minute walk wide, and each courtyard looks only in the 3 × 3 cells around it. That block
holds every point nearer than one cell, so a point found there at most one cell away is
certainly the nearest; only kinds not settled that way search further rings, per kind.
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.extensions import db
from portal.places.models import Place, within
from portal.servicemap import geo
from portal.servicemap.models import CATEGORIES, ServicePoint
from portal.servicemap.search import limit_minutes

# How far past its limit a courtyard's nearest point is still looked for and shown.
REACH_TIMES_LIMIT = 2


@dataclass
class CourtyardCoverage:
    id: int
    name: str
    community: str
    suburban: bool
    limit: int
    located: bool
    minutes: dict = field(default_factory=dict)  # category -> minutes, None = out of reach

    def is_gap(self, category):
        minutes = self.minutes.get(category)
        return minutes is None or minutes > self.limit

    @property
    def gaps(self):
        return [c for c in self.minutes if self.is_gap(c)] if self.located else []


@dataclass
class CoverageReport:
    place: Place
    categories: tuple
    courtyards: list
    urban_limit: int
    suburban_limit: int

    @property
    def located(self):
        return [c for c in self.courtyards if c.located]

    @property
    def unlocated(self):
        return [c for c in self.courtyards if not c.located]

    @property
    def has_suburban(self):
        return any(c.suburban for c in self.courtyards)

    def gap_count(self, category):
        return sum(1 for c in self.located if c.is_gap(category))

    def summary(self):
        """(category, courtyards with a gap, courtyards measured) for each category."""
        measured = len(self.located)
        return [(category, self.gap_count(category), measured) for category in self.categories]


def _suburban_paths():
    return set(db.session.scalars(select(Place.path).where(Place.suburban.is_(True))))


def _is_suburban(path, suburban_paths):
    if not suburban_paths:
        return False
    prefix = "/"
    for part in path.strip("/").split("/"):
        prefix += part + "/"
        if prefix in suburban_paths:
            return True
    return False


def coverage(place, categories=None):
    """Measure every courtyard under ``place`` against the active points of ``categories``."""
    categories = tuple(categories or CATEGORIES)
    urban, suburban = limit_minutes(False), limit_minutes(True)
    rows = db.session.execute(
        select(Place.id, Place.name, Place.path, Place.latitude, Place.longitude)
        .where(within(place), Place.kind == "courtyard")
    ).all()
    communities = dict(db.session.execute(
        select(Place.id, Place.name).where(
            Place.kind == "community",
            or_(within(place), Place.id.in_(place.lineage_ids)))
    ).all())
    suburban_paths = _suburban_paths()
    courtyards = []
    for courtyard_id, name, path, lat, lon in rows:
        lineage = [int(part) for part in path.strip("/").split("/")]
        community = next((communities[i] for i in lineage if i in communities), "")
        is_suburban = _is_suburban(path, suburban_paths)
        courtyards.append(CourtyardCoverage(
            courtyard_id, name, community, is_suburban, suburban if is_suburban else urban,
            lat is not None and lon is not None))
    courtyards.sort(key=lambda c: (c.community, c.name, c.id))
    coordinates = {row[0]: (row[3], row[4]) for row in rows}
    _measure([c for c in courtyards if c.located], coordinates, categories, urban)
    return CoverageReport(place, categories, courtyards, urban, suburban)


def _measure(courtyards, coordinates, categories, urban_limit):
    if not courtyards:
        return
    longest_reach = geo.radius_for_minutes(REACH_TIMES_LIMIT * max(c.limit for c in courtyards))
    lats = [coordinates[c.id][0] for c in courtyards]
    lons = [coordinates[c.id][1] for c in courtyards]
    south, north, west, east = geo.box_around(lats, lons, longest_reach)
    points = db.session.execute(
        select(ServicePoint.category, ServicePoint.latitude, ServicePoint.longitude).where(
            ServicePoint.status == "active", ServicePoint.category.in_(categories),
            ServicePoint.latitude.between(south, north),
            ServicePoint.longitude.between(west, east))
    ).all()
    cell = geo.radius_for_minutes(urban_limit)
    reference = (min(lats) + max(lats)) / 2
    everything = geo.GridIndex(cell, reference)
    by_category = {category: geo.GridIndex(cell, reference) for category in categories}
    for category, lat, lon in points:
        everything.add(lat, lon, category)
        by_category[category].add(lat, lon, category)
    settled_d2 = (0.99 * cell) ** 2
    for courtyard in courtyards:
        lat, lon = coordinates[courtyard.id]
        reach = geo.radius_for_minutes(REACH_TIMES_LIMIT * courtyard.limit)
        qx, qy = everything.project(lat, lon)
        cx, cy = everything.key(qx, qy)
        # One pass over the 3 × 3 block for every kind at once, on the flat projection.
        best = {}
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for x, y, plat, plon, category in everything.cells.get((cx + dx, cy + dy), ()):
                    d2 = (x - qx) ** 2 + (y - qy) ** 2
                    if d2 < best.get(category, (float("inf"),))[0]:
                        best[category] = (d2, plat, plon)
        for category in categories:
            found = best.get(category)
            if found is not None and found[0] <= settled_d2:
                metres = geo.distance_m(lat, lon, found[1], found[2])
            else:
                nearest = by_category[category].nearest(lat, lon, reach)
                metres = nearest[0] if nearest else None
            courtyard.minutes[category] = (
                geo.walking_minutes(metres) if metres is not None and metres <= reach else None)


def csv_text(report):
    """The whole report as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = [_("Courtyard"), _("Community"), _("Suburban"), _("Limit (minutes)")]
    for category in report.categories:
        header += [str(CATEGORIES[category]) + " " + _("(minutes)"),
                   str(CATEGORIES[category]) + " " + _("(gap)")]
    writer.writerow(header)
    yes, no = _("Yes"), _("No")
    for c in report.courtyards:
        row = [c.name, c.community, yes if c.suburban else no, c.limit]
        for category in report.categories:
            if not c.located:
                row += ["", ""]
                continue
            minutes = c.minutes.get(category)
            row += ["" if minutes is None else minutes, yes if c.is_gap(category) else no]
        writer.writerow(row)
    return "\ufeff" + out.getvalue()
