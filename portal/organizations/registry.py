"""The registry of social organizations 社会组织: registering one in a community, filing 备案,
registering 登记, suspending and restoring, and the profile its own staff keep.

Invariants:

- a name is used once in a sub-district (compared without spaces and case);
- an organization has a 统一社会信用代码 exactly when it is, or was before a suspension,
  registered; the code passes ``credit_code.check`` and is used once;
- the communities it serves are communities of its own sub-district;
- only community workers over the organization's home place (or admins) change its status,
  name, kind, code or communities; its staff (org_staff in it) keep only its profile.

Every rule takes the acting user and ``now`` (naive UTC) — and ``today`` (the portal's
date) where a day is given — writes an audit entry, and raises ``Refused`` when a rule says no.
"""

import unicodedata

from sqlalchemy import select

from portal import audit
from portal.accounts.permissions import can
from portal.extensions import db
from portal.organizations import credit_code
from portal.organizations.models import (
    ORGANIZATION_KINDS,
    Organization,
    ServedCommunity,
)
from portal.organizations.words import SERVICE_AREAS
from portal.places.models import Place, within
from portal.refusals import Refused

# Statuses an organization can be entered with; it is suspended only by ``suspend``.
STARTING_STATUSES = ("incubating", "filed", "registered")
# Kinds registered with civil affairs, and the first two characters of their codes.
KIND_PREFIXES = {"social_group": "51", "service_agency": "52", "foundation": "53"}
# Kinds that are filed with the sub-district and never registered as such.
FILED_KINDS = ("community_group", "volunteer_team")
REGISTRABLE_KINDS = tuple(k for k in ORGANIZATION_KINDS if k not in FILED_KINDS)
LIMITS = {"name": 100, "summary": 500, "address": 200, "contact_name": 40, "phone": 20,
          "suspended_reason": 500}


# --- who may ---

def may_keep(user, organization):
    """A community worker over the organization's home place, or an admin there."""
    return can(user, "community_worker", organization.home_place)


def may_edit_profile(user, organization):
    """Its staff, or whoever keeps it."""
    return can(user, "org_staff", organization) or may_keep(user, organization)


def may_register_at(user, place):
    return place is not None and place.kind in ("street", "community") and can(
        user, "community_worker", place)


def street_of(place):
    return place if place.kind == "street" else place.ancestor("street")


# --- reading ---

def _plain(name):
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def same_name_in_street(name, street, but=None):
    """An organization of ``street`` (based there or below) with ``name``, other than ``but``."""
    wanted = _plain(name)
    rows = db.session.scalars(
        select(Organization).join(Place, Organization.home_place_id == Place.id)
        .where(within(street))).all()
    return next((o for o in rows if _plain(o.name) == wanted and o is not but), None)


def communities_of(street):
    """The communities of a sub-district, by name."""
    return db.session.scalars(select(Place).where(within(street), Place.kind == "community")
                              .order_by(Place.name)).all()


def served_places(organization):
    return sorted((link.place for link in organization.communities), key=lambda p: p.name)


# --- checks shared by the rules ---

def _text(field, value, required_reason=None):
    value = (value or "").strip()
    if required_reason and not value:
        raise Refused(required_reason, field=field)
    if len(value) > LIMITS[field]:
        raise Refused("org_text_too_long", field=field, max=LIMITS[field])
    return value or None


def _areas(areas):
    areas = list(dict.fromkeys(areas or ()))
    if any(a not in SERVICE_AREAS for a in areas):
        raise Refused("org_area", field="service_areas")
    return ",".join(a for a in SERVICE_AREAS if a in areas)


def _communities(street, places):
    allowed = {p.id: p for p in communities_of(street)}
    places = list({p.id: p for p in places or ()}.values())
    if any(p.id not in allowed for p in places):
        raise Refused("org_community_elsewhere", field="communities")
    return places


def _day(day, today, field="day"):
    if day is None:
        return today
    if day > today:
        raise Refused("org_day_future", field=field)
    return day


def _code(code, kind, organization=None):
    """The checked code for an organization of ``kind``: right for the kind and unused."""
    code = credit_code.check(code)
    prefix = KIND_PREFIXES.get(kind)
    if prefix and not code.startswith(prefix):
        raise Refused("org_code_kind", field="credit_code", kind=ORGANIZATION_KINDS[kind],
                      prefix=prefix, given=code[:2])
    holder = db.session.scalar(select(Organization).filter_by(credit_code=code))
    if holder is not None and holder is not organization:
        raise Refused("org_code_taken", field="credit_code")
    return code


def _registrable(kind):
    if kind in FILED_KINDS:
        raise Refused("org_kind_unregistered", field="kind", kind=ORGANIZATION_KINDS[kind])


def check_keeper(user, organization):
    if not may_keep(user, organization):
        raise Refused("org_not_yours")


def _serve(organization, places):
    wanted = {p.id for p in places}
    for link in list(organization.communities):
        if link.place_id not in wanted:
            organization.communities.remove(link)
    have = {link.place_id for link in organization.communities}
    for place in places:
        if place.id not in have:
            organization.communities.append(ServedCommunity(place=place))


# --- writing ---

def register_organization(worker, place, now, today, *, name, kind, status="incubating",
                          code=None, day=None, communities=(), service_areas=(),
                          summary=None, address=None, contact_name=None, phone=None):
    """A worker of ``place`` (a community or sub-district) enters a new organization based
    there: its name (unique in the sub-district), kind, status (with the day it was filed or
    registered, and its code when registered), the communities it serves and what it does."""
    if not may_register_at(worker, place):
        raise Refused("org_place" if place is None or place.kind not in ("street", "community")
                      else "org_not_yours")
    street = street_of(place)
    name = _text("name", name, "org_name_missing")
    if kind not in ORGANIZATION_KINDS:
        raise Refused("org_kind", field="kind")
    if status not in STARTING_STATUSES:
        raise Refused("org_status", field="status")
    if same_name_in_street(name, street) is not None:
        raise Refused("org_name_taken", field="name", name=name)
    if status == "registered":
        _registrable(kind)
        if not (code or "").strip():
            raise Refused("org_code_needed", field="credit_code")
        code = _code(code, kind)
    elif (code or "").strip():
        raise Refused("org_code_not_yet", field="credit_code")
    else:
        code = None
    day = _day(day, today) if status != "incubating" else None
    organization = Organization(
        name=name, kind=kind, home_place=place, status=status, credit_code=code,
        filed_on=day if status == "filed" else None,
        registered_on=day if status == "registered" else None,
        service_areas=_areas(service_areas), summary=_text("summary", summary),
        address=_text("address", address), contact_name=_text("contact_name", contact_name),
        phone=_text("phone", phone), created_at=now)
    _serve(organization, _communities(street, communities))
    db.session.add(organization)
    db.session.flush()
    audit.record("organizations.register", organization, actor=worker, status=status,
                 credit_code=code, place=place.id)
    return organization


def update_profile(user, organization, now, *, summary, address, contact_name, phone,
                   service_areas, name=None, communities=None):
    """Its staff (or a worker keeping it) update what the organization says of itself. Only a
    keeper may also rename it or change the communities it serves (``name``, ``communities``:
    None leaves them)."""
    if not may_edit_profile(user, organization):
        raise Refused("org_not_yours")
    keeper = may_keep(user, organization)
    if (name is not None or communities is not None) and not keeper:
        raise Refused("org_not_yours")
    changes = {"summary": _text("summary", summary), "address": _text("address", address),
               "contact_name": _text("contact_name", contact_name),
               "phone": _text("phone", phone), "service_areas": _areas(service_areas)}
    street = street_of(organization.home_place)
    if name is not None:
        name = _text("name", name, "org_name_missing")
        if same_name_in_street(name, street, but=organization) is not None:
            raise Refused("org_name_taken", field="name", name=name)
        changes["name"] = name
    served = _communities(street, communities) if communities is not None else None
    changed = sorted(k for k, v in changes.items() if getattr(organization, k) != v)
    for key, value in changes.items():
        setattr(organization, key, value)
    if served is not None:
        before = {link.place_id for link in organization.communities}
        _serve(organization, served)
        if before != {p.id for p in served}:
            changed.append("communities")
    audit.record("organizations.profile", organization, actor=user, changed=changed)
    return organization


def file_organization(worker, organization, now, today, day=None):
    """备案: an organization being incubated is filed with the sub-district on ``day``."""
    check_keeper(worker, organization)
    if organization.status != "incubating":
        raise Refused("org_not_incubating")
    organization.filed_on = _day(day, today)
    organization.status = "filed"
    audit.record("organizations.file", organization, actor=worker, day=organization.filed_on)
    return organization


def record_registration(worker, organization, now, today, *, code, kind, day=None):
    """登记: the organization was registered with civil affairs on ``day`` as ``kind`` (a
    filed community organization usually becomes a social group or service agency) with its
    unified social credit code."""
    check_keeper(worker, organization)
    if organization.status == "registered":
        raise Refused("org_already_registered")
    if organization.status == "suspended":
        raise Refused("org_suspended")
    if kind not in ORGANIZATION_KINDS:
        raise Refused("org_kind", field="kind")
    _registrable(kind)
    if not (code or "").strip():
        raise Refused("org_code_needed", field="credit_code")
    code = _code(code, kind, organization)
    organization.registered_on = _day(day, today)
    organization.credit_code, organization.kind = code, kind
    organization.status = "registered"
    audit.record("organizations.registered", organization, actor=worker, credit_code=code,
                 kind=kind, day=organization.registered_on)
    return organization


def suspend(worker, organization, reason, now):
    """暂停, with the reason said on its page."""
    check_keeper(worker, organization)
    if organization.status == "suspended":
        raise Refused("org_already_suspended")
    reason = _text("suspended_reason", reason, "org_reason_needed")
    organization.status, organization.suspended_reason = "suspended", reason
    audit.record("organizations.suspend", organization, actor=worker, reason=reason)
    return organization


def status_before_suspension(organization):
    """What a suspended organization goes back to: registered if it has a code, filed if it
    was filed, else being incubated."""
    if organization.credit_code:
        return "registered"
    return "filed" if organization.filed_on else "incubating"


def restore(worker, organization, now):
    """Lift a suspension: the organization is again what it was."""
    check_keeper(worker, organization)
    if organization.status != "suspended":
        raise Refused("org_not_suspended")
    organization.status = status_before_suspension(organization)
    organization.suspended_reason = None
    audit.record("organizations.restore", organization, actor=worker,
                 status=organization.status)
    return organization


# --- the street's list ---

def listing(street=None, kind=None, status=None, community=None):
    """A select of organizations (of ``street`` when given), by name, filtered."""
    query = select(Organization).join(Place, Organization.home_place_id == Place.id)
    if street is not None:
        query = query.where(within(street))
    if kind:
        query = query.where(Organization.kind == kind)
    if status:
        query = query.where(Organization.status == status)
    if community is not None:
        query = query.where(Organization.communities.any(ServedCommunity.place_id == community.id))
    return query.order_by(Organization.name, Organization.id)
