"""The one place that answers "may this user act in this role here?".

A role granted at a place holds for that place and everything under it; ``admin`` holds every
role there. A role granted in an organization holds for that organization; an admin over the
organization's home place holds it too. ``resident`` is not granted: a user is a resident of
every place that contains their home courtyard.
"""

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import false, or_

from portal.accounts.models import ORGANIZATION_ROLES, PLACE_ROLES, RoleGrant
from portal.extensions import db
from portal.organizations.models import Organization
from portal.places.models import Place, under_path


def _grants(user):
    """Return the user's grants as (role, place_path, organization_id) tuples, once a request."""
    cache = g.setdefault("_grants", {}) if has_request_context() else {}
    if user.id not in cache:
        rows = db.session.execute(
            db.select(RoleGrant.role, Place.path, RoleGrant.organization_id)
            .outerjoin(Place, RoleGrant.place_id == Place.id)
            .where(RoleGrant.user_id == user.id)
        ).all()
        cache[user.id] = [tuple(row) for row in rows]
    return cache[user.id]


def forget_grants(user=None):
    """Drop the per-request cache after grants change."""
    if has_request_context():
        cache = g.get("_grants", {})
        if user is None:
            cache.clear()
        else:
            cache.pop(user.id, None)


def _as_tuple(roles):
    return (roles,) if isinstance(roles, str) else tuple(roles)


def can(user, roles, target):
    """Tell whether ``user`` holds one of ``roles`` at ``target`` (a Place or Organization)."""
    if user is None or not user.is_authenticated or not user.is_active or target is None:
        return False
    roles = _as_tuple(roles)
    if isinstance(target, Organization):
        place_roles = ("admin",)
        place = target.home_place
        for role, _path, organization_id in _grants(user):
            if organization_id == target.id and role in roles:
                return True
    elif isinstance(target, Place):
        place_roles = roles + ("admin",)
        place = target
        if "resident" in roles and place.contains(user.home_courtyard):
            return True
    else:
        raise TypeError(f"roles are held at a Place or an Organization, not {target!r}")
    return any(
        role in place_roles and path is not None and place.path.startswith(path)
        for role, path, _org in _grants(user)
    )


def places_where(user, roles):
    """Return the places at which ``user`` was granted one of ``roles`` (or admin)."""
    if not user.is_authenticated:
        return []
    roles = _as_tuple(roles) + ("admin",)
    return db.session.scalars(
        db.select(Place)
        .join(RoleGrant, RoleGrant.place_id == Place.id)
        .where(RoleGrant.user_id == user.id, RoleGrant.role.in_(roles))
        .order_by(Place.path)
    ).all()


def organizations_where(user, roles):
    """Return the organizations in which ``user`` was granted one of ``roles``."""
    if not user.is_authenticated:
        return []
    return db.session.scalars(
        db.select(Organization)
        .join(RoleGrant, RoleGrant.organization_id == Organization.id)
        .where(RoleGrant.user_id == user.id, RoleGrant.role.in_(_as_tuple(roles)))
        .order_by(Organization.name)
    ).all()


def scope(user, roles, place=None, organization=None):
    """SQL condition for lists: the rows ``user`` may see or act on as one of ``roles``.

    ``place`` is a ``Place.path`` column of the row's place (the caller joins it): the row is
    in scope when that place is at or under one where the user holds a role (or admin).
    ``organization`` is the row's organization id column: in scope when the user holds a role
    in that organization. With neither in reach the condition is false, so the list is empty.
    The same answer as ``can`` gives for one row, asked of the whole table at once.
    """
    if user is None or not user.is_authenticated:
        return false()
    roles = _as_tuple(roles)
    grants = _grants(user)  # read once a request: lists need no query of their own
    conditions = []
    if place is not None:
        paths = sorted({path for role, path, _org in grants
                        if path is not None and role in roles + ("admin",)})
        conditions += [under_path(path, place) for path in paths]
    if organization is not None:
        ids = sorted({org for role, _path, org in grants if org is not None and role in roles})
        if ids:
            conditions.append(organization.in_(ids))
    return or_(*conditions) if conditions else false()


def works_at(user, place, organization=None):
    """A community worker over ``place``, or staff of ``organization`` (the one running what
    is there): who keeps an activity or a service point."""
    return can(user, "community_worker", place) or (
        organization is not None and can(user, "org_staff", organization))


def works_for(user, person):
    """A community worker (or admin) over ``person``'s home courtyard."""
    return person.home_courtyard is not None and can(
        user, "community_worker", person.home_courtyard)


# What a community worker may hand out inside their community; admins may grant any role.
WORKER_GRANTABLE = ("volunteer", "courtyard_leader", "council_member", "org_staff")


def grantable_roles(granter, target):
    """Return the roles ``granter`` may grant or revoke at ``target``."""
    allowed = ORGANIZATION_ROLES if isinstance(target, Organization) else PLACE_ROLES
    place = target.home_place if isinstance(target, Organization) else target
    if can(granter, "admin", place):
        return allowed
    if can(granter, "community_worker", place):
        return tuple(r for r in allowed if r in WORKER_GRANTABLE)
    return ()


def holds_no_more_than(worker, person):
    """Tell whether every role ``person`` holds is covered by ``worker``: the worker holds the
    same role (or admin) at the same or a wider place, or may give that role there.

    Acting on such a person's account gains the worker nothing they could not do already.
    """
    return all(
        can(worker, grant.role, grant.target) or grant.role in grantable_roles(worker, grant.target)
        for grant in person.grants
    )


def may_manage_person(worker, person):
    """Tell whether ``worker`` may act on ``person``'s account: see their page, print them a
    first-login code (which ends their password and sessions).

    The worker is a community worker (or admin) over the person's home courtyard, the person
    holds no role the worker does not cover (see ``holds_no_more_than``: a worker cannot take
    over an admin or a worker of a wider place, an admin only one of their own place or
    below), and the person is not the worker: their own account is the profile page.
    """
    if worker is None or not worker.is_authenticated or worker.id == person.id:
        return False
    return works_for(worker, person) and holds_no_more_than(worker, person)


def require(roles, target, user=None):
    """Abort with 403 unless the user (default: the current one) may act as ``roles`` here."""
    if not can(user or current_user, roles, target):
        abort(403)


def require_that(allowed):
    """Abort with 403 unless ``allowed`` (a rule's answer for the current user) holds; for
    pages whose permission is not one role at one place ("works anywhere", "organises
    something"). Asked before any work is done."""
    if not allowed:
        abort(403)


def load(model, ident, allowed=None, user=None):
    """Load ``model`` by id: 404 when there is none, then 403 unless ``allowed(user, obj)``
    (flaskr's ``get_post(id, check_author=True)``). Ids from URLs are never trusted to exist,
    and a forbidden object is refused before any work."""
    obj = db.get_or_404(model, ident)
    if allowed is not None and not allowed(user or current_user, obj):
        abort(403)
    return obj


def get_or_404(model, ident):
    """Load ``model`` by id or abort 404, for objects anyone may see."""
    return load(model, ident)


def mask_mobile(mobile):
    """Return 138****1234 for 13812341234."""
    if not mobile or len(mobile) < 7:
        return mobile
    return mobile[:3] + "****" + mobile[-4:]


def mask_name(name):
    """张** for 张桂芳: enough for family to recognise, not for a stranger."""
    return (name or "")[:1] + "**"


def may_see_mobile(viewer, person):
    """The owner and community workers of the person's community see the full number."""
    if viewer is None or not viewer.is_authenticated:
        return False
    return viewer.id == person.id or works_for(viewer, person)


def shown_mobile(person, viewer=None):
    """The number as ``viewer`` (default: the current user) may see it."""
    viewer = current_user if viewer is None else viewer
    return person.mobile if may_see_mobile(viewer, person) else mask_mobile(person.mobile)
