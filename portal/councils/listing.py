"""The public 三事清单 of a community: its public requests filtered and paged, the same rows
for CSV, and how fast the community answers (median days to triage and to close, per class).

Private requests are never in any of it, not even counted.
"""

from datetime import timedelta
from statistics import median
from typing import NamedTuple

from sqlalchemy import select

from portal.councils import states
from portal.councils.models import CLASSES, Request
from portal.extensions import cache, db
from portal.places.models import Place, within
from portal.timeutil import to_local

# Response times are measured over the requests made in the last year: recent enough to
# say how the community answers now, and a bounded range scan of
# ix_request_community_created whatever the community's history.
RESPONSE_WINDOW = timedelta(days=365)
# Medians move slowly: worked out at most once in this many seconds per community.
TIMES_SECONDS = 600
CSV_MOST = 5000
UNSORTED = "unsorted"  # the class filter's key for requests not yet sorted


class Filters(NamedTuple):
    klass: str | None = None
    state: str | None = None
    courtyard_id: int | None = None
    category: str | None = None


def courtyards_of(community):
    return db.session.scalars(select(Place).where(
        Place.kind == "courtyard", within(community)).order_by(Place.name)).all()


def public_requests(community, filters):
    """SELECT of ``community``'s public requests matching ``filters``, newest first."""
    query = select(Request).where(Request.community_id == community.id,
                                  Request.public.is_(True))
    if filters.klass == UNSORTED:
        query = query.where(Request.klass.is_(None))
    elif filters.klass:
        query = query.where(Request.klass == filters.klass)
    if filters.state:
        query = query.where(Request.state == filters.state)
    if filters.courtyard_id:
        query = query.where(Request.courtyard_id == filters.courtyard_id)
    if filters.category:
        query = query.where(Request.category == filters.category)
    return query.order_by(Request.created_at.desc(), Request.id.desc())


def age_days(request, today):
    return (today - to_local(request.created_at).date()).days


def is_overdue(request, today):
    return states.is_overdue(request, today)


class Times(NamedTuple):
    """Median days to triage and to close of one class, and how many each is over."""

    to_triage: float | None
    triaged: int
    to_close: float | None
    closed: int


def _days(start, end):
    return (end - start).total_seconds() / 86400


def response_times(community, now, public_only=True):
    """{class: Times} over ``community``'s requests of the last year (see
    ``RESPONSE_WINDOW``; the public ones, or all for its workers): one query of three
    columns, medians in Python — a few thousand rows at most, so the answer is kept in the
    shared cache for ``TIMES_SECONDS`` rather than worked out on every page."""
    key = f"councils:times:{community.id}:{int(public_only)}"
    times = cache.get(key)
    if times is None:
        times = _response_times(community, now, public_only)
        cache.set(key, times, timeout=TIMES_SECONDS)
    return times


def _response_times(community, now, public_only):
    query = (select(Request.klass, Request.created_at, Request.triaged_at, Request.closed_at)
             .where(Request.community_id == community.id,
                    Request.created_at >= now - RESPONSE_WINDOW, Request.klass.is_not(None)))
    if public_only:
        query = query.where(Request.public.is_(True))
    rows = db.session.execute(query).all()
    triage = {k: [] for k in CLASSES}
    close = {k: [] for k in CLASSES}
    for klass, created, triaged, closed in rows:
        if klass not in triage:
            continue
        if triaged is not None:
            triage[klass].append(_days(created, triaged))
        if closed is not None:
            close[klass].append(_days(created, closed))
    return {k: Times(median(triage[k]) if triage[k] else None, len(triage[k]),
                     median(close[k]) if close[k] else None, len(close[k]))
            for k in CLASSES}


def csv_rows(community, filters, today, class_words, state_words, category_words):
    """The rows of the CSV: no names, no mobiles, no request text."""
    courtyards = {c.id: c.name for c in courtyards_of(community)}
    for request in db.session.scalars(public_requests(community, filters).limit(CSV_MOST)):
        yield [request.number, request.title,
               str(class_words.get(request.klass, "")), str(state_words[request.state]),
               courtyards.get(request.courtyard_id, ""),
               str(category_words.get(request.category, request.category)),
               to_local(request.created_at).date(), age_days(request, today),
               request.support_count]
