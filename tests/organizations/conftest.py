"""Fixtures of the organizations' tests (places and people: ../conftest.py)."""

import pytest

from portal.extensions import db
from portal.organizations.models import Organization
from tests.organizations.codes import AGENCY_CODE


@pytest.fixture
def group(world):
    """草堂邻里互助队: a community organization of 草堂路社区 being incubated."""
    organization = Organization(name="草堂邻里互助队", kind="community_group",
                                home_place=world["community"])
    db.session.add(organization)
    db.session.commit()
    return organization


@pytest.fixture
def mentor(world):
    """A registered organization of the other community that can mentor."""
    organization = Organization(name="浣花社工服务中心", kind="service_agency",
                                home_place=world["other_community"], status="registered",
                                credit_code=AGENCY_CODE)
    db.session.add(organization)
    db.session.commit()
    return organization


@pytest.fixture
def staff(make_user, group):
    """朱红, staff of the group."""
    return make_user(name="朱红", roles=[("org_staff", group)])

