"""Fixtures of the councils' tests (places and people: ../conftest.py).

Rows here are made directly, not through the rules, so each test file exercises only the
rules it is about."""

from datetime import timedelta

import pytest

from portal.councils.models import Council, CouncilMember, Department, Request
from portal.extensions import db


@pytest.fixture
def resident(make_user, world):
    """王秀英, an older resident of 草堂东路133号院."""
    return make_user(name="王秀英", courtyard=world["courtyard"])


@pytest.fixture
def neighbour(make_user, world):
    """A second resident of the same courtyard."""
    return make_user(name="赵大爷", courtyard=world["courtyard"])


@pytest.fixture
def stranger(make_user, world):
    """A resident of the other community (浣花社区)."""
    return make_user(name="外人", courtyard=world["other_courtyard"])


@pytest.fixture
def outside_worker(make_user, world):
    """A community worker of the other community."""
    return make_user(name="外社区", courtyard=world["other_courtyard"],
                     roles=[("community_worker", world["other_community"])])


@pytest.fixture
def department(world):
    """住建 of 青羊区, where 大事 are referred."""
    row = Department(district=world["district"], name="区住建局")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def make_council(make_user, world, today):
    """make_council(place=community, members=5) -> a Council whose members are residents of
    the first courtyard: the first is 召集人, the second 记录员, the rest 成员 (their users
    are ``council.members[i].user``)."""

    def make(place=None, members=5, name=None):
        place = place or world["community"]
        council = Council(place=place, name=name or f"{place.name}议事会")
        db.session.add(council)
        positions = ["convener", "recorder"] + ["member"] * (members - 2)
        for i, position in enumerate(positions[:members]):
            user = make_user(name=f"议事{i + 1}", courtyard=world["courtyard"])
            db.session.add(CouncilMember(
                council=council, user=user, position=position,
                starts_on=today - timedelta(days=365), ends_on=today + timedelta(days=365)))
        db.session.commit()
        return council

    return make


@pytest.fixture
def make_request(world, now):
    """make_request(requester, title=…, state="submitted", public=True, **columns) -> a
    committed Request in the first courtyard (no timeline: made directly)."""

    def make(requester, title="楼道灯坏了", body="三单元楼道灯坏了一个月。", courtyard=None,
             category="environment", state="submitted", public=True, **columns):
        courtyard = courtyard or world["courtyard"]
        community = courtyard.ancestor("community")
        request = Request(courtyard=courtyard, community_id=community.id,
                          place_path=courtyard.path, category=category, title=title,
                          body=body, public=public, requester=requester, state=state,
                          created_at=columns.pop("created_at", now),
                          updated_at=now, **columns)
        db.session.add(request)
        db.session.commit()
        return request

    return make
