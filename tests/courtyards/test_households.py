"""Households 户: recorded by the resident or at the counter, counted per courtyard."""

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.courtyards import households
from portal.courtyards.models import Household
from portal.extensions import db
from portal.places.tree import add_place
from portal.refusals import Refused
from tests.helpers import text


def test_one_flat_is_one_household_however_it_is_written(world, make_user):
    mum = make_user(courtyard=world["courtyard"])
    son = make_user(courtyard=world["courtyard"])
    first = households.record_household(mum, world["courtyard"], world["building"], "2单元",
                                        "401室", mum)
    second = households.record_household(son, world["courtyard"], world["building"], " ２ ",
                                         "４０１", son)
    assert first.id == second.id and (first.unit, first.room) == ("2", "401")
    assert households.label(first) == "1栋2单元401"
    assert mum.household_id == son.household_id == first.id


def test_the_building_must_be_of_the_courtyard_and_the_room_is_needed(world, make_user):
    person = make_user(courtyard=world["courtyard2"])
    with pytest.raises(Refused) as refused:
        households.record_household(person, world["courtyard2"], world["building"], "", "1",
                                    person)
    assert refused.value.field == "building"
    with pytest.raises(Refused) as refused:
        households.record_household(person, world["courtyard2"], None, "1", "  ", person)
    assert refused.value.field == "room"
    with pytest.raises(Refused, match="household_elsewhere"):
        households.record_household(person, world["courtyard"], None, "", "1", person)


def test_counts_per_courtyard_in_one_query(world, make_user):
    for room in ("101", "101", "102"):
        person = make_user(courtyard=world["courtyard"])
        households.record_household(person, world["courtyard"], None, "", room, person)
    make_user(courtyard=world["courtyard"])  # no household recorded
    make_user(courtyard=world["courtyard2"])
    rows = {place.name: rest for place, *rest in households.counts(world["community"])}
    assert rows == {"草堂东路133号院": [4, 2, 3], "草堂北路8号院": [1, 0, 0]}


def test_a_resident_records_and_clears_their_household(client, login, world, make_user):
    add_place("building", "2栋", world["courtyard"])
    person = login(make_user(courtyard=world["courtyard"]))
    response = client.submit("/courtyards/household", {"building": str(world["building"].id),
                                                       "unit": "2", "room": "401"},
                             token_from="/courtyards/household")
    assert response.status_code == 303
    assert db.session.get(User, person.id).household_id is not None
    assert "1栋2单元401" in text(client.get("/accounts/profile"))
    response = client.submit("/courtyards/household/clear", {},
                             token_from="/courtyards/household")
    assert response.status_code == 303 and db.session.get(User, person.id).household_id is None


def test_a_household_without_a_room_is_kept_and_not_written(client, login, world, make_user):
    login(make_user(courtyard=world["courtyard"]))
    response = client.submit("/courtyards/household",
                             {"unit": "<b>2</b>", "room": ""}, token_from="/courtyards/household")
    assert response.status_code == 422
    assert "请填写房号" in text(response) and "&lt;b&gt;2&lt;/b&gt;" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0


def test_a_building_of_another_courtyard_is_refused(client, login, world, make_user):
    elsewhere = add_place("building", "9栋", world["other_courtyard"])
    login(make_user(courtyard=world["courtyard"]))
    response = client.submit("/courtyards/household",
                             {"building": str(elsewhere.id), "room": "1"},
                             token_from="/courtyards/household")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0


def test_the_counter_records_the_household_with_the_resident(client, worker, login, world):
    login(worker)
    response = client.submit("/accounts/counter", {
        "mobile": "13700001111", "name": "王奶奶", "courtyard": str(world["courtyard"].id),
        "building": str(world["building"].id), "unit": "", "room": "101"},
        token_from="/accounts/counter")
    assert response.status_code == 303
    grandma = db.session.scalar(select(User).filter_by(mobile="13700001111"))
    assert households.label(db.session.get(Household, grandma.household_id)) == "1栋101"


def test_a_bad_household_at_the_counter_registers_nobody(client, worker, login, world):
    login(worker)
    response = client.submit("/accounts/counter", {
        "mobile": "13700001111", "name": "王奶奶", "courtyard": str(world["courtyard2"].id),
        "building": str(world["building"].id), "room": "101"},
        token_from="/accounts/counter")
    assert response.status_code == 422 and "王奶奶" in text(response)
    assert db.session.scalar(select(User).filter_by(mobile="13700001111")) is None
