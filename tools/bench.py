"""`make bench`: server time of the main pages on a city-scale database, and how it grows.

Builds two worlds (1 % and 100 % of DESIGN.md's city scale) in fresh databases, asks each main
page many times through the WSGI app (no network in the way), and prints p50 and p95 per page
and the growth of the median between the two sizes. Budgets: p95 ≤ 50 ms at city scale; 100× more
rows may make a page at most 1.3× slower.

    python -m tools.bench                   # SQLite files in a temporary folder
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://… python -m tools.bench   # PostgreSQL
    python -m tools.bench --only 1.0 --repeat 30
    python -m tools.bench --domains courtyards   # the foundation and the courtyards only
"""

import argparse
import os
import statistics
import tempfile
import time

from sqlalchemy import MetaData

BUDGET_P95_MS = 50
BUDGET_GROWTH = 1.3


def fresh_app(url, instance):
    os.environ.setdefault("PORTAL_INSTANCE_PATH", instance)
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": False})
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            existing = MetaData()
            existing.reflect(db.engine)
            existing.drop_all(db.engine)
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
    return app


DOMAINS = ("timebank", "servicemap", "courtyards", "councils", "projects")


def populate(app, scale, domains=DOMAINS):
    """Generate the city; return the pages to time as (label, user id or None, path,
    chosen courtyard id or None)."""
    from portal.extensions import db
    from tools import citygen

    with app.app_context():
        started = time.perf_counter()
        city = citygen.generate(db.session, scale=scale)
        pages = foundation_pages(city)
        for extension in domain_generators(domains):
            pages += extension(db.session, city, scale)
        print(f"  generated scale {scale} in {time.perf_counter() - started:.1f} s")
    return pages


def foundation_pages(city):
    community = city.communities[len(city.communities) // 2]
    courtyard = city.courtyards[len(city.courtyards) // 2][0]
    worker = city.worker_ids[community]
    return [
        ("home (chosen courtyard)", None, "/", courtyard),
        ("places index search", None, "/places/?q=号院", None),
        ("community page", None, f"/places/{community}", None),
        ("district page", None, f"/places/{city.district}", None),
        ("people search (worker)", worker, "/accounts/people?q=居民1", None),
        ("roles at community (worker)", worker, f"/accounts/roles/place/{community}", None),
    ]


def domain_generators(domains=DOMAINS):
    """Each domain's city-scale data, from tools/citygen_<domain>.py when it exists (those
    of ``domains`` only)."""
    import importlib

    found = []
    for name in (d for d in DOMAINS if d in domains):
        try:
            module = importlib.import_module(f"tools.citygen_{name}")
        except ImportError:
            continue
        if hasattr(module, "bench_pages"):
            found.append(module.bench_pages)
    return found


def time_pages(app, pages, repeat):
    from portal.accounts.models import User
    from portal.extensions import db

    results = {}
    client = app.test_client()
    with app.app_context():  # the session identities (id and token), read once
        identities = {who: db.session.get(User, who).get_id()
                      for _label, who, _path, _courtyard in pages if who}
    for label, who, path, courtyard in pages:
        if who:
            with client.session_transaction() as session:
                session["_user_id"] = identities[who]
                session["_fresh"] = True
        else:
            with client.session_transaction() as session:
                session.clear()
        if courtyard:
            client.set_cookie("courtyard", str(courtyard))
        else:
            client.delete_cookie("courtyard")
        status = client.get(path).status_code  # warm up caches and check it works
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        results[label] = (status, statistics.median(samples),
                          samples[max(0, round(0.95 * len(samples)) - 1)])
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", type=float, help="run one scale only (e.g. 1.0)")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--domains", type=lambda text: text.split(","), default=DOMAINS,
                        help="generate and time only these domains (besides the foundation), "
                        f"comma-separated; default all: {','.join(DOMAINS)}")
    args = parser.parse_args()
    unknown = set(args.domains) - set(DOMAINS)
    if unknown:
        parser.error(f"unknown domains: {', '.join(sorted(unknown))}")
    scales = [args.only] if args.only else [0.01, 1.0]
    url_base = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    measured = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            url = url_base or f"sqlite:///{tmp}/bench-{scale}.db"
            print(f"scale {scale}: {url.split('@')[-1]}")
            app = fresh_app(url, tmp)
            pages = populate(app, scale, args.domains)
            # Outside any app context, so each request gets its own, as in production.
            measured[scale] = time_pages(app, pages, args.repeat)
            with app.app_context():
                from portal.extensions import db

                db.engine.dispose()
    print()
    print("| page | status | " + " | ".join(f"p50 / p95 ms at {s}" for s in scales)
          + (" | growth p50 |" if len(scales) == 2 else " |"))
    print("|---" * (3 + len(scales)) + "|")
    failures = []
    for label in measured[scales[-1]]:
        cells = [f"{measured[s][label][1]:.1f} / {measured[s][label][2]:.1f}"
                 for s in scales if label in measured[s]]
        status = measured[scales[-1]][label][0]
        growth = ""
        if len(scales) == 2 and label in measured[scales[0]]:
            # Growth compares medians: a p95 of 40 samples on a shared machine is mostly noise.
            ratio = measured[scales[1]][label][1] / measured[scales[0]][label][1]
            growth = f" | {ratio:.2f}×"
            if ratio > BUDGET_GROWTH:
                failures.append(f"{label}: grew {ratio:.2f}×")
        if measured[scales[-1]][label][2] > BUDGET_P95_MS:
            failures.append(f"{label}: p95 {measured[scales[-1]][label][2]:.1f} ms")
        print(f"| {label} | {status} | " + " | ".join(cells) + growth + " |")
    print()
    print("Over budget: " + ("; ".join(failures) if failures else "nothing"))


if __name__ == "__main__":
    main()
