"""The courtyard page: leaders and their numbers, the board, agreements; 404 for other places."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.courtyards import agreements
from portal.courtyards.models import Agreement
from portal.extensions import db
from portal.refusals import Refused
from tests.helpers import audit_page, text


def test_the_page_shows_leaders_and_the_board(client, world, leader, make_user, post, today):
    make_user(name="楼长甲", courtyard=world["courtyard"],
              roles=[("courtyard_leader", world["building"])])
    post("普通通知")
    post("<i>公示</i>", window=(today, today + timedelta(days=7)))
    response = client.get(f"/courtyards/{world['courtyard'].id}")
    assert response.status_code == 200
    html = text(response)
    assert "胡国强" in html and "院长" in html and "楼栋长" in html and "楼长甲" in html
    assert html.index("&lt;i&gt;公示&lt;/i&gt;") < html.index("普通通知")
    assert leader.mobile not in html  # masked for visitors
    audit_page(response)


def test_a_leaders_number_is_shown_to_neighbours_only_when_they_chose(client, login, world,
                                                                      leader, make_user):
    neighbour = make_user(courtyard=world["courtyard"])
    stranger = make_user(courtyard=world["other_courtyard"])
    page = f"/courtyards/{world['courtyard'].id}"
    login(neighbour)
    assert leader.mobile not in text(client.get(page))
    leader.phone_shown_to_neighbours = True
    db.session.commit()
    assert leader.mobile in text(client.get(page))
    login(stranger)
    assert leader.mobile not in text(client.get(page))


def test_a_place_that_is_no_courtyard_has_no_courtyard_page(client, world):
    assert client.get(f"/courtyards/{world['community'].id}").status_code == 404
    assert client.get("/courtyards/999999").status_code == 404


def test_the_archive_pages_through_every_notice(client, world, post):
    for number in range(23):
        post(f"通知{number}")
    response = client.get(f"/courtyards/{world['courtyard'].id}/notices?page=2")
    assert response.status_code == 200 and "通知2<" in text(response)


def test_home_links_to_my_courtyard(client, login, world, make_user):
    login(make_user(courtyard=world["courtyard"]))
    assert f'href="/courtyards/{world["courtyard"].id}"' in text(client.get("/"))


def test_an_agreement_signed_in_the_future_is_refused(world, leader, today):
    with pytest.raises(Refused) as refused:
        agreements.add_agreement(leader, world["courtyard"], "共建协议", "开发商",
                                 today + timedelta(days=1), "内容", today)
    assert refused.value.field == "signed_on"


def test_a_leader_adds_an_agreement(client, login, leader, world):
    login(leader)
    page = f"/courtyards/{world['courtyard'].id}/agreements/new"
    response = client.submit(page, {"title": "与新楼盘共建协议", "other_party": "建设方",
                                    "signed_on": "2025-03-01", "text": "- 修缮外墙\n- 翻修车棚"},
                             token_from=page)
    assert response.status_code == 303
    agreement = db.session.scalar(select(Agreement))
    assert agreement.signed_on == date(2025, 3, 1)
    shown = client.get(f"/courtyards/agreements/{agreement.id}")
    assert "<li>翻修车棚</li>" in text(shown)


def test_a_bad_agreement_is_kept_and_not_written(client, login, leader, world):
    login(leader)
    page = f"/courtyards/{world['courtyard'].id}/agreements/new"
    response = client.submit(page, {"title": "x" * 10_000, "other_party": "<script>x</script>",
                                    "signed_on": "2025-02-30", "text": "内容"},
                             token_from=page)
    assert response.status_code == 422 and "&lt;script&gt;x&lt;/script&gt;" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 0


@pytest.mark.parametrize("who, status", [("leader_elsewhere", 403), ("resident_here", 403),
                                         ("worker_elsewhere", 403), ("worker_here", 303)])
def test_who_may_add_an_agreement(client, login, make_user, world, who, status):
    here, there = world["courtyard"], world["other_courtyard"]
    roles = {"leader_elsewhere": [("courtyard_leader", there)],
             "worker_elsewhere": [("community_worker", world["other_community"])],
             "worker_here": [("community_worker", world["community"])]}.get(who, [])
    login(make_user(courtyard=here, roles=roles))
    response = client.submit(f"/courtyards/{here.id}/agreements/new",
                             {"title": "协议", "other_party": "某单位",
                              "signed_on": "2025-01-01", "text": "内容"})
    assert response.status_code == status
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == (
        1 if status == 303 else 0)
