"""The departments 大事 are referred to (城管, 住建, 公安, 供电, 水务 …): one list per district,
kept by the community workers of any community in it (and admins).

A department is never deleted: requests and their timelines name it. One no longer taking
referrals is made inactive and leaves the choices of the referral form.
"""

import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.permissions import places_where
from portal.councils.models import Department
from portal.extensions import db
from portal.refusals import Refused

NAME_MAX = 60


def may_keep(user, district):
    """Workers of a community in ``district``, or of a place containing it, and admins."""
    if district is None or district.kind != "district" or not user.is_authenticated:
        return False
    return any(district.contains(place) or place.contains(district)
               for place in places_where(user, "community_worker"))


def of_district(district):
    """The district's departments: active ones first, then by name."""
    return db.session.scalars(select(Department).where(Department.district_id == district.id)
                              .order_by(Department.active.desc(), Department.name)).all()


def _same_name(name):
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def add(actor, district, name, phone=None):
    """Add a department to ``district``'s list; its name is unique there."""
    if not may_keep(actor, district):
        raise Refused("department_not_yours")
    name = " ".join((name or "").split())
    if not name:
        raise Refused("department_name_missing", field="name")
    if len(name) > NAME_MAX:
        raise Refused("department_name_too_long", field="name", most=NAME_MAX)
    if any(_same_name(row.name) == _same_name(name) for row in of_district(district)):
        raise Refused("department_name_taken", field="name")
    department = Department(district=district, name=name, phone=(phone or "").strip() or None)
    try:  # two workers adding the same name at once: the second is told it is taken
        with db.session.begin_nested():
            db.session.add(department)
    except IntegrityError:
        raise Refused("department_name_taken", field="name") from None
    audit.record("councils.department.add", department, actor=actor, name=name)
    return department


def set_active(actor, department, active):
    """Take a department off the referral choices (or back on)."""
    if not may_keep(actor, department.district):
        raise Refused("department_not_yours")
    if department.active != bool(active):
        department.active = bool(active)
        audit.record("councils.department.active", department, actor=actor,
                     active=department.active)
    return department
