"""City-scale councils for `make bench`: ~500,000 requests at full scale (250 per courtyard,
over the past three years) in every class and state, with their timelines (2–4 steps each),
我也遇到 from neighbours, eight departments in the district, and a council with seven members
in every community.

Per-courtyard numbers stay the same at every scale, so the bench shows whether the 三事清单,
a request's page and the triage queue grow with the city. Rows go in with bulk inserts (COPY
on PostgreSQL) and explicit ids (tools/citygen_courtyards.py's ``_Rows``).
"""

import random
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import RoleGrant
from portal.councils.models import (
    CATEGORIES,
    OUTCOMES,
    Council,
    CouncilMember,
    Department,
    Request,
    RequestEvent,
    RequestSupport,
)
from portal.places.models import Place
from portal.timeutil import local_today, utcnow
from tools.citygen import commit, insert_rows
from tools.citygen_courtyards import _Rows

REQUESTS = 250  # per courtyard
DAYS = 3 * 365
DEPARTMENTS = ("区城管局", "区住建局", "公安分局", "供电公司", "水务集团", "区交通局",
               "区市场监管局", "区民政局")
# (state, class, share): most matters are closed; a few wait at each step.
STATES = (
    ("closed", "major", 0.22), ("closed", "minor", 0.25), ("closed", "private", 0.2),
    ("followed_up", "minor", 0.05), ("submitted", None, 0.06), ("referred", "major", 0.05),
    ("replied", "major", 0.03), ("with_council", "minor", 0.04), ("on_agenda", "minor", 0.02),
    ("resolved", "minor", 0.02), ("carrying_out", "minor", 0.02), ("guided", "private", 0.04),
)
STEP_OF = {"major": "refer", "minor": "to_council", "private": "guide"}


def generate(session, city, scale=1.0, seed=2028):
    """Insert the councils' data; return {"request": a public request id, "resident": its
    requester, "community": its community} for choosing pages to time."""
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    today = local_today()
    paths = dict(session.execute(select(Place.id, Place.path).where(
        Place.id.in_([c for c, _cid, _lat, _lon in city.courtyards]))).all())
    district = session.scalar(select(Place.id).where(Place.kind == "district").limit(1))
    departments = _Rows(session, Department)
    department_ids = [departments.add(district_id=district, name=name, active=True)
                      for name in DEPARTMENTS]
    councils, members = _Rows(session, Council), _Rows(session, CouncilMember)
    grants = []
    council_of = {}
    count = len(city.courtyards)
    for community in city.communities:
        council_of[community] = councils.add(place_id=community, name="社区议事会",
                                             created_at=now)
    requests, events, supports = (_Rows(session, Request), _Rows(session, RequestEvent),
                                  _Rows(session, RequestSupport))
    weights = [share for _s, _k, share in STATES]
    seated = set()
    chosen = {}
    for i, (courtyard, community, _lat, _lon) in enumerate(city.courtyards):
        residents = city.user_ids[i::count]
        worker = city.worker_ids[community]
        if community not in seated:  # seven members from the community's first courtyard
            seated.add(community)
            for n, user in enumerate(residents[5:12]):
                members.add(council_id=council_of[community], user_id=user,
                            position=("convener", "recorder")[n] if n < 2 else "member",
                            represents="residents", organization_id=None,
                            starts_on=today - timedelta(days=400),
                            ends_on=today + timedelta(days=700))
                grants.append({"user_id": user, "role": "council_member",
                               "place_id": community, "created_at": now})
        for n in range(REQUESTS):
            state, klass, _share = rng.choices(STATES, weights)[0]
            created = now - timedelta(days=DAYS * (REQUESTS - n) / REQUESTS,
                                      hours=rng.randrange(24))
            requester = residents[rng.randrange(len(residents))]
            triaged = created + timedelta(days=rng.randrange(1, 6)) if klass else None
            closed = state in ("closed", "followed_up")
            closed_at = triaged + timedelta(days=rng.randrange(3, 40)) if closed else None
            outcome = rng.choice(OUTCOMES[:3]) if closed else None
            request = requests.add(
                courtyard_id=courtyard, building_id=None, community_id=community,
                place_path=paths[courtyard], category=rng.choice(CATEGORIES),
                title=f"诉求{n + 1}：楼道灯坏了", body="三单元楼道灯坏了，晚上看不见。",
                public=n % 10 != 9, requester_id=requester, recorded_by_id=None, state=state,
                klass=klass, outcome=outcome, outcome_reason=None,
                department_id=rng.choice(department_ids) if klass == "major" else None,
                due_on=(triaged + timedelta(days=15)).date() if klass == "major" else None,
                department_reply="已安排维修。" if state == "replied" else None,
                council_id=council_of[community] if klass == "minor" else None,
                duplicate_of_id=None, support_count=0, created_at=created,
                triaged_at=triaged, closed_at=closed_at,
                follow_up_at=closed_at + timedelta(days=28) if closed else None,
                follow_up_sent_at=closed_at + timedelta(days=28)
                if closed and closed_at + timedelta(days=28) < now else None,
                updated_at=closed_at or triaged or created)
            events.add(request_id=request, at=created, actor_id=requester,
                       actor_role="resident", action="submit", from_state="submitted",
                       to_state="submitted", text=None, details=None)
            if klass:
                events.add(request_id=request, at=triaged, actor_id=worker,
                           actor_role="community_worker", action=STEP_OF[klass],
                           from_state="submitted", to_state="referred" if klass == "major"
                           else "with_council" if klass == "minor" else "guided",
                           text="已转交处理。", details=None)
            if closed:
                events.add(request_id=request, at=closed_at, actor_id=worker,
                           actor_role="community_worker", action="close",
                           from_state="replied", to_state="closed", text="已处理完毕。",
                           details=None)
            if n % 4 == 0 and n % 10 != 9:  # a quarter of the public ones have supporters
                backers = {residents[rng.randrange(len(residents))] for _ in range(3)}
                backers.discard(requester)
                for user in backers:
                    supports.add(request_id=request, user_id=user, created_at=created)
                requests.rows[-1]["support_count"] = len(backers)
            if courtyard not in chosen and n == REQUESTS - 2:  # the last public one
                chosen[courtyard] = {"request": request, "resident": requester,
                                     "community": community}
    for rows in (departments, councils, members, requests, events, supports):
        rows.flush()
    insert_rows(session, RoleGrant, grants)
    commit(session)
    return chosen


def bench_pages(session, city, scale):
    """Generate the councils; return the pages to time as (label, user, path, courtyard)."""
    chosen = generate(session, city, scale)
    community = city.communities[len(city.communities) // 2]
    courtyard = next(c for c, cid, _lat, _lon in city.courtyards if cid == community)
    made = chosen[courtyard]
    return [
        ("三事清单 (anyone)", None, f"/councils/communities/{community}/requests", None),
        ("request page (anyone)", None, f"/councils/requests/{made['request']}", None),
        ("request page (requester)", made["resident"],
         f"/councils/requests/{made['request']}", None),
        ("my requests (resident)", made["resident"], "/councils/requests/mine", None),
        ("triage queue (community worker)", city.worker_ids[community], "/councils/triage",
         None),
    ]
