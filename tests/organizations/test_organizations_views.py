"""The registry over HTTP: the pages, every write's happy path, bad input kept with nothing
written, and who may."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.organizations import registry
from portal.organizations.models import Organization
from tests.helpers import audit_page, text
from tests.organizations.codes import AGENCY_CODE


def _count():
    return db.session.scalar(select(func.count()).select_from(Organization))


def test_the_public_page_shows_the_registry_entry(client, world, worker, group, staff, now,
                                                  today):
    registry.update_profile(worker, group, now, summary="帮独居老人买菜。", address="草堂东路133号",
                            contact_name="王阿姨", phone="028-87339876",
                            service_areas=["elderly"], communities=[world["community"]])
    registry.file_organization(worker, group, now, today)
    db.session.commit()
    response = client.get(f"/organizations/{group.id}")
    assert response.status_code == 200
    audit_page(response)
    page = text(response)
    for shown in ("帮独居老人买菜。", "草堂东路133号", "王阿姨", "028-87339876", "草堂路社区",
                  "朱**"):
        assert shown in page
    assert "朱红" not in page and staff.mobile not in page


def test_the_code_is_shown_for_a_registered_one(client, mentor):
    assert AGENCY_CODE in text(client.get(f"/organizations/{mentor.id}"))


def test_a_worker_registers_one(client, login, worker, world):
    login(worker)
    page = f"/organizations/new?place={world['community'].id}"
    assert client.get(page).status_code == 200
    before = _count()
    response = client.submit(page, {
        "name": "浣花书画社", "kind": "service_agency", "status": "registered",
        "credit_code": AGENCY_CODE.lower(), "day": "2024-03-01",
        "communities": [str(world["community"].id), str(world["other_community"].id)],
        "service_areas": ["culture_sports", "children"], "phone": "028 8733 9876"},
        token_from=page)
    assert response.status_code == 303
    organization = db.session.scalar(select(Organization).filter_by(name="浣花书画社"))
    assert response.headers["Location"].endswith(f"/organizations/{organization.id}")
    assert (organization.status, organization.credit_code, str(organization.registered_on),
            organization.service_areas) == ("registered", AGENCY_CODE, "2024-03-01",
                                            "children,culture_sports")
    assert len(organization.communities) == 2 and _count() == before + 1


def test_a_mistyped_code_is_kept_beside_what_is_wrong(client, login, worker, world):
    login(worker)
    page = f"/organizations/new?place={world['community'].id}"
    before = _count()
    mistyped = AGENCY_CODE[:-1] + "8"
    response = client.submit(page, {"name": "浣花书画社", "kind": "service_agency",
                                    "status": "registered", "credit_code": mistyped},
                             token_from=page)
    assert response.status_code == 422
    body = text(response)
    assert f'value="{mistyped}"' in body and 'value="浣花书画社"' in body
    assert "last character" in body or "最后一位" in body
    assert _count() == before


def test_a_taken_name_is_refused_over_http(client, login, worker, world):
    login(worker)
    page = f"/organizations/new?place={world['community'].id}"
    before = _count()
    response = client.submit(page, {"name": "常青树社会服务中心", "kind": "community_group",
                                    "status": "incubating"}, token_from=page)
    assert response.status_code == 422 and 'value="常青树社会服务中心"' in text(response)
    assert _count() == before


def _people(make_user, world, group):
    """Who asks, by name: each a user (or None for nobody signed in)."""
    return {
        "anonymous": lambda: None,
        "resident here": lambda: make_user(courtyard=world["courtyard"]),
        "resident elsewhere": lambda: make_user(courtyard=world["other_courtyard"]),
        "leader here": lambda: make_user(roles=[("courtyard_leader", world["courtyard"])]),
        "staff of it": lambda: make_user(roles=[("org_staff", group)]),
        "staff of another": lambda: make_user(roles=[("org_staff",
                                                      world["other_organization"])]),
        "worker here": lambda: make_user(roles=[("community_worker", world["community"])]),
        "worker elsewhere": lambda: make_user(roles=[("community_worker",
                                                      world["other_community"])]),
        "admin": lambda: make_user(roles=[("admin", world["city"])]),
    }


KEEPERS = {"worker here", "admin"}
EDITORS = KEEPERS | {"staff of it"}
WHO = ["anonymous", "resident here", "resident elsewhere", "leader here", "staff of it",
       "staff of another", "worker here", "worker elsewhere", "admin"]


def _as(who, make_user, world, group, login):
    user = _people(make_user, world, group)[who]()
    if user is not None:
        login(user)
    return user


@pytest.mark.parametrize("who", WHO)
def test_who_may_register_an_organization(who, client, login, make_user, world, group):
    _as(who, make_user, world, group, login)
    before = _count()
    response = client.submit(f"/organizations/new?place={world['community'].id}",
                             {"name": "新组织", "kind": "community_group",
                              "status": "incubating"})
    if who in KEEPERS:
        assert response.status_code == 303 and _count() == before + 1
    else:
        assert response.status_code in (302, 403) and _count() == before
        if who != "anonymous":
            assert response.status_code == 403


@pytest.mark.parametrize("who", WHO)
def test_who_may_edit_the_profile(who, client, login, make_user, world, group):
    _as(who, make_user, world, group, login)
    response = client.submit(f"/organizations/{group.id}/profile",
                             {"summary": "新的介绍", "service_areas": ["other"],
                              "name": "草堂邻里互助队"})
    db.session.refresh(group)
    if who in EDITORS:
        assert response.status_code == 303 and group.summary == "新的介绍"
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert group.summary is None


STATUS_WRITES = [("file", {}), ("register", {"kind": "service_agency",
                                             "credit_code": AGENCY_CODE}),
                 ("suspend", {"reason": "停了"})]


@pytest.mark.parametrize("write, data", STATUS_WRITES)
@pytest.mark.parametrize("who", WHO)
def test_who_may_change_the_status(who, write, data, client, login, make_user, world, group):
    _as(who, make_user, world, group, login)
    response = client.submit(f"/organizations/{group.id}/{write}", data)
    db.session.refresh(group)
    if who in KEEPERS:
        assert response.status_code == 303 and group.status != "incubating"
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert (group.status, group.credit_code) == ("incubating", None)


def test_the_status_controls_are_hidden_from_staff(client, login, staff, group):
    login(staff)
    page = text(client.get(f"/organizations/{group.id}"))
    assert f"/organizations/{group.id}/profile" in page
    assert f"/organizations/{group.id}/status" not in page
    assert client.get(f"/organizations/{group.id}/status").status_code == 403


def test_staff_cannot_slip_a_status_or_code_into_the_profile(client, login, staff, group):
    login(staff)
    response = client.submit(f"/organizations/{group.id}/profile",
                             {"summary": "介绍", "status": "registered",
                              "credit_code": AGENCY_CODE, "name": "改名"},
                             token_from=f"/organizations/{group.id}/profile")
    assert response.status_code == 303
    db.session.refresh(group)
    assert (group.summary, group.status, group.credit_code, group.name) == (
        "介绍", "incubating", None, "草堂邻里互助队")


def test_a_bad_phone_in_the_profile_is_kept(client, login, staff, group):
    login(staff)
    page = f"/organizations/{group.id}/profile"
    response = client.submit(page, {"summary": "介绍", "phone": "电话号码"}, token_from=page)
    assert response.status_code == 422 and 'value="电话号码"' in text(response)
    db.session.refresh(group)
    assert group.summary is None


def test_registering_with_a_bad_code_keeps_it_and_writes_nothing(client, login, worker, group):
    login(worker)
    page = f"/organizations/{group.id}/status"
    response = client.submit(f"/organizations/{group.id}/register",
                             {"kind": "service_agency", "credit_code": "52510105MJ2026CQ"},
                             token_from=page)
    assert response.status_code == 422
    assert 'value="52510105MJ2026CQ"' in text(response)
    assert "16" in text(response)  # "this one has 16"
    db.session.refresh(group)
    assert (group.status, group.credit_code) == ("incubating", None)


def test_suspending_needs_a_reason_and_restoring_brings_it_back(client, login, worker, group):
    login(worker)
    page = f"/organizations/{group.id}/status"
    response = client.submit(f"/organizations/{group.id}/suspend", {"reason": " "},
                             token_from=page)
    assert response.status_code == 422
    db.session.refresh(group)
    assert group.status == "incubating"
    assert client.submit(f"/organizations/{group.id}/suspend", {"reason": "负责人搬走了"},
                         token_from=page).status_code == 303
    db.session.refresh(group)
    assert (group.status, group.suspended_reason) == ("suspended", "负责人搬走了")
    assert "负责人搬走了" in text(client.get(f"/organizations/{group.id}"))
    assert client.submit(f"/organizations/{group.id}/restore", token_from=page
                         ).status_code == 303
    db.session.refresh(group)
    assert (group.status, group.suspended_reason) == ("incubating", None)


def test_a_worker_of_another_community_cannot_open_the_new_page(client, login, make_user,
                                                                world):
    login(make_user(roles=[("community_worker", world["other_community"])]))
    assert client.get(f"/organizations/new?place={world['community'].id}").status_code == 403
    assert client.get("/organizations/new?place=99999").status_code == 404
    assert client.get(f"/organizations/new?place={world['courtyard'].id}").status_code == 404


def test_the_list_filters_and_names_what_it_cannot_read(client, world, group, mentor):
    street = world["street"].id
    page = text(client.get(f"/organizations/?street={street}"))
    assert "草堂邻里互助队" in page and "浣花社工服务中心" in page
    page = text(client.get(f"/organizations/?street={street}&status=registered"))
    assert "浣花社工服务中心" in page and "草堂邻里互助队" not in page
    page = text(client.get(f"/organizations/?street={street}&kind=community_group"))
    assert "草堂邻里互助队" in page and "浣花社工服务中心" not in page
    response = client.get(f"/organizations/?street={street}&kind=nonsense&community=abc")
    assert response.status_code == 200
    page = text(response)
    assert "nonsense" in page and "草堂邻里互助队" in page and "浣花社工服务中心" in page


def test_the_forms_are_pages_like_any_other(client, login, worker, world, group):
    login(worker)
    for path in (f"/organizations/new?place={world['community'].id}",
                 f"/organizations/{group.id}/status", f"/organizations/{group.id}/profile",
                 f"/organizations/{group.id}/incubation", "/organizations/incubation",
                 f"/organizations/?street={world['street'].id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        audit_page(response)
