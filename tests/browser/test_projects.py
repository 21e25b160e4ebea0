"""Projects, funds and organizations in real Chromium, on the demo world: a resident finds
the parking-shed project on her courtyard page and sees where its money came from in one
tap with JavaScript off on a 240 px phone; axe-core on the projects', funds' and
organizations' pages; with JavaScript on a panel member scores a bid in place."""

import io
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal import photos
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.funds.models import Fund
from portal.organizations.models import Organization
from portal.projects import calls, projects
from portal.projects.models import Call, ProgressReport, Project, Score
from tests.browser.conftest import axe_pages, axe_violations, horizontal_overflow, sign_in
from tests.conftest import TEST_PASSWORD
from tests.councils.test_photos import jpeg_with_gps


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


@pytest.fixture
def scoring(world, make_user, now):
    """A call whose deadline passed yesterday, with one bid and a panel of three residents of
    草堂路社区 who have not scored yet (the demo's call is scored and awarded already)."""
    worker = make_user(name="李晓梅", courtyard=world["courtyard2"],
                       roles=[("community_worker", world["community"])])
    panel = [make_user(name=f"评委{i}", courtyard=world["courtyard"], password=TEST_PASSWORD)
             for i in range(1, 4)]
    organization = Organization(name="常青树社会服务中心", kind="service_agency",
                                status="registered", home_place=world["street"])
    db.session.add(organization)
    db.session.flush()
    staff = make_user(name="常青树员工", courtyard=world["other_courtyard"],
                      roles=[("org_staff", organization)])
    opened = now - timedelta(days=30)
    project = projects.create(worker, world["courtyard"], "停车棚翻修", "翻修顶棚，安装充电桩。",
                              3_520_000, opened, plan_note="社区年度计划第3项")
    call = calls.open_call(worker, project, "停车棚翻修比选", "请提交方案、团队、报价和工期。",
                           now - timedelta(days=1), ["service_agency"], ["registered"],
                           [("方案", 40), ("经验", 30), ("报价", 30)],
                           [u.mobile for u in panel], opened)
    found = calls.submit_bid(staff, call, organization, "分三步翻修。", "三人施工队。",
                             3_200_000, "四周", now - timedelta(days=20))
    db.session.commit()
    return {"call": call, "bid": found, "panel": panel}


def test_a_panel_member_scores_a_bid_in_place(js_page, scoring):
    page = js_page
    call, found = scoring["call"], scoring["bid"]
    assert sign_in(page, scoring["panel"][0].mobile, TEST_PASSWORD)
    address = f"/projects/bids/{found.id}"
    page.goto(address)
    assert axe_violations(page) == []
    page.evaluate("window.notReloaded = true")
    for criterion, mark in zip(call.criteria, ("9", "7", "8"), strict=True):
        page.locator(f"#s-score_{criterion.id}").fill(mark)
    page.locator(f"#s-comment_{call.criteria[0].id}").fill("方案写得很细。")
    page.locator("#score form button").click()
    expect(page.locator("#score [role=status]")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith(address)
    assert page.locator("#score form").count() == 0
    assert "方案写得很细。" in page.locator("#score").inner_text()
    assert axe_violations(page) == []
    assert horizontal_overflow(page) <= 0
    db.session.rollback()
    kept = db.session.scalars(select(Score.score).where(Score.bid_id == found.id)
                              .order_by(Score.criterion_id)).all()
    assert kept == [9, 7, 8]
    page.reload()
    assert "方案写得很细。" in page.locator("#score").inner_text()


def test_a_bad_mark_in_place_shows_the_error_beside_the_field(js_page, scoring):
    page = js_page
    call, found = scoring["call"], scoring["bid"]
    assert sign_in(page, scoring["panel"][1].mobile, TEST_PASSWORD)
    page.goto(f"/projects/bids/{found.id}")
    page.evaluate("window.notReloaded = true")
    for criterion in call.criteria:
        page.locator(f"#s-score_{criterion.id}").fill("8")
    page.locator(f"#s-score_{call.criteria[1].id}").fill("11")
    page.locator(f"#s-comment_{call.criteria[0].id}").fill("留着的话")
    page.locator("#score form button").click()
    expect(page.locator("#score .error-summary")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert page.locator(f"#s-score_{call.criteria[1].id}").input_value() == "11"
    assert page.locator(f"#s-comment_{call.criteria[0].id}").input_value() == "留着的话"
    assert axe_violations(page) == []
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Score)) == 0


def test_a_progress_photo_fits_a_240_px_phone(narrow_page, demo, now):
    project = demo["project"]
    picture = photos.reencode(io.BytesIO(jpeg_with_gps((2400, 1800))))[0]
    db.session.add(ProgressReport(project_id=project.id, percent=100, text="新棚装好了。",
                                  photo=picture, reported_by_id=project.created_by_id,
                                  reported_at=now))
    db.session.commit()
    page = narrow_page
    page.goto(f"/projects/{project.id}")
    # This report's photo (the demo's own report of the chargers has one too).
    photo = page.locator("img.progress-photo[alt*='新棚装好了。']")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") > 240
    assert photo.bounding_box()["width"] <= 240
    assert horizontal_overflow(page) <= 0
