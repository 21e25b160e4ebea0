"""志愿服务证明, after 民政部《志愿服务记录与证明出具办法》: whoever organises the service
records it, and whoever records it certifies it. A certificate covers one volunteer's approved
records from one issuer — the organization that ran the activities, or the community."""

import secrets

from sqlalchemy import and_, func, or_, select

from portal.extensions import db
from portal.organizations.models import Organization
from portal.places.models import Place
from portal.refusals import Refused
from portal.timebank.models import Activity, Certificate, HourLog


def issuers(user):
    """[(issuer, minutes, records)] of everyone who holds approved records of ``user``,
    most time first: an Organization for its activities, the community (a Place) for its own
    and for help to neighbours."""
    rows = db.session.execute(
        select(Activity.organization_id, HourLog.community_id, func.sum(HourLog.minutes),
               func.count(HourLog.id))
        .outerjoin(Activity, HourLog.activity_id == Activity.id)
        .where(HourLog.volunteer_id == user.id, HourLog.status == "approved")
        .group_by(Activity.organization_id, HourLog.community_id)
    ).all()
    totals = {}
    for org_id, place_id, minutes, records in rows:
        issuer = (db.session.get(Organization, org_id) if org_id
                  else db.session.get(Place, place_id))
        previous = totals.get(issuer, (0, 0))
        totals[issuer] = (previous[0] + minutes, previous[1] + records)
    return sorted(((issuer, minutes, records) for issuer, (minutes, records) in totals.items()),
                  key=lambda row: -row[1])


def _records_condition(user, issuer):
    if isinstance(issuer, Organization):
        by_issuer = Activity.organization_id == issuer.id
    else:
        by_issuer = and_(HourLog.community_id == issuer.id,
                         or_(HourLog.activity_id.is_(None), Activity.organization_id.is_(None)))
    return and_(HourLog.volunteer_id == user.id, HourLog.status == "approved", by_issuer)


def records(certificate):
    """The approved records the certificate stands for, as they were when it was issued."""
    issuer = certificate.issuer_organization or certificate.issuer_place
    return db.session.scalars(
        select(HourLog).outerjoin(Activity, HourLog.activity_id == Activity.id)
        .where(_records_condition(certificate.user, issuer),
               HourLog.decided_at <= certificate.issued_at)
        .order_by(HourLog.service_date, HourLog.id)
    ).all()


def issue(user, issuer, now):
    """Number and keep a certificate of ``user``'s approved records from ``issuer`` (an
    Organization or a community)."""
    if issuer is None:
        raise Refused("no_records", field="issuer")
    minutes, count, first, last = db.session.execute(
        select(func.sum(HourLog.minutes), func.count(HourLog.id), func.min(HourLog.service_date),
               func.max(HourLog.service_date))
        .outerjoin(Activity, HourLog.activity_id == Activity.id)
        .where(_records_condition(user, issuer))
    ).one()
    if not count:
        raise Refused("no_records", field="issuer")
    certificate = Certificate(
        user=user, total_minutes=minutes, records=count, first_date=first, last_date=last,
        issued_at=now, verify_token=secrets.token_urlsafe(16),
        number="pending-" + secrets.token_hex(6),
        issuer_organization=issuer if isinstance(issuer, Organization) else None,
        issuer_place=issuer if isinstance(issuer, Place) else None)
    db.session.add(certificate)
    db.session.flush()
    certificate.number = f"LL{now:%Y}{certificate.id:07d}"
    return certificate
