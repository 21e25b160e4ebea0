"""Councils in real Chromium: an elderly resident raises a problem from the home page in four
interactions with JavaScript off on a 240 px phone, and after a worker sorts it she sees the
new state and a message in 我的消息; with JavaScript on a recorder takes attendance and a
roll-call vote without the page reloading; axe-core on every councils page, zh and en."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.councils import bodies, decisions, meetings, requests, triage
from portal.councils.meetings import Topic
from portal.councils.models import Attendance, Department, Request, Vote
from portal.extensions import db
from portal.notifications.models import Message
from portal.timeutil import local_today, utcnow
from tests.browser.conftest import axe_pages, horizontal_overflow, sign_in
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def hall(world, make_user):
    """草堂路社区 with its worker, a council of five, an older resident and a department."""
    worker = make_user(name="李晓梅", courtyard=world["courtyard2"], password=TEST_PASSWORD,
                       roles=[("community_worker", world["community"])])
    grandma = make_user(name="张桂芳", courtyard=world["courtyard"], password=TEST_PASSWORD)
    recorder = make_user(name="刘德明", courtyard=world["courtyard"], password=TEST_PASSWORD)
    others = [make_user(name=f"委员{i}", courtyard=world["courtyard"]) for i in range(3)]
    now = utcnow() - timedelta(days=1)
    council = bodies.create_council(worker, world["community"], "草堂路社区居民议事会", now)
    starts, ends = local_today() - timedelta(days=30), local_today() + timedelta(days=300)
    bodies.add_member(worker, council, others[0], "convener", starts, ends, now)
    bodies.add_member(worker, council, recorder, "recorder", starts, ends, now)
    for person in others[1:]:
        bodies.add_member(worker, council, person, "member", starts, ends, now)
    department = Department(district=world["district"], name="区住建局")
    db.session.add(department)
    db.session.commit()
    return {"worker": worker, "grandma": grandma, "recorder": recorder, "council": council,
            "department": department, "world": world}


def test_a_problem_raised_in_four_interactions_and_its_answer_seen(narrow_page, hall):
    page = narrow_page
    assert sign_in(page, hall["grandma"].mobile, TEST_PASSWORD)
    page.goto("/")
    interactions = 0
    page.get_by_role("link", name="我要反映问题").click()
    interactions += 1
    page.locator("#body").fill("3栋西头的院墙裂了一条大缝，下雨后往外鼓。")
    interactions += 1
    page.get_by_label("治安安全").check()
    interactions += 1
    assert horizontal_overflow(page) <= 0
    page.get_by_role("button", name="提交", exact=True).click()
    interactions += 1
    page.locator("main h1").wait_for()
    assert interactions <= 4
    assert "/councils/requests/" in page.url
    assert horizontal_overflow(page) <= 0
    db.session.rollback()  # see what the server wrote
    raised = db.session.scalar(select(Request))
    assert raised.requester_id == hall["grandma"].id and raised.category == "safety"

    triage.refer(raised, hall["worker"], hall["department"], local_today() + timedelta(days=15),
                 "院墙属于危房隐患，已报区住建局现场查看。", utcnow())
    db.session.commit()
    page.reload()
    assert "已转交部门" in page.locator("main").inner_text()
    assert "区住建局" in page.locator("main").inner_text()
    page.goto("/messages")
    assert horizontal_overflow(page) <= 0
    inbox = page.locator("main").inner_text()
    assert "区住建局" in inbox and raised.title in inbox
    assert db.session.scalar(select(Message).filter_by(user_id=hall["grandma"].id)) is not None


def _open_meeting(hall):
    now = utcnow()
    council = hall["council"]
    meeting = meetings.call_meeting(
        hall["council"].members[0].user, council, "楼道清理", now + timedelta(minutes=5), 60,
        place_text="社区党群服务中心", agenda=[Topic("other", "楼道杂物怎么清", 30)],
        now=now - timedelta(minutes=1))
    meetings.open_meeting(council.members[0].user, meeting, now + timedelta(minutes=6))
    db.session.commit()
    return meeting


def test_the_recorder_takes_attendance_and_a_vote_in_place(js_page, hall):
    meeting = _open_meeting(hall)
    page = js_page
    assert sign_in(page, hall["recorder"].mobile, TEST_PASSWORD)
    page.goto(f"/councils/meetings/{meeting.id}")
    page.evaluate("window.notReloaded = true")
    members = hall["council"].members
    for seat in members[:3]:
        page.locator(f"#member-{seat.id} button[value=present]").click()
        page.locator(f"#member-{seat.id} button[value=present][aria-pressed=true]").wait_for()
    assert "已过半数" in page.locator(".quorum").inner_text()
    assert page.evaluate("window.notReloaded") is True
    page.locator("#motion-form textarea").fill("同意本月底前统一清理楼道杂物。")
    page.locator("#motion-form button").click()  # a new motion is a page of its own
    ballots = page.locator("[id^=motion-] form button[value=for]")
    ballots.first.wait_for()
    assert ballots.count() == 3
    page.evaluate("window.notReloaded = true")
    ballots.first.click()
    expect(ballots).to_have_count(2)  # that member's buttons gave way to the vote
    assert page.evaluate("window.notReloaded") is True
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Attendance)) == 3
    assert db.session.scalar(select(db.func.count()).select_from(Vote)) == 1
    assert horizontal_overflow(page) <= 0


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_axe_finds_nothing_on_the_councils_pages(js_page, hall, locale):
    page = js_page
    world = hall["world"]
    now = utcnow()
    raised = requests.submit(hall["grandma"], world["courtyard"], "environment",
                             "楼道灯坏了一个月。", now - timedelta(days=3))
    triage.to_council(raised, hall["worker"], hall["council"], "交议事会商议。",
                      now - timedelta(days=2))
    meeting = _open_meeting(hall)
    decision = decisions.start(hall["worker"], hall["council"], "楼道灯统一更换",
                               now - timedelta(days=1), request=raised)
    db.session.commit()
    page.context.set_extra_http_headers({"Accept-Language": locale})
    assert sign_in(page, hall["worker"].mobile, TEST_PASSWORD)
    found = axe_pages(page, [
        "/councils/",
        f"/councils/communities/{world['community'].id}/requests",
        f"/councils/requests/{raised.id}",
        f"/councils/requests/{raised.id}/handle",
        "/councils/triage",
        "/councils/requests/new",
        "/councils/requests/mine",
        f"/councils/{hall['council'].id}",
        f"/councils/{hall['council'].id}/meetings/new",
        f"/councils/meetings/{meeting.id}",
        f"/councils/meetings/{meeting.id}/print",
        f"/councils/decisions/{decision.id}",
        f"/councils/{hall['council'].id}/decisions/new",
        f"/councils/districts/{world['district'].id}/departments",
    ], label=locale + " ")
    assert found == {}
