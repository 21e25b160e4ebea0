"""Generate a city-scale world for benchmarks: one district of 12 streets, ~100 communities,
~2,000 courtyards and ~200,000 residents (DESIGN.md § 6), scaled down by ``scale``.

Rows go in with bulk inserts and explicit ids (``insert_rows``: COPY on PostgreSQL), so a
full-size world takes minutes, not hours. Other domains add their own rows through
``tools/citygen_<domain>.py: generate(...)``.
"""

import random
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import func, insert, select, update

from portal.accounts.models import RoleGrant, User
from portal.organizations.models import ORGANIZATION_KINDS, Organization
from portal.places.models import Place
from portal.timeutil import utcnow

CENTRE = (30.6628, 104.0385)  # 草堂路社区, Chengdu
METRES_PER_DEGREE = 111_320
BATCH = 20_000


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


def _postgresql(session):
    return session.get_bind().dialect.name == "postgresql"


def _cursor(session):
    """A psycopg cursor in the session's transaction."""
    return session.connection().connection.driver_connection.cursor()


def _in_batches(session, statement, rows):
    """SQLAlchemy's bulk insert or update by primary key, a batch of rows at a time."""
    for start in range(0, len(rows), BATCH):
        session.execute(statement, rows[start:start + BATCH])


def insert_rows(session, model, rows):
    """Insert ``rows`` (dicts of column values) into ``model``'s table, in their order.

    SQLAlchemy's bulk insert is one statement per row on PostgreSQL (psycopg's executemany),
    far too slow for the city's millions of rows, so there they go in with COPY; elsewhere
    (SQLite) with the bulk insert, in batches. Commit with ``commit``.
    """
    if not rows:
        return
    if not _postgresql(session):
        _in_batches(session, insert(model), rows)
        return
    from psycopg import sql

    table = model.__table__
    _drop_foreign_keys(session, table)
    with _cursor(session) as cursor:
        # The binary format (3-4× faster to write than text) needs each column's exact type.
        cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                       "AND attnum > 0", [sql.Identifier(table.name).as_string(cursor)])
        types = dict(cursor.fetchall())
        # Runs of rows with the same keys, as the bulk insert groups them: a column a row
        # leaves out gets its default.
        for keys, run in groupby(rows, key=tuple):
            # COPY applies the database's defaults (ids from the sequence, server defaults) but
            # not SQLAlchemy's Python-side ones (created_at=utcnow, flags, counters): fill
            # those as the insert would, a callable once per row.
            defaults = [column.default for column in table.columns
                        if column.default is not None and column.name not in keys]
            if not all(d.is_scalar or d.is_callable for d in defaults):
                raise NotImplementedError(f"{table.name}: a column default COPY cannot fill")
            names = [*keys, *(d.column.name for d in defaults)]
            copy_in = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names)))
            with cursor.copy(copy_in) as copy:
                copy.set_types([types[name] for name in names])
                if all(d.is_scalar for d in defaults):
                    fixed = [d.arg for d in defaults]
                    for row in run:
                        copy.write_row([*row.values(), *fixed])
                else:
                    for row in run:
                        copy.write_row([*row.values(), *(d.arg(None) if d.is_callable
                                                         else d.arg for d in defaults)])
        if "id" in rows[0] and "id" in table.columns:
            # Explicit ids leave the id sequence behind; move it past them, so later inserts
            # that take their id from it (the portal's own, once the city is built) do not
            # collide.
            cursor.execute(sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) "
                                   "FROM {}").format(sql.Identifier(table.name)),
                           [sql.Identifier(table.name).as_string(cursor)])


def update_rows(session, model, rows):
    """Set columns of existing rows: ``rows`` are dicts of the primary key and the new values,
    all with the same keys.

    SQLite takes SQLAlchemy's bulk UPDATE by primary key (executemany, fast in process); on
    PostgreSQL that is a round trip per row, so the values go into a temporary table with COPY
    and from there into the table with one UPDATE ... FROM.
    """
    if not rows:
        return
    if not _postgresql(session):
        _in_batches(session, update(model), rows)
        return
    from psycopg import sql

    table = model.__table__
    _drop_foreign_keys(session, table)
    keys = list(rows[0])
    primary_key = [column.name for column in table.primary_key.columns]
    target, scratch = sql.Identifier(table.name), sql.Identifier(f"citygen_{table.name}")
    with _cursor(session) as cursor:
        cursor.execute(sql.SQL("CREATE TEMPORARY TABLE {} AS SELECT {} FROM {} WITH NO DATA")
                       .format(scratch, sql.SQL(", ").join(map(sql.Identifier, keys)), target))
        with cursor.copy(sql.SQL("COPY {} FROM STDIN").format(scratch)) as copy:
            for row in rows:
                copy.write_row([row[key] for key in keys])
        cursor.execute(sql.SQL("UPDATE {} AS t SET {} FROM {} AS s WHERE {}").format(
            target,
            sql.SQL(", ").join(sql.SQL("{0} = s.{0}").format(sql.Identifier(key))
                               for key in keys if key not in primary_key),
            scratch,
            sql.SQL(" AND ").join(sql.SQL("t.{0} = s.{0}").format(sql.Identifier(key))
                                  for key in primary_key)))
        cursor.execute(sql.SQL("DROP TABLE {}").format(scratch))


def _dropped_foreign_keys(session):
    """{table name: [(constraint name, definition)]} dropped in the current transaction."""
    transaction = session.connection().get_transaction()
    held = session.info.get("citygen_foreign_keys")
    if held is None or held[0] is not transaction:  # none yet, or an older transaction's
        held = session.info["citygen_foreign_keys"] = (transaction, {})
    return held[1]


def _drop_foreign_keys(session, table):
    """PostgreSQL checks each foreign key of each row as it goes in (a trigger and a query):
    most of the time of the city's millions of rows. As pg_restore does, load without them:
    drop the table's foreign keys here, in the transaction, and ``commit`` adds them back, each
    checked in one pass over the table. A rollback brings them back as they were."""
    from psycopg import sql

    dropped = _dropped_foreign_keys(session)
    if table.name in dropped:
        return
    with _cursor(session) as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE contype = 'f' AND conrelid = %s::regclass ORDER BY conname",
                       [sql.Identifier(table.name).as_string(cursor)])
        dropped[table.name] = cursor.fetchall()
        for name, _definition in dropped[table.name]:
            cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table.name), sql.Identifier(name)))


def commit(session):
    """Commit what ``insert_rows`` and ``update_rows`` wrote, adding back (and so checking) the
    foreign keys they dropped on PostgreSQL first."""
    from_tables = _dropped_foreign_keys(session) if _postgresql(session) else {}
    if from_tables:
        from psycopg import sql

        with _cursor(session) as cursor:
            for table, constraints in from_tables.items():
                for name, definition in constraints:
                    cursor.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.Identifier(table), sql.Identifier(name)) + sql.SQL(definition))
        from_tables.clear()
    session.commit()


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
    insert_rows(session, Place, places)

    next_user = _next_id(session, User)
    now = utcnow()
    residents = max(10, round(200_000 * scale))
    users = []
    for n in range(residents):
        courtyard_id = city.courtyards[n % len(city.courtyards)][0]
        users.append({"id": next_user + n, "mobile": f"15{next_user + n:09d}",
                      "name": f"居民{n}", "home_courtyard_id": courtyard_id,
                      "active": True, "created_at": now})
    insert_rows(session, User, users)
    city.user_ids = [u["id"] for u in users]

    grants = []
    for i, community_id in enumerate(city.communities):
        worker = city.user_ids[i]
        city.worker_ids[community_id] = worker
        grants.append({"user_id": worker, "role": "community_worker", "place_id": community_id,
                       "created_at": now})
    insert_rows(session, RoleGrant, grants)

    next_org = _next_id(session, Organization)
    kinds = list(ORGANIZATION_KINDS)
    organizations = [{"id": next_org + i, "name": f"基准社会组织{i}", "kind": kinds[i % len(kinds)],
                      "home_place_id": city.communities[i % len(city.communities)],
                      "created_at": now}
                     for i in range(max(2, round(200 * scale)))]
    insert_rows(session, Organization, organizations)
    city.organization_ids = [o["id"] for o in organizations]
    commit(session)
    return city
