"""Fixtures of the service map's tests (points: tests/factories.py)."""

from datetime import date

import pytest

from tests.factories import make_point


@pytest.fixture
def meal(world):
    """A meal point near 草堂东路133号院, open round the clock, run by the organization."""
    return make_point(world["community"], "草堂长者食堂", "meals", 30.6649, 104.0412,
                      operator=world["organization"], phone="028-87335566",
                      verified_on=date(2026, 3, 1))


@pytest.fixture
def people(world, make_user):
    return {
        "resident": make_user(name="张桂芳", courtyard=world["courtyard"]),
        "worker": make_user(name="李晓梅", roles=[("community_worker", world["community"])]),
        "other_worker": make_user(roles=[("community_worker", world["other_community"])]),
        "staff": make_user(name="朱红", roles=[("org_staff", world["organization"])]),
        "other_staff": make_user(roles=[("org_staff", world["other_organization"])]),
        "admin": make_user(roles=[("admin", world["city"])]),
    }
