"""The registry's rules, called without HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.organizations import registry
from portal.refusals import Refused
from tests.organizations.codes import AGENCY_CODE, TENCENT, WELFARE_FOUNDATION


def _new(worker, world, now, today, **fields):
    fields.setdefault("name", "草堂邻里互助队")
    fields.setdefault("kind", "community_group")
    return registry.register_organization(worker, world["community"], now, today, **fields)


def _refused(reason, call, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


def test_a_worker_registers_an_organization_with_communities_and_areas(worker, world, now,
                                                                       today):
    organization = _new(worker, world, now, today, status="filed",
                        communities=[world["community"], world["other_community"]],
                        service_areas=["elderly", "mutual_aid", "elderly"])
    assert (organization.status, organization.filed_on, organization.credit_code) == (
        "filed", today, None)
    assert organization.service_areas == "elderly,mutual_aid"
    assert {p.name for p in registry.served_places(organization)} == {"草堂路社区", "浣花社区"}
    entry = db.session.scalar(select(AuditEntry).filter_by(action="organizations.register"))
    assert (entry.actor_id, entry.subject_id) == (worker.id, organization.id)


def test_names_are_unique_in_the_street(worker, world, now, today):
    # 常青树社会服务中心 is based in the street; its name is taken in every community of it.
    refused = _refused("org_name_taken", _new, worker, world, now, today,
                       name=" 常青树社会服务中心 ")
    assert refused.field == "name"
    _new(worker, world, now, today, name="互助队")
    _refused("org_name_taken", _new, worker, world, now, today, name="互 助 队")


def test_the_code_is_needed_exactly_when_registered(worker, world, now, today):
    _refused("org_code_needed", _new, worker, world, now, today, kind="service_agency",
             status="registered")
    _refused("org_code_not_yet", _new, worker, world, now, today, status="filed",
             code=AGENCY_CODE)
    _refused("org_kind_unregistered", _new, worker, world, now, today, status="registered",
             code=AGENCY_CODE)
    refused = _refused("org_code_kind", _new, worker, world, now, today, kind="service_agency",
                       status="registered", code=WELFARE_FOUNDATION)
    assert refused.details["given"] == "53"
    _refused("credit_code_check", _new, worker, world, now, today, kind="service_agency",
             status="registered", code=AGENCY_CODE[:-1] + "8")
    organization = _new(worker, world, now, today, kind="social_enterprise",
                        status="registered", code=TENCENT.lower(),
                        day=today - timedelta(days=9))
    assert (organization.credit_code, organization.registered_on) == (
        TENCENT, today - timedelta(days=9))
    _refused("org_code_taken", _new, worker, world, now, today, name="另一个",
             kind="social_enterprise", status="registered", code=TENCENT)


def test_days_cannot_be_in_the_future(worker, world, now, today):
    _refused("org_day_future", _new, worker, world, now, today, status="filed",
             day=today + timedelta(days=1))


def test_communities_are_of_the_same_street(worker, world, now, today):
    from portal.places.tree import add_place

    far = add_place("community", "别处社区", add_place("street", "别的街道", world["district"]))
    _refused("org_community_elsewhere", _new, worker, world, now, today, communities=[far])


def test_a_worker_of_another_street_is_refused(make_user, world, now, today):
    from portal.places.tree import add_place

    elsewhere = add_place("community", "别处社区", add_place("street", "别的街道",
                                                         world["district"]))
    stranger = make_user(roles=[("community_worker", elsewhere)])
    _refused("org_not_yours", _new, stranger, world, now, today)


def test_filing_registering_suspending_and_restoring(worker, group, now, today):
    registry.file_organization(worker, group, now, today, today - timedelta(days=3))
    assert (group.status, group.filed_on) == ("filed", today - timedelta(days=3))
    _refused("org_not_incubating", registry.file_organization, worker, group, now, today)
    refused = _refused("org_reason_needed", registry.suspend, worker, group, "  ", now)
    assert refused.field == "suspended_reason"
    registry.suspend(worker, group, "负责人搬走了，活动停了。", now)
    _refused("org_suspended", registry.record_registration, worker, group, now, today,
             code=AGENCY_CODE, kind="service_agency")
    registry.restore(worker, group, now)
    assert (group.status, group.suspended_reason) == ("filed", None)
    registry.record_registration(worker, group, now, today, code=AGENCY_CODE,
                                 kind="service_agency")
    assert (group.status, group.kind, group.credit_code) == (
        "registered", "service_agency", AGENCY_CODE)
    registry.suspend(worker, group, "年检未通过", now)
    registry.restore(worker, group, now)
    assert group.status == "registered"
    actions = db.session.scalars(select(AuditEntry.action).filter_by(subject_id=group.id)
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["organizations.file", "organizations.suspend", "organizations.restore",
                       "organizations.registered", "organizations.suspend",
                       "organizations.restore"]


def test_staff_keep_the_profile_but_not_status_name_or_communities(staff, group, world, now,
                                                                   today):
    registry.update_profile(staff, group, now, summary="帮独居老人买菜。", address="草堂东路133号",
                            contact_name="朱红", phone="028-87339876",
                            service_areas=["elderly"])
    assert (group.summary, group.service_areas) == ("帮独居老人买菜。", "elderly")
    _refused("org_not_yours", registry.update_profile, staff, group, now, summary="",
             address="", contact_name="", phone=None, service_areas=[], name="新名字")
    _refused("org_not_yours", registry.update_profile, staff, group, now, summary="",
             address="", contact_name="", phone=None, service_areas=[],
             communities=[world["community"]])
    for rule, args in ((registry.file_organization, (now, today)),
                       (registry.suspend, ("理由", now)), (registry.restore, (now,))):
        _refused("org_not_yours", rule, staff, group, *args)
    _refused("org_not_yours", registry.record_registration, staff, group, now, today,
             code=AGENCY_CODE, kind="service_agency")
    assert (group.status, group.credit_code, group.name) == ("incubating", None, "草堂邻里互助队")


def test_staff_of_another_organization_may_not_edit(make_user, group, world, now):
    other = make_user(roles=[("org_staff", world["other_organization"])])
    _refused("org_not_yours", registry.update_profile, other, group, now, summary="x",
             address="", contact_name="", phone=None, service_areas=[])


def test_the_list_filters(worker, world, group, mentor, now, today):
    group.communities.clear()
    registry.update_profile(worker, group, now, summary=None, address=None, contact_name=None,
                            phone=None, service_areas=[], communities=[world["community"]])
    db.session.commit()

    def names(**filters):
        return [o.name for o in db.session.scalars(registry.listing(**filters))]

    assert names(street=world["street"]) == sorted(
        ["常青树社会服务中心", "浣花志愿服务队", "草堂邻里互助队", "浣花社工服务中心"])
    assert names(kind="service_agency") == sorted(["常青树社会服务中心", "浣花社工服务中心"])
    assert names(status="registered") == ["浣花社工服务中心"]
    assert names(community=world["community"]) == ["草堂邻里互助队"]
