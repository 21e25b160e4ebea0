"""Fixtures of the accounts' tests."""

import pytest


@pytest.fixture
def people(world, make_user):
    """Everyone lives in the first courtyard of 草堂路社区; only their roles differ."""
    home = world["courtyard"]

    def person(*roles, **fields):
        return make_user(courtyard=home, roles=[(r, world[t]) for r, t in roles], **fields)

    return {
        "worker": person(("community_worker", "community")),
        "resident": person(),
        "leader": person(("courtyard_leader", "courtyard"), ("council_member", "community")),
        "peer": person(("community_worker", "community")),
        "street_worker": person(("community_worker", "street")),
        "admin": person(("admin", "district")),
        "city_admin": person(("admin", "city")),
        "other_staff": person(("org_staff", "other_organization")),
        "inactive_worker": person(("community_worker", "community"), active=False),
        "leader_only": person(("courtyard_leader", "courtyard")),
        "outsider": make_user(courtyard=world["other_courtyard"]),
    }
