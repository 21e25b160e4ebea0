"""The main pages send as many queries for a long list as for a short one: each is fetched in
a small world, then again after ten more rows of what it lists, and the counts must be equal
(an N+1 — one query per row — would add ten). Each test also checks that the new rows are on
the page, so the count was taken over them."""

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import RoleGrant
from portal.courtyards import agreements, collections, households, notices
from portal.courtyards.models import Answer
from portal.extensions import db
from portal.organizations.models import Organization
from portal.places.models import Place
from portal.places.tree import add_place
from portal.publicity import rules as publicity
from portal.servicemap import search
from portal.servicemap.hours import parse_day
from portal.servicemap.models import HoursException
from portal.timebank import activities, logs
from portal.timeutil import local_today, utcnow
from tests.factories import make_point, offset
from tests.helpers import text
from tests.queries import count_queries, page_queries

MORE = 10


def elsewhere(world, n=None):
    """A courtyard and an organization of their own for the n-th added row: rows sharing one
    would have it loaded once, and a query per row would go unseen. Without ``n``: the
    world's first courtyard and organization."""
    if n is None:
        return world["courtyard"], world["organization"]
    courtyard = add_place("courtyard", f"另一院{n}", world["community"],
                          latitude=30.664 + n / 10000, longitude=104.040)
    organization = Organization(name=f"服务队{n}", kind="volunteer_team",
                                home_place=world["community"])
    db.session.add(organization)
    db.session.flush()
    return courtyard, organization


def assert_queries_do_not_grow(app, client, url, add_rows, shown):
    """Fetch ``url``, call ``add_rows()``, fetch it again: the same number of queries, and
    ``shown(page_text)`` true of the second page (the new rows are there)."""
    client.get(url)  # once, so nothing done once per process is counted
    _response, few = page_queries(app, client, url)
    add_rows()
    db.session.commit()
    response, many = page_queries(app, client, url)
    assert shown(text(response)), "the added rows are not on the page"
    assert many.count == few.count, (
        f"{url}: {few.count} queries with a few rows, {many.count} with {MORE} more:\n"
        + many.report())


def test_home(app, client, world, make_volunteer, make_activity, login):
    """The home page lists nothing row by row; it asks whether I work anywhere and whether I
    volunteer, which must not cost more for a worker of many places."""
    worker = login(make_volunteer(name="李晓梅",
                                  roles=[("community_worker", world["community"])]))

    def add_rows():
        for n in range(MORE):
            place, organization = elsewhere(world, n)
            db.session.add(RoleGrant(user_id=worker.id, role="community_worker",
                                     place_id=place.id))
            db.session.add(RoleGrant(user_id=worker.id, role="org_staff",
                                     organization_id=organization.id))
            make_activity(f"活动{n}", place=place, starts=utcnow() + timedelta(days=1))

    assert_queries_do_not_grow(app, client, "/", add_rows,
                               lambda page: "服务窗口" in page and "记录服务时长" in page)


def test_timebank_front_page(app, client, world, make_volunteer, make_activity, login):
    login(make_volunteer())

    def add_rows():
        for n in range(MORE):
            place, organization = elsewhere(world, n)
            make_activity(f"新活动{n}", starts=utcnow() + timedelta(days=1 + n),
                          organization=organization, place=place)

    # Organised by someone from the start: loading organisers is one query for any number.
    make_activity("第一个活动", starts=utcnow() + timedelta(days=1),
                  organization=world["organization"])
    assert_queries_do_not_grow(app, client, "/timebank/", add_rows,
                               lambda page: f"新活动{MORE - 1}" in page)


def test_my_time_bank(app, client, world, make_volunteer, make_activity, login):
    volunteer = login(make_volunteer())
    now, today = utcnow(), local_today()

    def take_part(title, starts, log=False, n=None):
        place, organization = elsewhere(world, n)
        activity = make_activity(title, starts=starts, organization=organization, place=place)
        activities.sign_up(volunteer, activity, min(now, starts) - timedelta(hours=1))
        if log:
            logs.submit(volunteer, 60, activity=activity, now=now, today=today)
        return activity

    def add_rows():
        for n in range(MORE):
            take_part(f"报名{n}", now + timedelta(days=1 + n), n=2 * n)  # signed up, to come
            take_part(f"已记{n}", now - timedelta(days=1 + n, hours=2), log=True,
                      n=2 * n + 1)  # logged, waiting for approval

    take_part("第一次报名", now + timedelta(days=1))
    take_part("第一次记录", now - timedelta(hours=2), log=True)
    db.session.commit()
    assert_queries_do_not_grow(app, client, "/timebank/me", add_rows,
                               lambda page: f"报名{MORE - 1}" in page
                               and f"已记{MORE - 1}" in page)


def test_approvals(app, client, world, make_user, make_volunteer, make_activity, login):
    login(make_user(name="李晓梅", courtyard=world["courtyard2"],
                    roles=[("community_worker", world["community"])]))
    now, today = utcnow(), local_today()

    def pending(name, title, n=None):
        place, organization = elsewhere(world, n)
        volunteer = make_volunteer(name=name, courtyard=place)
        activity = make_activity(title, starts=now - timedelta(hours=2),
                                 organization=organization, place=place)
        activities.sign_up(volunteer, activity, now - timedelta(hours=3))
        logs.submit(volunteer, 60, activity=activity, now=now, today=today)

    def add_rows():
        for n in range(MORE):
            pending(f"志愿者{n}", f"待批活动{n}", n)

    pending("第一位志愿者", "第一个活动")
    db.session.commit()
    assert_queries_do_not_grow(app, client, "/timebank/approvals", add_rows,
                               lambda page: f"志愿者{MORE - 1}" in page)


def test_service_list(app, client, world, login, make_user):
    courtyard = world["courtyard"]
    login(make_user(courtyard=courtyard))
    tomorrow = local_today() + timedelta(days=1)

    def point(name, north_m, n=None):
        place, operator = elsewhere(world, n)
        return make_point(place, name, "meals",
                          *offset(courtyard.latitude, courtyard.longitude, north_m=north_m),
                          operator=operator,
                          exceptions=[(tomorrow, False, "09:00-10:00", "只开一小时")])

    def add_rows():
        # A page of the list holds PER_PAGE points: fill it.
        for n in range(search.PER_PAGE - 1):
            point(f"食堂{n}", 50 * (n + 2), n)

    point("第一食堂", 40)
    assert_queries_do_not_grow(app, client, "/services/", add_rows,
                               lambda page: f"食堂{search.PER_PAGE - 2}" in page)


def test_a_service_point_page(app, client, world, make_activity, login, make_user):
    courtyard = world["courtyard"]
    login(make_user(courtyard=courtyard))
    point = make_point(world["community"], "长者食堂", "meals",
                       week={d: "08:00-11:30, 14:00-17:30" for d in range(7)},
                       operator=world["organization"])
    today = local_today()
    db.session.add(HoursException(point_id=point.id, day=today + timedelta(days=1),
                                  closed=True, note="停电"))

    def add_rows():
        # More special days ahead and more activities held at the point.
        for n in range(MORE):
            day = today + timedelta(days=2 + n)
            for opens, closes in parse_day("09:00-10:00, 15:00-16:00"):
                db.session.add(HoursException(point_id=point.id, day=day, closed=False,
                                              opens=opens, closes=closes, note=f"特别{n}"))
        for n in range(MORE):
            place, organization = elsewhere(world, n)
            make_activity(f"点上活动{n}", place=place, organization=organization,
                          starts=utcnow() + timedelta(days=1, hours=n), service_point=point)

    make_activity("第一个点上活动", place=world["community"],
                  starts=utcnow() + timedelta(hours=20), service_point=point)
    assert_queries_do_not_grow(app, client, f"/services/{point.id}", add_rows,
                               lambda page: f"特别{MORE - 1}" in page and "点上活动3" in page)


def test_a_community_page(app, client, world):
    community = world["community"]

    def add_rows():
        for n in range(MORE):
            add_place("courtyard", f"新建院落{n}", community,
                      latitude=30.66 + n / 1000, longitude=104.04)

    assert_queries_do_not_grow(app, client, f"/places/{community.id}", add_rows,
                               lambda page: f"新建院落{MORE - 1}" in page)


def test_finding_residents(app, client, world, make_user, login):
    login(make_user(name="李晓梅", courtyard=world["courtyard2"],
                    roles=[("community_worker", world["street"])]))
    courtyards = [world["courtyard"], world["courtyard2"], world["other_courtyard"]]

    def resident(name, courtyard, n):
        # Some hold roles: whether the worker may manage them depends on each role and where.
        roles = [[], [("courtyard_leader", courtyard)],
                 [("org_staff", world["organization"])]][n % 3]
        return make_user(name=name, courtyard=courtyard, roles=roles)

    def add_rows():
        for n in range(MORE):
            resident(f"王{n}号", courtyards[n % 3], n)

    resident("王大爷", world["courtyard"], 0)
    assert_queries_do_not_grow(app, client, "/accounts/people?q=王", add_rows,
                               lambda page: f"王{MORE - 1}号" in page)


# --- courtyards: the courtyard page, the leaders' desk, a collection ---

def _notice(by, place, title, window=False, objector=None):
    """A notice posted by ``by`` (a 公示 for a week with ``window``; with ``objector``, a
    question raised on it that nobody has answered)."""
    now, today = utcnow(), local_today()
    notice = notices.post_notice(by, place, title, "正文。", now, today,
                                 window=(today, today + timedelta(days=7)) if window else None)
    if objector is not None:
        publicity.raise_objection(publicity.publication_of(notice), objector, "question",
                                  "费用谁出？", now)
    return notice


def _home(make_user, courtyard, name, room, building=None):
    """A resident of ``courtyard`` living in ``room`` (recorded as a household)."""
    person = make_user(name=name, courtyard=courtyard)
    households.record_household(person, courtyard, building, "", room, person)
    return person


def _collection(by, place, title, questions=1):
    now = utcnow()
    return collections.open_collection(
        by, place, title, "", [(f"问题{q}", False, False, ["同意", "不同意"])
                               for q in range(questions)],
        "resident", now - timedelta(hours=1), now + timedelta(days=7), False, now)


def _answer(collection, person):
    question = collection.questions[0]
    collections.answer(collection, person, {question.id: [question.options[0].id]}, {},
                       utcnow())


def test_a_courtyard_page(app, client, world, make_user, login):
    """Notices, 公示, leaders of buildings (living elsewhere), open collections, agreements and
    households: the courtyard page asks the same for many as for one."""
    courtyard = world["courtyard"]
    head = make_user(name="胡国强", courtyard=courtyard,
                     roles=[("courtyard_leader", courtyard)])
    resident = login(_home(make_user, courtyard, "王大爷", "101"))
    _notice(head, courtyard, "第一条通知", window=True, objector=resident)
    _answer(_collection(head, courtyard, "第一次征集"), resident)
    agreements.add_agreement(head, courtyard, "共建协议", "物业公司", local_today(), "内容",
                             local_today())
    db.session.commit()

    def add_rows():
        for n in range(MORE):
            elsewhere_courtyard, _organization = elsewhere(world, n)
            building = add_place("building", f"{n + 2}栋", courtyard)
            make_user(name=f"楼长{n}", courtyard=elsewhere_courtyard,
                      roles=[("courtyard_leader", building)],
                      phone_shown_to_neighbours=n % 2 == 0)
            _notice(head, courtyard, f"院内通知{n}", window=n % 2 == 0,
                    objector=resident if n % 2 == 0 else None)
            _notice(make_user(name=f"社工{n}", courtyard=elsewhere_courtyard,
                              roles=[("community_worker", world["community"])]),
                    world["community"], f"社区通知{n}")
            _answer(_collection(head, courtyard, f"征集{n}"), resident)
            agreements.add_agreement(head, courtyard, f"协议{n}", "物业公司", local_today(),
                                     "内容", local_today())
            _home(make_user, courtyard, f"邻居{n}", f"{200 + n}", building)

    assert_queries_do_not_grow(app, client, f"/courtyards/{courtyard.id}", add_rows,
                               lambda page: f"楼长{MORE - 1}" in page
                               and f"院内通知{MORE - 1}" in page and f"征集{MORE - 1}" in page)


def test_the_desk_of_a_community_worker(app, client, world, make_user, login):
    """A worker's desk lists every courtyard of the community with its households, its latest
    notice and the doors not reached; the objections and open collections of them all."""
    worker = login(make_user(name="李晓梅", courtyard=world["courtyard2"],
                             roles=[("community_worker", world["community"])]))

    def fill(courtyard, n):
        seen = _home(make_user, courtyard, f"甲{n}", "101")
        _home(make_user, courtyard, f"乙{n}", "102")
        loose = make_user(name=f"丙{n}", courtyard=courtyard)
        notice = _notice(worker, courtyard, f"院落通知{n}", window=True, objector=seen)
        notices.record_view(notice, seen, utcnow())
        notices.record_view(notice, loose, utcnow())
        _answer(_collection(worker, courtyard, f"院落征集{n}"), seen)

    def add_rows():
        for n in range(MORE):
            fill(elsewhere(world, n)[0], n)

    fill(world["courtyard"], "首")
    db.session.commit()
    assert_queries_do_not_grow(app, client, "/courtyards/desk", add_rows,
                               lambda page: f"另一院{MORE - 1}" in page
                               and f"院落通知{MORE - 1}" in page
                               and f"院落征集{MORE - 1}" in page)


def test_the_desk_of_a_courtyard_leader(app, client, world, make_user, login):
    """A leader's one courtyard with more households, notices with objections, collections."""
    courtyard = world["courtyard"]
    leader = login(make_user(name="胡国强", courtyard=courtyard,
                             roles=[("courtyard_leader", courtyard),
                                    ("courtyard_leader", world["building"])]))
    first = _home(make_user, courtyard, "王大爷", "101", world["building"])
    _notice(leader, courtyard, "第一条公示", window=True, objector=first)
    _answer(_collection(leader, courtyard, "第一次征集"), first)
    db.session.commit()

    def add_rows():
        for n in range(MORE):
            person = _home(make_user, courtyard, f"邻居{n}", f"{300 + n}", world["building"])
            notice = _notice(leader, courtyard, f"公示{n}", window=True, objector=person)
            notices.record_view(notice, person, utcnow())
            _answer(_collection(leader, courtyard, f"征集{n}"), person)

    assert_queries_do_not_grow(app, client, "/courtyards/desk", add_rows,
                               lambda page: f"公示{MORE - 1}" in page and f"征集{MORE - 1}" in page
                               and f"1栋{300 + MORE - 2}" in page)


def test_a_collection_page(app, client, world, make_user, login):
    """More answers cost a resident's collection page nothing."""
    courtyard = world["courtyard"]
    leader = make_user(name="胡国强", courtyard=courtyard,
                       roles=[("courtyard_leader", courtyard)])
    resident = login(_home(make_user, courtyard, "王大爷", "101"))
    collection = _collection(leader, courtyard, "车棚怎么修")
    _answer(collection, resident)
    db.session.commit()

    def add_rows():
        for n in range(MORE):
            _answer(collection, _home(make_user, courtyard, f"邻居{n}", f"{200 + n}"))

    assert_queries_do_not_grow(app, client, f"/courtyards/collections/{collection.id}",
                               add_rows, lambda page: "车棚怎么修" in page)
    assert db.session.query(Answer).filter_by(collection_id=collection.id).count() == MORE + 1


def test_a_collection_page_with_more_questions(app, client, world, make_user, login):
    """Ten questions cost the collection page what one does."""
    courtyard = world["courtyard"]
    leader = make_user(name="胡国强", courtyard=courtyard,
                       roles=[("courtyard_leader", courtyard)])
    login(_home(make_user, courtyard, "王大爷", "101"))
    short = _collection(leader, courtyard, "车棚怎么修")
    longer = _collection(leader, courtyard, "楼道怎么管", questions=MORE)
    db.session.commit()
    client.get(f"/courtyards/collections/{short.id}")
    _response, one = page_queries(app, client, f"/courtyards/collections/{short.id}")
    response, many = page_queries(app, client, f"/courtyards/collections/{longer.id}")
    assert f"问题{MORE - 1}" in text(response)
    assert many.count == one.count, many.report()


def test_the_counter_counts_each_statement_but_not_begin(world):
    db.session.commit()  # the next statement begins a transaction (BEGIN on SQLite)
    with count_queries() as queries:
        ids = db.session.scalars(select(Place.id).order_by(Place.id)).all()
        for place_id in ids[:3]:
            db.session.scalar(select(Place.name).where(Place.id == place_id))
    assert queries.count == 4, queries.report()
