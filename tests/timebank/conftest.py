"""Fixtures of the time bank's tests (people, places, activities: ../conftest.py)."""

import pytest

from portal.timeutil import local_today, utcnow


@pytest.fixture
def now():
    return utcnow()


@pytest.fixture
def today():
    return local_today()
