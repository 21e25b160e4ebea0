"""Who may see and do what in the councils: one answer per question, used by rules, views
and templates alike (a control is shown only when its write would be allowed).

- A public request is seen by everyone; a private one by its requester, the leader who
  wrote it down, and those handling it (workers of its community, conveners over it).
- Triage: a community worker (or admin) over the request's courtyard, or a convener or
  deputy of a council whose place contains it, during their term.
- A council is kept (members, meetings called) by workers of its place's community and its
  conveners; its recorder (and conveners) take attendance and votes at a meeting.
"""

from sqlalchemy import select

from portal.accounts.permissions import can
from portal.councils.models import Council, CouncilMember
from portal.extensions import db
from portal.places.models import Place
from portal.timeutil import local_today

CHAIRS = ("convener", "deputy")


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def seats_of(user, today=None):
    """The user's current seats (CouncilMember rows, with their councils), once a request."""
    if not _signed_in(user):
        return []
    today = local_today() if today is None else today
    return db.session.scalars(
        select(CouncilMember).join(Council)
        .where(CouncilMember.user_id == user.id, CouncilMember.starts_on <= today,
               CouncilMember.ends_on >= today)).all()


def seat_in(user, council, today=None):
    """The user's current seat on ``council``, or None."""
    return next((s for s in seats_of(user, today) if s.council_id == council.id), None)


def chairs_over(user, place, today=None):
    """Whether the user convenes (or deputises at) a council whose place contains ``place``."""
    return any(seat.position in CHAIRS and seat.council.place.contains(place)
               for seat in seats_of(user, today))


def community_of(place):
    return place if place.kind == "community" else place.ancestor("community")


def works_over(user, place):
    """A community worker (or admin) over ``place``."""
    return can(user, "community_worker", place)


def may_triage(user, request, today=None):
    return _signed_in(user) and (works_over(user, request.courtyard)
                                 or chairs_over(user, request.courtyard, today))


def handles(user, request, today=None):
    """Those handling a request: who may triage it, and the leaders of its courtyard."""
    return may_triage(user, request, today) or can(user, "courtyard_leader", request.courtyard)


def may_see(user, request, today=None):
    if request.public:
        return True
    if not _signed_in(user):
        return False
    return user.id in (request.requester_id, request.recorded_by_id) or handles(
        user, request, today)


def may_keep_council(user, council, today=None):
    """Add members, call, move and cancel meetings, approve minutes: a worker over the
    council's place or its convener (or deputy)."""
    if not _signed_in(user):
        return False
    seat = seat_in(user, council, today)
    return works_over(user, council.place) or (seat is not None and seat.position in CHAIRS)


def may_record(user, council, today=None):
    """Take attendance and votes, write minutes: the recorder, the chairs, or a worker."""
    if not _signed_in(user):
        return False
    seat = seat_in(user, council, today)
    return works_over(user, council.place) or (
        seat is not None and seat.position in CHAIRS + ("recorder",))


def may_approve_minutes(user, council, today=None):
    """The convener approves the minutes (a worker may, for a council without one)."""
    seat = seat_in(user, council, today)
    return _signed_in(user) and (
        (seat is not None and seat.position == "convener") or works_over(user, council.place))


def council_for(place):
    """The council of ``place`` itself, or None."""
    return db.session.scalar(select(Council).where(Council.place_id == place.id))


def councils_over(place):
    """The councils whose place contains ``place`` (building, group, community), lowest
    first: where a 小事 of ``place`` may be put."""
    ids = place.lineage_ids
    return db.session.scalars(
        select(Council).join(Place, Council.place_id == Place.id)
        .where(Council.place_id.in_(ids)).order_by(Place.depth.desc())).all()
