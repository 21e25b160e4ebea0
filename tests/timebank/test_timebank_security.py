"""Holes an outside probe found in the time bank (issue 8), one section each: hours minted
through a fake neighbour, help requests open to anyone, 500s on bad input, and spreadsheet
formulas in CSV exports."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.places.tree import add_place
from portal.refusals import Refused
from portal.spreadsheet import safe_cell
from portal.timebank import activities, help, ledger, logs
from portal.timebank.models import (
    CorrectionRequest,
    HourLog,
    MonthlyHours,
    Reward,
    Volunteer,
)
from portal.timeutil import local_today, utcnow
from tests.helpers import text


@pytest.fixture
def caps(app):
    """(per day, per pair and month) in minutes, as configured."""
    settings = app.config["PORTAL"]
    return (settings["TIMEBANK_NEIGHBOUR_DAY_CAP_HOURS"] * 60,
            settings["TIMEBANK_NEIGHBOUR_PAIR_MONTH_CAP_HOURS"] * 60)


@pytest.fixture
def far_away(make_user):
    """A new account in another city, the probe's fake neighbour."""
    city = add_place("city", "郑州市")
    district = add_place("district", "金水区", city)
    street = add_place("street", "经八路街道", district)
    community = add_place("community", "商城路社区", street)
    courtyard = add_place("courtyard", "商城路9号院", community)
    db.session.commit()
    return make_user(name="假邻居", courtyard=courtyard)


def give(user, world, minutes):
    ledger.move("grant", ledger.pool_account(world["community"]), ledger.person_account(user),
                minutes)
    db.session.commit()


def count(model, **where):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def last_month_days(today, n):
    """``n`` days of last month (inside the logging window, none in the future)."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return [first + timedelta(days=i) for i in range(n)]


# --- 3. minting hours through a fake neighbour ---

@pytest.mark.parametrize("who", ["other_city", "other_community", "no_courtyard"])
def test_a_neighbour_outside_the_volunteers_community_cannot_approve(
        volunteer, far_away, make_user, world, worker, now, today, who):
    neighbour = {"other_city": far_away,
                 "other_community": make_user(courtyard=world["other_courtyard"]),
                 "no_courtyard": make_user()}[who]
    log = logs.submit(volunteer, 60, neighbour=neighbour, now=now, today=today)
    # The hours would come from the volunteer's own community, and its workers decide.
    assert log.community_id == world["community"].id
    assert not logs.may_decide(neighbour, log)
    assert log not in db.session.scalars(logs.pending_for(neighbour)).all()
    with pytest.raises(Refused, match="not_yours_to_decide"):
        logs.approve(log, neighbour, now)
    assert log.status == "pending" and ledger.balance(volunteer) == 0
    assert logs.may_decide(worker, log)
    logs.approve(log, worker, now)
    assert ledger.balance(volunteer) == 60


def test_a_fake_neighbour_cannot_approve_over_http(client, login, volunteer, far_away, now,
                                                   today):
    log = logs.submit(volunteer, 60, neighbour=far_away, now=now, today=today)
    db.session.commit()
    login(far_away)
    assert "李志鹏" not in text(client.get("/timebank/approvals"))
    assert client.submit(f"/timebank/logs/{log.id}/approve").status_code == 403
    db.session.refresh(log)
    assert log.status == "pending" and ledger.balance(volunteer) == 0


def test_help_to_neighbours_is_capped_per_day(volunteer, make_user, world, caps, now, today):
    day_cap, _pair = caps
    neighbour, another = (make_user(courtyard=world["courtyard2"]),
                          make_user(courtyard=world["courtyard"]))
    with pytest.raises(Refused) as refused:
        logs.submit(volunteer, day_cap + 30, neighbour=neighbour, now=now, today=today)
    assert refused.value.reason == "neighbour_day_cap"
    assert str(day_cap // 60) in refused.value.message
    logs.submit(volunteer, day_cap - 30, neighbour=neighbour, now=now, today=today)
    with pytest.raises(Refused, match="neighbour_day_cap"):
        logs.submit(volunteer, 60, neighbour=another, now=now, today=today)
    logs.submit(volunteer, 30, neighbour=another, now=now, today=today)  # exactly the cap
    yesterday = today - timedelta(days=1)
    assert logs.submit(volunteer, 60, neighbour=another, service_date=yesterday, now=now,
                       today=today)


def test_help_to_the_same_neighbour_is_capped_per_month(volunteer, make_user, world, caps, now,
                                                        today):
    day_cap, pair_cap = caps
    neighbour, another = (make_user(courtyard=world["courtyard2"]),
                          make_user(courtyard=world["courtyard"]))
    days = last_month_days(today, pair_cap // day_cap + 2)
    for day in days[:pair_cap // day_cap]:
        logs.submit(volunteer, day_cap, neighbour=neighbour, service_date=day, now=now,
                    today=today)
    with pytest.raises(Refused) as refused:
        logs.submit(volunteer, 30, neighbour=neighbour, service_date=days[-1], now=now,
                    today=today)
    assert refused.value.reason == "neighbour_pair_cap"
    assert str(pair_cap // 60) in refused.value.message
    # Rejected records do not count; another neighbour is another pair.
    assert logs.submit(volunteer, 30, neighbour=another, service_date=days[-1], now=now,
                       today=today)


def test_the_log_form_says_plainly_when_help_is_over_the_cap(client, login, volunteer,
                                                             make_user, world, caps):
    day_cap, _pair = caps
    neighbour = make_user(courtyard=world["courtyard2"])
    login(volunteer)
    response = client.submit("/timebank/me/log", {
        "what": "neighbour", "neighbour": neighbour.mobile, "minutes": str(day_cap + 30),
        "token": "over-cap", "note": "陪护"})
    assert response.status_code == 422
    assert f"帮助邻居每天最多登记 {day_cap // 60} 小时" in text(response)
    assert "陪护" in text(response)  # what was typed is kept
    assert count(HourLog) == 0


def test_a_neighbour_cannot_approve_more_than_the_cap_a_worker_can(volunteer, make_user, world,
                                                                   worker, caps, now, today):
    day_cap, _pair = caps
    neighbour = make_user(courtyard=world["courtyard2"])
    # Records written before the caps existed (the probe's three times 12 hours).
    old = [HourLog(volunteer=volunteer, neighbour=neighbour, community=world["community"],
                   service_date=today, minutes=720, created_at=now) for _ in range(3)]
    small = HourLog(volunteer=volunteer, neighbour=neighbour, community=world["community"],
                    service_date=today, minutes=day_cap, created_at=now)
    db.session.add_all([*old, small])
    db.session.flush()
    logs.approve(small, neighbour, now)
    with pytest.raises(Refused) as refused:
        logs.approve(old[0], neighbour, now)
    assert refused.value.reason == "neighbour_cap"
    assert old[0].status == "pending" and ledger.balance(volunteer) == day_cap
    logs.approve(old[0], worker, now)
    assert ledger.balance(volunteer) == day_cap + 720


@pytest.fixture
def neighbour_approved(volunteer, make_user, world, now, today):
    neighbour = make_user(name="王奶奶", courtyard=world["courtyard2"])
    log = logs.submit(volunteer, 120, neighbour=neighbour, now=now, today=today)
    logs.approve(log, neighbour, now)
    db.session.commit()
    return log


def test_workers_see_neighbour_approvals_and_reverse_one_once(neighbour_approved, worker,
                                                              volunteer, world, now):
    log = neighbour_approved
    assert db.session.scalars(logs.neighbour_approved_for(worker)).all() == [log]
    pool = ledger.pool_account(world["community"])
    assert (ledger.balance(volunteer), pool.balance) == (120, -120)
    logs.reverse_neighbour_approval(log, worker, "邻居不在本社区", now)
    db.session.refresh(pool)
    assert (ledger.balance(volunteer), pool.balance) == (0, 0)
    assert log.status == "reversed" and log.reviewed_by_id == worker.id
    assert log.reviewed_at is not None
    assert db.session.get(Volunteer, volunteer.id).service_minutes == 0
    month = db.session.get(MonthlyHours, (world["community"].id,
                                          log.service_date.replace(day=1)))
    assert (month.minutes, month.logs) == (0, 0)
    assert count(AuditEntry, action="timebank.neighbour.reverse", subject_id=log.id) == 1
    with pytest.raises(Refused, match="already_reviewed"):
        logs.reverse_neighbour_approval(log, worker, "again", now)
    assert ledger.balance(volunteer) == 0 and ledger.verify() == []
    # Still listed, marked as reversed.
    assert db.session.scalars(logs.neighbour_approved_for(worker)).all() == [log]


def test_only_workers_of_the_community_review_neighbour_approvals(neighbour_approved, make_user,
                                                                  world, volunteer, now):
    log = neighbour_approved
    for person in (log.neighbour, volunteer,
                   make_user(roles=[("community_worker", world["other_community"])]),
                   make_user(roles=[("org_staff", world["organization"])])):
        assert db.session.scalars(logs.neighbour_approved_for(person)).all() == []
        with pytest.raises(Refused, match="not_yours_to_decide"):
            logs.reverse_neighbour_approval(log, person, "x", now)
        with pytest.raises(Refused, match="not_yours_to_decide"):
            logs.mark_reviewed(log, person, now)
    assert log.status == "approved" and ledger.balance(volunteer) == 120


def test_a_worker_marks_a_neighbour_approval_as_checked(neighbour_approved, worker, now):
    logs.mark_reviewed(neighbour_approved, worker, now)
    assert neighbour_approved.reviewed_by_id == worker.id
    assert neighbour_approved.status == "approved"
    with pytest.raises(Refused, match="already_reviewed"):
        logs.mark_reviewed(neighbour_approved, worker, now)


def test_a_neighbour_cannot_grow_a_record_through_a_correction(neighbour_approved, worker,
                                                               volunteer, now):
    correction = logs.request_correction(neighbour_approved, volunteer, 720, "其实是12小时")
    with pytest.raises(Refused, match="not_yours_to_decide"):
        logs.answer_correction(correction, neighbour_approved.neighbour, True, "好", now)
    assert ledger.balance(volunteer) == 120 and correction.status == "open"
    logs.answer_correction(correction, worker, False, "只有两小时", now)
    assert correction.status == "refused"


def test_a_reversed_record_cannot_then_be_corrected(neighbour_approved, worker, volunteer, now):
    correction = logs.request_correction(neighbour_approved, volunteer, 60, "只有一小时")
    logs.reverse_neighbour_approval(neighbour_approved, worker, "不属实", now)
    with pytest.raises(Refused, match="not_correctable"):
        logs.answer_correction(correction, worker, True, "更正", now)
    assert ledger.balance(volunteer) == 0 and ledger.verify() == []
    assert db.session.get(Volunteer, volunteer.id).service_minutes == 0


def test_spent_hours_cannot_be_reversed(neighbour_approved, worker, volunteer, world, now):
    ledger.move("donate", ledger.person_account(volunteer), ledger.pool_account(
        world["community"]), 120)
    with pytest.raises(Refused, match="spent"):
        logs.reverse_neighbour_approval(neighbour_approved, worker, "x", now)
    assert neighbour_approved.status == "approved"
    assert neighbour_approved.reviewed_at is None


def test_neighbour_approvals_are_reviewed_over_http(client, login, neighbour_approved, worker,
                                                    make_user, world, volunteer):
    log = neighbour_approved
    login(worker)
    page = text(client.get("/timebank/approvals"))
    assert "邻居确认的服务" in page and f"/timebank/logs/{log.id}/reverse" in page
    response = client.submit(f"/timebank/logs/{log.id}/reverse", {f"rev{log.id}-reason": ""})
    assert response.status_code == 422 and "请说明原因" in text(response)
    assert client.submit(f"/timebank/logs/{log.id}/reverse",
                         {f"rev{log.id}-reason": "核实后不属实"}).status_code == 303
    db.session.refresh(log)
    assert log.status == "reversed" and ledger.balance(volunteer) == 0
    page = text(client.get("/timebank/neighbour-approvals"))
    assert "社区已撤销" in page and "核实后不属实" in page
    again = client.submit(f"/timebank/logs/{log.id}/reverse", {f"rev{log.id}-reason": "x"})
    assert again.status_code == 303 and ledger.balance(volunteer) == 0
    login(make_user(roles=[("community_worker", world["other_community"])]))
    assert client.submit(f"/timebank/logs/{log.id}/reviewed").status_code == 403
    login(log.neighbour)
    assert client.submit(f"/timebank/logs/{log.id}/reverse",
                         {f"rev{log.id}-reason": "x"}).status_code == 403


# --- 7. help requests only for volunteers of the asker's community ---

@pytest.fixture
def grandma(make_user, world):
    grandma = make_user(name="张桂芳", courtyard=world["courtyard"], mobile="13722220006")
    give(grandma, world, 120)
    return grandma


@pytest.fixture
def asked(grandma):
    request = help.ask(grandma, "扛米上楼", 60)
    db.session.commit()
    return request


@pytest.mark.parametrize("who, allowed", [
    ("same_community", True), ("other_community", False), ("no_courtyard", False),
    ("serving_org_volunteer", True), ("serving_org_staff", True),
    ("other_org_volunteer", False), ("other_city", False),
])
def test_only_volunteers_of_the_askers_community_may_take_help(
        asked, make_volunteer, make_user, world, far_away, now, who, allowed):
    def joined(user):
        activities.join(user)
        return user

    people = {
        "same_community": lambda: make_volunteer(courtyard=world["courtyard2"]),
        "other_community": lambda: make_volunteer(courtyard=world["other_courtyard"]),
        "no_courtyard": lambda: joined(make_user()),
        "serving_org_volunteer": lambda: make_volunteer(
            courtyard=world["other_courtyard"], roles=[("volunteer", world["organization"])]),
        "serving_org_staff": lambda: make_volunteer(
            courtyard=world["other_courtyard"], roles=[("org_staff", world["organization"])]),
        "other_org_volunteer": lambda: make_volunteer(
            courtyard=world["other_courtyard"],
            roles=[("volunteer", world["other_organization"])]),
        "other_city": lambda: joined(far_away),
    }
    helper = people[who]()
    assert help.may_take(helper, asked) is allowed
    if allowed:
        help.take(asked, helper, now)
        assert asked.helper_id == helper.id
    else:
        with pytest.raises(Refused, match="help_elsewhere"):
            help.take(asked, helper, now)
        assert asked.status == "open" and asked.helper_id is None


def test_an_outsider_cannot_take_help_over_http(client, login, asked, make_volunteer, world):
    outsider = make_volunteer(name="外人", courtyard=world["other_courtyard"])
    login(outsider)
    page = text(client.get(f"/timebank/help/{asked.id}"))
    assert f"/timebank/help/{asked.id}/take" not in page and "张桂芳" not in page
    response = client.submit(f"/timebank/help/{asked.id}/take")
    assert response.status_code == 422 and "草堂路社区" in text(response)
    assert "13722220006" not in text(response) and "张桂芳" not in text(response)
    db.session.refresh(asked)
    assert asked.status == "open" and asked.helper_id is None


def test_contact_details_show_only_once_the_asker_accepts(client, login, asked, grandma,
                                                         volunteer, now):
    login(volunteer)
    taken = client.submit(f"/timebank/help/{asked.id}/take")
    assert taken.status_code == 303
    page = text(client.get(taken.headers["Location"]))
    assert "张**" in page
    assert "张桂芳" not in page and "13722220006" not in page
    # Nothing is done before the asker has accepted the helper.
    response = client.submit(f"/timebank/help/{asked.id}/confirm")
    assert response.status_code == 422
    login(grandma)
    page = text(client.get(f"/timebank/help/{asked.id}"))
    assert f"/timebank/help/{asked.id}/accept" in page and "李**" in page
    assert volunteer.mobile not in page
    assert client.submit(f"/timebank/help/{asked.id}/accept").status_code == 303
    assert volunteer.mobile in text(client.get(f"/timebank/help/{asked.id}"))
    login(volunteer)
    page = text(client.get(f"/timebank/help/{asked.id}"))
    assert "张桂芳" in page and "13722220006" in page
    client.submit(f"/timebank/help/{asked.id}/confirm")
    login(grandma)
    client.submit(f"/timebank/help/{asked.id}/confirm")
    db.session.refresh(asked)
    assert asked.status == "done" and ledger.balance(volunteer) == 60


def test_only_the_asker_accepts(asked, volunteer, make_volunteer, now):
    help.take(asked, volunteer, now)
    for person in (volunteer, make_volunteer(name="路人")):
        with pytest.raises(Refused, match="not_part_of_help"):
            help.accept(asked, person, now)
    assert asked.accepted_at is None


def test_the_asker_releases_a_helper_and_the_request_is_open_again(
        client, login, asked, grandma, volunteer, make_volunteer, world, now):
    help.take(asked, volunteer, now)
    help.accept(asked, grandma, now)
    db.session.commit()
    login(volunteer)  # only the asker releases: anyone else is refused before any work
    assert client.submit(f"/timebank/help/{asked.id}/release").status_code == 403
    login(grandma)
    assert client.submit(f"/timebank/help/{asked.id}/release").status_code == 303
    db.session.refresh(asked)
    assert (asked.status, asked.helper_id, asked.accepted_at) == ("open", None, None)
    assert count(AuditEntry, action="timebank.help.release") == 1
    login(volunteer)
    assert "13722220006" not in text(client.get(f"/timebank/help/{asked.id}"))
    other = make_volunteer(name="真帮手", courtyard=world["courtyard2"])
    help.take(asked, other, now)
    assert asked.helper_id == other.id and asked.accepted_at is None


# --- 8. bad input is a plain message (422), never a 500, and nothing is written ---

WS, BIG, NAN, NEG, LONG = " \t  ", "1e999999", "NaN", "-1", "9" * 10_000
ALL = (WS, BIG, NAN, NEG, LONG)
TYPED = (BIG, NAN, NEG, LONG)  # an optional number, date or time: blank is allowed
TEXT = (WS, LONG)  # required text
LONG_ONLY = (LONG,)  # optional text
ENGLISH = ("Not a valid", "This field is required", "Invalid ", "must be between")
MESSAGES = re.compile(
    r'<span class="field-error"[^>]*>(?:<span class="visually-hidden">[^<]*</span>)?(.*?)'
    r'</span>|<div class="notice error"[^>]*><p>(.*?)</p>', re.S)


def all_rows():
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)


def messages_of(page):
    """The error messages on a page: beside fields, in the summary, in notices."""
    found = [a or b for a, b in MESSAGES.findall(page)]
    for summary in SUMMARY.findall(page):
        found += re.findall(r"<li>(.*?)</li>", summary, re.S)
    return [re.sub(r"<[^>]+>", "", message).strip() for message in found]


@pytest.fixture
def forms(world, make_user, make_volunteer, make_activity, worker, volunteer):
    """Every time-bank form: who sends it, where, good data, and the bad values each field
    must turn away."""
    activity = make_activity(organization=world["organization"])
    activities.sign_up(volunteer, activity, utcnow() - timedelta(hours=3))
    second = make_activity(title="第二次", length=timedelta(days=2))
    activities.sign_up(volunteer, second, utcnow() - timedelta(hours=3))
    neighbour = make_user(courtyard=world["courtyard2"])
    pending = logs.submit(volunteer, 60, activity=second, now=utcnow(), today=local_today())
    approved = logs.submit(volunteer, 120, activity=activity, now=utcnow(),
                           today=local_today())
    logs.approve(approved, worker, utcnow())
    correction_log = logs.submit(volunteer, 30, neighbour=neighbour, now=utcnow(),
                                 today=local_today())
    logs.approve(correction_log, worker, utcnow())
    correction = logs.request_correction(correction_log, volunteer, 60, "多了")
    resident = make_user(courtyard=world["courtyard"], mobile="13722223333")
    give(resident, world, 600)
    reward = Reward(community=world["community"], name="大米一袋", price_minutes=60, stock=3)
    db.session.add(reward)
    db.session.commit()
    community = world["community"].id
    c, r = f"c{correction.id}", f"log{pending.id}"
    return {
        "log": (volunteer, "/timebank/me/log",
                {"what": f"activity:{activity.id}", "quick": "120", "token": "tok",
                 "note": "扫院坝"},
                {"what": ALL, "quick": ALL, "minutes": TYPED, "service_date": TYPED,
                 "note": LONG_ONLY, "token": LONG_ONLY}),
        "log_neighbour": (volunteer, "/timebank/me/log",
                          {"what": "neighbour", "neighbour": neighbour.mobile, "quick": "60",
                           "token": "tok2"},
                          {"neighbour": ALL}),
        "gift": (resident, "/timebank/gift",
                 {"mobile": volunteer.mobile, "hours": "1", "token": "g", "confirmed": "yes"},
                 {"mobile": ALL, "hours": ALL, "token": LONG_ONLY}),
        "donate": (resident, "/timebank/donate", {"hours": "1", "token": "d"}, {"hours": ALL}),
        "help": (resident, "/timebank/help/new", {"title": "扛米上楼", "hours": "1"},
                 {"title": TEXT, "details": LONG_ONLY, "wanted_on": TYPED,
                  "when_text": LONG_ONLY, "hours": ALL}),
        "correction": (volunteer, f"/timebank/logs/{approved.id}/correction",
                       {"hours": "1", "explanation": "只有一小时"},
                       {"hours": ALL, "explanation": TEXT}),
        "activity": (worker, "/timebank/activities/new",
                     {"title": "楼道大扫除", "description": "打扫楼道。", "organiser": "community",
                      "place": str(world["courtyard"].id),
                      "day": (local_today() + timedelta(days=3)).isoformat(),
                      "starts": "09:00", "ends": "11:00", "slots": "8", "hours": "2"},
                     {"title": TEXT, "description": TEXT, "organiser": ALL, "place": ALL,
                      "point": TYPED, "location": LONG_ONLY, "day": ALL, "starts": ALL,
                      "ends": ALL, "slots": ALL, "hours": ALL}),
        "reward": (worker, f"/timebank/community/{community}/rewards",
                   {"name": "理发", "kind": "service", "hours": "2", "stock": "3"},
                   {"name": TEXT, "description": LONG_ONLY, "kind": ALL, "hours": ALL,
                    "stock": ALL}),
        "stock": (worker, f"/timebank/rewards/{reward.id}/stock", {"stock": "5"},
                  {"stock": ALL}),
        "grant": (worker, f"/timebank/community/{community}/grant",
                  {"mobile": resident.mobile, "hours": "2", "reason": "独居", "token": "gr"},
                  {"mobile": ALL, "hours": ALL, "reason": TEXT}),
        "spending_right": (worker, f"/timebank/community/{community}/spending-right",
                           {"mobile": resident.mobile, "reason": "age"},
                           {"mobile": ALL, "reason": ALL}),
        "answer": (worker, f"/timebank/corrections/{correction.id}",
                   {f"{c}-decision": "accept", f"{c}-answer": "已更正"},
                   {f"{c}-decision": ALL, f"{c}-answer": TEXT}),
        "reject": (worker, f"/timebank/logs/{pending.id}/reject", {f"{r}-reason": "没看到"},
                   {f"{r}-reason": TEXT}),
        "join": (resident, "/timebank/join", {"consent": "y"},
                 {"skills": LONG_ONLY, "availability": LONG_ONLY}),
        "certificate": (volunteer, "/timebank/certificates",
                        {"issuer": f"organization:{world['organization'].id}"}, {"issuer": ALL}),
        "export": (worker, "GET /timebank/export", {"scope": f"place:{community}"},
                   {"scope": ALL, "first": TYPED, "last": TYPED}),
    }


FORM_NAMES = ["log", "log_neighbour", "gift", "donate", "help", "correction", "activity",
              "reward", "stock", "grant", "spending_right", "answer", "reject", "join",
              "certificate", "export"]


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_form_turns_bad_input_away_plainly(client, login, forms, name):
    who, path, good, bad = forms[name]
    login(who)
    problems = []
    for field, values in bad.items():
        for value in values:
            label = f"{field}={value[:12]!r}"
            before = all_rows()
            stock = db.session.scalar(select(Reward.stock))
            data = {**good, field: value}
            try:
                if path.startswith("GET "):
                    response = client.get(path[4:], query_string=data)
                else:
                    response = client.submit(path, data, headers={"Accept-Language": "zh-CN"})
            except Exception as error:  # a 500 in production
                db.session.rollback()
                problems.append(f"{label}: {type(error).__name__}: {str(error)[:80]}")
                continue
            page = text(response)
            found = messages_of(page)
            if response.status_code != 422:
                problems.append(f"{label}: status {response.status_code}")
            elif not found or not all(re.search(r"[\u4e00-\u9fff]", m) for m in found):
                problems.append(f"{label}: no Chinese message: {found!r}")
            elif any(word in page for word in ENGLISH):
                problems.append(f"{label}: English message")
            if all_rows() != before or db.session.scalar(select(Reward.stock)) != stock:
                problems.append(f"{label}: something was written")
    assert problems == []


def test_the_correction_answer_form_keeps_the_correction_open(client, login, forms, worker):
    login(worker)
    correction = db.session.scalar(select(CorrectionRequest))
    response = client.submit(f"/timebank/corrections/{correction.id}",
                             {f"c{correction.id}-decision": "accept"})
    assert response.status_code == 422 and "请说明原因" in text(response)
    db.session.refresh(correction)
    assert correction.status == "open"


# --- 10. spreadsheet formulas in exports ---

@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+86 138", "'+86 138"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("张桂芳", "张桂芳"), ("a=b", "a=b"), ("", ""), (120, 120), (-3, -3), (1.5, 1.5),
    (None, None), (True, True),
])
def test_safe_cell_neutralises_formulas_and_keeps_numbers(value, cell):
    assert safe_cell(value) == cell


def test_the_service_record_export_neutralises_formulas(client, login, worker, make_volunteer,
                                                       make_user, world, now, today):
    volunteer = make_volunteer(name="=HYPERLINK(\"http://evil\",\"点我\")")
    neighbour = make_user(name="@邻居", courtyard=world["courtyard2"])
    log = logs.submit(volunteer, 60, neighbour=neighbour, note="+1+1", now=now, today=today)
    logs.reject(log, worker, "-请重新登记", now)
    db.session.commit()
    login(worker)
    response = client.get(f"/timebank/export?scope=place:{world['community'].id}")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    row = rows[1]
    assert row[1] == "'=HYPERLINK(\"http://evil\",\"点我\")"
    assert row[-1] == "'-请重新登记"
    assert row[7] == "60"  # numbers stay numbers
    assert not any(cell and cell[0] in "=+-@\t\r" for r in rows for cell in r)
    # In the spreadsheet the same text is kept as typed, stored as text: never a formula.
    book = client.get(f"/timebank/export?scope=place:{world['community'].id}&format=xlsx")
    cells = list(load_workbook(io.BytesIO(book.get_data())).active.iter_rows())[1]
    assert cells[1].value == "=HYPERLINK(\"http://evil\",\"点我\")"
    assert all(cell.data_type != "f" for cell in cells)
