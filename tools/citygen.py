"""Generate a city-scale world for benchmarks: one district of 12 streets, ~100 communities,
~2,000 courtyards and ~200,000 residents (DESIGN.md § 6), scaled down by ``scale``.

Rows go in with Core bulk inserts and explicit ids, so a full-size world takes seconds, not
hours. Other domains add their own rows through ``tools/citygen_<domain>.py: generate(...)``.
"""

import random
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select

from portal.accounts.models import RoleGrant, User
from portal.organizations.models import ORGANIZATION_KINDS, Organization
from portal.places.models import Place
from portal.timeutil import utcnow

CENTRE = (30.6628, 104.0385)  # 草堂路社区, Chengdu
METRES_PER_DEGREE = 111_320


@dataclass
class City:
    district: int = 0
    streets: list = field(default_factory=list)
    communities: list = field(default_factory=list)  # ids
    courtyards: list = field(default_factory=list)  # (id, community id, lat, lon)
    user_ids: list = field(default_factory=list)
    worker_ids: dict = field(default_factory=dict)  # community id -> worker user id
    organization_ids: list = field(default_factory=list)


def _next_id(session, model):
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def generate(session, scale=1.0, seed=2026):
    """Insert the world and return a City describing it (ids, not objects)."""
    rng = random.Random(seed)
    city = City()
    next_place = _next_id(session, Place)
    places = []

    def place(kind, name, parent_path, depth, lat=None, lon=None, **extra):
        nonlocal next_place
        pid = next_place
        next_place += 1
        path = f"{parent_path}{pid}/"
        places.append({"id": pid, "kind": kind, "name": name, "path": path, "depth": depth,
                       "parent_id": int(parent_path.strip("/").split("/")[-1])
                       if parent_path != "/" else None,
                       "latitude": lat, "longitude": lon, "suburban": False, **extra})
        return pid, path

    root_id, root_path = place("city", "基准市", "/", 0)
    city.district, district_path = place("district", "基准区", root_path, 1)
    communities = max(1, round(100 * scale))
    courtyards_per_community = 20
    for s in range(12):
        sid, street_path = place("street", f"第{s + 1}街道", district_path, 2)
        city.streets.append(sid)
        for c in range(s, communities, 12):
            # Communities on a 10 × 10 grid about 1 km apart; courtyards within ~600 m.
            lat = CENTRE[0] + (c // 10 - 5) * 1000 / METRES_PER_DEGREE
            lon = CENTRE[1] + (c % 10 - 5) * 1000 / METRES_PER_DEGREE
            cid, community_path = place("community", f"第{c + 1}社区", street_path, 3, lat, lon,
                                        phone=f"028-8{c:07d}")
            city.communities.append(cid)
            for y in range(courtyards_per_community):
                ylat = lat + rng.uniform(-600, 600) / METRES_PER_DEGREE
                ylon = lon + rng.uniform(-600, 600) / METRES_PER_DEGREE
                yid, _ = place("courtyard", f"第{c + 1}社区{y + 1}号院", community_path, 4,
                               ylat, ylon, address=f"基准路{c * 100 + y}号")
                city.courtyards.append((yid, cid, ylat, ylon))
    session.execute(insert(Place), places)

    next_user = _next_id(session, User)
    now = utcnow()
    residents = max(10, round(200_000 * scale))
    users = []
    for n in range(residents):
        courtyard_id = city.courtyards[n % len(city.courtyards)][0]
        users.append({"id": next_user + n, "mobile": f"15{next_user + n:09d}",
                      "name": f"居民{n}", "home_courtyard_id": courtyard_id,
                      "active": True, "created_at": now})
    for start in range(0, len(users), 20_000):
        session.execute(insert(User), users[start:start + 20_000])
    city.user_ids = [u["id"] for u in users]

    grants = []
    for i, community_id in enumerate(city.communities):
        worker = city.user_ids[i]
        city.worker_ids[community_id] = worker
        grants.append({"user_id": worker, "role": "community_worker", "place_id": community_id,
                       "created_at": now})
    session.execute(insert(RoleGrant), grants)

    next_org = _next_id(session, Organization)
    kinds = list(ORGANIZATION_KINDS)
    organizations = [{"id": next_org + i, "name": f"基准社会组织{i}", "kind": kinds[i % len(kinds)],
                      "home_place_id": city.communities[i % len(city.communities)],
                      "created_at": now}
                     for i in range(max(2, round(200 * scale)))]
    session.execute(insert(Organization), organizations)
    city.organization_ids = [o["id"] for o in organizations]
    session.commit()
    return city
