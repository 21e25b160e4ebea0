"""15-minute coverage: for every courtyard under a place, the walk to the nearest open-for-
business point of each kind, and the gaps — over 15 minutes, or 30 in suburban places.

At city scale (≈2,000 courtyards × 2,000 points) nothing is measured pair by pair: the points
are loaded once (only those in reach of the place's courtyards), bucketed into a grid of cells
a 15-minute walk wide, and each courtyard looks only in the 3 × 3 cells around it. That block
holds every point nearer than one cell, so a point found there at most one cell away is
certainly the nearest; only kinds not settled that way search further rings, per kind.

The report is kept in the portal's cache (``PORTAL_CACHE_URL``: shared by every app process
when it names a store) under a fingerprint of everything it depends on — the places' count
and latest change, the points' count, latest change and coordinates, the settings — so a
report asked again before anything changed is neither read nor measured again, whichever
process asks.
"""

import hashlib
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from portal.extensions import cache, cache_may_fail, db
from portal.places.models import Place, within
from portal.servicemap import geo
from portal.servicemap.models import CATEGORIES, ServicePoint
from portal.servicemap.search import limit_minutes

# How far past its limit a courtyard's nearest point is still looked for and shown.
REACH_TIMES_LIMIT = 2
# A changed point or courtyard changes the key, so this only lets unused reports go.
REMEMBER_SECONDS = 24 * 3600


@dataclass
class CourtyardCoverage:
    id: int
    name: str
    community: str
    suburban: bool
    limit: int
    located: bool
    minutes: dict = field(default_factory=dict)  # category -> minutes, None = out of reach
    gap_set: frozenset = frozenset()  # the categories of ``gaps``, set once measured

    def is_gap(self, category):
        minutes = self.minutes.get(category)
        return minutes is None or minutes > self.limit

    @property
    def gaps(self):
        return [c for c in self.minutes if self.is_gap(c)] if self.located else []


@dataclass
class CoverageReport:
    """Every courtyard under a place with its walks; built once per change of the data it
    depends on and then shared (so it holds plain values, not database objects)."""
    categories: tuple
    courtyards: list
    urban_limit: int
    suburban_limit: int
    gap_counts: dict = field(default_factory=dict)  # category -> located courtyards with a gap

    def __post_init__(self):
        for courtyard in self.courtyards:
            courtyard.gap_set = frozenset(courtyard.gaps)
        self.gap_counts = {category: sum(1 for c in self.courtyards if category in c.gap_set)
                           for category in self.categories}

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
        return self.gap_counts[category]

    def summary(self):
        """Return (category, courtyards with a gap, courtyards measured) for each category."""
        measured = len(self.located)
        return [(category, self.gap_counts[category], measured) for category in self.categories]


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
    """Measure every courtyard under ``place`` against the active points of ``categories``.

    The report is kept under a fingerprint of everything it depends on, read by two
    aggregate queries (``_cache_key``): the last few in this process's memory, the rest in
    the portal's cache. So a district's 2,000 courtyards are read and measured once per
    change, not per request."""
    categories = tuple(categories or CATEGORIES)
    key = _cache_key(place, categories)
    report = _recent.get(key)
    if report is None:
        with cache_may_fail():
            report = cache.get(key)
        if report is None:
            report = _build(place, categories)
            with cache_may_fail():
                cache.set(key, report, timeout=REMEMBER_SECONDS)
        _recent[key] = report
        while len(_recent) > RECENT_REPORTS:
            _recent.pop(next(iter(_recent)))
    return report


# Reports this process used last, by key: unpickling a district's report from the cache
# costs more than the rest of the page.
RECENT_REPORTS = 8
_recent = {}


def _build(place, categories):
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
    return CoverageReport(categories, courtyards, urban, suburban)


def _cache_key(place, categories):
    """Everything the report depends on, summed up cheaply: the places (any added, removed
    or changed — a name, a location, a suburban flag — changes their count or latest
    change), the points (count, latest change, coordinates) and the walking settings.
    repr() of numbers, strings and datetimes is the same in every process, where hash() of
    strings and datetimes is not."""
    places = tuple(db.session.execute(select(
        func.count(Place.id), func.max(Place.updated_at))).one())
    points = tuple(db.session.execute(select(
        func.count(ServicePoint.id), func.max(ServicePoint.updated_at),
        func.sum(ServicePoint.latitude), func.sum(ServicePoint.longitude))).one())
    fingerprint = repr((place.id, place.path, categories, geo.walking_settings(),
                        limit_minutes(False), limit_minutes(True), places, points))
    return "coverage:" + hashlib.sha256(fingerprint.encode()).hexdigest()


def forget_measurements():
    """Drop the remembered minutes (benchmarks, or after changing data outside the portal).

    This empties the portal's whole cache (only its own keys, under CACHE_KEY_PREFIX): kept
    pages are built again too."""
    _recent.clear()
    cache.clear()


def _measure(courtyards, coordinates, categories, urban_limit):
    if not courtyards:
        return
    speed, factor = geo.walking_settings()
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
    grids = {category: geo.GridIndex(cell, reference) for category in categories}
    for category, lat, lon in points:
        grids[category].add(lat, lon, None)
    flat = geo.GridIndex(cell, reference)  # for projecting the courtyards the same way
    # Anything found this near in the 3 × 3 block is the nearest of all: everything outside
    # the block is at least one cell away (0.99 for the projection's error).
    settled_d2 = (0.99 * cell) ** 2
    blocks = {}
    for courtyard in courtyards:
        lat, lon = coordinates[courtyard.id]
        reach = geo.radius_for_minutes(REACH_TIMES_LIMIT * courtyard.limit, speed, factor)
        qx, qy = flat.project(lat, lon)
        cx, cy = flat.key(qx, qy)
        block = blocks.get((cx, cy))
        if block is None:
            # Courtyards in the same cell share the candidates of the cells around it.
            block = blocks[cx, cy] = {
                category: [p for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                           for p in grids[category].cells.get((cx + dx, cy + dy), ())]
                for category in categories}
        for category in categories:
            best_d2, best = settled_d2, None
            for x, y, plat, plon, _item in block[category]:
                d2 = (x - qx) * (x - qx) + (y - qy) * (y - qy)
                if d2 <= best_d2:
                    best_d2, best = d2, (plat, plon)
            if best is not None:
                metres = geo.distance_m(lat, lon, *best)
            else:
                found = grids[category].nearest(lat, lon, reach)
                metres = found[0] if found else None
            courtyard.minutes[category] = (
                geo.walking_minutes(metres, speed, factor)
                if metres is not None and metres <= reach else None)


def table(report):
    """The report as a spreadsheet's (header, rows): minutes as numbers, gaps as 是/否."""
    header = [_("Courtyard"), _("Community"), _("Suburban"), _("Limit (minutes)")]
    for category in report.categories:
        header += [str(CATEGORIES[category]) + " " + _("(minutes)"),
                   str(CATEGORIES[category]) + " " + _("(gap)")]
    yes, no = _("Yes"), _("No")
    rows = []
    for c in report.courtyards:
        row = [c.name, c.community, yes if c.suburban else no, c.limit]
        for category in report.categories:
            if not c.located:
                row += ["", ""]
                continue
            minutes = c.minutes.get(category)
            row += [minutes, yes if c.is_gap(category) else no]
        rows.append(row)
    return header, rows
