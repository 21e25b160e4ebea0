"""Open311 GeoReport v2, read-only: the request categories as ``services`` and the public
requests referred as 大事 as ``requests``, so a city platform (12345 热线) can pull them.

Nothing personal is published: no names, mobile numbers or account ids, only what the
request's public page already shows of the matter itself (its text, its courtyard, the
department and its reply). Times are ISO 8601 in the portal's zone, with their offset.
Bad parameters are answered as GeoReport errors: a list of ``{"code", "description"}``.
"""

from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.councils import states
from portal.councils.models import CATEGORIES, Request, RequestPhoto
from portal.councils.words import CATEGORY_LABELS
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.places.models import preload_lineages
from portal.timeutil import to_local, to_utc, zone
from portal.urls import MAX_ID, MAX_PAGE

PAGE_SIZE = 50
MOST_PAGE_SIZE = 100
STATUSES = ("open", "closed")

KEYWORDS = {
    "environment": _l("rubbish, cleaning, greenery, drains, noise"),
    "transport": _l("roads, parking, bicycles, lifts, street lights"),
    "safety": _l("security, fire, dangerous structures, lighting"),
    "amenities": _l("water, power, gas, shops, services for the elderly"),
    "neighbours": _l("disputes between neighbours, shared spaces"),
    "other": _l("anything else"),
}


class GeoReportError(Exception):
    """A request the API answers with an error (``code`` is the HTTP status)."""

    def __init__(self, code, description):
        super().__init__(description)
        self.code = code
        self.description = description

    def body(self):
        return [{"code": self.code, "description": self.description}]


def services():
    """Every category as a GeoReport service, named in the reader's language."""
    group = gettext("Three kinds of matters")
    return [{"service_code": key, "service_name": str(CATEGORY_LABELS[key]),
             "description": str(CATEGORY_LABELS[key]), "metadata": False,
             "type": "realtime", "keywords": str(KEYWORDS[key]), "group": group}
            for key in CATEGORIES]


# --- reading the parameters ---------------------------------------------------------------

def check_jurisdiction(value):
    """A ``jurisdiction_id`` is accepted when it names this portal (its host), else 404."""
    if value is None or value == "":
        return
    host = urlsplit(current_app.config["PORTAL"]["BASE_URL"]).hostname or ""
    if value.strip().lower() != host.lower():
        raise GeoReportError(404, "jurisdiction_id not found")


def _moment(name, value):
    """An ISO 8601 moment (or day) as naive UTC; a value without offset is local time."""
    try:
        moment = datetime.fromisoformat(value.strip())
        return to_utc(moment if moment.tzinfo else moment.replace(tzinfo=zone()))
    except (ValueError, OverflowError):  # not a moment, or one before year 1 in UTC
        raise GeoReportError(400, f"{name} must be an ISO 8601 date and time, like "
                                  "2026-05-01T00:00:00+08:00") from None


def _listed(name, value, allowed):
    wanted = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in allowed]
    if unknown or not wanted:
        raise GeoReportError(400, f"{name} must be one or more of: {', '.join(allowed)}")
    return wanted


def _whole(name, value, lowest, highest):
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < lowest:
        raise GeoReportError(400, f"{name} must be a whole number of at least {lowest}")
    return min(int(value), highest)


def _request_ids(value):
    ids = []
    for part in value.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit() and 0 < int(part) <= MAX_ID):
            raise GeoReportError(400, "service_request_id must be request numbers, like "
                                      "000123")
        ids.append(int(part))
    return ids


@dataclass(frozen=True)
class Query:
    """What ``requests.json`` was asked for."""

    codes: tuple = ()
    statuses: tuple = ()
    ids: tuple = ()
    starts: datetime | None = None
    ends: datetime | None = None
    page: int = 1
    page_size: int = PAGE_SIZE


def read_query(args):
    """The parameters of ``requests.json`` from ``args``; GeoReportError when one is bad."""
    check_jurisdiction(args.get("jurisdiction_id"))
    values = {}
    if args.get("service_code") is not None:
        values["codes"] = tuple(_listed("service_code", args["service_code"], CATEGORIES))
    if args.get("status") is not None:
        values["statuses"] = tuple(_listed("status", args["status"], STATUSES))
    if args.get("service_request_id") is not None:
        values["ids"] = tuple(_request_ids(args["service_request_id"]))
    if args.get("start_date") is not None:
        values["starts"] = _moment("start_date", args["start_date"])
    if args.get("end_date") is not None:
        values["ends"] = _moment("end_date", args["end_date"])
    if values.get("starts") and values.get("ends") and values["starts"] > values["ends"]:
        raise GeoReportError(400, "start_date must not be after end_date")
    if args.get("page") is not None:
        values["page"] = _whole("page", args["page"], 1, MAX_PAGE)
    if args.get("page_size") is not None:
        values["page_size"] = _whole("page_size", args["page_size"], 1, MOST_PAGE_SIZE)
    return Query(**values)


# --- the requests --------------------------------------------------------------------------

def published():
    """The requests GeoReport shows: public ones triaged as 大事."""
    return select(Request).where(Request.public.is_(True), Request.klass == "major")


def _iso(moment):
    return to_local(moment).isoformat(timespec="seconds")


def _photo_endpoint():
    """The endpoint serving a request's photo (the requests' pages own it), if there is one."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/councils/requests/<int:request_id>/photo":
            return rule.endpoint
    return None


def _item(request, with_photo, photo_endpoint):
    courtyard = request.courtyard
    lineage = courtyard.lineage()
    zipcode = next((p.postal_code for p in reversed(lineage) if p.postal_code), None)
    located = next((p for p in reversed(lineage) if p.has_coordinates), None)
    expected = None
    if request.due_on is not None:  # by the end of the due day, local time
        expected = datetime.combine(request.due_on, time(23, 59, 59), tzinfo=zone())
    media = None
    if with_photo and photo_endpoint:
        media = current_app.config["PORTAL"]["BASE_URL"] + url_for(
            photo_endpoint, request_id=request.id)
    return {
        "service_request_id": request.number,
        "status": "open" if states.is_open(request) else "closed",
        "status_notes": request.department_reply or None,
        "service_name": str(CATEGORY_LABELS.get(request.category, request.category)),
        "service_code": request.category,
        "description": request.body,
        "agency_responsible": request.department.name if request.department else None,
        "service_notice": None,
        "requested_datetime": _iso(request.created_at),
        "updated_datetime": _iso(request.updated_at),
        "expected_datetime": expected.isoformat(timespec="seconds") if expected else None,
        "address": " ".join(part for part in (courtyard.address, courtyard.name) if part),
        "address_id": None,
        "zipcode": zipcode,
        "lat": located.latitude if located else None,
        "long": located.longitude if located else None,
        "media_url": media,
    }


def _items(requests):
    preload_lineages([r.courtyard for r in requests])
    ids = [r.id for r in requests]
    with_photo = set(db.session.scalars(
        select(RequestPhoto.request_id).where(RequestPhoto.request_id.in_(ids)))) if ids else set()
    endpoint = _photo_endpoint()
    return [_item(r, r.id in with_photo, endpoint) for r in requests]


def requests(query):
    """One page of the published requests, newest first, as GeoReport items."""
    chosen = published().options(selectinload(Request.courtyard),
                                 selectinload(Request.department))
    if query.codes:
        chosen = chosen.where(Request.category.in_(query.codes))
    if query.statuses == ("open",):
        chosen = chosen.where(Request.state.in_(states.OPEN))
    elif query.statuses == ("closed",):
        chosen = chosen.where(Request.state.not_in(states.OPEN))
    if query.ids:
        chosen = chosen.where(Request.id.in_(query.ids))
    if query.starts is not None:
        chosen = chosen.where(Request.created_at >= query.starts)
    if query.ends is not None:
        chosen = chosen.where(Request.created_at <= query.ends)
    chosen = (chosen.order_by(Request.created_at.desc(), Request.id.desc())
              .limit(query.page_size).offset((query.page - 1) * query.page_size))
    return _items(db.session.scalars(chosen).all())


def one_request(request_id):
    """The published request ``request_id`` as a one-item list; GeoReportError 404 if none."""
    request = db.session.scalar(published().where(Request.id == request_id))
    if request is None:
        raise GeoReportError(404, "service_request_id not found")
    return _items([request])
