"""A resident's first visit in real Chromium, with JavaScript off and on; axe-core on every
page of the foundation; nothing wider than a 240 px phone."""

import re

import pytest

from tests.browser.conftest import (
    axe_pages,
    axe_violations,
    horizontal_overflow,
    in_menu,
    sign_in,
)
from tests.conftest import TEST_PASSWORD


def test_visitor_picks_a_courtyard_registers_and_changes_settings(page, world):
    # Pick "my courtyard" without an account.
    page.goto("/")
    page.get_by_role("link", name="选择我的院落").first.click()
    page.get_by_label("院落或社区名称").fill("133")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="草堂东路133号院").click()
    page.get_by_role("button", name="选为我的院落").click()
    assert page.locator("h1").inner_text() == "草堂东路133号院"
    assert "草堂路社区" in page.locator(".site-header").inner_text()

    # Register: the courtyard is already offered.
    in_menu(page, "link", "注册", exact=True).click()
    page.get_by_label("手机号码").fill("138 1234 5678")
    page.get_by_label("您的姓名").fill("王大爷")
    assert page.get_by_label("您住的院落").input_value() == str(world["courtyard"].id)
    page.get_by_label("密码", exact=True).fill("654321")
    page.get_by_label("再输一次密码").fill("654321")
    page.get_by_role("button", name="注册账号").click()
    assert "您好，王大爷" in page.content()

    # Text size and language are plain forms.
    in_menu(page, "button", "特大").click()
    assert page.locator("html").get_attribute("class") == "size-xlarge"
    font_size = page.evaluate("getComputedStyle(document.body).fontSize")
    assert float(font_size.rstrip("px")) >= 30
    in_menu(page, "button", "English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert in_menu(page, "link", "My account").is_visible()

    # Sign out, then in again.
    in_menu(page, "button", "Sign out").click()
    in_menu(page, "button", "中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    sign_in(page, "13812345678", "654321")
    # The account remembers the language and size chosen while signed in.
    assert "Signed in as 王大爷" in page.content()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("html").get_attribute("class") == "size-xlarge"


def test_search_updates_in_place_with_javascript(js_page, world):
    js_page.goto("/places/")
    js_page.evaluate("window.notReloaded = true")
    js_page.get_by_label("院落或社区名称").fill("草堂")
    js_page.get_by_role("button", name="搜索").click()
    js_page.get_by_role("link", name="草堂北路8号院").wait_for()
    assert js_page.evaluate("window.notReloaded") is True  # swapped in, not a new page
    assert js_page.url.endswith("q=%E8%8D%89%E5%A0%82")  # and the address can be shared


def test_wrong_password_message_is_shown_and_number_kept(page, world, make_user):
    make_user(mobile="13900000006", password=TEST_PASSWORD)
    sign_in(page, "13900000006", "wrong")
    assert "手机号码或密码不对" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("手机号码").input_value() == "13900000006"


def pages_to_check(world, make_user):
    worker = make_user(name="李晓梅", mobile="13900000001", password=TEST_PASSWORD,
                       roles=[("community_worker", world["community"])],
                       courtyard=world["courtyard2"])
    resident = make_user(name="张桂芳", courtyard=world["courtyard"])
    anonymous = ["/", "/places/", "/places/?q=草堂", f"/places/{world['community'].id}",
                 f"/places/{world['courtyard'].id}", f"/organizations/{world['organization'].id}",
                 "/accounts/login", "/accounts/register", "/accounts/first-login", "/missing"]
    as_worker = ["/", "/accounts/profile", "/accounts/work", "/accounts/counter",
                 "/accounts/people?q=张", f"/accounts/people/{resident.id}",
                 f"/accounts/people/{resident.id}/slip",
                 f"/accounts/roles/place/{world['courtyard'].id}"]
    return worker, anonymous, as_worker


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_every_foundation_page_passes_axe_at_360px(js_page, world, make_user, language):
    worker, anonymous, as_worker = pages_to_check(world, make_user)
    if language == "en":
        js_page.goto("/")
        in_menu(js_page, "button", "English").click()
    problems = {}
    problems.update(axe_pages(js_page, anonymous))
    sign_in(js_page, worker.mobile, TEST_PASSWORD)
    problems.update(axe_pages(js_page, as_worker, "worker "))
    assert {url: found for url, found in problems.items() if found} == {}


def test_no_sideways_scrolling_at_240px(narrow_page, world, make_user):
    worker, anonymous, as_worker = pages_to_check(world, make_user)
    wide = {}
    for size in ("standard", "xlarge"):
        narrow_page.goto("/")
        in_menu(narrow_page, "button", {"standard": "标准", "xlarge": "特大"}[size]).click()
        for url in anonymous:
            narrow_page.goto(url)
            if horizontal_overflow(narrow_page) > 0:
                wide[f"{size} {url}"] = horizontal_overflow(narrow_page)
    sign_in(narrow_page, worker.mobile, TEST_PASSWORD)
    for url in as_worker:
        narrow_page.goto(url)
        if horizontal_overflow(narrow_page) > 0:
            wide[url] = horizontal_overflow(narrow_page)
    assert wide == {}


def test_error_messages_pass_axe(js_page, world):
    js_page.goto("/places/")
    js_page.goto(f"/places/{world['courtyard'].id}")
    js_page.get_by_role("button", name="选为我的院落").click()
    js_page.goto("/accounts/register")
    js_page.get_by_role("button", name="注册账号").click()
    assert re.search("请输入手机号码", js_page.locator(".error-summary").inner_text())
    assert axe_violations(js_page) == []
