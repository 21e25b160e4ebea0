"""The leaders' desk: objections to answer, doors to knock on, counts; 403 for others."""

from datetime import timedelta

from portal.courtyards import households
from portal.extensions import db
from portal.publicity import rules as publicity
from tests.helpers import audit_page, text


def test_a_leader_sees_objections_and_households_not_reached(client, login, leader, world,
                                                             post, resident_in, now, today):
    notice = post("公示：车棚翻修方案", window=(today, today + timedelta(days=7)))
    objector = resident_in("301")
    resident_in("302")
    publicity.raise_objection(publicity.publication_of(notice), objector, "question",
                              "费用谁出？", now)
    db.session.commit()
    login(leader)
    response = client.get("/courtyards/desk")
    assert response.status_code == 200
    html = text(response)
    assert "公示：车棚翻修方案" in html and "1 条待答复" in html
    assert "<li>301</li>" in html and "<li>302</li>" in html
    audit_page(response)


def test_a_worker_sees_every_courtyard_of_the_community(client, login, worker, world,
                                                        make_user):
    person = make_user(courtyard=world["courtyard"])
    households.record_household(person, world["courtyard"], None, "", "1", person)
    db.session.commit()
    login(worker)
    html = text(client.get("/courtyards/desk"))
    assert world["courtyard"].name in html and world["courtyard2"].name in html
    assert world["other_courtyard"].name not in html


def test_residents_and_strangers_have_no_desk(client, login, make_user, world):
    assert client.get("/courtyards/desk").status_code == 302  # sign in first
    login(make_user(courtyard=world["courtyard"]))
    assert client.get("/courtyards/desk").status_code == 403


def test_the_desk_counts_as_the_notice_page_does(world, worker, make_user, post, now):
    """The desk's grouped counts are those of ``notices.readers`` and
    ``households_not_seen`` for each courtyard: its own latest notice, or the community's
    when that is newer; residents without a household counted apart."""
    from portal.courtyards import desk, notices

    def home(courtyard, room):
        person = make_user(courtyard=courtyard)
        households.record_household(person, courtyard, None, "", room, person)
        return person

    a1, _a2 = home(world["courtyard"], "1"), home(world["courtyard"], "2")
    b1, loose = home(world["courtyard2"], "7"), make_user(courtyard=world["courtyard2"])
    own = post("本院通知")
    community = post("社区通知", place=world["community"], by=worker)
    own.created_at = community.created_at - timedelta(minutes=1)  # the community's is newer
    notices.record_view(community, a1, now)
    notices.record_view(community, loose, now)
    notices.record_view(own, b1, now)  # not its courtyard's notice: not counted
    db.session.commit()
    rows = desk.courtyard_rows(db.session.scalars(desk.desk_courtyards(worker)).all())
    assert [r["courtyard"] for r in rows] == [world["courtyard"], world["courtyard2"]]
    for row in rows:
        courtyard = row["courtyard"]
        assert row["latest"] == notices.latest(courtyard) == community
        expected = notices.readers(community, courtyard)
        assert tuple(row["readers"]) == (expected.households, expected.households_seen,
                                         expected.loose, expected.loose_seen)
        assert row["not_seen"] == notices.households_not_seen(community, courtyard)
        assert row["not_seen_count"] == len(row["not_seen"])
    assert tuple(rows[0]["readers"]) == (2, 1, 1, 0)  # the leader has no household
    assert tuple(rows[1]["readers"]) == (1, 0, 2, 1)  # the worker lives there too


def test_the_desk_goes_by_pages_and_lists_a_bounded_number_of_doors(
        client, login, worker, world, make_user, post, monkeypatch):
    from portal.courtyards import desk
    from portal.places.tree import add_place

    monkeypatch.setattr(desk, "PER_PAGE", 2)
    monkeypatch.setattr(desk, "FEW_DOORS", 2)  # a page of two courtyards
    add_place("courtyard", "草堂西路9号院", world["community"])
    for room in ("301", "302", "303"):
        person = make_user(courtyard=world["courtyard"])
        households.record_household(person, world["courtyard"], None, "", room, person)
    notice = post("停电通知")
    db.session.commit()
    login(worker)
    first = text(client.get("/courtyards/desk"))
    second = text(client.get("/courtyards/desk?page=2"))
    assert 'rel="next"' in first and 'rel="prev"' in second
    names = ("草堂西路9号院", world["courtyard"].name, world["courtyard2"].name)
    assert sorted(name for name in names for page in (first, second)
                  if f">{name}</a></h3>" in page) == sorted(names)  # each on one page
    page = first if f">{world['courtyard'].name}</a></h3>" in first else second
    assert "<li>301</li>" in page and "<li>302</li>" in page and "<li>303</li>" not in page
    assert "还没看过的住户（3 户）" in page
    assert f"/courtyards/notices/{notice.id}?courtyard={world['courtyard'].id}" in page
