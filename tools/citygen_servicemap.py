"""City-scale service points for the benchmark: ~2,000 points (DESIGN.md § 6) around the
generated courtyards, with weekly hours and a few exceptions, scaled by ``scale``.

    python -m tools.bench                      # times the pages below with the others
    python -m tools.citygen_servicemap         # times the coverage report itself

Rows go in with bulk inserts and explicit ids, like tools/citygen.py (``insert_rows``).
"""

import argparse
import os
import random
import tempfile
import time
from datetime import timedelta

from sqlalchemy import func, insert, select

from portal.accounts.models import RoleGrant
from portal.servicemap.hours import parse_day
from portal.servicemap.models import HoursException, ServiceHours, ServicePoint
from portal.timeutil import local_today, utcnow
from tools.citygen import commit, insert_rows

# (category, share of the points, weekly lines Monday first)
KINDS = [
    ("meals", 0.20, ["11:00-13:00, 17:00-18:30"] * 7),
    ("centre", 0.06, ["09:00-12:00, 13:30-17:30"] * 5 + ["09:00-12:00", ""]),
    ("day_care", 0.10, ["08:30-17:30"] * 5 + ["", ""]),
    ("health", 0.10, ["08:00-12:00, 14:00-17:30"] * 7),
    ("culture", 0.10, [""] + ["09:00-11:30, 14:00-21:00"] * 6),
    ("children", 0.10, ["16:00-19:00"] * 5 + ["09:00-17:00"] * 2),
    ("reading", 0.12, ["09:00-21:00"] * 7),
    ("neighbours", 0.12, ["07:00-22:00"] * 7),
    ("home_help", 0.10, ["08:00-11:30, 17:00-次日00:30"] * 7),
]
METRES_PER_DEGREE = 111_195


def _next_id(session, model):
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def generate(session, city, scale=1.0, seed=7):
    """Insert the points; return their ids."""
    rng = random.Random(seed)
    count = max(20, round(2000 * scale))
    by_community = {}
    for _courtyard, community_id, lat, lon in city.courtyards:
        by_community.setdefault(community_id, []).append((lat, lon))
    categories = [k for k, _share, _week in KINDS]
    weights = [share for _k, share, _week in KINDS]
    weeks = {k: [parse_day(line) for line in week] for k, _s, week in KINDS}
    first = _next_id(session, ServicePoint)
    now, today = utcnow(), local_today()
    points, hours, exceptions = [], [], []
    next_hours = _next_id(session, ServiceHours)
    for n in range(count):
        point_id = first + n
        community = city.communities[n % len(city.communities)]
        lat, lon = rng.choice(by_community[community])
        lat += rng.uniform(-300, 300) / METRES_PER_DEGREE
        lon += rng.uniform(-300, 300) / METRES_PER_DEGREE
        category = rng.choices(categories, weights)[0]
        points.append({
            "id": point_id, "name": f"基准服务点{n}", "category": category,
            "place_id": community, "address": f"基准路{n}号", "latitude": lat,
            "longitude": lon, "phone": f"028-8{n:07d}", "price": rng.choice(
                ["free", "low_cost", "paid"]), "services": "服务一\n服务二",
            "directions": "一楼", "step_free": rng.random() < 0.6,
            "accessible_toilet": rng.random() < 0.3, "lift": rng.random() < 0.2,
            "seats": rng.random() < 0.8,
            "operator_id": rng.choice(city.organization_ids) if rng.random() < 0.5 else None,
            "status": "temporarily_closed" if rng.random() < 0.03 else "active",
            "verified_on": today - timedelta(days=rng.randint(0, 200)),
            "created_at": now, "updated_at": now})
        for weekday, intervals in enumerate(weeks[category]):
            for opens, closes in intervals:
                hours.append({"id": next_hours, "point_id": point_id, "weekday": weekday,
                              "opens": opens, "closes": closes})
                next_hours += 1
        if rng.random() < 0.05:
            exceptions.append({"point_id": point_id, "closed": True, "note": "停业一天",
                               "day": today + timedelta(days=rng.randint(0, 20))})
    insert_rows(session, ServicePoint, points)
    insert_rows(session, ServiceHours, hours)
    insert_rows(session, HoursException, exceptions)
    commit(session)
    return [p["id"] for p in points]


def bench_pages(session, city, scale):
    """Generate the points; return the pages to time as (label, user, path, courtyard)."""
    ids = generate(session, city, scale)
    community = city.communities[len(city.communities) // 2]
    courtyard = next(c for c, cid, _lat, _lon in city.courtyards if cid == community)
    street = city.streets[len(city.streets) // 2]
    # A street's community worker and a district administrator look at coverage.
    street_worker, district_admin = city.user_ids[-1], city.user_ids[-2]
    now = utcnow()
    session.execute(insert(RoleGrant), [
        {"user_id": street_worker, "role": "community_worker", "place_id": street,
         "created_at": now},
        {"user_id": district_admin, "role": "admin", "place_id": city.district,
         "created_at": now}])
    session.commit()
    return [
        ("services near courtyard", None, "/services/", courtyard),
        ("services: meals open now ≤15 min", None,
         "/services/?category=meals&open=1&within=15", courtyard),
        ("services page 2", None, "/services/?page=2", courtyard),
        ("service point", None, f"/services/{ids[len(ids) // 2]}", courtyard),
        ("coverage: a community", city.worker_ids[community], f"/services/coverage/{community}",
         None),
        ("coverage: a street", street_worker, f"/services/coverage/{street}", None),
        ("coverage: the district", district_admin, f"/services/coverage/{city.district}",
         None),
    ]


def time_coverage(repeat=5):
    """Time coverage() (no HTTP) on the demo data and a city-scale set; print a table."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import seed_demo
    from portal.extensions import db
    from portal.places.models import Place
    from portal.servicemap.coverage import coverage, forget_measurements
    from tools import citygen

    def median_of(place, remembered):
        """Median ms of coverage(place): measured afresh, or remembered from before."""
        samples = []
        for _ in range(repeat):
            if not remembered:
                forget_measurements()
            started = time.perf_counter()
            report = coverage(place)
            samples.append((time.perf_counter() - started) * 1000)
        return sorted(samples)[len(samples) // 2], len(report.courtyards)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PORTAL_INSTANCE_PATH", tmp)
        for label, build in (("demo", "demo"), ("city 1.0", "city")):
            app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/{build}.db",
                              "SECRET_KEY": "bench"})
            with app.app_context():
                upgrade()
                if build == "demo":
                    world = seed_demo()
                    targets = [("草堂路社区", world["草堂路社区"]),
                               ("青羊区", world["青羊区"])]
                else:
                    city = citygen.generate(db.session, scale=1.0)
                    generate(db.session, city, 1.0)
                    street = city.streets[len(city.streets) // 2]
                    community = city.communities[len(city.communities) // 2]
                    targets = [("a community", db.session.get(Place, community)),
                               ("a street", db.session.get(Place, street)),
                               ("the district", db.session.get(Place, city.district))]
                points = db.session.scalar(select(func.count(ServicePoint.id)))
                for name, place in targets:
                    measured, courtyards = median_of(place, remembered=False)
                    remembered, _ = median_of(place, remembered=True)
                    rows.append((label, name, courtyards, points, measured, remembered))
                db.engine.dispose()
    print("| data | place | courtyards | points | measured afresh ms | remembered ms |")
    print("|---|---|---|---|---|---|")
    for label, name, courtyards, points, measured, remembered in rows:
        print(f"| {label} | {name} | {courtyards} | {points} | {measured:.1f} | "
              f"{remembered:.1f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    time_coverage(parser.parse_args().repeat)
