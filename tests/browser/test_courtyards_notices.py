"""Courtyard notices in real Chromium: a leader posts a 公示 with JavaScript off on a 240 px
phone and opens its poster; the courtyard and notice pages pass axe-core; the poster is
captured in print media."""

import pytest
from sqlalchemy import select

from portal.courtyards.models import Notice
from portal.extensions import db
from portal.publicity import rules as publicity
from tests.browser.conftest import axe_pages, horizontal_overflow, sign_in
from tests.conftest import TEST_PASSWORD

POSTER_SHOT = "/tmp/courtyards_poster_print.png"


@pytest.fixture
def leader(world, make_user):
    return make_user(name="胡国强", courtyard=world["courtyard"], password=TEST_PASSWORD,
                     roles=[("courtyard_leader", world["courtyard"])])


def test_a_leader_posts_a_publicity_notice_and_prints_its_poster(narrow_page, js_page, leader,
                                                                 world):
    page = narrow_page
    assert sign_in(page, leader.mobile, TEST_PASSWORD)
    page.goto(f"/courtyards/{world['courtyard'].id}")
    assert horizontal_overflow(page) <= 0
    page.get_by_role("link", name="发布通知").first.click()
    page.locator("#title").fill("车棚翻修方案公示")
    page.locator("#body").fill("翻修停车棚：\n\n- 换新顶棚\n- 加装充电插座")
    page.locator("#publicity").check()
    assert horizontal_overflow(page) <= 0
    page.get_by_role("button", name="发布").click()
    page.get_by_role("heading", level=1, name="车棚翻修方案公示").wait_for()
    assert horizontal_overflow(page) <= 0
    db.session.rollback()
    notice = db.session.scalar(select(Notice))
    assert publicity.publication_of(notice) is not None
    page.get_by_role("link", name="打印张贴版").click()
    page.get_by_role("heading", level=1, name="车棚翻修方案公示").wait_for()
    assert page.locator("svg.qr").count() == 1
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=POSTER_SHOT, full_page=True)

    found = axe_pages(js_page, [f"/courtyards/{world['courtyard'].id}",
                                f"/courtyards/notices/{notice.id}",
                                f"/courtyards/notices/{notice.id}/poster"])
    assert found == {}
