"""The kiosk and the counter in real Chromium: a resident signs in with the PIN pad by touch
alone at a kiosk's size (1080 × 1920 portrait and 1280 × 800), every target there is at least
60 px, left alone the kiosk warns "还在用吗？", counts down and resets, and the back button then
shows nothing personal; a worker acts for a resident with JavaScript off at 360 px; axe-core
on the new pages, zh and en."""

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.kiosks import enrolment, pins
from portal.timeutil import utcnow
from tests.browser.conftest import (
    axe_violations,
    close_settled,
    horizontal_overflow,
    in_menu,
    sign_in,
)
from tests.conftest import TEST_PASSWORD
from tests.factories import make_point

PIN = "258147"


@pytest.fixture
def hall(world, make_user):
    worker = make_user(name="李晓梅", courtyard=world["courtyard2"], password=TEST_PASSWORD,
                       roles=[("community_worker", world["community"])])
    grandma = make_user(name="张桂芳", courtyard=world["courtyard"], password=TEST_PASSWORD)
    pins.set_pin(grandma, PIN, actor=grandma)
    point = make_point(world["community"], name="草堂路社区党群服务中心", category="centre")
    kiosk = enrolment.enrol(worker, point, "大厅入口左侧", utcnow())
    db.session.commit()
    return {"worker": worker, "grandma": grandma, "kiosk": kiosk, "point": point}


def kiosk_page(browser, live_server, app, kiosk, width, height, javascript=True):
    """A touch screen of ``width`` × ``height`` enrolled as ``kiosk``."""
    with app.test_request_context():
        value = enrolment.cookie_value(kiosk)
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                  viewport={"width": width, "height": height}, locale="zh-CN",
                                  has_touch=True)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": enrolment.COOKIE, "value": value, "url": live_server}])
    return context, context.new_page()


def tap_in(page, keys):
    for key in keys:
        with page.expect_navigation():
            page.locator(f'.pad-keys button[value="{key}"]').tap()


def small_targets(page):
    """Visible links, buttons and fields smaller than 60 × 60 CSS px."""
    return page.evaluate("""() => [...document.querySelectorAll(
            'a, button, input:not([type=hidden]), select, textarea')]
        .filter(e => e.offsetParent !== null
                     && !e.closest('.visually-hidden, .skip-link, [hidden]'))
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
        .filter(([html, r]) => r.width > 0 && (r.width < 59.5 || r.height < 59.5))
        .map(([html, r]) => `${html} ${Math.round(r.width)}×${Math.round(r.height)}`)""")


@pytest.mark.parametrize("size", [(1080, 1920), (1280, 800)], ids=["portrait", "landscape"])
def test_signing_in_by_touch_then_idle_warning_reset_and_nothing_behind(
        browser, live_server, app, hall, size, monkeypatch):
    context, page = kiosk_page(browser, live_server, app, hall["kiosk"], *size)
    try:
        page.goto("/kiosk/")
        assert page.locator("html.kiosk").count() == 1
        assert small_targets(page) == []
        assert axe_violations(page) == []
        with page.expect_navigation():
            page.get_by_role("link", name="用密码登录").tap()
        assert small_targets(page) == []
        tap_in(page, hall["grandma"].mobile)
        expect(page.get_by_text("第二步：输入6位密码")).to_be_visible()
        assert axe_violations(page) == []
        tap_in(page, PIN)
        expect(page.get_by_text("张桂芳，您好！")).to_be_visible()
        assert horizontal_overflow(page) <= 0
        # Left alone: a short idle time for this test (the live server reads it per request).
        monkeypatch.setitem(app.config["PORTAL"], "KIOSK_IDLE_SECONDS", 1)
        monkeypatch.setitem(app.config["PORTAL"], "KIOSK_WARNING_SECONDS", 3)
        page.goto("/accounts/profile")
        expect(page.locator("#name")).to_have_value("张桂芳")
        warning = page.locator("#kiosk-idle")
        expect(warning).to_be_visible(timeout=5_000)
        expect(warning.get_by_role("heading", name="还在用吗？")).to_be_visible()
        warning.get_by_role("button", name="还在用").tap()  # more time, as WCAG 2.2.1 asks
        expect(warning).to_be_hidden()
        expect(warning).to_be_visible(timeout=5_000)
        page.wait_for_url(f"{live_server}/kiosk/", timeout=10_000)
        expect(page.get_by_role("link", name="用密码登录")).to_be_visible()
        page.go_back()
        page.wait_for_load_state("load")
        assert "张桂芳" not in page.content()
        assert hall["grandma"].mobile not in page.content()
    finally:
        close_settled(context, page)


def test_a_worker_acts_for_a_resident_with_javascript_off(browser, live_server, hall):
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": 360, "height": 800}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        assert sign_in(page, hall["worker"].mobile, TEST_PASSWORD)
        page.goto("/accounts/counter")
        page.get_by_label("手机号或姓名").fill("张桂芳")
        page.get_by_role("button", name="搜索", exact=True).click()
        page.get_by_role("link", name="代其办理").click()
        page.get_by_label("为什么代居民办理？").fill("看不清手机屏幕，想报名活动")
        page.get_by_label("居民本人在柜台前").check()
        page.get_by_label("居民同意由我代办").check()
        assert horizontal_overflow(page) <= 0
        page.get_by_role("button", name="开始代办").click()
        banner = page.locator(".acting-banner")
        expect(banner).to_contain_text("正在代 张** 办理")
        assert horizontal_overflow(page) <= 0
        page.goto("/accounts/profile")
        expect(banner).to_contain_text("正在代 张** 办理")
        banner.get_by_role("button", name="结束代办").click()
        expect(page.locator(".acting-banner")).to_have_count(0)
        assert "/accounts/counter" in page.url
    finally:
        close_settled(context, page)


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_the_new_pages_pass_axe(js_page, browser, live_server, app, hall, language):
    if language == "en":
        js_page.goto("/")
        in_menu(js_page, "button", "English").click()
        js_page.wait_for_load_state("load")
    assert sign_in(js_page, hall["worker"].mobile, TEST_PASSWORD)
    problems = {}
    for url in ("/accounts/counter", "/accounts/counter?q=张", "/kiosk/manage",
                f"/accounts/counter/act/{hall['grandma'].id}",
                f"/accounts/counter/pin/{hall['grandma'].id}", "/accounts/profile",
                "/accounts/profile/acting"):
        js_page.goto(url)
        found = axe_violations(js_page)
        if found:
            problems[url] = found
    assert problems == {}
    context, page = kiosk_page(browser, live_server, app, hall["kiosk"], 1280, 800)
    try:
        if language == "en":
            page.goto("/")
            in_menu(page, "button", "English").click()
            page.wait_for_load_state("load")
        for url in ("/kiosk/", "/kiosk/sign-in", "/kiosk/today", "/services/"):
            page.goto(url)
            found = axe_violations(page)
            if found:
                problems["kiosk " + url] = found
            if url.startswith("/kiosk/"):
                assert small_targets(page) == [], url
    finally:
        close_settled(context, page)
    assert problems == {}
