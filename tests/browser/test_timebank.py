"""The time bank in real Chromium: three taps to log hours, with JavaScript off and on; the
organiser approves; the volunteer sees balance and star progress; axe-core and 240 px."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.timebank import activities, logs
from portal.timebank.models import HourLog, Reward
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
    # Two activities waiting for their log: the form must choose the newer one by itself.
    older = make_activity(title="楼道扶手消毒", organization=world["organization"],
                          starts=utcnow() - timedelta(days=1, hours=2))
    activity = make_activity(title="院落大扫除", organization=world["organization"])
    for each in (older, activity):
        activities.sign_up(volunteer, each, each.starts_at - timedelta(hours=3))
    db.session.commit()
    return {"worker": worker, "volunteer": volunteer, "activity": activity, "older": older}


def test_three_taps_to_log_two_hours_then_approval_shows_in_balance(page, browser, live_server,
                                                                    people):
    sign_in(page, people["volunteer"].mobile, TEST_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    assert page.url.rstrip("/") == live_server.rstrip("/")  # signed in, on the home page
    # Counted from there: every tap and every choice the volunteer makes.
    interactions = 0
    page.get_by_role("link", name="记录服务时长").click()
    interactions += 1
    page.locator("#log-panel").wait_for()
    if page.javascript:
        page.evaluate("window.notReloaded = true")
    assert page.get_by_label("院落大扫除", exact=False).is_checked()  # the newest, chosen
    page.get_by_label("2 小时").check()
    interactions += 1
    page.get_by_role("button", name="提交审核").click()
    interactions += 1
    page.get_by_text("已提交 2 小时，等待审核").wait_for()
    assert interactions <= 3
    if page.javascript:
        assert page.evaluate("window.notReloaded") is True  # updated in place
    assert page.locator("#log-panel").get_by_text("2 小时").count() >= 1
    db.session.rollback()  # see what the server wrote since
    log = db.session.scalar(select(HourLog))
    assert (log.activity_id, log.minutes) == (people["activity"].id, 120)

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
    assert "我的余额：2 小时" in page.locator(".balance").inner_text().replace(" ", "").replace(
        "2小时", "2 小时")
    assert "累计服务 2 小时，再服务 98 小时 就升到下一星（100 小时）" in page.locator(
        "label[for=star-progress]").inner_text()


def test_a_neighbour_logs_by_mobile_number(page, people, make_user, world):
    neighbour = make_user(name="王奶奶", courtyard=world["courtyard2"])
    sign_in(page, people["volunteer"].mobile, TEST_PASSWORD)
    page.goto("/timebank/me")
    number = page.get_by_label("邻居的手机号码")
    # Asked only for help to a neighbour: with script, it shows when that is chosen.
    assert number.is_visible() is not page.javascript
    page.get_by_label("我帮了邻居").check()
    assert number.is_visible()
    number.fill(neighbour.mobile)
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


def test_after_a_send_the_form_is_fresh_and_no_page_lands_inside_the_page(js_page, people):
    sign_in(js_page, people["volunteer"].mobile, TEST_PASSWORD)
    js_page.goto("/timebank/me")
    js_page.evaluate("window.notReloaded = true")
    sent_token = js_page.locator("#log-panel input[name=token]").input_value()
    js_page.get_by_label("2 小时").check()
    js_page.get_by_role("button", name="提交审核").click()
    js_page.get_by_text("已提交 2 小时，等待审核").wait_for()
    panel = js_page.locator("#log-panel")
    # Fresh: nothing chosen, a new one-time token; the confirmation beside it.
    assert panel.locator("input:checked").count() == 0
    assert panel.locator("input[name=token]").input_value() not in ("", sent_token)
    # Asked only for a neighbour (hidden by the page's script once the new panel is in).
    expect(js_page.get_by_label("邻居的手机号码")).to_be_hidden()
    # A second tap on the empty form is explained in place.
    js_page.get_by_role("button", name="提交审核").click()
    panel.locator(".error-summary").wait_for()
    # The old form sent once more (a double tap on a slow line): still one page, one log.
    panel.locator("input[name=token]").evaluate("(input, token) => input.value = token",
                                                sent_token)
    js_page.get_by_label("楼道扶手消毒", exact=False).check()
    js_page.get_by_label("1 小时").check()
    # Wait for the server's answer itself: "network idle" can come before htmx has sent.
    with js_page.expect_response(lambda answer: answer.url.endswith("/timebank/me/log")):
        js_page.get_by_role("button", name="提交审核").click()
    js_page.wait_for_load_state("networkidle")
    assert js_page.locator("header.site-header").count() == 1
    assert js_page.locator("h1").count() == 1 and js_page.locator("#log-panel").count() == 1
    assert js_page.evaluate("window.notReloaded") is not False
    db.session.rollback()  # see what the server wrote since
    assert db.session.scalar(select(func.count()).select_from(HourLog)) == 1


def test_each_record_in_the_approval_queue_is_a_card_with_its_own_buttons(
        page, people, make_volunteer, world):
    activity = people["activity"]
    names = ["李志鹏", "王小红", "刘洋"]
    volunteers = [people["volunteer"]] + [make_volunteer(name=n, password=TEST_PASSWORD)
                                          for n in names[1:]]
    for person, minutes in zip(volunteers, (120, 60, 90), strict=True):
        if person is not people["volunteer"]:
            activities.sign_up(person, activity, activity.starts_at - timedelta(hours=3))
        logs.submit(person, minutes, activity=activity, now=utcnow(), today=local_today())
    db.session.commit()
    sign_in(page, people["worker"].mobile, TEST_PASSWORD)
    page.goto("/timebank/approvals")
    cards = page.locator("li.approval")
    assert cards.count() == 3
    boxes = [cards.nth(i).bounding_box() for i in range(3)]
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert below["y"] - (above["y"] + above["height"]) >= 16  # space between records
    for i in range(3):
        card = cards.nth(i)
        style = card.evaluate("e => { const s = getComputedStyle(e); return [s.borderTopWidth,"
                              " s.borderTopStyle, s.backgroundColor]; }")
        assert float(style[0].rstrip("px")) >= 1 and style[1] != "none"
        assert style[2] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
        # Whose record: the card's heading; its buttons inside the card, below it.
        heading = card.get_by_role("heading")
        assert any(name in heading.inner_text() for name in names)
        box = boxes[i]
        for button in (card.get_by_role("button", name="通过"),
                       card.locator("summary")):
            inner = button.bounding_box()
            assert box["y"] <= inner["y"] and inner["y"] + inner["height"] <= box["y"] + box[
                "height"]
            assert inner["y"] > heading.bounding_box()["y"]
    # 通过 in 王小红's card approves 王小红's record, nobody else's.
    second = cards.filter(has_text="王小红")
    second.get_by_role("button", name="通过").click()
    if page.javascript:  # the card, decided, in place
        page.locator("li.approval", has_text="王小红").get_by_text("已通过").wait_for()
    else:  # the queue again, without it
        page.get_by_text("已通过：王小红 1 小时").wait_for()
    assert statuses() == {"李志鹏": "pending", "王小红": "approved", "刘洋": "pending"}
    # Rejecting needs a reason, asked for inside the same card.
    first = page.locator("li.approval", has_text="李志鹏")
    first.locator("summary").click()
    first.get_by_label("不通过的原因").fill("那天没来")
    first.get_by_role("button", name="不通过").click()
    if page.javascript:
        page.locator("li.approval", has_text="李志鹏").get_by_text("未通过").wait_for()
    else:
        page.wait_for_url("**/timebank/approvals")
        assert page.locator("li.approval").count() == 1
    assert statuses() == {"李志鹏": "rejected", "王小红": "approved", "刘洋": "pending"}


def statuses():
    db.session.rollback()  # see what the server wrote since
    return {log.volunteer.name: log.status for log in db.session.scalars(select(HourLog))}


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
