"""Fixtures of the funds' tests: a community fund of 草堂路社区 and a project to pay."""

import pytest

from portal.extensions import db
from portal.funds import money
from portal.projects.models import Project


@pytest.fixture
def fund(world, worker, now):
    made = money.set_up(worker, world["community"], "草堂路社区微基金", "居民的钱，公开的账。",
                        100, 2_000_000, now)
    db.session.commit()
    return made


@pytest.fixture
def make_project(world, worker):
    def make(title="停车棚翻修和充电桩安装", place=None, stage="planned"):
        project = Project(place=place or world["courtyard"], title=title, description="翻修车棚",
                          budget_fen=3_520_000, created_by=worker, stage=stage)
        db.session.add(project)
        db.session.commit()
        return project
    return make


@pytest.fixture
def project(make_project):
    return make_project()
