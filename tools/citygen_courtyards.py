"""City-scale courtyards for `make bench` (DESIGN.md § 6): per courtyard ~150 households in
three buildings (most residents living in one), a courtyard head and two building leaders,
~20 notices over the past year (some 公示 with objections, some answered), who opened the
recent ones (~half the households), ~5 opinion collections of 1–3 questions answered by about
half the residents, and a convention with two versions (one adopted, one being consulted on).

Per-courtyard numbers stay the same at every scale; ``scale`` sets how many courtyards there
are (tools/citygen.py: 20 per community), so the bench shows whether the courtyard pages and
the leaders' desk grow with the city. Rows go in with bulk inserts and explicit ids
(tools/citygen.py's ``insert_rows``: COPY on PostgreSQL).
"""

import random
from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import RoleGrant, User
from portal.courtyards.models import (
    Answer,
    AnswerItem,
    Collection,
    ConventionVersion,
    Household,
    Notice,
    NoticeView,
    Option,
    Question,
)
from portal.places.models import Place
from portal.publicity.models import Objection, Publication
from portal.timeutil import local_today, utcnow
from tools.citygen import commit, insert_rows, update_rows

HOUSEHOLDS = 150
BUILDINGS = 3
NOTICES = 20
RECENT_NOTICES = 3  # the newest, which about half the households have opened
PUBLICITY_SHARE = 0.25
COLLECTIONS = 5
COMMUNITY_NOTICES = 5


def _next_id(session, model):
    return (session.scalar(select(func.max(model.id))) or 0) + 1


class _Rows:
    """Rows of one table with explicit ids, held until ``flush`` inserts them."""

    def __init__(self, session, model):
        self.session, self.model, self.rows = session, model, []
        self.next = _next_id(session, model)

    def add(self, **row):
        row["id"] = self.next
        self.next += 1
        self.rows.append(row)
        return row["id"]

    def flush(self):
        insert_rows(self.session, self.model, self.rows)
        self.rows.clear()


def generate(session, city, scale=1.0, seed=2027):
    """Insert the courtyards' data; return {courtyard id: {"resident", "leader", "notice",
    "collection"}} ids for choosing pages to time."""
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    today = local_today()
    paths = dict(session.execute(select(Place.id, Place.path).where(
        Place.id.in_([c for c, _cid, _lat, _lon in city.courtyards]))).all())
    count = len(city.courtyards)
    places = _Rows(session, Place)
    households, grants = _Rows(session, Household), []
    notices, publications = _Rows(session, Notice), _Rows(session, Publication)
    objections, views = _Rows(session, Objection), _Rows(session, NoticeView)
    collections, questions = _Rows(session, Collection), _Rows(session, Question)
    options, answers, items = _Rows(session, Option), _Rows(session, Answer), _Rows(
        session, AnswerItem)
    versions = _Rows(session, ConventionVersion)
    homes, chosen = [], {}
    for i, (courtyard, community, _lat, _lon) in enumerate(city.courtyards):
        residents = city.user_ids[i::count]
        head, building_leaders = residents[1], residents[2:2 + BUILDINGS - 1]
        buildings = [places.add(kind="building", name=f"{b + 1}栋", parent_id=courtyard,
                                path=f"{paths[courtyard]}{places.next}/", depth=5,
                                suburban=False) for b in range(BUILDINGS)]
        flats = [households.add(courtyard_id=courtyard, building_id=buildings[h % BUILDINGS],
                                unit=str(h // BUILDINGS % 3 + 1), room=f"{h // 9 + 1}0{h % 3 + 1}",
                                created_at=now) for h in range(HOUSEHOLDS)]
        # Most residents live in one of the flats (two or three to some), a few never said.
        household_of = {}
        for n, user in enumerate(residents):
            if n % 8 != 7:
                household_of[user] = flats[rng.randrange(len(residents) * 3 // 4)]
                homes.append({"id": user, "household_id": household_of[user]})
        grants.append({"user_id": head, "role": "courtyard_leader", "place_id": courtyard,
                       "created_at": now})
        grants += [{"user_id": leader, "role": "courtyard_leader", "place_id": building,
                    "created_at": now} for leader, building in zip(building_leaders, buildings,
                                                                    strict=False)]
        lived_in = {}
        for user, household in household_of.items():
            lived_in.setdefault(household, user)
        # Notices, oldest first; the newest RECENT_NOTICES were opened by half the homes.
        newest = None
        for n in range(NOTICES):
            age = timedelta(days=(NOTICES - n) * 18 - 17, hours=rng.randrange(24))
            notice = newest = notices.add(
                place_id=courtyard, title=f"第{n + 1}号通知", body="各位邻居：\n\n明天上午停水。",
                posted_by_id=head, created_at=now - age,
                pinned_until=today + timedelta(days=3) if n == NOTICES - 1 else None)
            if rng.random() < PUBLICITY_SHARE or n == NOTICES - 1:
                starts = now - age
                publication = publications.add(
                    subject_type="notice", subject_id=notice, place_id=courtyard,
                    title=f"第{n + 1}号通知", starts_at=starts, ends_at=starts + timedelta(days=7),
                    answer_days=3, posted_by_id=head, created_at=starts)
                for k in range(rng.randrange(3)):
                    raised = starts + timedelta(hours=k + 1)
                    answered = age > timedelta(days=5) or k == 0
                    objections.add(
                        publication_id=publication, kind=rng.choice(["objection", "question"]),
                        body="费用谁出？", raised_by_id=residents[4 + k], raised_at=raised,
                        due_at=raised + timedelta(days=3),
                        answer="物业承担。" if answered else None,
                        answered_by_id=head if answered else None,
                        answered_at=raised + timedelta(days=1) if answered else None)
            if n >= NOTICES - RECENT_NOTICES:
                for household, user in list(lived_in.items())[::2]:
                    views.add(notice_id=notice, user_id=user, household_id=household,
                              seen_at=now - age + timedelta(hours=2))
        # Collections: three closed in the past, two open (the second is the convention's).
        voters = [u for u in residents if u in household_of]
        collection = None
        for n in range(COLLECTIONS):
            open_now = n >= COLLECTIONS - 2
            opens = now - timedelta(days=3 if open_now else 60 * (COLLECTIONS - n))
            closes = now + timedelta(days=7) if open_now else opens + timedelta(days=14)
            collection = collections.add(
                place_id=courtyard, title=f"意见征集{n + 1}", description="请大家发表意见。",
                voters="resident", opens_at=opens, closes_at=closes, live_results=False,
                opened_by_id=head, created_at=opens, closed_at=None if open_now else closes,
                summary=None)
            asked = []
            for q in range(1 if n == COLLECTIONS - 1 else 1 + n % 3):
                question = questions.add(collection_id=collection, position=q,
                                         text=f"问题{q + 1}", multiple=False, free_text=q == 2)
                asked.append((question, [options.add(question_id=question, position=o,
                                                     label=f"选项{o + 1}")
                                         for o in range(2 + q % 3)]))
            for user in voters[::2]:
                answer = answers.add(collection_id=collection, voter=f"user:{user}",
                                     user_id=user, household_id=None, courtyard_id=courtyard,
                                     channel="online", created_at=opens, updated_at=opens)
                for question, choices in asked:
                    items.add(answer_id=answer, question_id=question,
                              option_id=rng.choice(choices), text=None)
        versions.add(place_id=courtyard, number=1, text="一、爱护公共设施。\n二、垃圾分类。",
                     state="adopted", written_by_id=head, created_at=now - timedelta(days=400),
                     effective_on=today - timedelta(days=360),
                     decided_at=now - timedelta(days=365))
        versions.add(place_id=courtyard, number=2,
                     text="一、爱护公共设施。\n二、垃圾分类。\n三、电动车不进楼道。",
                     state="consulting", written_by_id=head, created_at=now - timedelta(days=3),
                     collection_id=collection)
        chosen[courtyard] = {"resident": voters[3], "leader": head, "notice": newest,
                             "collection": collection, "community": community}
    for community in city.communities:
        for n in range(COMMUNITY_NOTICES):
            notices.add(place_id=community, title=f"社区通知{n + 1}", body="社区通知。",
                        posted_by_id=city.worker_ids[community],
                        created_at=now - timedelta(days=70 * n + 2))
    for rows in (places, households, notices, publications, objections, views, collections,
                 questions, options, answers, items, versions):
        rows.flush()
    insert_rows(session, RoleGrant, grants)
    update_rows(session, User, homes)
    commit(session)
    return chosen


def bench_pages(session, city, scale):
    """Generate the courtyards; return the pages to time as (label, user, path, courtyard)."""
    chosen = generate(session, city, scale)
    community = city.communities[len(city.communities) // 2]
    courtyard = next(c for c, cid, _lat, _lon in city.courtyards if cid == community)
    made = chosen[courtyard]
    return [
        ("courtyard page (chosen courtyard)", None, f"/courtyards/{courtyard}", courtyard),
        ("courtyard page (resident)", made["resident"], f"/courtyards/{courtyard}", None),
        ("notice (resident)", made["resident"], f"/courtyards/notices/{made['notice']}", None),
        ("collection (resident)", made["resident"],
         f"/courtyards/collections/{made['collection']}", None),
        ("leaders' desk (courtyard leader)", made["leader"], "/courtyards/desk", None),
        ("leaders' desk (community worker)", city.worker_ids[community], "/courtyards/desk",
         None),
    ]
