"""Granting and revoking roles: inside the granter's own scope, written to the audit log.

Whether the granter may act here at all is a permission (``may_grant``, ``may_revoke``),
asked by the view before any work: 403. What the rules then refuse (a grant to oneself, a
role held already) raises ``portal.refusals.Refused``, about the form's ``role`` field.
"""

from portal import audit
from portal.accounts.models import RoleGrant
from portal.accounts.permissions import forget_grants, grantable_roles, holds_no_more_than
from portal.extensions import db
from portal.organizations.models import Organization
from portal.refusals import Refused

__all__ = ["grant_role", "grantable_roles", "may_grant", "may_grant_at", "may_revoke",
           "revoke_role"]


def may_grant_at(granter, target):
    """Tell whether ``granter`` may give any role at ``target`` (its roles page is theirs)."""
    return bool(grantable_roles(granter, target))


def may_grant(granter, role, target):
    """Tell whether ``role`` is one ``granter`` may give or take back at ``target``."""
    return role in grantable_roles(granter, target)


def may_revoke(granter, grant):
    """Tell whether ``granter`` may take back ``grant``: a role they may give there, from a
    person who holds nothing they do not cover (a worker cannot sign out an admin by taking
    back a small role)."""
    return may_grant(granter, grant.role, grant.target) and holds_no_more_than(granter,
                                                                               grant.user)


def grant_role(granter, user, role, target):
    """Give ``user`` the ``role`` at ``target`` (a Place or Organization)."""
    if not may_grant(granter, role, target):
        raise Refused("role_outside_scope", field="role")
    if user.id == granter.id:
        raise Refused("own_roles", field="role")
    target_column = "organization_id" if isinstance(target, Organization) else "place_id"
    existing = db.session.scalar(
        db.select(RoleGrant).filter_by(user_id=user.id, role=role, **{target_column: target.id})
    )
    if existing:
        raise Refused("role_already_held", field="role")
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

    The view asks ``may_revoke`` first (403); asked here again, so no other caller can
    take back what the granter could not give.
    """
    if not may_revoke(granter, grant):
        raise Refused("role_outside_scope", field="role")
    if grant.user_id == granter.id:
        raise Refused("own_roles", field="role")
    audit.record("role.revoke", grant, actor=granter, user=grant.user_id, role=grant.role,
                 target=f"{type(grant.target).__name__}:{grant.target.id}")
    person = grant.user
    db.session.delete(grant)
    person.sign_out_everywhere()
    forget_grants(person)
