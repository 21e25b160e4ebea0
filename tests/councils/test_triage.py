"""Triage rules called without HTTP: each move, who may take it, bad input, what the residents
are told (once each), duplicates (nobody's support lost), templates, the queue and the
response times."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.councils import listing, triage
from portal.councils.models import (
    Council,
    Department,
    Request,
    RequestEvent,
    RequestSupport,
)
from portal.extensions import db
from portal.notifications.models import Message
from portal.places.tree import add_place
from portal.refusals import Refused
from portal.servicemap.models import ServicePoint
from portal.timeutil import local_today


@pytest.fixture
def supporter(make_user, world):
    return make_user(name="孙阿姨", courtyard=world["courtyard"])


def support(request, *users):
    for user in users:
        db.session.add(RequestSupport(request_id=request.id, user_id=user.id))
    request.support_count += len(users)
    db.session.commit()


def messages(request, kind=None):
    query = select(Message.user_id, Message.kind).where(
        Message.subject_type == "council_request", Message.subject_id == request.id)
    if kind:
        query = query.where(Message.kind == kind)
    return sorted(db.session.execute(query).all())


def events(request):
    return db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)
                              .order_by(RequestEvent.id)).all()


def point(place, name="草堂社区卫生服务站"):
    row = ServicePoint(name=name, category="health", place=place, address="草堂东路1号",
                       latitude=30.66, longitude=104.04)
    db.session.add(row)
    db.session.commit()
    return row


# --- 大事 ---

def test_a_worker_refers_a_major_matter_and_the_residents_are_told_once(
        resident, supporter, worker, department, make_request, now, today):
    request = make_request(resident)
    support(request, supporter)
    event = triage.refer(request, worker, department, None, "已转区住建局。", now)
    db.session.commit()
    assert (request.state, request.klass, request.department_id, request.triaged_at) == (
        "referred", "major", department.id, now)
    assert request.due_on == today + timedelta(days=15)
    assert (event.from_state, event.to_state, event.actor_role, event.text) == (
        "submitted", "referred", "community_worker", "已转区住建局。")
    assert json.loads(event.details)["due"] == request.due_on.isoformat()
    assert messages(request) == sorted([(resident.id, "request_referred"),
                                        (supporter.id, "request_referred")])
    assert db.session.scalar(select(AuditEntry.action).filter_by(
        subject_id=request.id, action="councils.request.refer")) is not None


def test_the_same_referral_twice_is_one_step_and_one_message(
        resident, worker, department, make_request, now):
    request = make_request(resident)
    first = triage.refer(request, worker, department, None, "", now)
    db.session.commit()
    again = triage.refer(request, worker, department, None, "", now + timedelta(seconds=2))
    db.session.commit()
    assert again.id == first.id and len(events(request)) == 1
    assert messages(request) == [(resident.id, "request_referred")]


def test_a_worker_of_another_community_may_not_sort(
        resident, outside_worker, department, make_request, now):
    request = make_request(resident)
    with pytest.raises(Refused, match="triage_not_yours"):
        triage.refer(request, outside_worker, department, None, "", now)
    db.session.rollback()
    assert request.state == "submitted" and events(request) == []


def test_a_department_of_another_district_or_inactive_is_refused(
        resident, worker, department, make_request, world, now):
    other_district = add_place("district", "锦江区", world["city"])
    elsewhere = Department(district=other_district, name="锦江城管")
    closed = Department(district=world["district"], name="旧部门", active=False)
    db.session.add_all([elsewhere, closed])
    db.session.commit()
    request = make_request(resident)
    for choice in (elsewhere, closed, None):
        with pytest.raises(Refused) as refused:
            triage.refer(request, worker, choice, None, "", now)
        assert (refused.value.reason, refused.value.field) == (
            "triage_department_unknown", "department")
    assert request.state == "submitted"


def test_a_due_day_in_the_past_is_refused(resident, worker, department, make_request, now,
                                          today):
    request = make_request(resident)
    with pytest.raises(Refused) as refused:
        triage.refer(request, worker, department, today - timedelta(days=1), "", now)
    assert refused.value.field == "due_on" and request.state == "submitted"


def test_the_departments_reply_is_recorded(resident, worker, department, make_request, now):
    request = make_request(resident)
    triage.refer(request, worker, department, None, "", now)
    with pytest.raises(Refused, match="triage_text_missing"):
        triage.record_reply(request, worker, "  ", now)
    with pytest.raises(Refused, match="triage_text_too_long"):
        triage.record_reply(request, worker, "长" * 5001, now)
    triage.record_reply(request, worker, "下周一维修。", now)
    db.session.commit()
    assert (request.state, request.department_reply) == ("replied", "下周一维修。")
    assert messages(request, "request_replied") == [(resident.id, "request_replied")]


# --- 小事 and re-triage ---

def test_a_minor_matter_goes_to_a_council_over_its_place_and_sorting_again_is_logged(
        resident, worker, department, make_request, make_council, world, now):
    council = make_council()
    request = make_request(resident)
    triage.refer(request, worker, department, None, "", now)
    event = triage.to_council(request, worker, council, "请议事会商议。", now)
    db.session.commit()
    assert (request.state, request.klass, request.council_id) == (
        "with_council", "minor", council.id)
    assert request.department_id is None and request.due_on is None
    assert json.loads(event.details)["retriage"] is True
    assert [e.action for e in events(request)] == ["refer", "to_council"]


def test_a_council_of_another_community_is_refused(
        resident, worker, make_request, make_council, world, now):
    far = make_council(place=world["other_community"])
    request = make_request(resident)
    with pytest.raises(Refused) as refused:
        triage.to_council(request, worker, far, "", now)
    assert refused.value.field == "council" and request.state == "submitted"


def test_the_convener_of_the_community_council_sorts_but_a_member_does_not(
        resident, make_request, make_council, department, now):
    council = make_council()
    convener, member = council.members[0].user, council.members[2].user
    request = make_request(resident)
    with pytest.raises(Refused, match="triage_not_yours"):
        triage.to_council(request, member, council, "", now)
    event = triage.to_council(request, convener, council, "", now)
    assert event.actor_role == "council_member"


def test_a_building_councils_convener_does_not_sort_the_whole_courtyard(
        resident, make_request, make_council, world, now):
    council = make_council(place=world["building"])
    request = make_request(resident)
    with pytest.raises(Refused, match="triage_not_yours"):
        triage.to_council(request, council.members[0].user, council, "", now)
    in_building = make_request(resident, building_id=world["building"].id,
                               courtyard=world["courtyard"])
    # A request made at the courtyard is the courtyard's, even with a building noted.
    with pytest.raises(Refused, match="triage_not_yours"):
        triage.to_council(in_building, council.members[0].user, council, "", now)


# --- 私事 ---

def test_guidance_with_service_points_of_the_district(
        resident, worker, make_request, world, now):
    near = point(world["community"])
    other_district = add_place("district", "锦江区", world["city"])
    far = point(other_district, name="远处的站")
    request = make_request(resident)
    with pytest.raises(Refused, match="triage_text_missing"):
        triage.guide(request, worker, "", [near], now)
    with pytest.raises(Refused) as refused:
        triage.guide(request, worker, "去卫生站问问。", [near, far], now)
    assert refused.value.field == "points" and request.state == "submitted"
    event = triage.guide(request, worker, "去卫生站问问。", [near], now)
    db.session.commit()
    assert (request.state, request.klass) == ("guided", "private")
    assert triage.guided_point_ids(event) == [near.id]
    assert messages(request) == [(resident.id, "request_guided")]


# --- closing ---

def test_closing_not_possible_needs_the_reason(resident, supporter, worker, make_request,
                                               now):
    request = make_request(resident)
    support(request, supporter)
    with pytest.raises(Refused) as refused:
        triage.close(request, worker, "not_possible", " ", now)
    assert (refused.value.reason, refused.value.field) == ("triage_reason_missing", "reason")
    with pytest.raises(Refused, match="triage_done_too_soon"):
        triage.close(request, worker, "done", "", now)
    with pytest.raises(Refused, match="triage_outcome_unknown"):
        triage.close(request, worker, "duplicate", "", now)
    assert request.state == "submitted"
    event = triage.close(request, worker, "not_possible", "产权不在社区。", now)
    db.session.commit()
    assert (request.state, request.outcome, request.outcome_reason, event.text) == (
        "closed", "not_possible", "产权不在社区。", "产权不在社区。")
    assert request.follow_up_at == now + timedelta(days=28)
    assert messages(request) == sorted([(resident.id, "request_closed"),
                                        (supporter.id, "request_closed")])
    # The same closing sent again changes nothing and tells nobody again.
    assert triage.close(request, worker, "not_possible", "产权不在社区。", now).id == event.id
    db.session.commit()
    assert len(messages(request)) == 2


def test_done_after_the_reply(resident, worker, department, make_request, now):
    request = make_request(resident)
    triage.refer(request, worker, department, None, "", now)
    triage.record_reply(request, worker, "已修好。", now)
    triage.close(request, worker, "done", "", now)
    assert (request.state, request.outcome) == ("closed", "done")


def test_carried_out_after_the_council_decided(resident, worker, make_request, now):
    request = make_request(resident, state="resolved", klass="minor")
    triage.carry_out(request, worker, now)
    db.session.commit()
    assert request.state == "carrying_out"
    assert messages(request) == [(resident.id, "request_carrying_out")]
    with pytest.raises(Refused, match="move_not_allowed"):
        triage.carry_out(make_request(resident), worker, now)


def test_only_the_requester_withdraws(resident, neighbour, supporter, worker, make_request,
                                      now):
    request = make_request(resident)
    support(request, supporter)
    for someone in (neighbour, worker):
        with pytest.raises(Refused, match="withdraw_not_yours"):
            triage.withdraw(request, someone, now)
    event = triage.withdraw(request, resident, now)
    db.session.commit()
    assert (request.state, request.outcome, event.actor_role) == (
        "closed", "withdrawn", "resident")
    # Those who said 我也遇到 are told; the one who withdrew it knows.
    assert messages(request) == [(supporter.id, "request_withdrawn")]


# --- duplicates ---

def test_marking_a_duplicate_moves_every_supporter_and_counts_exactly(
        resident, neighbour, supporter, worker, make_user, world, make_request, now):
    both = make_user(name="两边都点了", courtyard=world["courtyard"])
    only_original = make_user(name="只点原件", courtyard=world["courtyard"])
    original = make_request(neighbour, title="三单元楼道灯不亮")
    copy = make_request(resident, title="楼道灯坏了")
    support(original, both, only_original)
    support(copy, supporter, both, neighbour)  # neighbour made the original
    event = triage.mark_duplicate(copy, original, worker, now)
    db.session.commit()
    assert (copy.state, copy.outcome, copy.duplicate_of_id) == ("closed", "duplicate",
                                                               original.id)
    supporters = set(db.session.scalars(select(RequestSupport.user_id).where(
        RequestSupport.request_id == original.id)))
    assert supporters == {both.id, only_original.id, supporter.id, resident.id}
    assert original.support_count == 4 and copy.support_count == 0
    assert original.support_count == db.session.scalar(
        select(func.count()).select_from(RequestSupport)
        .where(RequestSupport.request_id == original.id))
    # Both timelines: the closing on the copy, the joining on the original.
    assert json.loads(event.details)["original"] == original.number
    [joined] = [e for e in events(original) if e.action == "duplicate_joined"]
    assert json.loads(joined.details)["number"] == copy.number
    assert original.state == "submitted"
    # The copy's followers (as they were) are told where to follow, once each.
    assert messages(copy) == sorted((u.id, "request_duplicate")
                                    for u in (resident, supporter, both, neighbour))


def test_a_duplicate_must_be_another_open_request_of_the_community(
        resident, worker, make_request, world, now):
    request = make_request(resident)
    closed = make_request(resident, state="closed", outcome="done", closed_at=now)
    elsewhere = make_request(resident, courtyard=world["other_courtyard"])
    with pytest.raises(Refused, match="duplicate_of_itself"):
        triage.mark_duplicate(request, request, worker, now)
    for original in (closed, elsewhere, None):
        with pytest.raises(Refused, match="duplicate_not_found"):
            triage.mark_duplicate(request, original, worker, now)
    assert request.state == "submitted" and events(request) == []
    assert triage.find_original(request, elsewhere.number) is None
    assert triage.find_original(request, "abc") is None
    assert triage.find_original(request, str(closed.id)) == closed


def test_a_duplicate_chain_never_loops(resident, worker, make_request, now):
    first = make_request(resident)
    second = make_request(resident)
    triage.mark_duplicate(first, second, worker, now)
    first.state, first.closed_at, first.outcome = "submitted", None, None  # reopened
    db.session.commit()
    with pytest.raises(Refused, match="duplicate_loop"):
        triage.mark_duplicate(second, first, worker, now)


# --- reply templates ---

def test_reply_templates_kept_by_workers_per_class(worker, outside_worker, world):
    with pytest.raises(Refused, match="template_not_yours"):
        triage.add_template(outside_worker, world["community"], "major", "转办", "已转办。")
    with pytest.raises(Refused, match="template_class_unknown"):
        triage.add_template(worker, world["community"], "huge", "转办", "已转办。")
    with pytest.raises(Refused, match="template_title_missing"):
        triage.add_template(worker, world["community"], "major", " ", "已转办。")
    kept = triage.add_template(worker, world["community"], "major", "转办", "已转办。")
    triage.add_template(worker, world["community"], "private", "指引", "请去服务站。")
    db.session.commit()
    assert triage.templates_for(world["courtyard"], "major") == [kept]
    assert triage.templates_for(world["other_courtyard"], "major") == []


# --- the queue and response times ---

def test_the_queue_puts_overdue_first_then_unsorted_by_support(
        resident, worker, outside_worker, department, make_request, world, now, today):
    old = now - timedelta(days=30)
    quiet = make_request(resident, title="安静的", created_at=old)
    popular = make_request(resident, title="很多人", created_at=now, support_count=5)
    overdue = make_request(resident, title="超期", state="referred", klass="major",
                           department_id=department.id, due_on=today - timedelta(days=1),
                           created_at=now)
    guided = make_request(resident, title="私事", state="guided", klass="private",
                          created_at=old - timedelta(days=1))
    make_request(resident, title="已办结", state="closed", outcome="done", closed_at=now)
    make_request(resident, title="外面的", courtyard=world["other_courtyard"])
    rows = db.session.scalars(triage.queue(worker, today)).all()
    assert [r.title for r in rows] == ["超期", "很多人", "安静的", "私事"]
    assert [r.id for r in rows] == [overdue.id, popular.id, quiet.id, guided.id]
    assert triage.overdue_count(worker, today) == 1
    assert db.session.scalars(triage.queue(outside_worker, today)).all() == [
        r for r in db.session.scalars(select(Request)) if r.title == "外面的"]
    assert [r.title for r in db.session.scalars(
        triage.queue(worker, today, state="guided"))] == ["私事"]
    assert [r.title for r in db.session.scalars(
        triage.queue(worker, today, klass="major"))] == ["超期"]
    assert db.session.scalars(triage.queue(worker, today, courtyard=world["courtyard2"])
                              ).all() == []


def test_a_convener_sees_the_requests_under_the_council(
        resident, make_request, make_council, world, today):
    council = make_council()
    make_request(resident, title="本社区")
    make_request(resident, title="外面的", courtyard=world["other_courtyard"])
    convener = council.members[0].user
    assert triage.may_use_queue(convener, today)
    assert not triage.may_use_queue(council.members[2].user, today)
    assert [r.title for r in db.session.scalars(triage.queue(convener, today))] == ["本社区"]


def test_response_times_are_medians_per_class(resident, make_request, world, now):
    day = timedelta(days=1)
    for triaged, closed in ((1, 5), (3, 9), (2, None)):
        make_request(resident, state="closed" if closed else "referred", klass="major",
                     created_at=now - 20 * day, triaged_at=now - (20 - triaged) * day,
                     closed_at=now - (20 - closed) * day if closed else None,
                     due_on=local_today() - day)
    make_request(resident, state="guided", klass="private", created_at=now - 2 * day,
                 triaged_at=now - day)
    make_request(resident, created_at=now - 400 * day, klass="major",
                 triaged_at=now - 100 * day)  # older than a year: not counted
    times = listing.response_times(world["community"], now, public_only=False)
    assert times["major"] == listing.Times(2.0, 3, 7.0, 2)
    assert times["private"] == listing.Times(1.0, 1, None, 0)
    assert times["minor"] == listing.Times(None, 0, None, 0)


def test_the_overdue_count_is_of_referred_matters_past_their_day(resident, worker,
                                                                 make_request, now):
    day = timedelta(days=1)
    make_request(resident, state="referred", klass="major", due_on=local_today() - day)
    make_request(resident, state="referred", klass="major", due_on=local_today() + day)
    make_request(resident, state="referred", klass="major", created_at=now - 400 * day,
                 due_on=local_today() - 300 * day)  # older than a year: overdue still
    assert triage.overdue_count(worker, local_today()) == 2


def test_sorting_councils_rows_are_unchanged_by_refusals(resident, worker, make_request,
                                                         now):
    request = make_request(resident)
    with pytest.raises(Refused):
        triage.to_council(request, worker, db.session.get(Council, 999), "", now)
    assert events(request) == [] and messages(request) == []
