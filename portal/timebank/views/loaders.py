"""What the time bank's views load by id: 404 when there is none, 403 when the user may not
touch it — before any work."""

from flask import abort

from portal.accounts.permissions import load, require
from portal.extensions import db
from portal.places.models import Place
from portal.timebank import activities
from portal.timebank.models import Activity, Volunteer

PER_PAGE = 20


def volunteer_of(user):
    return db.session.get(Volunteer, user.id) if user.is_authenticated else None


def organised(activity_id):
    """An activity the current user runs (worker of its place or staff of its organiser)."""
    return load(Activity, activity_id,
                allowed=activities.may_organise)


def worked_community(place_id):
    """A community the current user is a community worker of."""
    community = load(Place, place_id)
    if community.kind != "community":
        abort(404)
    require("community_worker", community)
    return community
