"""Open data: the points as GeoJSON (RFC 7946) and as Open Referral HSDS 3.0.

Each point is one HSDS service at one location. Points without an operating organization are
listed under their community (the residents' committee runs them). Ids are UUIDs derived
from the portal's own ids, so they stay the same from one export to the next. Names are in
Chinese, the language of the data; our codes (category, price, kind of organization,
accessibility features) are HSDS taxonomy terms linked by attributes.

HSDS comes in two forms here, both checked against the standard's own schemas and
datapackage (tests/standards/hsds-3.0, tests/servicemap/test_opendata_standards.py):

* ``hsds(today)``: JSON, shaped as the HSDS 3.0 API's ``/services`` page (``Page`` with
  ``contents``), each service fully nested as ``GET /services/{id}`` gives it;
* ``tables(today)`` + ``csv_table`` + ``datapackage()``: a Tabular Data Package, one CSV per
  HSDS table (the files and columns of HSDS's datapackage.json) beside ``datapackage.json``.
"""

import io
import uuid
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.organizations.models import ORGANIZATION_KINDS
from portal.places.models import KIND_LABELS
from portal.servicemap.hours import MINUTES_PER_DAY
from portal.servicemap.models import (
    ACCESSIBILITY,
    CATEGORIES,
    PRICES,
    HoursException,
    ServicePoint,
)
from portal.spreadsheet import csv_writer
from portal.timeutil import zone
from portal.urls import absolute_url

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "linli:servicemap")
HSDS_VERSION = "3.0.0"
HSDS_STATUS = {"active": "active", "temporarily_closed": "temporarily closed",
               "defunct": "defunct"}
OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The HSDS 3.0 tables we publish: file name (without .csv) -> (resource name, fields). The
# fields are HSDS's own, in its order (a CSV must have every column, in order, to match the
# datapackage). A field is "name", or "name:type" (number, date, datetime, time), or
# "name:format" of a string (uuid, uri, email); "!" marks a required one.
_TABLE_FIELDS = {
    "organizations": ("organization", "id:uuid! name! alternate_name description! email:email "
                      "website:uri tax_status tax_id year_incorporated:number legal_status "
                      "logo uri:uri parent_organization_id:uuid"),
    "services": ("service", "id:uuid! organization_id:uuid! program_id:uuid name! "
                 "alternate_name description url:uri email:email status! "
                 "interpretation_services application_process fees_description wait_time "
                 "fees accreditations eligibility_description minimum_age:number "
                 "maximum_age:number assured_date:date assurer_email:email licenses alert "
                 "last_modified:datetime"),
    "attributes": ("attribute", "id:uuid! link_id:uuid! taxonomy_term_id:uuid! link_type "
                   "link_entity! value"),
    "service_at_location": ("service_at_location", "id:uuid! service_id:uuid! "
                            "location_id:uuid! description"),
    "locations": ("location", "id:uuid! location_type! url:uri organization_id:uuid name "
                  "alternate_name description transportation latitude:number "
                  "longitude:number external_identifier external_identifier_type"),
    "phones": ("phone", "id:uuid! location_id:uuid service_id:uuid organization_id:uuid "
               "contact_id:uuid service_at_location_id:uuid number! extension:number type "
               "description"),
    "addresses": ("address", "id:uuid! location_id:uuid attention address_1! address_2 city! "
                  "region state_province! postal_code! country! address_type!"),
    "schedules": ("schedule", "id:uuid! service_id:uuid location_id:uuid "
                  "service_at_location_id:uuid valid_from:date valid_to:date dtstart:date "
                  "timezone:number until:date count:number wkst freq interval:number byday "
                  "byweekno bymonthday byyearday description opens_at:time closes_at:time "
                  "schedule_link:uri attending_type notes"),
    "accessibility": ("accessibility", "id:uuid! location_id:uuid description details url:uri"),
    "taxonomy_terms": ("taxonomy_term", "id:uuid! code name! description! parent_id:uuid "
                       "taxonomy language taxonomy_id:uuid term_uri:uri"),
    "taxonomies": ("taxonomy", "id:uuid! name! description! uri:uri version"),
}
TABLES = tuple(_TABLE_FIELDS)
COLUMNS = {table: tuple(field.split(":")[0].rstrip("!") for field in fields.split())
           for table, (_name, fields) in _TABLE_FIELDS.items()}
_ENUMS = {
    ("service", "status"): ["active", "inactive", "defunct", "temporarily closed"],
    ("location", "location_type"): ["physical", "postal", "virtual"],
    ("address", "address_type"): ["physical", "postal", "virtual"],
    ("schedule", "wkst"): list(ICAL_DAYS),
    ("schedule", "freq"): ["WEEKLY", "MONTHLY"],
}
_UNIQUE = {("taxonomy_term", "code")}
# HSDS's foreign keys among the tables we publish (its others point at tables we leave out).
_FOREIGN_KEYS = {
    "service": [("organization_id", "organization")],
    "attribute": [("taxonomy_term_id", "taxonomy_term")],
    "service_at_location": [("service_id", "service"), ("location_id", "location")],
    "location": [("organization_id", "organization")],
    "phone": [("location_id", "location"), ("organization_id", "organization"),
              ("service_id", "service"), ("service_at_location_id", "service_at_location")],
    "address": [("location_id", "location")],
    "schedule": [("location_id", "location"), ("service_id", "service"),
                 ("service_at_location_id", "service_at_location")],
    "accessibility": [("location_id", "location")],
    "taxonomy_term": [("taxonomy_id", "taxonomy")],
}
# Our code lists as HSDS taxonomies: key -> (labels, Chinese name, what an attribute links).
TAXONOMIES = {
    "category": (CATEGORIES, "邻里服务点类别", "service"),
    "price": (PRICES, "邻里服务收费方式", "service"),
    "organization_kind": (ORGANIZATION_KINDS | {"community": KIND_LABELS["community"]},
                          "邻里服务提供方类型", "organization"),
    "accessibility": (ACCESSIBILITY, "邻里服务点无障碍设施", "accessibility"),
}
TAXONOMY_LANGUAGE = "zh"


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


def _utc_offset(today):
    """The portal zone's UTC offset on ``today``, as HSDS's ``timezone`` (hours, a number)
    and as the suffix of its times ("+08:00"). Asia/Shanghai has no summer time; a zone that
    has one gets the offset of the day of the export."""
    offset = zone().utcoffset(datetime.combine(today, time(12)))
    minutes = int(offset.total_seconds()) // 60
    hours = minutes / 60
    sign = "-" if minutes < 0 else "+"
    suffix = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return (int(hours) if hours.is_integer() else hours), suffix


def _at(minutes, suffix):
    """A local time as HSDS wants it: ISO 8601 with seconds and the UTC offset (a time
    without one would be read as UTC)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00{suffix}"


# HSDS times are times of day: "24:00" is not one, and there is no "closes the next day".
# An interval that ends at midnight closes at 23:59:59 (HSDS's own advice for open-till-
# midnight is 23:59); one that runs past midnight is split in two true rows: until 23:59:59
# on the day it opens, and from 00:00:00 on the next day (the next weekday, or the next
# date for a special day).
END_OF_DAY = "23:59:59"


def _spans(opens, closes, suffix):
    """[(day offset, opens_at, closes_at)] for an interval in minutes (closes may pass 1440)."""
    if closes <= MINUTES_PER_DAY:
        end = END_OF_DAY + suffix if closes == MINUTES_PER_DAY else _at(closes, suffix)
        return [(0, _at(opens, suffix), end)]
    return [(0, _at(opens, suffix), END_OF_DAY + suffix),
            (1, _at(0, suffix), _at(closes - MINUTES_PER_DAY, suffix))]


def _taxonomy_rows():
    taxonomies, terms = [], {}
    for key, (labels, name, _entity) in TAXONOMIES.items():
        taxonomy_id = _uuid("taxonomy", key)
        taxonomies.append({"id": taxonomy_id, "name": name, "description": name,
                           "uri": absolute_url("servicemap.index")})
        for code, label in labels.items():
            terms[(key, code)] = {
                "id": _uuid("taxonomy_term", f"{key}:{code}"), "code": code,
                "name": str(label), "description": f"{name}：{label}", "taxonomy": name,
                "language": TAXONOMY_LANGUAGE, "taxonomy_id": taxonomy_id}
    return taxonomies, terms


def _attribute(terms, key, code, link_id):
    term = terms[(key, code)]
    return {"id": _uuid("attribute", f"{key}:{link_id}"), "link_id": link_id,
            "taxonomy_term_id": term["id"], "link_type": key,
            "link_entity": TAXONOMIES[key][2], "taxonomy_term": term}


def _address_settings():
    """What HSDS requires of an address when the place tree does not say: the province and
    the postal code (settings, for places that have none) and the country (ISO 3166-1, "CN"
    unless set)."""
    settings = current_app.config.get("PORTAL", {})
    return (settings.get("PROVINCE") or "", settings.get("POSTAL_CODE") or "",
            settings.get("COUNTRY") or "CN")


def services(today):
    """Every point as a fully nested HSDS 3.0 service (as ``GET /services/{id}`` gives it)."""
    points, exceptions = load(today)
    timezone, suffix = _utc_offset(today)
    default_province, default_postal_code, country = _address_settings()
    result = []
    with force_locale("zh_Hans"):
        _taxonomies, terms = _taxonomy_rows()
        organizations = {}
        for point in points:
            organization = _organization(point, terms, organizations)
            service_id, location_id = _uuid("service", point.id), _uuid("location", point.id)
            link_id = _uuid("service_at_location", point.id)
            lineage = point.place.lineage()
            city = next((p.name for p in lineage if p.kind == "city"), "")
            region = next((p.name for p in lineage if p.kind == "district"), None)
            province = next((p.province for p in reversed(lineage) if p.province),
                            default_province)
            postal_code = next((p.postal_code for p in reversed(lineage) if p.postal_code),
                               default_postal_code)
            address = {"id": _uuid("address", point.id), "location_id": location_id,
                       "address_1": point.address, "city": city, "state_province": province,
                       "postal_code": postal_code, "country": country,
                       "address_type": "physical"}
            if region:
                address["region"] = region
            accessibility = []
            for code, label, offered in point.accessibility:
                if offered:
                    row_id = _uuid("accessibility", f"{point.id}:{code}")
                    accessibility.append({
                        "id": row_id, "location_id": location_id, "description": str(label),
                        "attributes": [_attribute(terms, "accessibility", code, row_id)]})
            location = {
                "id": location_id, "location_type": "physical",
                "organization_id": organization["id"], "name": point.name,
                "latitude": point.latitude, "longitude": point.longitude,
                "addresses": [address], "accessibility": accessibility,
            }
            if point.directions:
                location["transportation"] = point.directions
            service = {
                "id": service_id, "organization_id": organization["id"], "name": point.name,
                "description": "; ".join(point.service_list),
                "url": absolute_url("servicemap.show", point_id=point.id),
                "status": HSDS_STATUS[point.status],
                "fees_description": str(PRICES[point.price]),
                "last_modified": point.updated_at.isoformat(timespec="seconds") + "Z",
                "organization": organization,
                "phones": ([{"id": _uuid("phone", f"service:{point.id}"),
                             "service_id": service_id, "number": point.phone}]
                           if point.phone else []),
                "service_at_locations": [{
                    "id": link_id, "service_id": service_id, "location_id": location_id,
                    "location": location,
                    "schedules": _schedules(point, exceptions.get(point.id, []),
                                            (service_id, location_id, link_id),
                                            timezone, suffix),
                }],
                "attributes": [_attribute(terms, "category", point.category, service_id),
                               _attribute(terms, "price", point.price, service_id)],
            }
            if point.verified_on:
                service["assured_date"] = point.verified_on.isoformat()
            result.append(service)
    return result


def _organization(point, terms, seen):
    """The point's organization (its operator, or the community running it), made once."""
    if point.operator is not None:
        operator = point.operator
        key, name, kind = ("organization", operator.id), operator.name, operator.kind
        description = operator.summary or str(ORGANIZATION_KINDS[kind])
        website = absolute_url("organizations.show", organization_id=operator.id)
        phone = operator.phone
    else:
        community = point.place.ancestor("community") or point.place
        key, name, kind = ("place", community.id), community.name, "community"
        # HSDS requires a description; the community has none but what it is.
        description = f"{community.name}（{KIND_LABELS['community']}）"
        website = absolute_url("places.show", place_id=community.id)
        phone = community.phone
    if key not in seen:
        org_id = _uuid(*key)
        seen[key] = {
            "id": org_id, "name": name, "description": description, "website": website,
            "phones": ([{"id": _uuid("phone", f"{key[0]}:{key[1]}"), "organization_id": org_id,
                         "number": phone}] if phone else []),
            "attributes": [_attribute(terms, "organization_kind", kind, org_id)],
        }
    return seen[key]


def _schedules(point, exceptions, ids, timezone, suffix):
    service_id, location_id, link_id = ids
    rows = []

    def add(key, **fields):
        rows.append({"id": _uuid("schedule", key), "service_id": service_id,
                     "location_id": location_id, "service_at_location_id": link_id,
                     "timezone": timezone, **fields})

    for row in point.hours:
        for shift, opens_at, closes_at in _spans(row.opens, row.closes, suffix):
            add(f"hours:{row.id}" + (":next-day" if shift else ""), freq="WEEKLY",
                byday=ICAL_DAYS[(row.weekday + shift) % 7], opens_at=opens_at,
                closes_at=closes_at)
    # A special day is a schedule valid on that date only, with no recurrence (no freq).
    for row in exceptions:
        notes = {"notes": row.note} if row.note else {}
        if row.closed:
            day = row.day.isoformat()
            add(f"exception:{row.id}", valid_from=day, valid_to=day, description="closed",
                **notes)
            continue
        for shift, opens_at, closes_at in _spans(row.opens, row.closes, suffix):
            day = (row.day + timedelta(days=shift)).isoformat()
            add(f"exception:{row.id}" + (":next-day" if shift else ""), valid_from=day,
                valid_to=day, description="special hours", opens_at=opens_at,
                closes_at=closes_at, **notes)
    return rows


def hsds(today):
    """The HSDS 3.0 JSON document: the API's ``/services`` page with the full services."""
    contents = services(today)
    return {"total_items": len(contents), "total_pages": 1, "page_number": 1,
                 "size": len(contents), "first_page": True, "last_page": True,
                 "empty": not contents, "contents": contents}


def tables(today):
    """The HSDS tables as lists of rows (dicts with keys of COLUMNS), by name in TABLES."""
    return tables_of(services(today))


def tables_of(services_):
    """Flatten full HSDS services into the rows of the tables (each row once)."""
    out = {table: {} for table in TABLES}

    def put(table, obj):
        out[table].setdefault(obj["id"], {k: v for k, v in obj.items()
                                          if k in COLUMNS[table]})

    def put_attributes(obj):
        for attribute in obj.get("attributes", []):
            put("attributes", attribute)

    with force_locale("zh_Hans"):
        taxonomies, terms = _taxonomy_rows()
    for taxonomy in taxonomies:
        put("taxonomies", taxonomy)
    for term in terms.values():
        put("taxonomy_terms", term)
    for service in services_:
        organization = service["organization"]
        put("organizations", organization)
        put_attributes(organization)
        for phone in organization["phones"] + service["phones"]:
            put("phones", phone)
        put("services", service)
        put_attributes(service)
        for link in service["service_at_locations"]:
            location = link["location"]
            put("locations", location)
            for address in location["addresses"]:
                put("addresses", address)
            for feature in location["accessibility"]:
                put("accessibility", feature)
                put_attributes(feature)
            put("service_at_location", link)
            for schedule in link["schedules"]:
                put("schedules", schedule)
    return {table: list(rows.values()) for table, rows in out.items()}


def datapackage():
    """The Tabular Data Package descriptor (datapackage.json) for the CSV tables, served
    beside them: HSDS 3.0's own resources, fields and keys for the tables we publish."""
    resources = []
    for table, (name, fields) in _TABLE_FIELDS.items():
        schema_fields = []
        for field in fields.split():
            required = field.endswith("!")
            field_name, _colon, kind = field.rstrip("!").partition(":")
            entry = {"name": field_name, "type": "string"}
            if kind in ("uuid", "uri", "email"):
                entry["format"] = kind
            elif kind:
                entry["type"] = kind
            constraints = {"required": required,
                           "unique": field_name == "id" or (name, field_name) in _UNIQUE}
            if (name, field_name) in _ENUMS:
                constraints["enum"] = _ENUMS[(name, field_name)]
            entry["constraints"] = constraints
            schema_fields.append(entry)
        schema = {"fields": schema_fields, "primaryKey": "id"}
        if name in _FOREIGN_KEYS:
            schema["foreignKeys"] = [{"fields": column,
                                      "reference": {"resource": target, "fields": "id"}}
                                     for column, target in _FOREIGN_KEYS[name]]
        resources.append({"name": name, "path": f"{table}.csv", "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8",
                          "profile": "tabular-data-resource", "schema": schema})
    return {
        "profile": "tabular-data-package",
        "name": "linli-servicemap-hsds",
        "title": "邻里社区服务点（HSDS 3.0）",
        "description": f"Open Referral Human Services Data Specification {HSDS_VERSION} "
                       "tables of the community service points.",
        "homepage": absolute_url("servicemap.index"),
        "resources": resources,
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
