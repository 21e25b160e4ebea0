"""The time bank in real Chromium: three taps to log hours, with JavaScript off and on; the
organiser approves; the volunteer sees balance and star progress; axe-core and 240 px."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.timebank import activities, logs
from portal.timebank.models import Reward
from portal.timeutil import local_today, utcnow
from tests.browser.conftest import (
    axe_pages,
    axe_violations,
    close_settled,
    horizontal_overflow,
    in_menu,
    sign_in,
)
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def people(world, make_user, make_volunteer, make_activity):
    worker = make_user(name="李晓梅", roles=[("community_worker", world["community"])],
                       courtyard=world["courtyard2"], password=TEST_PASSWORD)
    volunteer = make_volunteer(name="李志鹏", password=TEST_PASSWORD)
    activity = make_activity(title="院落大扫除", organization=world["organization"])
    activities.sign_up(volunteer, activity, utcnow() - timedelta(hours=3))
    db.session.commit()
    return {"worker": worker, "volunteer": volunteer, "activity": activity}


def test_three_taps_to_log_two_hours_then_approval_shows_in_balance(page, browser, live_server,
                                                                    people):
    sign_in(page, people["volunteer"].mobile, TEST_PASSWORD)
    page.goto("/timebank/me")
    if page.javascript:
        page.evaluate("window.notReloaded = true")
    interactions = 0
    page.get_by_label("院落大扫除", exact=False).check()
    interactions += 1
    page.get_by_label("2 小时").check()
    interactions += 1
    page.get_by_role("button", name="提交审核").click()
    interactions += 1
    page.get_by_text("已提交 2 小时，等待审核").wait_for()
    assert interactions <= 3
    if page.javascript:
        assert page.evaluate("window.notReloaded") is True  # updated in place
    assert page.locator("#log-panel").get_by_text("2 小时").count() >= 1

    # The organiser approves, in their own browser.
    context = browser.new_context(base_url=live_server, java_script_enabled=page.javascript,
                                  viewport={"width": 360, "height": 800}, locale="zh-CN")
    organiser = context.new_page()
    sign_in(organiser, people["worker"].mobile, TEST_PASSWORD)
    organiser.goto("/timebank/approvals")
    if page.javascript:
        organiser.evaluate("window.notReloaded = true")
    organiser.get_by_role("button", name="通过").first.click()
    organiser.locator("[role=status]").get_by_text("已通过").wait_for()
    if page.javascript:
        assert organiser.evaluate("window.notReloaded") is True
    close_settled(context, organiser)

    page.goto("/timebank/me")
    assert "我的余额: 2 小时" in page.locator(".balance").inner_text().replace("：", ": ")
    assert "累计服务 2 小时，再服务 98 小时 就升到下一星" in page.content()


def test_a_neighbour_logs_by_mobile_number(page, people, make_user, world):
    neighbour = make_user(name="王奶奶", courtyard=world["courtyard2"])
    sign_in(page, people["volunteer"].mobile, TEST_PASSWORD)
    page.goto("/timebank/me")
    page.get_by_label("我帮了邻居").check()
    page.get_by_label("邻居的手机号码").fill(neighbour.mobile)
    page.get_by_label("1 小时").check()
    page.get_by_role("button", name="提交审核").click()
    page.get_by_text("已提交 1 小时，等待审核").wait_for()


def test_a_bad_log_is_explained_in_place(js_page, people):
    sign_in(js_page, people["volunteer"].mobile, TEST_PASSWORD)
    js_page.goto("/timebank/me")
    js_page.evaluate("window.notReloaded = true")
    js_page.get_by_label("院落大扫除", exact=False).check()
    js_page.get_by_role("button", name="提交审核").click()
    js_page.locator(".error-summary").get_by_text("请选择服务了多长时间").wait_for()
    assert js_page.evaluate("window.notReloaded") is True
    assert axe_violations(js_page) == []


def time_bank_pages(world, people, make_user):
    volunteer, worker, activity = people["volunteer"], people["worker"], people["activity"]
    log = logs.submit(volunteer, 120, activity=activity, now=utcnow(), today=local_today())
    second = logs.submit(volunteer, 60, neighbour=make_user(courtyard=world["courtyard"]),
                         now=utcnow(), today=local_today())
    logs.approve(log, worker, utcnow())
    db.session.add(Reward(community=world["community"], name="大米一袋", price_minutes=60,
                          stock=3))
    db.session.commit()
    community = world["community"].id
    public = ["/timebank/", f"/timebank/activities/{activity.id}", "/timebank/help",
              f"/timebank/branch/{world['district'].id}", "/timebank/rewards"]
    as_volunteer = ["/timebank/me", "/timebank/me/history", "/timebank/gift",
                    "/timebank/help/new", "/timebank/certificates", "/timebank/join",
                    f"/timebank/logs/{log.id}/correction", "/timebank/donate"]
    as_worker = ["/timebank/approvals", f"/timebank/activities/{activity.id}/roster",
                 "/timebank/activities/new", f"/timebank/community/{community}",
                 f"/timebank/community/{community}/rewards",
                 f"/timebank/community/{community}/redemptions", "/timebank/export"]
    assert second
    return public, as_volunteer, as_worker


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_every_time_bank_page_passes_axe_at_360px(js_page, world, people, make_user, language):
    public, as_volunteer, as_worker = time_bank_pages(world, people, make_user)
    js_page.goto("/")
    if language == "en":
        in_menu(js_page, "button", "English").click()
    problems = {}
    problems.update(axe_pages(js_page, public))
    sign_in(js_page, people["volunteer"].mobile, TEST_PASSWORD)
    problems.update(axe_pages(js_page, as_volunteer, "volunteer "))
    chinese = language == "zh-Hans"
    in_menu(js_page, "button", "退出登录" if chinese else "Sign out").click()
    in_menu(js_page, "link", "登录" if chinese else "Sign in").wait_for()
    sign_in(js_page, people["worker"].mobile, TEST_PASSWORD)
    problems.update(axe_pages(js_page, as_worker, "worker "))
    assert {url: found for url, found in problems.items() if found} == {}


def test_no_time_bank_page_scrolls_sideways_at_240px(narrow_page, world, people, make_user):
    public, as_volunteer, as_worker = time_bank_pages(world, people, make_user)
    wide = {}
    sign_in(narrow_page, people["volunteer"].mobile, TEST_PASSWORD)
    for size in ("标准", "特大"):
        narrow_page.goto("/")
        in_menu(narrow_page, "button", size).click()
        for url in public + as_volunteer:
            narrow_page.goto(url)
            if horizontal_overflow(narrow_page) > 0:
                wide[f"{size} {url}"] = horizontal_overflow(narrow_page)
    in_menu(narrow_page, "button", "退出登录").click()
    in_menu(narrow_page, "link", "登录").wait_for()
    sign_in(narrow_page, people["worker"].mobile, TEST_PASSWORD)
    for url in as_worker:
        narrow_page.goto(url)
        if horizontal_overflow(narrow_page) > 0:
            wide[url] = horizontal_overflow(narrow_page)
    assert wide == {}
