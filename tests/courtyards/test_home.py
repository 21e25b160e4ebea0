"""The home page shows a resident the collections of her courtyard still waiting for her
answer (three taps from home: the collection, a choice, send), and nothing to anyone else."""

from datetime import timedelta

import pytest

from portal.courtyards import collections
from portal.extensions import db
from tests.helpers import text


@pytest.fixture
def shed(world, leader, now):
    collection = collections.open_collection(
        leader, world["courtyard"], "停车棚改造意见", "",
        [("您支持哪个方案？", False, False, ["原地翻新", "新建车棚"])], "resident",
        now - timedelta(days=1), now + timedelta(days=7), False, now - timedelta(days=1))
    db.session.commit()
    return collection


def test_a_resident_sees_the_question_waiting_for_her_until_she_answers(
        client, login, make_user, world, shed, now):
    grandma = login(make_user(name="张桂芳", courtyard=world["courtyard"]))
    home = text(client.get("/"))
    assert "院里想听听您的意见" in home and "停车棚改造意见" in home
    assert f"/courtyards/collections/{shed.id}" in client.get("/").get_data(as_text=True)
    option = shed.questions[0].options[1]
    collections.answer(shed, grandma, {shed.questions[0].id: [option.id]}, {}, now)
    db.session.commit()
    assert "停车棚改造意见" not in text(client.get("/"))


def test_no_question_for_other_courtyards_or_visitors(client, login, make_user, world, shed):
    client.set_cookie("courtyard", str(world["courtyard"].id))
    assert "停车棚改造意见" not in text(client.get("/"))  # a visitor who chose the courtyard
    login(make_user(courtyard=world["other_courtyard"]))
    assert "停车棚改造意见" not in text(client.get("/"))
