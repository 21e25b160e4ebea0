"""Time-bank rules without HTTP: logging, approving, stars, help between neighbours, rewards,
gifts, corrections and certificates."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.forms import Pick
from portal.refusals import Refused
from portal.timebank import activities, certificates, help, ledger, logs, rewards, wallet
from portal.timebank.models import HourLog, MonthlyHours, Reward, Transfer, Volunteer
from portal.timebank.stars import star_progress
from portal.timeutil import utcnow


def signed_up(volunteer, activity):
    activities.sign_up(volunteer, activity, utcnow() - timedelta(hours=3))
    return activity


def log_count():
    return db.session.scalar(select(func.count(HourLog.id)))


# --- logging ---

def test_a_volunteer_logs_hours_for_an_activity_and_waits_for_approval(
        make_volunteer, make_activity, now, today):
    volunteer = make_volunteer()
    activity = signed_up(volunteer, make_activity())
    log = logs.submit(volunteer, 120, activity=activity, now=now, today=today)
    assert (log.status, log.minutes, log.community_id) == ("pending", 120,
                                                           activity.community_id)
    assert log.service_date == activities.local_days(activity)[0]
    assert ledger.balance(volunteer) == 0  # only approved time counts


@pytest.mark.parametrize("minutes, reason", [(0, "no_minutes"), (-30, "no_minutes"),
                                             (721, "too_many_minutes"), (None, "no_minutes")])
def test_log_minutes_must_be_more_than_zero_and_at_most_12_hours(
        make_volunteer, make_activity, now, today, minutes, reason):
    volunteer = make_volunteer()
    activity = signed_up(volunteer, make_activity())
    with pytest.raises(Refused) as refused:
        logs.submit(volunteer, minutes, activity=activity, now=now, today=today)
    assert refused.value.reason == reason and log_count() == 0


def test_dates_in_the_future_or_beyond_the_window_are_refused(
        make_volunteer, make_user, now, today, world):
    volunteer, neighbour = make_volunteer(), make_user(courtyard=world["courtyard2"])
    with pytest.raises(Refused, match="future_date"):
        logs.submit(volunteer, 60, neighbour=neighbour, service_date=today + timedelta(days=1),
                    now=now, today=today)
    with pytest.raises(Refused) as refused:
        logs.submit(volunteer, 60, neighbour=neighbour,
                    service_date=today - timedelta(days=91), now=now, today=today)
    assert refused.value.reason == "too_old" and "90" in refused.value.message
    assert logs.submit(volunteer, 60, neighbour=neighbour,
                       service_date=today - timedelta(days=90), now=now, today=today)


def test_only_activities_one_signed_up_for_and_once_a_day(make_volunteer, make_activity, now,
                                                          today):
    volunteer = make_volunteer()
    activity = make_activity()
    with pytest.raises(Refused, match="not_signed_up"):
        logs.submit(volunteer, 60, activity=activity, now=now, today=today)
    signed_up(volunteer, activity)
    logs.submit(volunteer, 60, activity=activity, now=now, today=today)
    with pytest.raises(Refused, match="already_logged"):
        logs.submit(volunteer, 30, activity=activity, now=now, today=today)
    assert log_count() == 1


def test_a_rejected_log_can_be_sent_again(make_volunteer, make_activity, make_user, world, now,
                                          today):
    volunteer = make_volunteer()
    worker = make_user(roles=[("community_worker", world["community"])])
    activity = signed_up(volunteer, make_activity())
    first = logs.submit(volunteer, 240, activity=activity, now=now, today=today)
    logs.reject(first, worker, "活动只有两小时", now)
    again = logs.submit(volunteer, 120, activity=activity, now=now, today=today)
    assert again.id != first.id and again.status == "pending"


def test_the_same_form_sent_twice_is_one_log(make_volunteer, make_activity, now, today):
    volunteer = make_volunteer()
    activity = signed_up(volunteer, make_activity())
    first = logs.submit(volunteer, 60, activity=activity, now=now, today=today, token="t-1")
    again = logs.submit(volunteer, 60, activity=activity, now=now, today=today, token="t-1")
    assert first.id == again.id and log_count() == 1


def test_a_future_activity_cannot_be_logged(make_volunteer, make_activity, now, today):
    volunteer = make_volunteer()
    activity = make_activity(starts=now + timedelta(days=2))
    activities.sign_up(volunteer, activity, now)
    with pytest.raises(Refused, match="before_activity"):
        logs.submit(volunteer, 60, activity=activity, now=now, today=today)


def test_helping_a_neighbour_needs_a_registered_other_person(make_volunteer, now, today):
    volunteer = make_volunteer()
    with pytest.raises(Refused, match="unknown_neighbour"):
        logs.submit(volunteer, 60, neighbour=None, now=now, today=today)
    with pytest.raises(Refused, match="self_neighbour"):
        logs.submit(volunteer, 60, neighbour=volunteer, now=now, today=today)


def test_non_volunteers_cannot_log(make_user, make_activity, now, today, world):
    resident = make_user(courtyard=world["courtyard"])
    with pytest.raises(Refused, match="not_volunteer"):
        logs.submit(resident, 60, neighbour=make_user(), now=now, today=today)


# --- approving ---

@pytest.fixture
def pending(make_volunteer, make_activity, now, today, world):
    volunteer = make_volunteer()
    activity = signed_up(volunteer, make_activity(organization=world["organization"]))
    return logs.submit(volunteer, 120, activity=activity, now=now, today=today)


def test_approval_pays_once_from_the_pool_and_counts_service(pending, make_user, world, now):
    worker = make_user(roles=[("community_worker", world["community"])])
    logs.approve(pending, worker, now)
    with pytest.raises(Refused, match="already_decided"):
        logs.approve(pending, worker, now)
    assert ledger.balance(pending.volunteer) == 120
    assert ledger.pool_account(world["community"]).balance == -120
    assert db.session.get(Volunteer, pending.volunteer_id).service_minutes == 120
    assert pending.activity.approved_minutes == 120
    month = db.session.get(MonthlyHours, (world["community"].id,
                                          pending.service_date.replace(day=1)))
    assert (month.minutes, month.logs) == (120, 1)
    assert ledger.verify() == []


@pytest.mark.parametrize("who, allowed", [
    ("worker", True), ("staff", True), ("other_worker", False), ("other_staff", False),
    ("resident", False), ("volunteer", False), ("leader", False),
])
def test_who_may_approve(pending, make_user, world, now, who, allowed):
    roles = {
        "worker": [("community_worker", world["community"])],
        "staff": [("org_staff", world["organization"])],
        "other_worker": [("community_worker", world["other_community"])],
        "other_staff": [("org_staff", world["other_organization"])],
        "leader": [("courtyard_leader", world["courtyard"])],
    }
    person = pending.volunteer if who == "volunteer" else make_user(roles=roles.get(who, []))
    assert logs.may_decide(person, pending) is allowed
    if allowed:
        logs.approve(pending, person, now)
        assert pending.status == "approved"
    else:
        with pytest.raises(Refused) as refused:
            logs.approve(pending, person, now)
        assert refused.value.reason == ("own_log" if who == "volunteer"
                                        else "not_yours_to_decide")
        assert pending.status == "pending" and ledger.balance(pending.volunteer) == 0


def test_the_neighbour_approves_help_given_to_them(make_volunteer, make_user, world, now, today):
    volunteer, neighbour = make_volunteer(), make_user(courtyard=world["courtyard2"])
    log = logs.submit(volunteer, 60, neighbour=neighbour, now=now, today=today)
    assert db.session.scalars(logs.pending_for(neighbour)).all() == [log]
    logs.approve(log, neighbour, now)
    assert ledger.balance(volunteer) == 60


def test_rejection_needs_a_reason_and_pays_nothing(pending, make_user, world, now):
    worker = make_user(roles=[("community_worker", world["community"])])
    with pytest.raises(Refused, match="reason_needed"):
        logs.reject(pending, worker, "  ", now)
    logs.reject(pending, worker, "那天没有看到您", now)
    assert pending.status == "rejected" and pending.reason == "那天没有看到您"
    assert ledger.balance(pending.volunteer) == 0


def test_approve_everyone_checked_in(make_volunteer, make_activity, make_user, world, now,
                                     today):
    activity = make_activity()
    here, absent = make_volunteer(name="到了"), make_volunteer(name="没到")
    for volunteer in (here, absent):
        signed_up(volunteer, activity)
        logs.submit(volunteer, 120, activity=activity, now=now, today=today)
    worker = make_user(roles=[("community_worker", world["community"])])
    activities.check_in(activities.sign_up_of(here, activity), worker, now)
    assert logs.approve_checked_in(activity, worker, now) == 1
    assert (ledger.balance(here), ledger.balance(absent)) == (120, 0)


def test_the_storage_cap_sends_the_excess_to_the_pool(app, pending, make_user, world, now,
                                                      monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "TIMEBANK_STORAGE_CAP_HOURS", 1)
    worker = make_user(roles=[("community_worker", world["community"])])
    logs.approve(pending, worker, now)
    assert ledger.balance(pending.volunteer) == 60
    assert db.session.scalar(select(Transfer).filter_by(kind="donate")).memo
    # Service still counts in full for stars.
    assert db.session.get(Volunteer, pending.volunteer_id).service_minutes == 120


# --- stars ---

@pytest.mark.parametrize("hours, stars, next_at, to_next", [
    (0, 0, 100, 100), (99.5, 0, 100, 0.5), (100, 1, 300, 200), (299, 1, 300, 1),
    (600, 3, 1000, 400), (1499, 4, 1500, 1), (1500, 5, None, 0), (4000, 5, None, 0),
])
def test_star_levels_follow_the_national_thresholds(hours, stars, next_at, to_next):
    progress = star_progress(int(hours * 60))
    assert (progress["stars"], progress["next_at"]) == (stars, next_at)
    assert progress["minutes_to_next"] == int(to_next * 60)
    assert 0 <= progress["percent"] <= 100


# --- sign-ups ---

def test_a_full_activity_refuses_and_a_cancelled_place_frees_a_slot(make_volunteer,
                                                                   make_activity, now):
    activity = make_activity(starts=now + timedelta(days=1), slots=1)
    first, second = make_volunteer(name="一"), make_volunteer(name="二")
    activities.sign_up(first, activity, now)
    with pytest.raises(Refused, match="activity_full"):
        activities.sign_up(second, activity, now)
    activities.cancel_sign_up(first, activity, now)
    activities.sign_up(second, activity, now)
    assert activity.signed_up == 1
    assert activities.sign_up(second, activity, now).active  # twice is once


def test_non_volunteers_and_finished_activities_refuse_sign_ups(make_user, make_volunteer,
                                                               make_activity, now):
    over = make_activity(starts=now - timedelta(days=2))
    with pytest.raises(Refused, match="not_volunteer"):
        activities.sign_up(make_user(), over, now)
    with pytest.raises(Refused, match="activity_over"):
        activities.sign_up(make_volunteer(), over, now)


# --- gifts, grants, donations ---

def test_gifts_go_to_someone_else_known_and_within_what_one_has(make_user, world):
    mother, son = make_user(name="妈妈"), make_user(name="儿子")
    ledger.move("earn", ledger.pool_account(world["community"]), ledger.person_account(son), 90)
    with pytest.raises(Refused, match="gift_to_self"):
        wallet.gift(son, son, 30, token="g1")
    with pytest.raises(Refused, match="unknown_mobile"):
        wallet.gift(son, None, 30, token="g2")
    with pytest.raises(Refused, match="insufficient"):
        wallet.gift(son, mother, 91, token="g3")
    wallet.gift(son, mother, 90, token="g4")
    wallet.gift(son, mother, 90, token="g4")  # the same form again
    assert (ledger.balance(son), ledger.balance(mother)) == (0, 90)


def test_workers_grant_pool_hours_in_their_community_only(make_user, world):
    worker = make_user(roles=[("community_worker", world["community"])])
    resident = make_user(courtyard=world["courtyard"])
    with pytest.raises(Refused, match="not_yours_to_decide"):
        wallet.grant(worker, world["other_community"], resident, 60, "困难", token="x")
    with pytest.raises(Refused, match="reason_needed"):
        wallet.grant(worker, world["community"], resident, 60, "", token="y")
    wallet.grant(worker, world["community"], resident, 60, "独居老人", token="z")
    assert ledger.balance(resident) == 60


# --- rewards ---

def test_redeeming_takes_stock_and_hours_together_or_neither(make_user, world):
    resident = make_user(courtyard=world["courtyard"])
    ledger.move("earn", ledger.pool_account(world["community"]),
                ledger.person_account(resident), 90)
    reward = Reward(community=world["community"], name="理发一次", kind="service",
                    price_minutes=60, stock=1)
    db.session.add(reward)
    db.session.flush()
    redemption = rewards.redeem(resident, reward, token="k1")
    assert len(redemption.pickup_code) == 6 and reward.stock == 0
    assert rewards.redeem(resident, reward, token="k1").id == redemption.id  # double click
    with pytest.raises(Refused, match="out_of_stock"):
        rewards.redeem(resident, reward, token="k2")
    reward.stock = 5
    with pytest.raises(Refused, match="insufficient"):
        rewards.redeem(resident, reward, token="k3")
    assert reward.stock == 5 and ledger.balance(resident) == 30


def test_service_rewards_follow_the_spending_rule(app, make_user, world, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "TIMEBANK_SPENDERS", "eligible")
    resident = make_user(courtyard=world["courtyard"])
    worker = make_user(roles=[("community_worker", world["community"])])
    ledger.move("earn", ledger.pool_account(world["community"]),
                ledger.person_account(resident), 60)
    reward = Reward(community=world["community"], name="上门助浴", kind="service",
                    price_minutes=60, stock=3)
    db.session.add(reward)
    db.session.flush()
    with pytest.raises(Refused, match="not_eligible"):
        rewards.redeem(resident, reward, token="a")
    wallet.note_spending_right(worker, resident, "age")
    assert rewards.redeem(resident, reward, token="b")


# --- help between neighbours ---

def test_help_moves_hours_only_after_both_confirm(make_user, make_volunteer, world, now, today):
    grandma = make_user(name="王奶奶", courtyard=world["courtyard"])
    helper = make_volunteer(name="小李")
    ledger.move("grant", ledger.pool_account(world["community"]),
                ledger.person_account(grandma), 120)
    request = help.ask(grandma, "帮忙把米扛上楼", 60)
    with pytest.raises(Refused, match="help_not_taken"):
        help.confirm(request, grandma, now, today)
    help.take(request, helper, now)
    with pytest.raises(Refused, match="help_not_open"):
        help.take(request, make_volunteer(name="晚到"), now)
    with pytest.raises(Refused, match="help_not_accepted"):
        help.confirm(request, helper, now, today)
    help.accept(request, grandma, now)
    help.confirm(request, grandma, now, today)
    assert ledger.balance(helper) == 0
    help.confirm(request, helper, now, today)
    assert request.status == "done"
    assert (ledger.balance(grandma), ledger.balance(helper)) == (60, 60)
    record = db.session.scalar(select(HourLog).filter_by(help_request_id=request.id))
    assert record.status == "approved" and record.minutes == 60
    assert db.session.get(Volunteer, helper.id).service_minutes == 60
    with pytest.raises(Refused, match="help_closed"):
        help.confirm(request, helper, now, today)


def test_help_requests_need_the_hours_offered(make_user, world):
    resident = make_user(courtyard=world["courtyard"])
    with pytest.raises(Refused, match="insufficient"):
        help.ask(resident, "修水龙头", 60)


# --- corrections and certificates ---

def test_an_accepted_correction_reverses_and_records_the_right_time(pending, make_user, world,
                                                                     now):
    worker = make_user(roles=[("community_worker", world["community"])])
    logs.approve(pending, worker, now)
    correction = logs.request_correction(pending, pending.volunteer, 90, "其实只有一个半小时")
    with pytest.raises(Refused, match="correction_open"):
        logs.request_correction(pending, pending.volunteer, 60, "again")
    logs.answer_correction(correction, worker, True, "已更正", now)
    assert pending.status == "corrected" and correction.new_log.minutes == 90
    assert ledger.balance(pending.volunteer) == 90
    assert db.session.get(Volunteer, pending.volunteer_id).service_minutes == 90
    assert correction.reversal_id is not None
    assert ledger.verify() == []


def test_a_refused_correction_keeps_the_record_and_the_answer(pending, make_user, world, now):
    worker = make_user(roles=[("community_worker", world["community"])])
    logs.approve(pending, worker, now)
    correction = logs.request_correction(pending, pending.volunteer, 180, "我待了三小时")
    logs.answer_correction(correction, worker, False, "签到表显示两小时", now)
    assert (correction.status, pending.status, ledger.balance(pending.volunteer)) == (
        "refused", "approved", 120)


def test_a_certificate_covers_one_issuers_approved_records(pending, make_user, world, now,
                                                           today, make_volunteer):
    staff = make_user(roles=[("org_staff", world["organization"])])
    logs.approve(pending, staff, now)
    neighbour = make_user(courtyard=world["courtyard"])
    other = logs.submit(pending.volunteer, 60, neighbour=neighbour, now=now, today=today)
    logs.approve(other, neighbour, now)
    found = {issuer: minutes for issuer, minutes, _n in certificates.issuers(pending.volunteer)}
    assert found == {world["organization"]: 120, world["community"]: 60}
    certificate = certificates.issue(pending.volunteer, world["organization"], now)
    assert certificate.total_minutes == 120 and certificate.number.startswith("LL")
    assert certificates.records(certificate) == [pending]
    with pytest.raises(Refused, match="no_records"):
        certificates.issue(pending.volunteer, world["other_organization"], now)


def test_only_who_may_answer_a_correction_finds_it_in_the_queue(pending, make_user, world, now):
    """The SQL list agrees with ``may_answer_correction`` for every kind of person."""
    worker = make_user(roles=[("community_worker", world["community"])])
    logs.approve(pending, worker, now)
    correction = logs.request_correction(pending, pending.volunteer, 90, "其实只有一个半小时")
    people = {
        "worker": worker,
        "staff of the organiser": make_user(roles=[("org_staff", world["organization"])]),
        "worker elsewhere": make_user(roles=[("community_worker", world["other_community"])]),
        "staff elsewhere": make_user(roles=[("org_staff", world["other_organization"])]),
        "courtyard worker": make_user(roles=[("community_worker", world["courtyard"])]),
        "resident": make_user(courtyard=world["courtyard"]),
        "the volunteer": pending.volunteer,
    }
    for who, person in people.items():
        listed = db.session.scalars(logs.open_corrections_for(person)).unique().all()
        expected = [correction] if logs.may_answer_correction(person, pending) else []
        assert listed == expected, who
    # The activity is held at the courtyard: a worker there organises it.
    assert [p for p in people if db.session.scalars(logs.open_corrections_for(
        people[p])).unique().all()] == ["worker", "staff of the organiser", "courtyard worker"]


def test_the_pending_queue_lists_what_each_person_may_decide(pending, make_user, world):
    """The SQL queue agrees with ``may_decide`` for every kind of person."""
    people = [make_user(roles=[("community_worker", world["community"])]),
              make_user(roles=[("org_staff", world["organization"])]),
              make_user(roles=[("community_worker", world["other_community"])]),
              make_user(roles=[("org_staff", world["other_organization"])]),
              make_user(roles=[("community_worker", world["courtyard"])]),
              make_user(courtyard=world["courtyard"]), pending.volunteer]
    for person in people:
        listed = db.session.scalars(logs.pending_for(person)).all()
        assert listed == ([pending] if logs.may_decide(person, pending) else []), person.name


@pytest.mark.parametrize("sent, read", [
    ("activity:12", Pick("activity", 12)), ("neighbour", Pick("neighbour")),
    ("organization:3", Pick("organization", 3))])
def test_a_choice_value_is_read_into_a_kind_and_an_id(sent, read):
    assert Pick.read(sent) == read and str(read) == sent


@pytest.mark.parametrize("sent", ["a12", "activity:", "activity:-1", "activity:１２",
                                  "activity:99999999999", ":12", "活动:1", ""])
def test_a_forged_choice_value_is_not_read(sent):
    with pytest.raises(ValueError):
        Pick.read(sent)
