"""City-scale time bank for `make bench`: ~20,000 volunteers, ~20,000 activities over the past
year and ~2,000,000 hour logs with their ledger entries (DESIGN.md § 6), scaled by ``scale``.

Rows go in with bulk inserts (tools/citygen.py's ``insert_rows``); balances, service minutes and
monthly totals are derived from them, so `flask timebank verify` holds on the generated books
too.
"""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from portal.places.models import Place
from portal.timebank.models import (
    Account,
    Activity,
    Entry,
    HelpRequest,
    HourLog,
    MonthlyHours,
    SignUp,
    Transfer,
    Volunteer,
)
from portal.timeutil import utcnow
from tools.citygen import commit, insert_rows, update_rows

VOLUNTEERS_PER_COMMUNITY = 200
ACTIVITIES_PER_COMMUNITY = 200
LOGS_PER_ACTIVITY = 100
BATCH = 20_000  # hour logs held before they are written


def _next_id(session, model):
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def _flush(session, model, rows):
    insert_rows(session, model, rows)
    rows.clear()


def generate(session, city, scale=1.0, seed=2026):
    """Insert the time bank; return {"volunteers": {community: [user ids]}, "activities":
    {community: [activity ids]}} for choosing pages to time."""
    rng = random.Random(seed)
    today = date.today()
    now = utcnow().replace(microsecond=0)
    per_community = max(1, round(VOLUNTEERS_PER_COMMUNITY * min(1.0, scale * 100)))
    by_community = defaultdict(list)
    for n, user_id in enumerate(city.user_ids):
        community = city.courtyards[n % len(city.courtyards)][1]
        if len(by_community[community]) < per_community:
            by_community[community].append(user_id)
    courtyards_of = defaultdict(list)
    for courtyard_id, community_id, _lat, _lon in city.courtyards:
        courtyards_of[community_id].append(courtyard_id)

    _flush(session, Volunteer, [
        {"user_id": u, "community_id": c, "skills": "", "availability": "", "consented_at": now,
         "service_minutes": 0} for c, users in by_community.items() for u in users])
    next_account = _next_id(session, Account)
    accounts, pools, people = [], {}, {}
    for community_id, users in by_community.items():
        pools[community_id] = next_account
        accounts.append({"id": next_account, "kind": "pool", "place_id": community_id,
                         "balance": 0})
        next_account += 1
        for user_id in users:
            people[user_id] = next_account
            accounts.append({"id": next_account, "kind": "person", "user_id": user_id,
                             "balance": 0})
            next_account += 1
    _flush(session, Account, accounts)

    activity_id, log_id = _next_id(session, Activity), _next_id(session, HourLog)
    transfer_id, entry_id = _next_id(session, Transfer), _next_id(session, Entry)
    balances = defaultdict(int)
    monthly = defaultdict(lambda: [0, 0])  # (community, first of the month) -> [minutes, logs]
    activity_rows, signup_rows, log_rows, transfer_rows, entry_rows = [], [], [], [], []
    made = {"volunteers": by_community, "activities": defaultdict(list)}
    for community_id, users in by_community.items():
        worker = city.worker_ids[community_id]
        # The past year's activities, oldest first (so running balances come out in order),
        # and a few coming ones.
        days = sorted(rng.randrange(-365, 14) for _ in range(ACTIVITIES_PER_COMMUNITY))
        for offset in days:
            day = today + timedelta(days=offset)
            starts = datetime.combine(day, datetime.min.time()) + timedelta(hours=1)
            minutes = rng.choice((60, 90, 120, 180))
            volunteers = rng.sample(users, min(len(users), LOGS_PER_ACTIVITY))
            approved_minutes = 0
            for volunteer in volunteers:
                signup_rows.append({"activity_id": activity_id, "user_id": volunteer,
                                    "created_at": starts - timedelta(days=3)})
                if offset >= 0:
                    continue
                roll = rng.random()
                status = "approved" if roll < 0.95 else "pending" if roll < 0.98 else "rejected"
                decided = starts + timedelta(days=1)
                log_rows.append({
                    "id": log_id, "volunteer_id": volunteer, "activity_id": activity_id,
                    "community_id": community_id, "service_date": day, "minutes": minutes,
                    "note": "", "status": status, "created_at": starts + timedelta(hours=4),
                    "decided_by_id": worker if status != "pending" else None,
                    "decided_at": decided if status != "pending" else None,
                    "reason": "未签到" if status == "rejected" else ""})
                if status == "approved":
                    approved_minutes += minutes
                    total = monthly[(community_id, day.replace(day=1))]
                    total[0] += minutes
                    total[1] += 1
                    balances[pools[community_id]] -= minutes
                    balances[people[volunteer]] += minutes
                    transfer_rows.append({"id": transfer_id, "kind": "earn",
                                          "created_at": decided, "actor_id": worker,
                                          "key": f"earn:{log_id}", "memo": "",
                                          "hour_log_id": log_id})
                    entry_rows += [
                        {"id": entry_id, "transfer_id": transfer_id,
                         "account_id": pools[community_id], "amount": -minutes,
                         "balance_after": balances[pools[community_id]]},
                        {"id": entry_id + 1, "transfer_id": transfer_id,
                         "account_id": people[volunteer], "amount": minutes,
                         "balance_after": balances[people[volunteer]]}]
                    transfer_id += 1
                    entry_id += 2
                log_id += 1
            activity_rows.append({
                "id": activity_id, "title": f"第{activity_id}次院落服务",
                "description": "清扫、助老",
                "place_id": rng.choice(courtyards_of[community_id]), "location": "",
                "community_id": community_id, "organization_id": None, "starts_at": starts,
                "ends_at": starts + timedelta(minutes=minutes), "slots": LOGS_PER_ACTIVITY + 20,
                "signed_up": len(volunteers), "minutes": minutes, "cancelled": False,
                "created_by_id": worker, "created_at": starts - timedelta(days=7),
                "approved_minutes": approved_minutes})
            made["activities"][community_id].append(activity_id)
            activity_id += 1
            if len(log_rows) >= BATCH:
                _flush(session, Activity, activity_rows)
                _flush(session, SignUp, signup_rows)
                _flush(session, HourLog, log_rows)
                _flush(session, Transfer, transfer_rows)
                _flush(session, Entry, entry_rows)
    _flush(session, Activity, activity_rows)
    _flush(session, SignUp, signup_rows)
    _flush(session, HourLog, log_rows)
    _flush(session, Transfer, transfer_rows)
    _flush(session, Entry, entry_rows)
    _derive_totals(session, balances, monthly)
    _help_requests(session, rng, by_community, now)
    commit(session)
    return made


def _derive_totals(session, balances, monthly):
    update_rows(session, Account, [{"id": account_id, "balance": balance}
                                   for account_id, balance in balances.items()])
    # One UPDATE ... FROM (the approved minutes per volunteer), not one per volunteer.
    served = (select(HourLog.volunteer_id, func.sum(HourLog.minutes).label("minutes"))
              .where(HourLog.status == "approved").group_by(HourLog.volunteer_id).subquery())
    volunteers = Volunteer.__table__
    session.execute(volunteers.update().where(volunteers.c.user_id == served.c.volunteer_id)
                    .values(service_minutes=served.c.minutes))
    _flush(session, MonthlyHours, [
        {"community_id": c, "month": m, "minutes": t[0], "logs": t[1]}
        for (c, m), t in monthly.items()])


def _help_requests(session, rng, by_community, now):
    rows = []
    for community_id, users in by_community.items():
        for n in range(10):
            rows.append({"requester_id": rng.choice(users), "community_id": community_id,
                         "title": f"帮忙搬东西{n}", "details": "", "when_text": "周末",
                         "minutes": 60, "status": "open", "created_at": now})
    _flush(session, HelpRequest, rows)


def bench_pages(session, city, scale):
    """Generate the time bank and return the pages to time (see tools/bench.py)."""
    made = generate(session, city, scale)
    community = city.communities[len(city.communities) // 2]
    courtyard = next(c for c, cid, _lat, _lon in city.courtyards if cid == community)
    volunteer = made["volunteers"][community][0]
    worker = city.worker_ids[community]
    activity = made["activities"][community][len(made["activities"][community]) // 2]
    street = session.get(Place, community).parent_id
    return [
        ("time bank (chosen courtyard)", None, "/timebank/", courtyard),
        ("my time bank (volunteer)", volunteer, "/timebank/me", None),
        ("statement (volunteer)", volunteer, "/timebank/me/history", None),
        ("approval queue (worker)", worker, "/timebank/approvals", None),
        ("activity page", None, f"/timebank/activities/{activity}", None),
        ("roster (worker)", worker, f"/timebank/activities/{activity}/roster", None),
        ("help requests (chosen courtyard)", None, "/timebank/help", courtyard),
        ("branch: community 储蓄所", None, f"/timebank/branch/{community}", None),
        ("branch: street 分行", None, f"/timebank/branch/{street}", None),
        ("branch: district 总行", None, f"/timebank/branch/{city.district}", None),
    ]
