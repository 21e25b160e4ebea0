import pytest

from portal.accounts.models import RoleGrant
from portal.accounts.permissions import can, mask_mobile, may_see_mobile, places_where
from portal.accounts.roles import grant_role, grantable_roles, revoke_role
from portal.audit import AuditEntry
from portal.extensions import db
from portal.refusals import Refused
from tests.helpers import text


def grants():
    return db.session.scalars(db.select(RoleGrant)).all()


# --- can(): the one permission helper ---

@pytest.mark.parametrize("held_at, asked_at, expected", [
    ("community", "community", True),
    ("community", "courtyard", True),      # a role holds for everything below
    ("community", "building", True),
    ("community", "street", False),        # … but not above
    ("community", "other_courtyard", False),
    ("street", "other_courtyard", True),
    ("courtyard", "courtyard2", False),    # nor at a sibling
])
def test_roles_hold_at_the_place_and_below(world, make_user, held_at, asked_at, expected):
    worker = make_user(roles=[("community_worker", world[held_at])])
    assert can(worker, "community_worker", world[asked_at]) is expected


def test_a_role_is_not_another_role(world, make_user):
    leader = make_user(roles=[("courtyard_leader", world["courtyard"])])
    assert not can(leader, "community_worker", world["courtyard"])
    assert can(leader, ("community_worker", "courtyard_leader"), world["courtyard"])


def test_admin_holds_every_role_below_its_place(world, make_user):
    admin = make_user(roles=[("admin", world["district"])])
    assert can(admin, "community_worker", world["courtyard"])
    assert can(admin, "org_staff", world["organization"])
    assert not can(admin, "community_worker", world["city"])


def test_organization_roles_hold_in_that_organization_only(world, make_user):
    staff = make_user(roles=[("org_staff", world["organization"])])
    assert can(staff, "org_staff", world["organization"])
    assert not can(staff, "org_staff", world["other_organization"])
    assert not can(staff, "org_staff", world["street"])  # not a place role


def test_residents_are_residents_of_every_place_holding_their_home(world, make_user):
    resident = make_user(courtyard=world["courtyard"])
    assert can(resident, "resident", world["courtyard"])
    assert can(resident, "resident", world["community"])
    assert not can(resident, "resident", world["courtyard2"])
    assert not can(resident, "community_worker", world["courtyard"])


def test_nobody_can_anything_when_signed_out_or_inactive(world, make_user):
    from flask_login import AnonymousUserMixin

    assert not can(AnonymousUserMixin(), "resident", world["courtyard"])
    worker = make_user(roles=[("community_worker", world["community"])], active=False)
    assert not can(worker, "community_worker", world["courtyard"])


def test_places_where(world, make_user):
    user = make_user(roles=[("community_worker", world["community"]),
                            ("courtyard_leader", world["other_courtyard"])])
    assert places_where(user, "community_worker") == [world["community"]]


# --- phone numbers ---

def test_mobile_numbers_are_masked_except_to_owner_and_their_workers(world, make_user):
    resident = make_user(courtyard=world["courtyard"], mobile="13812341234")
    neighbour = make_user(courtyard=world["courtyard"])
    worker = make_user(roles=[("community_worker", world["community"])])
    other_worker = make_user(roles=[("community_worker", world["other_community"])])
    assert mask_mobile(resident.mobile) == "138****1234"
    assert may_see_mobile(resident, resident)
    assert may_see_mobile(worker, resident)
    assert not may_see_mobile(neighbour, resident)
    assert not may_see_mobile(other_worker, resident)


# --- granting and revoking ---

def test_worker_grants_inside_their_community(world, make_user):
    worker = make_user(roles=[("community_worker", world["community"])])
    resident = make_user(courtyard=world["courtyard"])
    grant = grant_role(worker, resident, "courtyard_leader", world["courtyard"])
    assert can(resident, "courtyard_leader", world["courtyard"])
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="role.grant"))
    assert entry.actor_id == worker.id and entry.details["role"] == "courtyard_leader"
    revoke_role(worker, grant)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="role.revoke"))
    assert not can(resident, "courtyard_leader", world["courtyard"])


@pytest.mark.parametrize("role, target", [
    ("courtyard_leader", "other_courtyard"),
    ("community_worker", "courtyard"),   # workers cannot make workers
    ("admin", "community"),
    ("council_member", "street"),         # above their community
])
def test_worker_grants_are_refused_outside_scope(world, make_user, role, target):
    worker = make_user(roles=[("community_worker", world["community"])])
    resident = make_user()
    before = len(grants())
    with pytest.raises(Refused) as refused:
        grant_role(worker, resident, role, world[target])
    assert (refused.value.reason, refused.value.field) == ("role_outside_scope", "role")
    assert len(grants()) == before
    assert not can(resident, role, world[target])


def test_admin_may_make_workers(world, make_user):
    admin = make_user(roles=[("admin", world["district"])])
    person = make_user()
    grant_role(admin, person, "community_worker", world["community"])
    assert can(person, "community_worker", world["courtyard"])


def test_no_granting_oneself_or_twice(world, make_user):
    admin = make_user(roles=[("admin", world["district"])])
    with pytest.raises(Refused, match="^own_roles$"):
        grant_role(admin, admin, "community_worker", world["community"])
    assert admin.grants == [g for g in grants() if g.user_id == admin.id]
    assert len(admin.grants) == 1  # only the admin role they were given
    person = make_user()
    grant_role(admin, person, "volunteer", world["community"])
    with pytest.raises(Refused, match="^role_already_held$"):
        grant_role(admin, person, "volunteer", world["community"])
    assert [g.role for g in grants() if g.user_id == person.id] == ["volunteer"]


def test_org_roles_are_granted_by_workers_over_the_orgs_home(world, make_user):
    worker = make_user(roles=[("community_worker", world["other_community"])])
    assert grantable_roles(worker, world["other_organization"]) == ("org_staff", "volunteer")
    assert grantable_roles(worker, world["organization"]) == ()  # based in the street above


# --- the roles pages ---

def test_roles_page_grants_by_mobile_number(client, world, login_as, make_user):
    login_as("community_worker", world["community"])
    make_user(name="胡国强", mobile="13900000002", courtyard=world["courtyard"])
    url = f"/accounts/roles/place/{world['courtyard'].id}"
    response = client.submit(url, {"mobile": "13900000002", "role": "courtyard_leader"},
                             token_from=url)
    assert response.status_code == 303
    person = db.session.scalar(db.select(RoleGrant).filter_by(role="courtyard_leader"))
    assert (person.user.name, person.place_id) == ("胡国强", world["courtyard"].id)
    assert can(person.user, "courtyard_leader", world["courtyard"])
    page = text(client.get(url))
    assert "胡国强 · 院长/楼长" in page
    assert "13900000002" in page  # the worker of the person's community sees the number


@pytest.mark.parametrize("data, message", [
    ({"mobile": "13900000099", "role": "courtyard_leader"}, "这个号码还没有注册"),
    ({"mobile": "1390000", "role": "courtyard_leader"}, "请输入 11 位手机号码"),
    ({"mobile": "13900000002", "role": "community_worker"}, "请从列出的角色中选择一个"),
    ({"mobile": "13900000002", "role": "king"}, "请从列出的角色中选择一个"),
])
def test_bad_grants_are_explained_and_write_nothing(client, world, login_as, make_user, data,
                                                   message):
    login_as("community_worker", world["community"])
    make_user(mobile="13900000002")
    url = f"/accounts/roles/place/{world['courtyard'].id}"
    before = len(grants())
    response = client.submit(url, data, token_from=url)
    assert response.status_code == 422
    assert message in text(response)
    assert len(grants()) == before


def test_roles_pages_outside_scope_are_forbidden(client, world, login_as, make_user):
    login_as("community_worker", world["community"])
    make_user(mobile="13900000002")
    other = world["other_courtyard"]
    assert client.get(f"/accounts/roles/place/{other.id}").status_code == 403
    before = len(grants())
    token = client.csrf_token()
    response = client.post(f"/accounts/roles/place/{other.id}",
                           data={"mobile": "13900000002", "role": "volunteer", "csrf_token": token})
    assert response.status_code == 403
    # An organization based above the worker's community is outside it too.
    organization = world["organization"]
    assert client.get(f"/accounts/roles/organization/{organization.id}").status_code == 403
    response = client.post(f"/accounts/roles/organization/{organization.id}",
                           data={"mobile": "13900000002", "role": "org_staff",
                                 "csrf_token": token})
    assert response.status_code == 403
    assert len(grants()) == before
    # A missing place or organization is 404, not 403, for anyone.
    assert client.get("/accounts/roles/place/999999").status_code == 404
    assert client.get("/accounts/roles/organization/999999").status_code == 404


@pytest.mark.parametrize("who, message", [
    ("self", "不能修改自己的角色，请找其他工作人员。"),
    ("holder", "此人在这里已经担任这个角色。"),
])
def test_refused_grants_are_explained_beside_the_role(client, world, login_as, make_user, who,
                                                      message):
    admin = login_as("admin", world["district"], mobile="13900000001")
    holder = make_user(mobile="13900000002", roles=[("volunteer", world["courtyard"])])
    mobile = admin.mobile if who == "self" else holder.mobile
    url = f"/accounts/roles/place/{world['courtyard'].id}"
    before = len(grants())
    response = client.submit(url, {"mobile": mobile, "role": "volunteer"}, token_from=url)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    # Beside the role field (and linked to it from the summary); the number is kept.
    assert f'<a href="#role">{message}</a>' in page
    assert 'id="role-error"' in page and 'id="mobile-error"' not in page
    assert f'value="{mobile}"' in page
    assert len(grants()) == before


def test_worker_takes_back_a_role_in_scope(client, world, login_as, make_user):
    login_as("community_worker", world["community"])
    leader = make_user(roles=[("courtyard_leader", world["courtyard"])])
    grant_id = leader.grants[0].id
    response = client.submit(f"/accounts/roles/{grant_id}/revoke")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/accounts/roles/place/{world['courtyard'].id}"
    assert db.session.get(RoleGrant, grant_id) is None
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="role.revoke"))
    assert entry.details["role"] == "courtyard_leader"


def test_nobody_takes_back_their_own_role(client, world, login_as):
    admin = login_as("admin", world["district"])
    own = RoleGrant(user=admin, role="volunteer", place_id=world["courtyard"].id)
    db.session.add(own)
    db.session.commit()
    response = client.submit(f"/accounts/roles/{own.id}/revoke")
    assert response.status_code == 303
    assert "不能修改自己的角色，请找其他工作人员。" in text(
        client.get(response.headers["Location"]))
    assert db.session.get(RoleGrant, own.id) is not None


def test_revoking_outside_scope_is_forbidden(client, world, login_as, make_user):
    login_as("community_worker", world["community"])
    leader = make_user(roles=[("courtyard_leader", world["other_courtyard"])])
    grant = leader.grants[0]
    assert client.submit(f"/accounts/roles/{grant.id}/revoke").status_code == 403
    assert db.session.get(RoleGrant, grant.id) is not None
    assert client.submit("/accounts/roles/999999/revoke").status_code == 404


def test_residents_cannot_reach_roles_pages(client, world, login_as):
    login_as()
    assert client.get(f"/accounts/roles/place/{world['courtyard'].id}").status_code == 403
    page = text(client.get(f"/places/{world['courtyard'].id}"))
    assert "/accounts/roles/place/" not in page  # the link is hidden too


def test_worker_sees_the_roles_link_on_places_in_scope(client, world, login_as):
    login_as("community_worker", world["community"])
    assert f"/accounts/roles/place/{world['courtyard'].id}" in text(
        client.get(f"/places/{world['courtyard'].id}"))
    assert "/accounts/roles/place/" not in text(
        client.get(f"/places/{world['other_courtyard'].id}"))
