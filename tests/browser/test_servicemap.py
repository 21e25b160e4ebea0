"""The service map in real Chromium: from the home page to the nearest meal point that is
open now and its call button in at most four taps — JavaScript off at 240 px, and on with
the filters updating the list in place; axe-core on every page in both languages; nothing
wider than a 240 px phone.

Points are open round the clock or never, so the tests do not depend on the time of day.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    axe_pages,
    axe_violations,
    horizontal_overflow,
    in_menu,
    sign_in,
)
from tests.conftest import TEST_PASSWORD
from tests.factories import ALWAYS, NEVER, make_point


@pytest.fixture
def meals(world):
    """The nearest meal point never opens; the next is open round the clock."""
    closed = make_point(world["community"], "草堂东路助餐点", "meals", 30.6645, 104.0405,
                        week=NEVER, phone="028-87330001")
    open_now = make_point(world["community"], "草堂长者食堂", "meals", 30.6655, 104.0420,
                          week=ALWAYS, phone="028-87335566", operator=world["organization"])
    far = make_point(world["other_community"], "浣花助餐点", "meals", 30.6590, 104.0350,
                     week=ALWAYS, phone="028-87000001")
    # Nearer than any of them, but another kind of service.
    make_point(world["community"], "草堂社区卫生服务站", "health", 30.6642, 104.0403,
               week=ALWAYS)
    return closed, open_now, far


def with_courtyard(page, live_server, courtyard):
    page.context.add_cookies([{"name": "courtyard", "value": str(courtyard.id),
                               "url": live_server}])


class Taps:
    """Counts what the resident does: each click or tick is one interaction."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator, action="click"):
        getattr(locator, action)()
        self.count += 1


def test_nearest_open_meal_point_and_call_button_without_javascript_at_240px(
        narrow_page, live_server, world, meals):
    page = narrow_page
    with_courtyard(page, live_server, world["courtyard"])
    page.goto("/")
    tap = Taps()
    tap(page.locator("main").get_by_role("link", name=re.compile("^服务地图")))
    tap(page.get_by_role("link", name="助餐点", exact=True))
    rows = page.locator("ol.points > li")
    # The nearest meal point is closed; the resident takes the first one marked open now.
    expect(rows.first).to_contain_text("草堂东路助餐点")
    expect(rows.first).not_to_contain_text("现在开放")
    first_open = rows.filter(has=page.locator("strong.open")).first
    expect(first_open).to_contain_text("草堂长者食堂")
    tap(first_open.locator("a.title"))
    call = page.get_by_role("link", name=re.compile("^打电话"))
    expect(call).to_be_visible()
    assert call.get_attribute("href") == "tel:02887335566"
    assert page.locator("h1").inner_text() == "草堂长者食堂"
    assert call.bounding_box()["height"] >= 48
    assert tap.count <= 4
    assert horizontal_overflow(page) <= 0
    # Without script there is no "use where I am now" button that would do nothing.
    page.goto("/services/")
    expect(page.get_by_role("button", name="用我现在的位置")).to_be_hidden()


def test_filters_update_the_list_in_place_with_javascript(js_page, live_server, world, meals):
    page = js_page
    with_courtyard(page, live_server, world["courtyard"])
    page.goto("/")
    tap = Taps()
    tap(page.locator("main").get_by_role("link", name=re.compile("^服务地图")))
    page.evaluate("window.notReloaded = true")
    tap(page.get_by_role("link", name="助餐点", exact=True))
    expect(page).to_have_url(re.compile(r"category=meals"))
    expect(page.locator("#list-title")).to_have_text("助餐点")
    tap(page.get_by_label("现在开放"), "check")  # no button to press: the list follows
    expect(page).to_have_url(re.compile(r"open=1"))
    rows = page.locator("ol.points > li")
    expect(rows.first).to_contain_text("草堂长者食堂")
    expect(page.locator("ol.points")).not_to_contain_text("草堂东路助餐点")
    assert page.evaluate("window.notReloaded") is True  # swapped in, not a new page
    expect(page.get_by_label("现在开放")).to_be_checked()
    tap(rows.first.locator("a.title"))
    call = page.get_by_role("link", name=re.compile("^打电话"))
    expect(call).to_be_visible()
    assert call.get_attribute("href") == "tel:02887335566"
    assert tap.count <= 4


def test_the_browsers_location_is_an_optional_starting_point(js_page, world, meals):
    page = js_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 30.6590, "longitude": 104.0350})  # 浣花
    page.goto("/services/?category=meals")
    page.get_by_role("button", name="用我现在的位置").click()
    expect(page.locator("#results")).to_contain_text("从您现在的位置出发")
    expect(page).to_have_url(re.compile(r"lat=30\.65900&lon=104\.03500"))
    expect(page.locator("ol.points > li").first).to_contain_text("浣花助餐点")
    expect(page.locator("#list-title")).to_have_text("助餐点")  # the kind chosen is kept


def test_the_back_button_after_filtering_shows_the_whole_page(js_page, live_server, world,
                                                              meals):
    page = js_page
    with_courtyard(page, live_server, world["courtyard"])
    page.goto("/services/")
    page.get_by_role("link", name="助餐点", exact=True).click()
    expect(page).to_have_url(re.compile(r"category=meals"))
    page.get_by_role("link", name="草堂长者食堂").click()
    page.go_back()
    expect(page.locator("h1")).to_have_text("服务地图")
    expect(page.locator("#list-title")).to_have_text("助餐点")


def pages_to_check(world, meals, make_user):
    closed, open_now, _far = meals
    worker = make_user(name="李晓梅", mobile="13900000001", password=TEST_PASSWORD,
                       roles=[("community_worker", world["community"])],
                       courtyard=world["courtyard2"])
    anonymous = ["/", "/services/", "/services/?category=meals&open=1&within=15",
                 "/services/?within=-5", "/services/?near=草堂", f"/services/{open_now.id}",
                 f"/services/{closed.id}"]
    as_worker = ["/services/manage", "/services/new", f"/services/{open_now.id}/edit",
                 f"/services/{open_now.id}/hours", f"/services/{open_now.id}",
                 f"/services/coverage/{world['community'].id}",
                 f"/services/coverage/{world['community'].id}?category=meals&gaps=1"]
    return worker, anonymous, as_worker


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_every_servicemap_page_passes_axe_at_360px(js_page, live_server, world, meals,
                                                    make_user, language):
    page = js_page
    worker, anonymous, as_worker = pages_to_check(world, meals, make_user)
    with_courtyard(page, live_server, world["courtyard"])
    if language == "en":
        page.goto("/")
        in_menu(page, "button", "English").click()
    problems = {}
    problems.update(axe_pages(page, anonymous))
    sign_in(page, worker.mobile, TEST_PASSWORD)
    problems.update(axe_pages(page, as_worker, "worker "))
    # Forms sent back with their messages.
    page.goto(f"/services/{meals[1].id}/edit")
    page.locator("#latitude").fill("北纬三十度")
    page.locator("#phone").fill("12-34")
    page.locator("main form button.big").click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems["edit with errors"] = axe_violations(page)
    page.goto(f"/services/{meals[1].id}/hours")
    page.locator("#monday").fill("17:00-08:00")
    page.locator("main form button.big").click()
    expect(page.locator("#monday-error")).to_be_visible()
    problems["hours with errors"] = axe_violations(page)
    assert {url: found for url, found in problems.items() if found} == {}


def test_no_sideways_scrolling_at_240px(narrow_page, live_server, world, meals, make_user):
    page = narrow_page
    worker, anonymous, as_worker = pages_to_check(world, meals, make_user)
    with_courtyard(page, live_server, world["courtyard"])
    wide = {}
    for who, urls in ((None, anonymous), (worker, as_worker)):
        if who:
            sign_in(page, who.mobile, TEST_PASSWORD)
        for size in ("standard", "xlarge"):
            page.goto("/")
            in_menu(page, "button", {"standard": "标准", "xlarge": "特大"}[size]).click()
            for url in urls:
                page.goto(url)
                if horizontal_overflow(page) > 0:
                    wide[f"{size} {url}"] = horizontal_overflow(page)
    assert wide == {}
