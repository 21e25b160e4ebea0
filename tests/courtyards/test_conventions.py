"""Resident conventions: drafted, put to the residents, decided; every version readable with
what changed; the line diff itself; the pages and who may write."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.courtyards import conventions
from portal.courtyards.diff import line_diff
from portal.courtyards.models import Collection, ConventionVersion
from portal.extensions import db
from portal.refusals import Refused
from portal.timeutil import utcnow
from tests.helpers import audit_page, text

DAY = timedelta(days=1)
FIRST = "爱护院内公共设施。\n垃圾分类投放。\n晚上十点后不大声喧哗。"
SECOND = "爱护院内公共设施。\n垃圾分类，定时定点投放。\n晚上十点后不大声喧哗。\n电动车不进楼道。"


@pytest.fixture
def head(make_user, world):
    return make_user(name="胡国强", courtyard=world["courtyard"],
                     roles=[("courtyard_leader", world["courtyard"])])


def adopt(head, courtyard, text_, effective_on, now):
    version = conventions.draft(head, courtyard, text_, now)
    collection = conventions.put_to_residents(head, version, now, now + DAY, now)
    conventions.decide(head, version, True, effective_on, now + 2 * DAY)
    assert collection.closed_at is not None and collection.summary
    return version


def test_line_diff_marks_added_and_removed_lines():
    pieces = line_diff(FIRST, SECOND)
    assert ("removed", "垃圾分类投放。") in pieces
    assert ("added", "垃圾分类，定时定点投放。") in pieces
    assert ("added", "电动车不进楼道。") in pieces
    assert ("same", "爱护院内公共设施。") in pieces
    assert line_diff(FIRST, FIRST) == [("same", line) for line in FIRST.split("\n")]


def test_a_version_is_drafted_consulted_and_adopted(head, world):
    now = utcnow()
    courtyard = world["courtyard"]
    v1 = adopt(head, courtyard, FIRST, date(2026, 1, 1), now)
    assert conventions.current(courtyard, date(2026, 1, 2)).id == v1.id
    assert conventions.current(courtyard, date(2025, 12, 31)) is None
    v2 = conventions.draft(head, courtyard, SECOND, now)
    assert conventions.draft(head, courtyard, SECOND + "\n新增一条。", now).id == v2.id
    collection = conventions.put_to_residents(head, v2, now, now + DAY, now)
    assert [o.label for o in collection.questions[0].options] in (
        ["同意", "不同意"], ["Agree", "Disagree"])
    with pytest.raises(Refused, match="convention_consulting"):
        conventions.draft(head, courtyard, "再改", now)
    with pytest.raises(Refused, match="collection_still_open"):
        conventions.decide(head, v2, True, date(2026, 6, 1), now)
    with pytest.raises(Refused, match="effective_on_missing"):
        conventions.decide(head, v2, True, None, now + 2 * DAY)
    conventions.decide(head, v2, False, None, now + 2 * DAY)
    assert v2.state == "rejected"
    assert conventions.previous(v2).id == v1.id
    assert conventions.current(courtyard, date(2026, 7, 1)).id == v1.id


def test_only_leaders_and_workers_write(make_user, world):
    resident = make_user(courtyard=world["courtyard"])
    stranger = make_user(roles=[("courtyard_leader", world["other_courtyard"])])
    for who in (resident, stranger):
        with pytest.raises(Refused, match="collection_not_yours"):
            conventions.draft(who, world["courtyard"], FIRST, utcnow())


def test_the_version_page_shows_the_diff_in_words(client, head, world):
    now = utcnow()
    adopt(head, world["courtyard"], FIRST, date(2026, 1, 1), now)
    v2 = adopt(head, world["courtyard"], SECOND, date(2026, 3, 1), now)
    db.session.commit()
    page = client.get(f"/courtyards/convention/{v2.id}")
    assert page.status_code == 200
    body = text(page)
    assert "<ins>" in body and "<del>" in body and "电动车不进楼道" in body
    audit_page(page)
    page = client.get(f"/courtyards/{world['courtyard'].id}/convention")
    assert page.status_code == 200 and "电动车不进楼道" in text(page)
    audit_page(page)


def test_a_draft_is_written_over_http_and_bad_text_kept(client, login, head, world):
    login(head)
    path = f"/courtyards/{world['courtyard'].id}/convention/new"
    response = client.submit(path, {"text": "长" * 6000}, token_from=path)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ConventionVersion)) == 0
    response = client.submit(path, {"text": "<b>不乱停车</b>"}, token_from=path)
    assert response.status_code == 303
    version = db.session.scalar(select(ConventionVersion))
    page = text(client.get(f"/courtyards/convention/{version.id}"))
    assert "&lt;b&gt;不乱停车&lt;/b&gt;" in page and "<b>不乱停车" not in page
    consult = f"/courtyards/convention/{version.id}/consult"
    response = client.submit(consult, {"closes_on": "2020-01-01"},
                             token_from=f"/courtyards/convention/{version.id}")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Collection)) == 0
    closes = (utcnow() + 5 * DAY).date().isoformat()
    response = client.submit(consult, {"closes_on": closes},
                             token_from=f"/courtyards/convention/{version.id}")
    assert response.status_code == 303
    assert db.session.get(ConventionVersion, version.id).state == "consulting"


@pytest.mark.parametrize("who, status", [
    ("resident here", 403), ("leader elsewhere", 403), ("worker elsewhere", 403),
    ("leader here", 303), ("worker here", 303), ("admin", 303), ("anonymous", 302)])
def test_who_may_draft(client, login, make_user, world, who, status):
    here, there = world["courtyard"], world["other_courtyard"]
    people = {
        "resident here": lambda: make_user(courtyard=here),
        "leader here": lambda: make_user(roles=[("courtyard_leader", here)]),
        "leader elsewhere": lambda: make_user(roles=[("courtyard_leader", there)]),
        "worker here": lambda: make_user(roles=[("community_worker", world["community"])]),
        "worker elsewhere": lambda: make_user(roles=[("community_worker",
                                                      world["other_community"])]),
        "admin": lambda: make_user(roles=[("admin", world["city"])]),
        "anonymous": lambda: None}
    person = people[who]()
    if person:
        login(person)
    response = client.submit(f"/courtyards/{here.id}/convention/new", {"text": FIRST})
    assert response.status_code == status
    written = db.session.scalar(select(func.count()).select_from(ConventionVersion))
    assert written == (1 if status == 303 else 0)


def test_a_draft_is_not_shown_to_residents(client, login, head, make_user, world):
    version = conventions.draft(head, world["courtyard"], FIRST, utcnow())
    db.session.commit()
    login(make_user(courtyard=world["courtyard"]))
    assert client.get(f"/courtyards/convention/{version.id}").status_code == 403
