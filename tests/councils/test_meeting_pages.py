"""Meeting pages over HTTP: calling one, the meeting page with its buttons, htmx parts, bad
input kept, who may press which button, calendar files and the printable agenda."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.councils import meetings
from portal.councils.models import Attendance, Meeting, Motion, RequestEvent, Vote
from portal.extensions import db
from portal.timeutil import local_today, utcnow
from tests.councils.test_meetings import call, opened
from tests.helpers import audit_page, text


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def council(make_council):
    return make_council()


def _call_data(**changes):
    data = {"title": "七月议事会", "day": (local_today() + timedelta(days=3)).isoformat(),
            "starts": "19:00", "minutes_long": "90", "place_text": "社区活动室"}
    data.update(changes)
    return data


# --- calling a meeting ---

def test_the_convener_calls_a_meeting_with_a_waiting_request(client, login, council,
                                                             make_request, resident):
    request = make_request(resident, state="with_council", council_id=council.id)
    login(council.members[0].user)
    page = f"/councils/{council.id}/meetings/new"
    form = client.get(page)
    assert form.status_code == 200 and "楼道灯坏了" in text(form)
    audit_page(form)
    response = client.submit(page, _call_data(**{f"request_{request.id}": "y",
                                                 f"request_{request.id}_minutes": "20",
                                                 "other_0": "院内绿化", "other_0_minutes": "10"}),
                             token_from=page)
    assert response.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert response.headers["Location"].endswith(f"/councils/meetings/{meeting.id}")
    assert [(i.kind, i.title, i.minutes_long) for i in meeting.agenda] == [
        ("request", "楼道灯坏了", 20), ("other", "院内绿化", 10)]
    db.session.refresh(request)
    assert request.state == "on_agenda"


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"day": "下周三"}, "day"),
    ({"day": (local_today() - timedelta(days=1)).isoformat()}, "day"),
    ({"place_text": ""}, "place_text"),
    ({"minutes_long": "九十"}, "minutes_long"),
    ({"other_0": "议题", "other_0_minutes": "0"}, "other_0_minutes"),
])
def test_a_bad_meeting_is_kept_beside_its_message(client, login, council, changes, field):
    login(council.members[0].user)
    page = f"/councils/{council.id}/meetings/new"
    data = _call_data(**{"title": "七月<b>议事会</b>", **changes})
    response = client.submit(page, data, token_from=page)
    assert response.status_code == 422
    body = text(response)
    assert f'id="{field}-error"' in body
    if data["title"]:
        assert 'value="七月&lt;b&gt;议事会&lt;/b&gt;"' in body
    assert _count(Meeting) == 0


def test_the_message_is_in_the_readers_language(client, login, make_user, world, council):
    worker = make_user(roles=[("community_worker", world["community"])], locale="en")
    login(worker)
    page = f"/councils/{council.id}/meetings/new"
    response = client.submit(page, _call_data(place_text=""), token_from=page)
    assert response.status_code == 422
    assert "Choose a service point or write where the meeting is." in text(response)


# --- the meeting page ---

def test_anyone_reads_the_meeting_page_names_masked(client, council, now):
    meeting, _during = opened(council, now)
    response = client.get(f"/councils/meetings/{meeting.id}")
    assert response.status_code == 200
    body = text(response)
    assert "议事1" not in body and "议**" in body
    assert "csrf_token" not in body.split("<main")[1].split("</main>")[0]  # no buttons
    audit_page(response)


def test_the_recorder_sees_the_buttons_and_the_quorum(client, login, council, now):
    meeting, _during = opened(council, now, present=3)
    login(council.members[1].user)
    response = client.get(f"/councils/meetings/{meeting.id}")
    body = text(response)
    assert 'class="quorum"' in body and "议事1" in body
    assert f"/councils/meetings/{meeting.id}/attendance/{council.members[0].id}" in body
    assert f"/councils/meetings/{meeting.id}/motions" in body
    audit_page(response)


def test_attendance_with_htmx_answers_the_block_with_the_quorum(client, login, council, now):
    meeting, _during = opened(council, now, present=2)
    login(council.members[1].user)
    member = council.members[4]
    response = client.submit(f"/councils/meetings/{meeting.id}/attendance/{member.id}",
                             {"status": "present"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and 'id="attendance"' in body
    assert f'id="member-{member.id}"' in body
    assert 'id="motions"' in body and 'hx-swap-oob="true"' in body
    assert "HX-Request" in response.headers["Vary"]
    assert db.session.scalar(select(Attendance.status).filter_by(member_id=member.id)) == \
        "present"
    assert meetings.quorum(db.session.get(Meeting, meeting.id)).has_quorum


def test_attendance_without_js_redirects_to_the_row(client, login, council, now):
    meeting, _during = opened(council, now, present=2)
    login(council.members[1].user)
    member = council.members[4]
    response = client.submit(f"/councils/meetings/{meeting.id}/attendance/{member.id}",
                             {"status": "leave"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#member-{member.id}")
    assert db.session.scalar(select(Attendance.status).filter_by(member_id=member.id)) == \
        "leave"


def test_a_forged_attendance_status_writes_nothing(client, login, council, now):
    meeting, _during = opened(council, now, present=2)
    login(council.members[1].user)
    member = council.members[4]
    response = client.submit(f"/councils/meetings/{meeting.id}/attendance/{member.id}",
                             {"status": "asleep"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and 'role="alert"' in text(response)
    assert db.session.scalar(select(Attendance.status).filter_by(member_id=member.id)) == \
        "absent"


def test_a_vote_with_htmx_answers_the_motion_block(client, login, council, now):
    meeting, during = opened(council, now, present=3)
    motion = meetings.add_motion(council.members[1].user, meeting, "修车棚", during)
    db.session.commit()
    login(council.members[1].user)
    path = f"/councils/motions/{motion.id}/vote"
    data = {"member": council.members[2].id, "choice": "against"}
    response = client.submit(path, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and f'id="motion-{motion.id}"' in body
    assert db.session.scalar(select(Vote.choice)) == "against"
    # the same member again: refused politely, still one vote
    again = client.submit(path, dict(data, choice="for"), headers={"HX-Request": "true"})
    assert again.status_code == 422 and 'role="alert"' in text(again)
    assert _count(Vote) == 1
    # without JS: back to the motion with the message flashed
    plain = client.submit(path, dict(data, choice="for"))
    assert plain.status_code == 303 and plain.headers["Location"].endswith(
        f"#motion-{motion.id}")
    assert _count(Vote) == 1


def test_the_roll_call_is_public(client, council, now):
    meeting, during = opened(council, now, present=3)
    motion = meetings.add_motion(council.members[1].user, meeting, "修车棚", during)
    meetings.record_vote(council.members[1].user, motion, council.members[2], "against",
                         during)
    db.session.commit()
    body = text(client.get(f"/councils/meetings/{meeting.id}"))
    assert "修车棚" in body and f'id="motion-{motion.id}"' in body


def test_an_empty_motion_is_kept_422(client, login, council, now):
    meeting, _during = opened(council, now, present=3)
    login(council.members[1].user)
    response = client.submit(f"/councils/meetings/{meeting.id}/motions", {"text": " "})
    assert response.status_code == 422 and 'id="text-error"' in text(response)
    assert _count(Motion) == 0


def test_a_motion_without_quorum_is_refused_with_the_text_kept(client, login, council, now):
    meeting, _during = opened(council, now, present=2)
    login(council.members[1].user)
    response = client.submit(f"/councils/meetings/{meeting.id}/motions",
                             {"text": "修车棚<script>"})
    assert response.status_code == 422
    assert "修车棚&lt;script&gt;" in text(response)
    assert _count(Motion) == 0


def test_too_long_minutes_are_kept_422(client, login, council, now):
    meeting, _during = opened(council, now)
    login(council.members[1].user)
    response = client.submit(f"/councils/meetings/{meeting.id}/minutes",
                             {"text": "长" * 5001})
    assert response.status_code == 422 and "长" * 100 in text(response)
    assert db.session.get(Meeting, meeting.id).minutes is None


def test_cancel_without_a_reason_is_422_and_with_one_tells_everyone(client, login, council,
                                                                    now):
    meeting = call(council, now)
    login(council.members[0].user)
    path = f"/councils/meetings/{meeting.id}/cancel"
    assert client.submit(path, {"reason": ""}).status_code == 422
    assert db.session.get(Meeting, meeting.id).state == "called"
    response = client.submit(path, {"reason": "停电"})
    assert response.status_code == 303
    assert db.session.get(Meeting, meeting.id).state == "cancelled"


def test_moving_keeps_a_bad_day_422(client, login, council, now):
    meeting = call(council, now)
    login(council.members[0].user)
    response = client.submit(f"/councils/meetings/{meeting.id}/move",
                             {"day": "后天", "starts": "19:00", "minutes_long": "60"})
    assert response.status_code == 422 and 'value="后天"' in text(response)
    assert db.session.get(Meeting, meeting.id).sequence == 0


def test_a_whole_meeting_over_http(client, login, council, make_request, resident, now):
    request = make_request(resident, state="with_council", council_id=council.id)
    meeting = call(council, now, starts=utcnow() + timedelta(minutes=1),
                   agenda=[meetings.Topic("request", request, 10)])
    convener, recorder = council.members[0], council.members[1]
    base = f"/councils/meetings/{meeting.id}"
    login(convener.user)
    assert client.submit(f"{base}/open", {}).status_code == 303
    login(recorder.user)
    for member in council.members:
        client.submit(f"{base}/attendance/{member.id}", {"status": "present"})
    item = db.session.get(Meeting, meeting.id).agenda[0]
    assert client.submit(f"{base}/motions", {"text": "同意修灯",
                                             "agenda_item": item.id}).status_code == 303
    motion = db.session.scalar(select(Motion))
    for member in council.members[:3]:
        client.submit(f"/councils/motions/{motion.id}/vote",
                      {"member": member.id, "choice": "for"})
    assert client.submit(f"/councils/motions/{motion.id}/close", {}).status_code == 303
    assert client.submit(f"{base}/minutes", {"text": "通过修灯。"}).status_code == 303
    login(convener.user)
    assert client.submit(f"{base}/minutes/approve", {}).status_code == 303
    assert client.submit(f"{base}/close", {}).status_code == 303
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.state == "closed"
    assert db.session.get(Motion, motion.id).passed is True
    assert [e.action for e in db.session.scalars(
        select(RequestEvent).filter_by(request_id=request.id).order_by(RequestEvent.id))] == [
        "put_on_agenda", "deliberate", "resolve"]
    page = text(client.get(base))
    assert "通过修灯。" in page
    printed = client.get(f"{base}/print")
    assert printed.status_code == 200 and "通过修灯。" in text(printed)


def test_closing_too_soon_is_flashed_and_changes_nothing(client, login, council, now):
    meeting, _during = opened(council, now)
    login(council.members[0].user)
    response = client.submit(f"/councils/meetings/{meeting.id}/close", {})
    assert response.status_code == 303
    assert db.session.get(Meeting, meeting.id).state == "open"


# --- who may press which button ---

WHO = ["member", "recorder", "convener", "worker", "outside_worker", "anonymous"]
KEEPERS = {"convener", "worker"}
RECORDERS = {"recorder", "convener", "worker"}


def _someone(who, council, request):
    if who in ("member", "recorder", "convener"):
        return council.members[{"convener": 0, "recorder": 1, "member": 2}[who]].user
    if who == "anonymous":
        return None
    return request.getfixturevalue(who)


def _scene(council, now):
    """An open meeting with quorum and an open motion, another called for a minute from now,
    and a third ready to close."""
    meeting, during = opened(council, now, present=3)
    recorder, convener = council.members[1].user, council.members[0].user
    motion = meetings.add_motion(recorder, meeting, "修车棚", during)
    meetings.write_minutes(recorder, meeting, "纪要", during)
    soon = call(council, now, starts=utcnow() + timedelta(minutes=1), title="临时会")
    ready, during2 = opened(council, now, present=5)
    meetings.write_minutes(recorder, ready, "纪要", during2)
    meetings.approve_minutes(convener, ready, during2)
    db.session.commit()
    return meeting, motion, soon, ready


def _routes(council, meeting, motion, soon, ready):
    """{route: (path, data, who may, did it write?)}."""
    m4 = council.members[4]
    return {
        "call": (f"/councils/{council.id}/meetings/new", _call_data(), KEEPERS,
                 lambda: _count(Meeting) == 4),
        "attendance": (f"/councils/meetings/{meeting.id}/attendance/{m4.id}",
                       {"status": "present"}, RECORDERS,
                       lambda: db.session.scalar(select(Attendance.status).filter_by(
                           meeting_id=meeting.id, member_id=m4.id)) == "present"),
        "motion": (f"/councils/meetings/{meeting.id}/motions", {"text": "新动议"}, RECORDERS,
                   lambda: _count(Motion) == 2),
        "vote": (f"/councils/motions/{motion.id}/vote",
                 {"member": council.members[0].id, "choice": "for"}, RECORDERS,
                 lambda: _count(Vote) == 1),
        "close_motion": (f"/councils/motions/{motion.id}/close", {}, RECORDERS,
                         lambda: db.session.get(Motion, motion.id).closed_at is not None),
        "minutes": (f"/councils/meetings/{meeting.id}/minutes", {"text": "新纪要"}, RECORDERS,
                    lambda: db.session.get(Meeting, meeting.id).minutes == "新纪要"),
        "approve": (f"/councils/meetings/{meeting.id}/minutes/approve", {}, KEEPERS,
                    lambda: db.session.get(Meeting, meeting.id).minutes_approved_at
                    is not None),
        "open": (f"/councils/meetings/{soon.id}/open", {}, KEEPERS,
                 lambda: db.session.get(Meeting, soon.id).state == "open"),
        "move": (f"/councils/meetings/{soon.id}/move",
                 {"day": (local_today() + timedelta(days=5)).isoformat(), "starts": "19:00",
                  "minutes_long": "60"}, KEEPERS,
                 lambda: db.session.get(Meeting, soon.id).sequence == 1),
        "cancel": (f"/councils/meetings/{soon.id}/cancel", {"reason": "停电"}, KEEPERS,
                   lambda: db.session.get(Meeting, soon.id).state == "cancelled"),
        "close": (f"/councils/meetings/{ready.id}/close", {}, KEEPERS,
                  lambda: db.session.get(Meeting, ready.id).state == "closed"),
    }


ROUTES = ["call", "attendance", "motion", "vote", "close_motion", "minutes", "approve",
          "open", "move", "cancel", "close"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("who", WHO)
def test_who_may_press_each_button(client, login, council, now, request, route, who):
    scene = _scene(council, now)
    path, data, allowed, written = _routes(council, *scene)[route]
    someone = _someone(who, council, request)
    if someone is not None:
        login(someone)
    response = client.submit(path, data)
    if who in allowed:
        assert response.status_code == 303, (route, who)
        assert written(), (route, who)
    else:
        assert response.status_code == (403 if someone else 302), (route, who)
        assert not written(), (route, who)


@pytest.mark.parametrize("who", WHO)
def test_buttons_are_shown_only_to_who_may_press_them(client, login, council, now, request,
                                                      who):
    meeting, _motion, soon, _ready = _scene(council, now)
    someone = _someone(who, council, request)
    if someone is not None:
        login(someone)
    page = text(client.get(f"/councils/meetings/{meeting.id}"))
    assert (f"/councils/meetings/{meeting.id}/motions" in page) == (who in RECORDERS)
    assert (f"/councils/meetings/{meeting.id}/close" in page) == (who in KEEPERS)
    called = text(client.get(f"/councils/meetings/{soon.id}"))
    assert (f"/councils/meetings/{soon.id}/cancel" in called) == (who in KEEPERS)


# --- calendar files and print ---

def test_the_calendar_file_has_a_sequence_and_says_when_cancelled(client, council, now):
    meeting = call(council, now)
    body = text(client.get(f"/councils/meetings/{meeting.id}.ics"))
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "SEQUENCE:0\r\n" in body and "STATUS:CONFIRMED\r\n" in body
    assert "六月议事会" in body and "LOCATION:社区活动室" in body
    meetings.cancel_meeting(council.members[0].user, meeting, "停电", now)
    db.session.commit()
    response = client.get(f"/councils/meetings/{meeting.id}.ics")
    assert response.mimetype == "text/calendar"
    assert "SEQUENCE:1\r\n" in text(response) and "STATUS:CANCELLED\r\n" in text(response)


def test_the_councils_feed_lists_its_meetings(client, council, now):
    first = call(council, now, title="一月会")
    second = call(council, now, title="二月会")
    body = text(client.get(f"/councils/{council.id}/meetings.ics"))
    assert body.count("BEGIN:VEVENT") == 2
    assert f"UID:council-meeting-{first.id}@linli" in body
    assert f"UID:council-meeting-{second.id}@linli" in body


def test_the_printed_agenda_hides_a_private_request_and_unapproved_minutes(
        client, council, make_request, resident, now):
    private = make_request(resident, title="邻居噪音", state="with_council",
                           council_id=council.id, public=False)
    meeting, during = opened(council, now,
                             agenda=[meetings.Topic("request", private, 10)])
    meetings.write_minutes(council.members[1].user, meeting, "未批准的纪要", during)
    db.session.commit()
    response = client.get(f"/councils/meetings/{meeting.id}/print")
    assert response.status_code == 200
    body = text(response)
    assert "邻居噪音" not in body and "未批准的纪要" not in body
    assert "邻居噪音" not in text(client.get(f"/councils/meetings/{meeting.id}.ics"))
