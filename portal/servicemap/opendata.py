"""Open data: the points as GeoJSON (RFC 7946) and as Open Referral HSDS-style tables.

Each point is one HSDS service at one location. Points without an operating organization are
listed under their community (the residents' committee runs them). Ids are UUIDs derived
from the portal's own ids, so they stay the same from one export to the next. Names of kinds,
prices and statuses are given as codes and in Chinese, the language of the data.
"""

import io
import uuid
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.servicemap.hours import MINUTES_PER_DAY
from portal.servicemap.models import CATEGORIES, PRICES, HoursException, ServicePoint
from portal.spreadsheet import csv_writer
from portal.urls import absolute_url

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "linli:servicemap")
TABLES = ("organizations", "services", "locations", "schedules")
HSDS_STATUS = {"active": "active", "temporarily_closed": "temporarily closed",
               "defunct": "defunct"}
OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
COLUMNS = {
    "organizations": ("id", "name", "description", "website", "phone", "kind"),
    "services": ("id", "organization_id", "name", "description", "url", "status",
                 "fees", "fees_description", "category", "category_name", "phone",
                 "assured_date", "last_modified"),
    "locations": ("id", "location_type", "name", "address_1", "transportation", "latitude",
                  "longitude", "step_free_entrance", "accessible_toilet", "lift", "seats",
                  "accessibility"),
    "schedules": ("id", "service_id", "location_id", "freq", "byday", "opens_at",
                  "closes_at", "closes_next_day", "valid_from", "valid_to", "timezone",
                  "description", "notes"),
}


def _uuid(kind, ident):
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{ident}"))


def _clock(minutes):
    minutes %= MINUTES_PER_DAY * 2
    if minutes == MINUTES_PER_DAY:
        return "24:00"
    return f"{minutes % MINUTES_PER_DAY // 60:02d}:{minutes % 60:02d}"


def load(today):
    """Load every point, defunct ones too (their status says so), and coming exceptions."""
    points = db.session.scalars(
        select(ServicePoint).order_by(ServicePoint.id)
        .options(selectinload(ServicePoint.hours), selectinload(ServicePoint.operator),
                 selectinload(ServicePoint.place))
    ).all()
    coming = db.session.scalars(
        select(HoursException).where(HoursException.day >= today - timedelta(days=1))
        .order_by(HoursException.day, HoursException.opens)
    ).all()
    exceptions = {}
    for row in coming:
        exceptions.setdefault(row.point_id, []).append(row)
    return points, exceptions


def osm_opening_hours(point, exceptions):
    """Write the hours in OpenStreetMap's syntax: ``Mo-Fr 11:00-13:00,17:00-18:30``."""
    by_day = {}
    for row in point.hours:
        by_day.setdefault(row.weekday, []).append(f"{_clock(row.opens)}-{_clock(row.closes)}")
    parts = []
    weekday = 0
    while weekday < 7:
        text = ",".join(by_day.get(weekday, []))
        last = weekday
        while last + 1 < 7 and ",".join(by_day.get(last + 1, [])) == text:
            last += 1
        if text:
            days = OSM_DAYS[weekday] + (f"-{OSM_DAYS[last]}" if last > weekday else "")
            parts.append(f"{days} {text}")
        weekday = last + 1
    dates = {}
    for row in exceptions:
        dates.setdefault(row.day, []).append(
            "off" if row.closed else f"{_clock(row.opens)}-{_clock(row.closes)}")
    for day, spans in sorted(dates.items()):
        parts.append(f"{day.year} {MONTHS[day.month - 1]} {day.day:02d} "
                     + ("off" if "off" in spans else ",".join(spans)))
    return "; ".join(parts)


def geojson(today):
    """Build a FeatureCollection of the points: [longitude, latitude] in WGS-84."""
    points, exceptions = load(today)
    features = []
    with force_locale("zh_Hans"):
        for point in points:
            features.append({
                "type": "Feature",
                "id": point.id,
                "geometry": {"type": "Point",
                             "coordinates": [round(point.longitude, 6),
                                             round(point.latitude, 6)]},
                "properties": {
                    "name": point.name,
                    "category": point.category,
                    "category_name": str(CATEGORIES[point.category]),
                    "address": point.address,
                    "phone": point.phone,
                    "price": point.price,
                    "price_name": str(PRICES[point.price]),
                    "status": point.status,
                    "opening_hours": osm_opening_hours(point, exceptions.get(point.id, [])),
                    "services": point.service_list,
                    "step_free_entrance": point.step_free,
                    "accessible_toilet": point.accessible_toilet,
                    "lift": point.lift,
                    "seats": point.seats,
                    "operator": point.operator.name if point.operator else point.place.name,
                    "verified_on": point.verified_on.isoformat() if point.verified_on else None,
                    "url": absolute_url("servicemap.show", point_id=point.id),
                },
            })
    return {"type": "FeatureCollection", "features": features}


def hsds(today):
    """Build the four HSDS tables as lists of rows (dicts with the keys of COLUMNS)."""
    points, exceptions = load(today)
    organizations, services, locations, schedules = {}, [], [], []
    with force_locale("zh_Hans"):
        for point in points:
            if point.operator is not None:
                org_id = _uuid("organization", point.operator.id)
                organizations.setdefault(org_id, {
                    "id": org_id, "name": point.operator.name,
                    "description": point.operator.summary or "",
                    "website": absolute_url("organizations.show",
                                            organization_id=point.operator.id),
                    "phone": point.operator.phone or "", "kind": point.operator.kind})
            else:
                community = point.place.ancestor("community") or point.place
                org_id = _uuid("place", community.id)
                organizations.setdefault(org_id, {
                    "id": org_id, "name": community.name, "description": "",
                    "website": absolute_url("places.show", place_id=community.id),
                    "phone": community.phone or "", "kind": "community"})
            service_id, location_id = _uuid("service", point.id), _uuid("location", point.id)
            services.append({
                "id": service_id, "organization_id": org_id, "name": point.name,
                "description": "; ".join(point.service_list),
                "url": absolute_url("servicemap.show", point_id=point.id),
                "status": HSDS_STATUS[point.status], "fees": point.price,
                "fees_description": str(PRICES[point.price]), "category": point.category,
                "category_name": str(CATEGORIES[point.category]), "phone": point.phone or "",
                "assured_date": point.verified_on.isoformat() if point.verified_on else "",
                "last_modified": point.updated_at.isoformat(timespec="seconds") + "Z",
            })
            locations.append({
                "id": location_id, "location_type": "physical", "name": point.name,
                "address_1": point.address, "transportation": point.directions or "",
                "latitude": point.latitude, "longitude": point.longitude,
                "step_free_entrance": point.step_free,
                "accessible_toilet": point.accessible_toilet, "lift": point.lift,
                "seats": point.seats,
                "accessibility": ", ".join(str(label) for _c, label, offered
                                           in point.accessibility if offered),
            })
            for row in point.hours:
                schedules.append(_schedule(f"hours:{row.id}", service_id, location_id,
                                           row.opens, row.closes, freq="WEEKLY",
                                           byday=ICAL_DAYS[row.weekday]))
            for row in exceptions.get(point.id, []):
                day = row.day.isoformat()
                if row.closed:
                    schedules.append(_schedule(f"exception:{row.id}", service_id, location_id,
                                               None, None, valid_from=day, valid_to=day,
                                               description="closed", notes=row.note or ""))
                else:
                    schedules.append(_schedule(f"exception:{row.id}", service_id, location_id,
                                               row.opens, row.closes, valid_from=day,
                                               valid_to=day, description="special hours",
                                               notes=row.note or ""))
    return {"organizations": list(organizations.values()), "services": services,
            "locations": locations, "schedules": schedules}


def _schedule(key, service_id, location_id, opens, closes, freq="", byday="", valid_from="",
              valid_to="", description="", notes=""):
    return {
        "id": _uuid("schedule", key), "service_id": service_id, "location_id": location_id,
        "freq": freq, "byday": byday,
        "opens_at": _clock(opens) if opens is not None else "",
        "closes_at": _clock(closes) if closes is not None else "",
        "closes_next_day": closes is not None and closes > MINUTES_PER_DAY,
        "valid_from": valid_from, "valid_to": valid_to, "timezone": "Asia/Shanghai",
        "description": description, "notes": notes,
    }


def _csv_value(value):
    return "true" if value is True else "false" if value is False else value


def csv_table(rows, table):
    """Write one HSDS table as CSV (UTF-8, a header row, the columns of COLUMNS); names and
    notes that look like spreadsheet formulas are written as text."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(COLUMNS[table])
    for row in rows:
        writer.writerow([_csv_value(row.get(column, "")) for column in COLUMNS[table]])
    return out.getvalue()
