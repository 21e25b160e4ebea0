"""Publicity's rules without HTTP, time passing by ``now``: the window's phases and days
left, objections and their due dates, overdue ones, the archive words, withdrawing."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.publicity import rules
from portal.publicity.models import Objection
from portal.refusals import Refused

DAY = timedelta(days=1)
START = datetime(2026, 11, 1, 0, 0)  # naive UTC


@pytest.fixture
def resident(make_user, world):
    return make_user(name="王淑兰", courtyard=world["courtyard"])


@pytest.fixture
def open_publication(publish):
    return publish(starts=START, days=7)


def test_publishing_records_the_subject_and_an_audit_entry(world, poster, open_publication):
    p = open_publication
    assert (p.subject_type, p.subject_id, p.place_id, p.posted_by_id) == (
        "place", world["courtyard"].id, world["courtyard"].id, poster.id)
    assert (p.ends_at - p.starts_at, p.answer_days) == (7 * DAY, 3)
    entry = db.session.scalar(select(AuditEntry).filter_by(action="publicity.publish"))
    assert (entry.actor_id, entry.subject_id) == (poster.id, p.id)


def test_the_latest_publication_of_a_subject_is_found(world, publish):
    assert rules.publication_of(world["courtyard"]) is None
    publish(starts=START)
    later = publish(starts=START + 10 * DAY)
    assert rules.publication_of(world["courtyard"]).id == later.id
    assert rules.publication_of(world["courtyard2"]) is None


@pytest.mark.parametrize("ends, reason", [
    (START, "window_order"),
    (START - DAY, "window_order"),
    (START + DAY - timedelta(minutes=1), "window_too_short"),
])
def test_a_bad_window_is_refused(world, poster, ends, reason):
    with pytest.raises(Refused) as refused:
        rules.publish(world["courtyard"], world["courtyard"], "公示", poster, START, ends,
                      now=START)
    assert (refused.value.reason, refused.value.field) == (reason, "ends_on")
    assert refused.value.message  # the words exist and fill their placeholders


def test_the_shortest_window_is_one_day(world, poster):
    p = rules.publish(world["courtyard"], world["courtyard"], "公示", poster, START,
                      START + rules.MIN_DAYS * DAY, now=START)
    assert p.id


@pytest.mark.parametrize("title", ["", "   ", "长" * 201])
def test_a_title_is_needed_and_bounded(world, poster, title):
    with pytest.raises(Refused) as refused:
        rules.publish(world["courtyard"], world["courtyard"], title, poster, START,
                      START + 7 * DAY, now=START)
    assert refused.value.field == "title"


@pytest.mark.parametrize("now, phase, days_left", [
    (START - timedelta(seconds=1), "upcoming", 8),
    (START, "open", 7),
    (START + timedelta(minutes=1), "open", 7),  # 6 days 23 hours 59 minutes: say 7
    (START + DAY, "open", 6),
    (START + 4 * DAY + timedelta(hours=12), "open", 3),
    (START + 7 * DAY - timedelta(seconds=1), "open", 1),
    (START + 7 * DAY, "ended", 0),
    (START + 30 * DAY, "ended", 0),
])
def test_the_phase_and_days_left(open_publication, now, phase, days_left):
    state = rules.state(open_publication, now)
    assert (state.phase, state.days_left) == (phase, days_left)
    assert state.is_open == (phase == "open")


def test_days_left_in_words(app, open_publication):
    assert rules.state(open_publication, START + 4 * DAY).phase_words == "公示期还剩 3 天。"
    assert rules.state(open_publication, START + 8 * DAY).phase_words == "公示已结束。"


def test_an_objection_is_due_after_the_answer_days(open_publication, resident):
    now = START + 2 * DAY
    objection = rules.raise_objection(open_publication, resident, "objection",
                                      "  电梯噪音怎么解决？ ", now)
    assert (objection.body, objection.due_at, objection.raised_by_id) == (
        "电梯噪音怎么解决？", now + 3 * DAY, resident.id)
    assert db.session.scalar(select(AuditEntry).filter_by(action="publicity.object"))


def test_the_answer_days_are_the_publications_own(publish, resident):
    publication = publish(starts=START, answer_days=5)
    objection = rules.raise_objection(publication, resident, "question", "几楼装？", START)
    assert objection.due_at == START + 5 * DAY


@pytest.mark.parametrize("now, reason", [
    (START - timedelta(seconds=1), "window_not_open"),
    (START + 7 * DAY, "window_over"),
    (START + 20 * DAY, "window_over"),
])
def test_objections_only_during_the_window(open_publication, resident, now, reason):
    with pytest.raises(Refused) as refused:
        rules.raise_objection(open_publication, resident, "objection", "反对", now)
    assert (refused.value.reason, refused.value.field) == (reason, "body")
    assert db.session.scalars(select(Objection)).all() == []


@pytest.mark.parametrize("kind, body, reason", [
    ("objection", "", "objection_body_needed"),
    ("objection", " \n ", "objection_body_needed"),
    ("objection", "字" * (rules.BODY_MAX + 1), "publicity_text_too_long"),
    ("complaint", "反对", "objection_kind_unknown"),
])
def test_bad_objections_are_refused(open_publication, resident, kind, body, reason):
    with pytest.raises(Refused) as refused:
        rules.raise_objection(open_publication, resident, kind, body, START + DAY)
    assert refused.value.reason == reason


def test_a_resident_elsewhere_may_not_object(open_publication, make_user, world):
    stranger = make_user(courtyard=world["other_courtyard"])
    assert not rules.may_object(stranger, open_publication)
    with pytest.raises(Refused):
        rules.raise_objection(open_publication, stranger, "objection", "反对", START + DAY)


def test_a_community_publication_takes_objections_from_all_its_courtyards(
        publish, world, make_user):
    publication = publish(starts=START, place=world["community"])
    assert rules.may_object(make_user(courtyard=world["courtyard2"]), publication)
    assert not rules.may_object(make_user(courtyard=world["other_courtyard"]), publication)


def test_who_may_answer_and_withdraw(open_publication, poster, worker, make_user, world,
                                     resident):
    other_worker = make_user(roles=[("community_worker", world["other_community"])])
    other_leader = make_user(roles=[("courtyard_leader", world["courtyard2"])])
    assert rules.may_answer(poster, open_publication)
    assert rules.may_answer(worker, open_publication)
    for nobody in (resident, other_worker, other_leader):
        assert not rules.may_answer(nobody, open_publication)
        assert not rules.may_withdraw(nobody, open_publication)
    assert rules.may_withdraw(worker, open_publication)


def test_answers_are_counted_and_late_ones_marked(open_publication, resident, poster,
                                                  worker):
    first = rules.raise_objection(open_publication, resident, "objection", "反对", START)
    second = rules.raise_objection(open_publication, resident, "question", "何时开工？",
                                   START + 2 * DAY)
    db.session.flush()
    state = rules.state(open_publication, START + 3 * DAY)  # the first is due exactly now
    assert (state.objections, state.answered, state.overdue, state.questions) == (2, 0, 0, 1)
    state = rules.state(open_publication, START + 3 * DAY + timedelta(seconds=1))
    assert state.overdue == 1
    rules.answer(first, poster, "会装隔音层。", START + 4 * DAY)
    assert first.answered_at == START + 4 * DAY and first.answered_by_id == poster.id
    rules.answer(second, worker, "明年三月。", START + 4 * DAY)
    db.session.flush()
    state = rules.state(open_publication, START + 9 * DAY)
    assert (state.phase, state.objections, state.answered, state.overdue) == (
        "ended", 2, 2, 0)
    late = db.session.scalar(select(AuditEntry).filter_by(action="publicity.answer")
                             .order_by(AuditEntry.id))
    assert late.details["late"] is True


def test_an_answer_is_given_once_and_not_blank(open_publication, resident, poster, worker):
    objection = rules.raise_objection(open_publication, resident, "question", "问", START)
    with pytest.raises(Refused) as refused:
        rules.answer(objection, poster, "  ", START)
    assert refused.value.reason == "objection_answer_needed"
    rules.answer(objection, poster, "答", START)
    with pytest.raises(Refused) as refused:
        rules.answer(objection, worker, "再答", START)
    assert refused.value.reason == "already_answered"
    assert objection.answer == "答"


def test_a_stranger_may_not_answer(open_publication, resident, make_user, world):
    objection = rules.raise_objection(open_publication, resident, "question", "问", START)
    with pytest.raises(Refused):
        rules.answer(objection, make_user(courtyard=world["courtyard"]), "答", START)
    assert objection.answered_at is None


def test_the_archive_words(app, open_publication, resident, poster):
    after = START + 8 * DAY
    assert rules.state(open_publication, after).summary == "公示期满，无异议。"
    assert rules.state(open_publication, START + DAY).summary == "暂无异议。"
    objection = rules.raise_objection(open_publication, resident, "objection", "反对", START)
    rules.raise_objection(open_publication, resident, "question", "问", START)
    rules.answer(objection, poster, "答", START + DAY)
    db.session.flush()
    assert rules.state(open_publication, after).summary == "收到异议和询问 2 条，已答复 1 条。"


def test_withdrawing_needs_a_reason_and_happens_once(open_publication, poster, worker,
                                                     resident):
    with pytest.raises(Refused) as refused:
        rules.withdraw(open_publication, poster, "  ", START)
    assert (refused.value.reason, refused.value.field) == ("withdrawal_reason_needed", "reason")
    assert open_publication.withdrawn_at is None
    rules.withdraw(open_publication, poster, "方案要改", START + DAY)
    assert (open_publication.withdrawn_by_id, open_publication.withdrawal_reason) == (
        poster.id, "方案要改")
    with pytest.raises(Refused) as refused:
        rules.withdraw(open_publication, worker, "再撤", START + DAY)
    assert refused.value.reason == "already_withdrawn"
    state = rules.state(open_publication, START + 2 * DAY)
    assert (state.phase, state.days_left) == ("withdrawn", 0)
    with pytest.raises(Refused) as refused:
        rules.raise_objection(open_publication, resident, "objection", "反对", START + 2 * DAY)
    assert refused.value.reason == "publication_withdrawn"
    assert db.session.scalar(select(AuditEntry).filter_by(action="publicity.withdraw"))


def test_a_desk_lists_what_its_user_may_answer_overdue_first(publish, resident, poster,
                                                             worker, make_user, world):
    here = publish(starts=START)
    elsewhere_resident = make_user(courtyard=world["other_courtyard"])
    elsewhere = publish(starts=START, place=world["other_courtyard"],
                        subject=world["other_courtyard"])
    late = rules.raise_objection(here, resident, "objection", "早", START)
    fresh = rules.raise_objection(here, resident, "question", "晚", START + 2 * DAY)
    done = rules.raise_objection(here, resident, "question", "已答", START)
    rules.answer(done, poster, "答", START)
    away = rules.raise_objection(elsewhere, elsewhere_resident, "question", "别处", START)
    db.session.flush()
    now = START + 4 * DAY

    def listed(user):
        return [o.id for o in db.session.scalars(rules.unanswered_for(user, now))]

    assert listed(worker) == [late.id, fresh.id]
    assert listed(poster) == [late.id, away.id, fresh.id]  # the poster of both
    other_worker = make_user(roles=[("community_worker", world["other_community"])])
    assert listed(other_worker) == [away.id]
    assert listed(resident) == []
    admin = make_user(roles=[("admin", world["city"])])
    assert listed(admin) == [late.id, away.id, fresh.id]
    assert rules.is_overdue(late, now) and not rules.is_overdue(fresh, now)
