"""A courtyard's leaders: 院长 (courtyard_leader granted at the courtyard) and 楼栋长 (granted
at one of its buildings), and the phone number each shows to whom."""

from sqlalchemy import case, select

from portal.accounts.models import RoleGrant, User
from portal.accounts.permissions import can, mask_mobile, may_see_mobile
from portal.extensions import db
from portal.places.models import Place, within


def leaders_of(courtyard):
    """Return [(user, building or None)]: the courtyard's leaders first, then each
    building's, by building name."""
    rows = db.session.execute(
        select(User, Place).join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Place, RoleGrant.place_id == Place.id)
        .where(RoleGrant.role == "courtyard_leader", within(courtyard),
               User.active.is_(True))
        .order_by(case((Place.id == courtyard.id, 0), else_=1), Place.name, User.name)
    ).all()
    seen, leaders = set(), []
    for user, place in rows:
        if (user.id, place.id) not in seen:
            seen.add((user.id, place.id))
            leaders.append((user, None if place.id == courtyard.id else place))
    return leaders


def phone_for(leader, viewer, courtyard):
    """The leader's number as ``viewer`` may see it: in full to the courtyard's residents
    when the leader chose to show it (and to the leader and workers over them); masked
    otherwise."""
    if may_see_mobile(viewer, leader):
        return leader.mobile
    if leader.phone_shown_to_neighbours and can(viewer, "resident", courtyard):
        return leader.mobile
    return mask_mobile(leader.mobile)


def is_leader(user):
    """Tell whether ``user`` leads a courtyard or a building (anywhere)."""
    return user.is_authenticated and db.session.scalar(
        select(RoleGrant.id).where(RoleGrant.user_id == user.id,
                                   RoleGrant.role == "courtyard_leader").limit(1)) is not None
