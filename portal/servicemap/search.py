"""Finding service points: the list's filters, "open now" in SQL, and "near me" with pruning.

"Near me" never measures every point: it asks the database for the points in a box around
the origin (an index range on latitude), measures those, and only widens the box (1, 2, 4 …
32 km) while the page still needs more rows. Within a box only the points inside its circle
count, so the order is exact. Nothing further than 32 km is "near": that is another city.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, case, exists, not_, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.places.models import Place, within
from portal.servicemap import geo, hours
from portal.servicemap.models import (
    CATEGORIES,
    HoursException,
    ServiceHours,
    ServicePoint,
    build_schedule,
)

PER_PAGE = 10
MAX_PAGE = 100
MAX_WITHIN_MINUTES = 120
FIRST_RADIUS_M = 1000
WIDEST_RADIUS_M = 32_000
LISTED_STATUSES = ("active", "temporarily_closed")
YES = {"1", "on", "true", "yes"}


def limit_minutes(suburban):
    """Return the walk every courtyard should have to a service: 15 minutes, 30 in suburbs."""
    portal = current_app.config["PORTAL"]
    return portal["SERVICE_SUBURBAN_MINUTES" if suburban else "SERVICE_URBAN_MINUTES"]


def is_suburban(place):
    """Tell whether the place, or a place above it, is marked suburban."""
    return any(p.suburban for p in place.lineage())


@dataclass
class Origin:
    """Where distances are measured from: a courtyard, or the browser's location."""

    latitude: float
    longitude: float
    courtyard: Place | None = None
    suburban: bool = False

    @classmethod
    def of(cls, place):
        if place is None or not place.has_coordinates:
            return None
        return cls(place.latitude, place.longitude, place, is_suburban(place))

    @property
    def limit(self):
        return limit_minutes(self.suburban)


@dataclass
class ListFilters:
    category: str | None = None
    open_now: bool = False
    within: int | None = None  # walking minutes
    step_free: bool = False
    place: Place | None = None  # only points in this community (or street …)
    page: int = 1

    @property
    def narrowed(self):
        return bool(self.category or self.open_now or self.within or self.step_free
                    or self.place)


@dataclass
class ListRequest:
    """What the list's query string asked for (read by ``forms.ListForm``), and what of it
    made no sense."""

    filters: ListFilters = field(default_factory=ListFilters)
    courtyard: Place | None = None  # from=<id>: measure from this courtyard
    location: tuple | None = None  # lat/lon from the browser
    near: str = ""  # a courtyard's name typed to measure from
    problems: list = field(default_factory=list)


# --- "open now" as SQL, so the filter works with paging and counting ---

def open_now_condition(now):
    """Return SQL true when the point is active and an interval covers ``now``."""
    # The same rule as ``hours.state``: an interval belongs to the day it opens, an exception
    # replaces the intervals opening on its date, and yesterday's can run past midnight.
    # tests/test_servicemap_search.py checks the two agree on random schedules.
    local = hours.as_local(now)
    today = local.date()
    yesterday = today - timedelta(days=1)
    minute = local.hour * 60 + local.minute
    point = ServicePoint.id
    H, X = ServiceHours, HoursException

    def regular(weekday, *conditions):
        return exists().where(H.point_id == point, H.weekday == weekday, *conditions)

    def exception(day, *conditions):
        return exists().where(X.point_id == point, X.day == day, *conditions)

    opened_today = or_(
        and_(exception(today), exception(today, X.closed.is_(False), X.opens <= minute,
                                         X.closes > minute)),
        and_(not_(exception(today)), regular(today.weekday(), H.opens <= minute,
                                             H.closes > minute)),
    )
    carried_over = or_(
        and_(exception(yesterday),
             exception(yesterday, X.closed.is_(False), X.closes > minute + hours.MINUTES_PER_DAY)),
        and_(not_(exception(yesterday)),
             regular(yesterday.weekday(), H.closes > minute + hours.MINUTES_PER_DAY)),
    )
    return and_(ServicePoint.status == "active", or_(opened_today, carried_over))


def category_order():
    return case({code: i for i, code in enumerate(CATEGORIES)}, value=ServicePoint.category,
                else_=len(CATEGORIES))


def filtered(filters, now):
    """Select id, latitude, longitude of the listed points that pass ``filters``."""
    query = select(ServicePoint.id, ServicePoint.latitude, ServicePoint.longitude).where(
        ServicePoint.status.in_(LISTED_STATUSES))
    if filters.category:
        query = query.where(ServicePoint.category == filters.category)
    if filters.step_free:
        query = query.where(ServicePoint.step_free.is_(True))
    if filters.open_now:
        query = query.where(open_now_condition(now))
    if filters.place is not None:
        query = query.join(Place, Place.id == ServicePoint.place_id).where(within(filters.place))
    return query


def nearest(query, origin, want, within_minutes=None):
    """Return [(metres, id)] nearest first: ``want`` of them, or all ``within_minutes``."""
    if within_minutes:
        radii = [geo.radius_for_minutes(within_minutes)]
    else:
        radii = []
        radius = FIRST_RADIUS_M
        while radius <= WIDEST_RADIUS_M:
            radii.append(radius)
            radius *= 2
    for radius in radii:
        south, north, west, east = geo.bounding_box(origin.latitude, origin.longitude, radius)
        boxed = query.where(ServicePoint.latitude.between(south, north),
                            ServicePoint.longitude.between(west, east))
        hits = []
        for point_id, latitude, longitude in db.session.execute(boxed):
            metres = geo.distance_m(origin.latitude, origin.longitude, latitude, longitude)
            if metres <= radius:
                hits.append((metres, point_id))
        if within_minutes:
            hits = [hit for hit in hits if geo.walking_minutes(hit[0]) <= within_minutes]
        if within_minutes or len(hits) >= want:
            break
    hits.sort()
    return hits


# --- one page of results ---

@dataclass
class Row:
    number: int
    point: ServicePoint
    metres: float | None
    minutes: int | None
    state: hours.HoursState | None  # None when temporarily closed
    headline: str
    detail: str

    @property
    def is_open(self):
        return self.state is not None and self.state.is_open


class RowsPage(Pagination):
    """Flask-SQLAlchemy's ``Pagination`` over rows already in Python, so every list has one
    interface and one pager (``pagination`` in templates/_macros.html).

    ``rows`` are the rows up to and past this page; ``total`` is how many there are when
    more exist than were measured (default: ``len(rows)``).
    """

    def _query_items(self):
        rows = self._query_args["rows"]
        return rows[self._query_offset:self._query_offset + self.per_page]

    def _query_count(self):
        return self._query_args.get("total", len(self._query_args["rows"]))


def load_points(ids, today):
    """Load ``ids`` with their hours and coming exceptions as {id: (point, Schedule)}."""
    if not ids:
        return {}
    points = db.session.scalars(
        select(ServicePoint).where(ServicePoint.id.in_(ids))
        .options(selectinload(ServicePoint.hours), selectinload(ServicePoint.operator))
    ).all()
    coming = db.session.scalars(
        select(HoursException).where(HoursException.point_id.in_(ids),
                                     HoursException.day >= today - timedelta(days=1))
    ).all()
    by_point = {}
    for row in coming:
        by_point.setdefault(row.point_id, []).append(row)
    return {p.id: (p, build_schedule(p.hours, by_point.get(p.id, []))) for p in points}


def row_for(number, point, schedule, now, metres=None):
    if point.status != "active":
        return Row(number, point, metres, _minutes(metres), None, str(point.status_label),
                   point.status_note or "")
    hours_state = hours.state(schedule, now)
    headline, detail = hours.describe(hours_state, now)
    return Row(number, point, metres, _minutes(metres), hours_state, headline, detail)


def _minutes(metres):
    return None if metres is None else geo.walking_minutes(metres)


def find_points(filters, origin=None, now=None, per_page=PER_PAGE):
    """Find a page of points (a ``Pagination`` whose items are ``Row``): nearest first from
    ``origin``, else by kind and name.

    By kind and name it is one SQL list, paged by Flask-SQLAlchemy. Nearest first is measured
    in Python and stops measuring once the page and one more row are found, so its ``total``
    counts the points measured: exact on the last page, and when the search had to reach its
    widest circle or was ``within`` a walk; otherwise at least one page more than this one.
    """
    now = hours.as_local(now)
    query = filtered(filters, now)
    if origin is None:
        page = db.paginate(query.with_only_columns(ServicePoint.id)
                           .order_by(category_order(), ServicePoint.name, ServicePoint.id),
                           page=filters.page, per_page=per_page, error_out=False)
        shown = [(None, point_id) for point_id in page.items]
    else:
        want = filters.page * per_page + 1
        hits = nearest(query, origin, want, filters.within)
        page = RowsPage(page=filters.page, per_page=per_page, error_out=False, rows=hits)
        shown = page.items
    loaded = load_points([point_id for _m, point_id in shown], now.date())
    offset = (page.page - 1) * per_page
    page.items = [row_for(offset + i + 1, *loaded[point_id], now, metres)
                  for i, (metres, point_id) in enumerate(shown)]
    return page
