"""Granting and revoking roles: inside the granter's own scope, written to the audit log."""

from portal import audit
from portal.accounts.models import ORGANIZATION_ROLES, PLACE_ROLES, RoleGrant
from portal.accounts.permissions import can, forget_grants
from portal.extensions import db
from portal.organizations.models import Organization

# What a community worker may hand out inside their community; admins may grant any role.
WORKER_GRANTABLE = ("volunteer", "courtyard_leader", "council_member", "org_staff")


class GrantRefused(Exception):
    """A grant or revocation the granter may not make; ``reason`` says why, for the user."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def grantable_roles(granter, target):
    """Return the roles ``granter`` may grant or revoke at ``target``."""
    allowed = ORGANIZATION_ROLES if isinstance(target, Organization) else PLACE_ROLES
    place = target.home_place if isinstance(target, Organization) else target
    if can(granter, "admin", place):
        return allowed
    if can(granter, "community_worker", place):
        return tuple(r for r in allowed if r in WORKER_GRANTABLE)
    return ()


def grant_role(granter, user, role, target):
    """Give ``user`` the ``role`` at ``target`` (a Place or Organization)."""
    if role not in grantable_roles(granter, target):
        raise GrantRefused("outside_scope")
    if user.id == granter.id:
        raise GrantRefused("self")
    target_column = "organization_id" if isinstance(target, Organization) else "place_id"
    existing = db.session.scalar(
        db.select(RoleGrant).filter_by(user_id=user.id, role=role, **{target_column: target.id})
    )
    if existing:
        raise GrantRefused("already")
    grant = RoleGrant(user=user, role=role, granted_by=granter, **{target_column: target.id})
    db.session.add(grant)
    db.session.flush()
    audit.record("role.grant", grant, actor=granter, user=user.id, role=role,
                 target=f"{type(target).__name__}:{target.id}")
    forget_grants(user)
    return grant


def revoke_role(granter, grant):
    """Take back ``grant``; the audit log keeps who held it."""
    if grant.role not in grantable_roles(granter, grant.target):
        raise GrantRefused("outside_scope")
    if grant.user_id == granter.id:
        raise GrantRefused("self")
    audit.record("role.revoke", grant, actor=granter, user=grant.user_id, role=grant.role,
                 target=f"{type(grant.target).__name__}:{grant.target.id}")
    db.session.delete(grant)
    forget_grants(grant.user)
