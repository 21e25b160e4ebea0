"""The residents' request rules without HTTP: submitting, 代录, 我也遇到, similar requests."""

import pytest
from sqlalchemy import func, select

from portal.councils import requests
from portal.councils.models import Request, RequestEvent, RequestSupport
from portal.extensions import db
from portal.refusals import Refused


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_resident_submits_with_a_title_from_the_body(resident, world, now):
    row = requests.submit(resident, world["courtyard"], "environment",
                          "三单元楼道灯坏了一个月，晚上上下楼很危险，请尽快修。", now,
                          building=world["building"])
    db.session.commit()
    assert row.title == "三单元楼道灯坏了一个月"
    assert (row.community_id, row.place_path, row.state) == (
        world["community"].id, world["courtyard"].path, "submitted")
    event = db.session.scalar(select(RequestEvent).where(RequestEvent.request_id == row.id))
    assert (event.action, event.actor_id, event.actor_role) == ("submit", resident.id,
                                                                 "resident")


def test_a_short_body_is_its_own_title():
    assert requests.title_from("路灯坏了。") == "路灯坏了"
    assert requests.title_from("甲" * 30) == "甲" * 20 + "…"


def test_a_leader_writes_one_down_for_a_neighbour(make_user, neighbour, world, now):
    leader = make_user(name="院长", courtyard=world["courtyard"],
                       roles=[("courtyard_leader", world["courtyard"])])
    found = requests.neighbour_by_mobile(leader, neighbour.mobile)
    row = requests.submit(found, found.home_courtyard, "safety", "门禁坏了", now,
                          recorded_by=leader)
    db.session.commit()
    assert (row.requester_id, row.recorded_by_id) == (neighbour.id, leader.id)
    event = db.session.scalar(select(RequestEvent).where(RequestEvent.request_id == row.id))
    assert (event.action, event.actor_id, event.actor_role) == ("record", leader.id,
                                                                 "courtyard_leader")


def test_a_leader_may_not_write_down_for_another_courtyard(make_user, stranger, world, now):
    leader = make_user(roles=[("courtyard_leader", world["courtyard"])])
    with pytest.raises(Refused) as refused:
        requests.neighbour_by_mobile(leader, stranger.mobile)
    assert refused.value.reason == "request_not_your_neighbour"
    with pytest.raises(Refused):
        requests.submit(stranger, world["other_courtyard"], "safety", "门禁坏了", now,
                        recorded_by=leader)


@pytest.mark.parametrize("changes, reason", [
    ({"courtyard": "other_courtyard"}, "request_other_community"),
    ({"body": "   "}, "request_body_missing"),
    ({"body": "长" * 10_000}, "request_body_too_long"),
    ({"category": "weather"}, "request_category_unknown"),
    ({"courtyard": "courtyard2", "building": "building"}, "request_building_elsewhere"),
])
def test_bad_requests_are_refused(resident, world, now, changes, reason):
    values = {"courtyard": "courtyard", "body": "路灯坏了", "category": "environment",
              "building": None, **changes}
    with pytest.raises(Refused) as refused:
        requests.submit(resident, world[values["courtyard"]], values["category"],
                        values["body"], now,
                        building=world[values["building"]] if values["building"] else None)
    assert refused.value.reason == reason
    assert _count(Request) == 0


def test_support_counts_each_neighbour_once(make_request, resident, neighbour, now):
    row = make_request(resident)
    assert requests.support(row, neighbour, now) is True
    assert requests.support(row, neighbour, now) is False
    db.session.commit()
    assert row.support_count == 1
    assert _count(RequestSupport) == 1


def test_a_double_tap_racing_past_the_check_adds_one_row(make_request, resident, neighbour,
                                                         now, monkeypatch):
    row = make_request(resident)
    requests.support(row, neighbour, now)
    # The second tap saw no row yet (it read before the first committed).
    monkeypatch.setattr(requests, "has_supported", lambda user, request: False)
    assert requests.support(row, neighbour, now) is False
    db.session.commit()
    db.session.refresh(row)
    assert (row.support_count, _count(RequestSupport)) == (1, 1)


@pytest.mark.parametrize("case, reason", [
    ("own", "support_own_request"),
    ("stranger", "support_not_neighbour"),
    ("private", "support_not_public"),
    ("closed", "support_not_open"),
])
def test_who_may_not_support(make_request, resident, neighbour, stranger, now, case, reason):
    row = make_request(resident, public=case != "private",
                       state="closed" if case == "closed" else "submitted")
    user = {"own": resident, "stranger": stranger}.get(case, neighbour)
    assert not requests.may_support(user, row)
    with pytest.raises(Refused) as refused:
        requests.support(row, user, now)
    assert refused.value.reason == reason
    assert _count(RequestSupport) == 0


def test_similar_open_requests_share_words(make_request, resident, world):
    lamp = make_request(resident, title="楼道灯坏了", body="三单元楼道灯坏了")
    make_request(resident, title="垃圾没人收", body="垃圾桶满了")
    make_request(resident, title="楼道灯不亮", body="已经修好", state="closed")
    make_request(resident, title="楼道灯私事", body="楼道灯", public=False)
    found = requests.similar_open(world["courtyard"], "我家楼道的灯坏了")
    assert found == [lamp]
    assert requests.similar_open(world["courtyard"], "？？") == []
    assert requests.similar_open(world["other_courtyard"], "楼道灯坏了") == []
