"""Activities: organisers create them, volunteers sign up or cancel, organisers check them in."""

from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import audit
from portal.accounts.permissions import (
    can,
    organizations_where,
    places_where,
    scope,
    works_at,
)
from portal.extensions import db
from portal.places.models import PLACE_KINDS, Place, within
from portal.places.tree import community_ids, descendants
from portal.refusals import Refused
from portal.servicemap.models import ServicePoint
from portal.timebank.models import Activity, SignUp, Volunteer
from portal.timeutil import to_local, utcnow

# Activities happen at a community or below it; above, no pool would issue the hours.
ACTIVITY_PLACE_KINDS = ("community", "group", "courtyard", "building")
CHOICES_LIMIT = 400


def is_volunteer(user):
    return user.is_authenticated and db.session.get(Volunteer, user.id) is not None


def join(user, skills="", availability="", now=None):
    """Make ``user`` a volunteer (they agreed to the service-record rules)."""
    volunteer = db.session.get(Volunteer, user.id)
    if volunteer is None:
        volunteer = Volunteer(user_id=user.id, consented_at=now or utcnow(),
                              community_id=getattr(user.home_community, "id", None))
        db.session.add(volunteer)
        audit.record("timebank.join", user, actor=user)
    volunteer.skills = skills or ""
    volunteer.availability = availability or ""
    db.session.flush()
    return volunteer


def is_organiser(user):
    """Whether ``user`` may organise activities anywhere (workers, organization staff)."""
    return user.is_authenticated and bool(places_where(user, "community_worker")
                                          or organizations_where(user, "org_staff"))


def may_organise(user, activity):
    """Workers of the activity's community and staff of its organization run it."""
    return works_at(user, activity.place, activity.organization)


def _community_scope(place):
    """The widest place an organiser there may use: a community or something above it."""
    if PLACE_KINDS.index(place.kind) <= PLACE_KINDS.index("community"):
        return place
    return place.ancestor("community") or place


def serves(organization, place):
    """Whether ``organization`` works at ``place``: its home community, or everything under
    the street (or wider place) it is based at. Activities and help requests use this."""
    return _community_scope(organization.home_place).contains(place)


def organiser_options(user):
    """What ``user`` may organise as: [(organization or None, [places])] — None means the
    community itself (for workers)."""
    options = []
    worker_places = places_where(user, "community_worker")
    if worker_places:
        options.append((None, _places_under(worker_places)))
    for organization in organizations_where(user, "org_staff"):
        options.append((organization, _places_under([_community_scope(organization.home_place)])))
    return [(organiser, places) for organiser, places in options if places]


def _places_under(widest):
    places = []
    for area in widest:
        if area.kind in ACTIVITY_PLACE_KINDS:
            places.append(area)
        query = descendants(area).where(Place.kind.in_(("community", "courtyard")))
        places += db.session.scalars(query.order_by(Place.path).limit(CHOICES_LIMIT)).all()
    return places


def may_organise_at(user, organization, place):
    if place.kind not in ACTIVITY_PLACE_KINDS:
        return False
    if organization is None:
        return can(user, "community_worker", place)
    return can(user, "org_staff", organization) and serves(organization, place)


def create_activity(creator, organization, place, service_point=None, **fields):
    """Create an activity at ``place`` run by the community or by ``organization``,
    optionally at a service point of the same community."""
    if not may_organise_at(creator, organization, place):
        raise Refused("organiser_elsewhere", field="place")
    if service_point is not None and not _community_scope(place).contains(
            service_point.place):
        raise Refused("point_elsewhere", field="point")
    community = place if place.kind == "community" else place.ancestor("community")
    activity = Activity(place=place, community=community, organization=organization,
                        service_point=service_point, created_by=creator, **fields)
    db.session.add(activity)
    db.session.flush()
    audit.record("timebank.activity.create", activity, actor=creator)
    return activity


def upcoming(courtyard, now):
    """Select activities not yet over: those of my street, my community's first."""
    # Each card names the place and the organiser: load them with the page, not per card.
    query = (select(Activity).where(Activity.ends_at > now, Activity.cancelled.is_(False))
             .options(selectinload(Activity.place), selectinload(Activity.organization),
                      selectinload(Activity.community)))
    community = courtyard.ancestor("community") if courtyard else None
    area = courtyard and (courtyard.ancestor("street") or community)
    if area is None:
        return query.order_by(Activity.starts_at)
    mine = community.id if community else -1
    return (query.where(Activity.community_id.in_(community_ids([area])))
            .order_by(case((Activity.community_id == mine, 0), else_=1), Activity.starts_at))


def upcoming_at(point, now, limit=5):
    """Select the activities still to come at service point ``point``, soonest first."""
    return (select(Activity).where(Activity.service_point_id == point.id,
                                   Activity.ends_at > now, Activity.cancelled.is_(False))
            .order_by(Activity.starts_at).limit(limit))


def points_for(places):
    """The open service points at or under ``places``: where an organiser may hold one."""
    if not places:
        return []
    return db.session.scalars(
        select(ServicePoint).join(Place, ServicePoint.place_id == Place.id)
        .where(or_(*(within(p) for p in places)), ServicePoint.status != "defunct")
        .order_by(ServicePoint.name).limit(CHOICES_LIMIT)).all()


def managed(user):
    """Select the activities ``user`` organises (as a worker of their place or staff of their
    organization), newest first; none when they organise nothing."""
    return (select(Activity).join(Place, Activity.place_id == Place.id)
            .where(or_(scope(user, "community_worker", place=Place.path),
                       scope(user, "org_staff", organization=Activity.organization_id)))
            .order_by(Activity.starts_at.desc()))


def sign_up_of(user, activity):
    return db.session.scalar(select(SignUp).filter_by(activity_id=activity.id, user_id=user.id))


def sign_up(user, activity, now):
    """Sign ``user`` up; a full activity refuses even when two take the last slot at once."""
    if not is_volunteer(user):
        raise Refused("not_volunteer")
    if activity.cancelled:
        raise Refused("activity_cancelled")
    if activity.ends_at <= now:
        raise Refused("activity_over")
    existing = sign_up_of(user, activity)
    if existing is not None and existing.active:
        return existing
    try:
        with db.session.begin_nested():
            taken = db.session.execute(
                update(Activity).where(Activity.id == activity.id,
                                       Activity.signed_up < Activity.slots)
                .values(signed_up=Activity.signed_up + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                raise Refused("activity_full")
            if existing is not None:
                existing.cancelled_at = None
                existing.checked_in_at = None
                existing.created_at = now
            else:
                existing = SignUp(activity=activity, user=user, created_at=now)
                db.session.add(existing)
            db.session.flush()
    except IntegrityError:  # the same person twice at the same moment
        existing = sign_up_of(user, activity)
    db.session.refresh(activity, ["signed_up"])
    return existing


def cancel_sign_up(user, activity, now):
    """Give the place back to someone else (before the activity starts)."""
    signup = sign_up_of(user, activity)
    if signup is None or not signup.active:
        raise Refused("not_signed_up")
    if activity.starts_at <= now:
        raise Refused("activity_over")
    signup.cancelled_at = now
    db.session.execute(
        update(Activity).where(Activity.id == activity.id)
        .values(signed_up=Activity.signed_up - 1).execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(activity, ["signed_up"])
    return signup


def check_in(signup, organiser, now, present=True):
    """Mark a volunteer as there (or, by mistake, not there)."""
    signup.checked_in_at = now if present else None
    signup.checked_in_by_id = organiser.id if present else None
    return signup


def local_days(activity):
    """The activity's first and last day in the portal's time zone."""
    return to_local(activity.starts_at).date(), to_local(activity.ends_at).date()
