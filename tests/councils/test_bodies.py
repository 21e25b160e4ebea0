"""Councils and members: the rules (one council per place, terms, one convener and one
recorder at a time, residents or an organization's staff), and their pages over HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.councils import bodies
from portal.councils.models import Council, CouncilMember
from portal.extensions import db
from portal.refusals import Refused
from tests.councils.test_meetings import call
from tests.helpers import audit_page, text


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- rules ---

def test_a_worker_sets_up_one_council_per_place(worker, world, now):
    council = bodies.create_council(worker, world["community"], " 草堂路社区议事会 ", now)
    assert (council.name, council.place_id) == ("草堂路社区议事会", world["community"].id)
    assert db.session.scalar(select(AuditEntry.action).filter_by(
        subject_type="Council")) == "councils.council.create"
    with pytest.raises(Refused, match="council_exists"):
        bodies.create_council(worker, world["community"], "第二个", now)


def test_a_council_is_for_a_building_courtyard_group_or_community(worker, world, make_user,
                                                                   outside_worker, now):
    admin = make_user(name="管理员", roles=[("admin", world["city"])])
    with pytest.raises(Refused, match="council_place_kind"):
        bodies.create_council(admin, world["street"], "街道议事会", now)
    assert bodies.create_council(worker, world["courtyard"], "院落议事会", now).id
    with pytest.raises(Refused, match="council_not_yours"):
        bodies.create_council(outside_worker, world["community"], "别人的", now)
    assert bodies.create_council(worker, world["building"], "1栋议事会", now).id


def test_members_are_residents_of_the_place_with_a_term(make_council, worker, world, resident,
                                                        stranger, today, now):
    council = make_council(place=world["building"], members=2)
    # 王秀英 lives in the courtyard, not in the building's flats as the tree knows them
    with pytest.raises(Refused, match="member_not_resident"):
        bodies.add_member(worker, council, stranger, "member", today,
                          today + timedelta(days=30), now)
    community = make_council(members=2)
    with pytest.raises(Refused, match="member_term_order"):
        bodies.add_member(worker, community, resident, "member", today, today, now)
    seat = bodies.add_member(worker, community, resident, "deputy", today,
                             today + timedelta(days=365), now)
    assert seat in bodies.current_members(community, today)
    with pytest.raises(Refused, match="member_already_seated"):
        bodies.add_member(worker, community, resident, "member", today + timedelta(days=10),
                          today + timedelta(days=20), now)


def test_one_convener_and_one_recorder_at_a_time(make_council, worker, resident, neighbour,
                                                 today, now):
    council = make_council(members=2)  # a convener and a recorder in term
    for position in ("convener", "recorder"):
        with pytest.raises(Refused, match="member_position_taken"):
            bodies.add_member(worker, council, resident, position, today,
                              today + timedelta(days=30), now)
    # once the convener's term ends, a new one may start the day after
    old = council.members[0]
    bodies.end_term(worker, old, today, now)
    seat = bodies.add_member(worker, council, resident, "convener",
                             today + timedelta(days=1), today + timedelta(days=365), now)
    assert seat.position == "convener"
    assert bodies.add_member(worker, council, neighbour, "deputy", today,
                             today + timedelta(days=30), now).position == "deputy"


def test_an_organizations_representative_is_on_its_staff(make_council, make_user, worker,
                                                         world, today, now):
    council = make_council(members=2)
    staff = make_user(name="社工", courtyard=world["other_courtyard"],
                      roles=[("org_staff", world["organization"])])
    other = make_user(name="别人", courtyard=world["other_courtyard"])
    with pytest.raises(Refused, match="member_organization_missing"):
        bodies.add_member(worker, council, staff, "member", today, today + timedelta(days=9),
                          now, represents="organization")
    with pytest.raises(Refused, match="member_not_staff"):
        bodies.add_member(worker, council, other, "member", today, today + timedelta(days=9),
                          now, represents="organization", organization=world["organization"])
    seat = bodies.add_member(worker, council, staff, "member", today,
                             today + timedelta(days=9), now, represents="organization",
                             organization=world["organization"])
    assert seat.organization_id == world["organization"].id


def test_the_convener_adds_members_and_an_ordinary_member_may_not(make_council, resident,
                                                                  neighbour, today, now):
    council = make_council(members=3)
    bodies.add_member(council.members[0].user, council, resident, "member", today,
                      today + timedelta(days=30), now)
    with pytest.raises(Refused, match="council_not_yours"):
        bodies.add_member(council.members[2].user, council, neighbour, "member", today,
                          today + timedelta(days=30), now)


def test_ending_a_term(make_council, worker, today, now):
    council = make_council(members=3)
    seat = council.members[2]
    with pytest.raises(Refused, match="member_term_end_early"):
        bodies.end_term(worker, seat, seat.starts_on - timedelta(days=1), now)
    with pytest.raises(Refused, match="member_term_end_late"):
        bodies.end_term(worker, seat, seat.ends_on, now)
    bodies.end_term(worker, seat, today - timedelta(days=1), now)
    assert seat not in bodies.current_members(council, today)


# --- pages ---

def test_the_council_page_lists_members_masked_and_meetings(client, make_council, now):
    council = make_council()
    call(council, now, title="六月议事会")
    response = client.get(f"/councils/{council.id}")
    assert response.status_code == 200
    body = text(response)
    assert council.name in body and "六月议事会" in body
    assert "议事1" not in body and "议**" in body
    assert council.members[0].user.mobile not in body
    assert f"/councils/{council.id}/meetings.ics" in body
    assert f"/councils/{council.id}/members/new" not in body
    audit_page(response)


def test_a_worker_sees_full_contacts_and_the_keepers_links(client, login, worker,
                                                            make_council):
    council = make_council()
    login(worker)
    body = text(client.get(f"/councils/{council.id}"))
    assert council.members[0].user.mobile in body and "议事1" in body
    assert f"/councils/{council.id}/members/new" in body
    assert f"/councils/{council.id}/meetings/new" in body


def test_the_index_lists_my_communitys_councils(client, login, worker, make_council, world):
    council = make_council()
    login(worker)
    response = client.get("/councils/")
    body = text(response)
    assert response.status_code == 200 and council.name in body
    assert f"/councils/places/{world['building'].id}/council/new" in body
    audit_page(response)


def test_a_worker_sets_up_a_council_over_http(client, login, worker, world):
    login(worker)
    page = f"/councils/places/{world['building'].id}/council/new"
    assert client.get(page).status_code == 200
    response = client.submit(page, {"name": "1栋议事会"}, token_from=page)
    assert response.status_code == 303
    assert db.session.scalar(select(Council.name)) == "1栋议事会"
    again = client.submit(page, {"name": "1栋第二议事会"}, token_from=page)
    assert again.status_code == 422 and 'value="1栋第二议事会"' in text(again)
    assert _count(Council) == 1


@pytest.mark.parametrize("who, status", [
    ("outside_worker", 403), ("resident", 403), (None, 302)])
def test_only_workers_here_set_up_councils(client, login, world, request, who, status):
    if who:
        login(request.getfixturevalue(who))
    response = client.submit(f"/councils/places/{world['community'].id}/council/new",
                             {"name": "议事会"})
    assert response.status_code == status
    assert _count(Council) == 0


def test_a_street_has_no_council_page_to_set_up(client, login, make_user, world):
    login(make_user(name="管理员", roles=[("admin", world["city"])]))
    assert client.get(f"/councils/places/{world['street'].id}/council/new") \
        .status_code == 404


def _member_data(person, today, **changes):
    data = {"mobile": person.mobile, "position": "member", "represents": "residents",
            "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=365)).isoformat()}
    data.update(changes)
    return data


def test_the_convener_adds_a_member_over_http(client, login, make_council, resident, today):
    council = make_council()
    login(council.members[0].user)
    page = f"/councils/{council.id}/members/new"
    assert client.get(page).status_code == 200
    response = client.submit(page, _member_data(resident, today), token_from=page)
    assert response.status_code == 303
    assert db.session.scalar(select(CouncilMember.position).filter_by(
        user_id=resident.id)) == "member"


def test_a_bad_member_is_kept_beside_its_message(client, login, make_council, resident,
                                                 stranger, today):
    council = make_council()
    login(council.members[0].user)
    page = f"/councils/{council.id}/members/new"
    unknown = client.submit(page, _member_data(resident, today, mobile="13900001111"),
                            token_from=page)
    assert unknown.status_code == 422 and 'value="13900001111"' in text(unknown)
    elsewhere = client.submit(page, _member_data(stranger, today), token_from=page)
    assert elsewhere.status_code == 422 and 'id="mobile-error"' in text(elsewhere)
    backwards = client.submit(page, _member_data(
        resident, today, ends_on=(today - timedelta(days=1)).isoformat()), token_from=page)
    assert backwards.status_code == 422 and 'id="ends_on-error"' in text(backwards)
    assert _count(CouncilMember) == 5


@pytest.mark.parametrize("who, status", [
    ("member", 403), ("recorder", 403), ("outside_worker", 403), ("anonymous", 302),
    ("worker", 303), ("convener", 303)])
def test_who_may_add_and_unseat_members(client, login, make_council, resident, today,
                                        request, who, status):
    council = make_council()
    people = {"convener": 0, "recorder": 1, "member": 2}
    if who in people:
        login(council.members[people[who]].user)
    elif who != "anonymous":
        login(request.getfixturevalue(who))
    response = client.submit(f"/councils/{council.id}/members/new",
                             _member_data(resident, today))
    assert response.status_code == status
    assert _count(CouncilMember) == (6 if status == 303 else 5)
    seat = council.members[3]
    ended = client.submit(f"/councils/members/{seat.id}/end",
                          {"ends_on": today.isoformat()})
    assert ended.status_code == status
    assert (db.session.get(CouncilMember, seat.id).ends_on == today) == (status == 303)
