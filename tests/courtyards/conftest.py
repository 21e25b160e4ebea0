"""Fixtures of the courtyards' tests (places and people: ../conftest.py)."""

import pytest

from portal.courtyards import households, notices
from portal.extensions import db


@pytest.fixture
def leader(make_user, world):
    """胡国强, 院长 of 草堂东路133号院, living there."""
    return make_user(name="胡国强", courtyard=world["courtyard"],
                     roles=[("courtyard_leader", world["courtyard"])])


@pytest.fixture
def post(world, leader, now, today):
    """post(title=…, window=(first, last) or None, place=…, by=…) -> a Notice, committed."""

    def make(title="停水通知", body="明天上午停水。", window=None, place=None, by=None, **kwargs):
        notice = notices.post_notice(by or leader, place or world["courtyard"], title, body,
                                     now, today, window=window, **kwargs)
        db.session.commit()
        return notice

    return make


@pytest.fixture
def resident_in(make_user, world):
    """resident_in(room, building=None, name=…) -> a resident of the first courtyard living
    in that flat."""

    def make(room, building=None, name="居民", unit=""):
        user = make_user(name=name, courtyard=world["courtyard"])
        if room:
            households.record_household(user, world["courtyard"], building, unit, room, user)
        db.session.commit()
        return user

    return make
