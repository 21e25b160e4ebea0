"""Opinion collections in real Chromium: an elderly resident answers from her courtyard page
in three taps with JavaScript off on a 240 px phone; with JavaScript on the answer panel is
replaced without a page load; axe-core on the collection, results and convention pages."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.courtyards import collections, conventions
from portal.courtyards.models import Answer
from portal.extensions import db
from portal.timeutil import utcnow
from tests.browser.conftest import axe_pages, horizontal_overflow, sign_in
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def shed(world, make_user):
    head = make_user(name="胡国强", courtyard=world["courtyard"], password=TEST_PASSWORD,
                     roles=[("courtyard_leader", world["courtyard"])])
    grandma = make_user(name="张桂芳", courtyard=world["courtyard"], password=TEST_PASSWORD)
    now = utcnow()
    collection = collections.open_collection(
        head, world["courtyard"], "停车棚改造意见", "车棚漏雨，充电线乱拉。\n\n请选一个方案。",
        [("您支持哪个方案？", False, True, ["原地翻新，加装充电桩", "新建车棚，原址改小广场"])],
        "resident", now - timedelta(days=1), now + timedelta(days=7), True,
        now - timedelta(days=1))
    version = conventions.draft(head, world["courtyard"], "爱护公共设施。\n垃圾分类投放。",
                                now - timedelta(days=30))
    conventions.put_to_residents(head, version, now - timedelta(days=30),
                                 now - timedelta(days=20), now - timedelta(days=30))
    conventions.decide(head, version, True, date(2025, 1, 1), now - timedelta(days=19))
    second = conventions.draft(head, world["courtyard"],
                               "爱护公共设施。\n垃圾分类，定时定点投放。\n电瓶车不进楼道。", now)
    db.session.commit()
    return {"collection": collection, "head": head, "grandma": grandma, "second": second,
            "courtyard": world["courtyard"]}


def test_three_taps_from_the_home_page_with_javascript_off(narrow_page, shed):
    page = narrow_page
    assert sign_in(page, shed["grandma"].mobile, TEST_PASSWORD)
    page.goto("/")  # her courtyard's question waits for her on the home page
    interactions = 0
    page.get_by_role("link", name="停车棚改造意见").click()
    interactions += 1
    page.get_by_label("新建车棚，原址改小广场").check()
    interactions += 1
    assert horizontal_overflow(page) <= 0
    page.locator("#answer-panel button").click()
    interactions += 1
    page.locator("#answer-panel .notice").first.wait_for()
    assert interactions <= 3
    assert horizontal_overflow(page) <= 0
    db.session.rollback()  # see what the server wrote
    answer = db.session.scalar(select(Answer))
    assert answer.user_id == shed["grandma"].id
    assert page.get_by_label("新建车棚，原址改小广场").is_checked()
    for path in (f"/courtyards/collections/{shed['collection'].id}/results",
                 f"/courtyards/{shed['courtyard'].id}/convention",
                 f"/courtyards/{shed['courtyard'].id}"):
        page.goto(path)
        assert horizontal_overflow(page) <= 0, path


def test_the_answer_panel_is_replaced_in_place_with_javascript_on(js_page, shed):
    page = js_page
    assert sign_in(page, shed["grandma"].mobile, TEST_PASSWORD)
    page.goto(f"/courtyards/collections/{shed['collection'].id}")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("原地翻新，加装充电桩").check()
    page.locator("#answer-panel button").click()
    page.locator("#answer-panel .notice.success").wait_for()
    assert page.evaluate("window.notReloaded") is True
    db.session.rollback()
    assert db.session.scalar(select(Answer)).user_id == shed["grandma"].id
    assert horizontal_overflow(page) <= 0


def test_axe_finds_nothing_on_the_collection_and_convention_pages(js_page, shed):
    page = js_page
    assert sign_in(page, shed["head"].mobile, TEST_PASSWORD)
    collection = shed["collection"]
    found = axe_pages(page, [
        f"/courtyards/collections/{collection.id}",
        f"/courtyards/collections/{collection.id}/results",
        f"/courtyards/collections/{collection.id}/paper",
        f"/courtyards/places/{shed['courtyard'].id}/collections/new",
        f"/courtyards/{shed['courtyard'].id}/convention",
        f"/courtyards/convention/{shed['second'].id}",
        f"/courtyards/{shed['courtyard'].id}/convention/new",
    ])
    assert found == {}
