"""Granting and revoking roles: inside the granter's own scope, written to the audit log."""

from portal import audit
from portal.accounts.models import RoleGrant
from portal.accounts.permissions import forget_grants, grantable_roles, holds_no_more_than
from portal.extensions import db
from portal.organizations.models import Organization


class GrantRefused(Exception):
    """A grant or revocation the granter may not make; ``reason`` says why, for the user."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


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
    """Take back ``grant``; the audit log keeps who held it. The person is signed out
    everywhere, so no page opened with the role stays open.

    The role must be one ``granter`` may give there, and the person must hold nothing the
    granter does not cover: a worker cannot sign out an admin by taking back a small role.
    """
    if grant.role not in grantable_roles(granter, grant.target):
        raise GrantRefused("outside_scope")
    if grant.user_id == granter.id:
        raise GrantRefused("self")
    if not holds_no_more_than(granter, grant.user):
        raise GrantRefused("outside_scope")
    audit.record("role.revoke", grant, actor=granter, user=grant.user_id, role=grant.role,
                 target=f"{type(grant.target).__name__}:{grant.target.id}")
    person = grant.user
    db.session.delete(grant)
    person.sign_out_everywhere()
    forget_grants(person)
