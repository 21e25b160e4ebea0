"""Fixtures: one app and schema per run (built by the real migrations), a clean database per
test, a client that submits forms with their CSRF token, and factories for places and people.

The suite runs on SQLite by default and on PostgreSQL when ``PORTAL_TEST_DATABASE_URL`` (or
``PORTAL_DATABASE_URL``) names one; CI does both.
"""

import os
import re

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade

from portal import create_app
from portal.accounts.models import RoleGrant, User
from portal.extensions import cache, db, limiter
from portal.organizations.models import Organization
from portal.places.tree import add_place
from portal.timeutil import local_today, utcnow

TEST_PASSWORD = "secret-123"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def database_url(tmp_path_factory):
    url = os.environ.get("PORTAL_TEST_DATABASE_URL") or os.environ.get("PORTAL_DATABASE_URL")
    return url or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


class PortalClient(FlaskClient):
    """A test client that sends forms the way a browser does: with the page's CSRF token.

    Each request runs in its own app context, as in production: its own ``g`` and its own
    database session. What the test wrote is committed first (a request sees only committed
    rows, and on SQLite an open write would lock it out); afterwards the test's objects are
    expired, so the test reads what the request stored, not what it remembers.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response

    def csrf_token(self, path="/"):
        response = self.get(path)
        match = CSRF_FIELD.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def submit(self, path, data=None, token_from="/", **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(token_from))
        return self.post(path, data=data, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url(tmp_path_factory),
        "SECRET_KEY": "test-secret",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    app.test_client_class = PortalClient
    app.after_request(_htmx_comes_with_its_attributes)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            _drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter does


# In a tag, not in text (an attack test's escaped payload may spell one out).
HTMX_ATTRIBUTE = re.compile(
    r"<[^<>]*\shx-(?:get|post|put|patch|delete|trigger|target|swap|select)=")


def _htmx_comes_with_its_attributes(response):
    """Every whole page any test renders: htmx is loaded only by pages that say they use it
    (``set uses_htmx = true``); one with hx- attributes that did not say so fails here."""
    if response.mimetype == "text/html" and not response.direct_passthrough:
        page = response.get_data(as_text=True)
        if "<html" in page and HTMX_ATTRIBUTE.search(page):
            assert "js/htmx.min.js" in page, "a page with hx- attributes must set uses_htmx"
    return response


def _drop_everything():
    from sqlalchemy import MetaData

    existing = MetaData()
    existing.reflect(db.engine)
    existing.drop_all(db.engine)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@pytest.fixture(autouse=True)
def clean_database(app):
    """Every test starts with empty tables, an empty session and fresh rate limits."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        cache.clear()
    limiter.reset()


@pytest.fixture
def now():
    """The current moment as rules take it: naive UTC."""
    return utcnow()


@pytest.fixture
def today():
    """Today in the portal's time zone."""
    return local_today()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories ---

@pytest.fixture
def world():
    """Two communities in one district, two courtyards each, and an organization."""
    city = add_place("city", "成都市")
    district = add_place("district", "青羊区", city)
    street = add_place("street", "草堂街道", district)
    caotang = add_place("community", "草堂路社区", street, phone="028-87331234",
                        latitude=30.6628, longitude=104.0385)
    east = add_place("courtyard", "草堂东路133号院", caotang, latitude=30.6641, longitude=104.0402)
    north = add_place("courtyard", "草堂北路8号院", caotang, latitude=30.6669, longitude=104.0361)
    building = add_place("building", "1栋", east)
    other = add_place("community", "浣花社区", street, phone="028-87000000")
    huanhua = add_place("courtyard", "浣花南路21号院", other, latitude=30.6583, longitude=104.0347)
    organization = Organization(name="常青树社会服务中心", kind="service_agency", home_place=street)
    other_org = Organization(name="浣花志愿服务队", kind="volunteer_team", home_place=other)
    db.session.add_all([organization, other_org])
    db.session.commit()
    return {
        "city": city, "district": district, "street": street, "community": caotang,
        "courtyard": east, "courtyard2": north, "building": building,
        "other_community": other, "other_courtyard": huanhua,
        "organization": organization, "other_organization": other_org,
    }


_mobiles = iter(range(13600000000, 13699999999))


@pytest.fixture
def make_user():
    """make_user(courtyard=…, roles=[("community_worker", place)], password=…) -> User."""

    def make(name="测试居民", courtyard=None, roles=(), password=None, mobile=None, **fields):
        user = User(mobile=mobile or str(next(_mobiles)), name=name, home_courtyard=courtyard,
                    **fields)
        if password:
            user.set_password(password)
        db.session.add(user)
        db.session.flush()
        for role, target in roles:
            column = "organization_id" if isinstance(target, Organization) else "place_id"
            db.session.add(RoleGrant(user=user, role=role, **{column: target.id}))
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """login(user): sign ``user`` in on the test client (the login form has its own tests)."""

    def sign_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return sign_in


@pytest.fixture
def login_as(make_user, login, world):
    """login_as(role, place_or_org) -> the signed-in user holding that role there."""

    def sign_in(role=None, target=None, **fields):
        fields.setdefault("courtyard", world["courtyard"])
        roles = [(role, target)] if role else []
        return login(make_user(roles=roles, **fields))

    return sign_in


@pytest.fixture
def make_volunteer(make_user, world):
    """make_volunteer(name=…, courtyard=…) -> a User who has joined the time bank."""
    from portal.timebank.activities import join

    def make(name="志愿者", courtyard=None, **fields):
        user = make_user(name=name, courtyard=courtyard or world["courtyard"], **fields)
        join(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def worker(make_user, world):
    """The community worker of 草堂路社区 (who lives in its second courtyard)."""
    return make_user(name="李晓梅", roles=[("community_worker", world["community"])],
                     courtyard=world["courtyard2"])


@pytest.fixture
def volunteer(make_volunteer):
    """A volunteer of the time bank living in the first courtyard."""
    return make_volunteer(name="李志鹏")


@pytest.fixture
def make_activity(world):
    """make_activity(starts=…, hours=2, place=…, organization=…) -> an Activity; by default it
    started two hours ago in the first courtyard and lasts three hours — but never before
    today began in the portal's zone: the suite runs at any hour, and one begun yesterday
    would have two days."""
    from datetime import datetime, time, timedelta

    from portal.timebank.models import Activity
    from portal.timeutil import local_today, to_utc, utcnow

    def make(title="院落大扫除", starts=None, length=timedelta(hours=3), hours=2, slots=10,
             place=None, organization=None, **fields):
        place = place or world["courtyard"]
        if starts is None:
            today_began = to_utc(datetime.combine(local_today(), time()))
            starts = max(utcnow() - timedelta(hours=2), today_began)
        activity = Activity(title=title, description="打扫院子，清理楼道杂物。", place=place,
                            community=place if place.kind == "community"
                            else place.ancestor("community"),
                            organization=organization, starts_at=starts, ends_at=starts + length,
                            slots=slots, minutes=int(hours * 60), **fields)
        db.session.add(activity)
        db.session.commit()
        return activity

    return make
