"""Enrolling a kiosk: a worker of a service point's community makes the browser in front of
them a kiosk of that point, with a signed long-lived cookie carrying the kiosk's token.

A cookie is a kiosk only while it verifies (``URLSafeSerializer`` with the app's secret, salt
"kiosk") and names a kiosk not revoked; anything else is an ordinary browser.
"""

import secrets
from datetime import timedelta

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from portal import audit
from portal.accounts.permissions import can, places_where, scope
from portal.extensions import db
from portal.kiosks.models import Kiosk
from portal.places.models import Place, within
from portal.refusals import Refused
from portal.servicemap.models import ServicePoint

COOKIE = "kiosk"
NAME_MAX = 60
SEEN_EVERY = timedelta(minutes=1)
POINTS_LIMIT = 400


def may_enrol_at(user, point):
    """A community worker (or admin) over the point's place."""
    return can(user, "community_worker", point.place)


def may_keep(user, kiosk):
    return may_enrol_at(user, kiosk.service_point)


def enrollable_points(user):
    """The service points ``user`` may put a kiosk in, by name."""
    places = places_where(user, "community_worker")
    if not places:
        return []
    return db.session.scalars(
        select(ServicePoint).join(Place, ServicePoint.place_id == Place.id)
        .where(db.or_(*(within(p) for p in places)), ServicePoint.status != "defunct")
        .order_by(ServicePoint.name).limit(POINTS_LIMIT)).all()


def kept_by(user):
    """Select the kiosks ``user`` keeps (at points of their communities), newest first."""
    return (select(Kiosk).join(ServicePoint, Kiosk.service_point_id == ServicePoint.id)
            .join(Place, ServicePoint.place_id == Place.id)
            .where(scope(user, "community_worker", place=Place.path))
            .order_by(Kiosk.revoked_at.is_not(None), Kiosk.enrolled_at.desc()))


def enrol(user, point, name, now):
    """Enrol a kiosk at ``point``; return it (its token goes into this browser's cookie)."""
    kiosk = Kiosk(service_point=point, name=name.strip()[:NAME_MAX],
                  token=secrets.token_urlsafe(32), enrolled_by_id=user.id, enrolled_at=now,
                  last_seen_at=now)
    db.session.add(kiosk)
    db.session.flush()
    audit.record("kiosk.enrol", kiosk, actor=user, point=point.id, name=kiosk.name)
    return kiosk


def revoke(user, kiosk, now):
    """Take ``kiosk`` out of use: its cookie makes an ordinary browser from now on."""
    if kiosk.revoked_at is not None:
        raise Refused("kiosk_revoked")
    kiosk.revoked_at = now
    kiosk.revoked_by_id = user.id
    audit.record("kiosk.revoke", kiosk, actor=user)
    return kiosk


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="kiosk")


def cookie_value(kiosk):
    return _serializer().dumps(kiosk.token)


def set_cookie(response, kiosk):
    days = current_app.config["PORTAL"]["KIOSK_COOKIE_DAYS"]
    response.set_cookie(COOKIE, cookie_value(kiosk), max_age=days * 24 * 3600, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def kiosk_of(raw):
    """The kiosk a cookie value names, or None (missing, forged, revoked)."""
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(token, str) or len(token) > 64:
        return None
    return db.session.scalar(select(Kiosk).where(Kiosk.token == token,
                                                 Kiosk.revoked_at.is_(None)))


def current_kiosk():
    """The kiosk this browser is, or None; read once a request."""
    if "_kiosk" not in g:
        g._kiosk = kiosk_of(request.cookies.get(COOKIE))
    return g._kiosk


def seen(kiosk, now):
    """Note that ``kiosk`` is in use, at most once a minute (one UPDATE, no read first)."""
    if kiosk.last_seen_at is not None and now - kiosk.last_seen_at < SEEN_EVERY:
        return
    db.session.execute(
        update(Kiosk).where(Kiosk.id == kiosk.id,
                            db.or_(Kiosk.last_seen_at.is_(None),
                                   Kiosk.last_seen_at < now - SEEN_EVERY))
        .values(last_seen_at=now).execution_options(synchronize_session=False))
