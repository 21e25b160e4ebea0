"""Projects, funds and organizations in real Chromium, on the demo world: a resident finds
the parking-shed project on her courtyard page and sees where its money came from in one
tap with JavaScript off on a 240 px phone; axe-core on the projects', funds' and
organizations' pages."""

import pytest
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.funds.models import Fund
from portal.projects.models import Call, Project
from tests.browser.conftest import axe_pages, horizontal_overflow, sign_in


@pytest.fixture
def demo():
    world = seed_demo()
    db.session.commit()
    project = db.session.scalar(select(Project).filter_by(
        title="133号院停车棚翻修和充电桩安装"))
    return {"world": world, "project": project,
            "call": db.session.scalar(select(Call).filter_by(project_id=project.id)),
            "fund": db.session.scalar(select(Fund))}


def test_where_the_money_came_from_is_one_tap_from_her_courtyard(narrow_page, demo):
    page = narrow_page
    assert sign_in(page, "13900000006", DEMO_PASSWORD)
    page.goto(f"/courtyards/{demo['world']['草堂东路133号院'].id}")
    interactions = 0
    page.get_by_role("link", name="133号院停车棚翻修和充电桩安装").first.click()
    interactions += 1
    main = page.locator("main").inner_text()
    assert interactions <= 3
    assert "社区资金 1 元 带动" in main
    assert "居民自筹" in main and "社区保障激励资金" in main
    assert horizontal_overflow(page) <= 0


def test_axe_finds_nothing_on_the_projects_funds_and_organizations_pages(js_page, demo):
    page = js_page
    world = demo["world"]
    assert sign_in(page, "13900000001", DEMO_PASSWORD)
    found = axe_pages(page, [
        f"/projects/{demo['project'].id}",
        f"/projects/calls/{demo['call'].id}",
        f"/projects/?place={world['草堂路社区'].id}",
        f"/funds/{demo['fund'].id}",
        f"/funds/community/{world['草堂路社区'].id}/lists",
        "/organizations/",
        f"/organizations/{world['常青树社会服务中心'].id}",
    ])
    assert found == {}
