"""Incubation: stages in order, the organization's path, the street's list and its CSV."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.organizations import incubation, registry
from portal.organizations.models import IncubationStep
from portal.refusals import Refused
from tests.helpers import text


def _steps():
    return db.session.scalar(select(func.count()).select_from(IncubationStep))


def _refused(reason, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        incubation.record_stage(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


def test_stages_are_recorded_in_order(worker, group, mentor, now, today):
    ago = lambda days: today - timedelta(days=days)  # noqa: E731
    _refused("stage_out_of_order", worker, group, "core_group", ago(9), now, today)
    incubation.record_stage(worker, group, "talent", ago(30), now, today)
    _refused("stage_recorded", worker, group, "talent", ago(29), now, today)
    refused = _refused("stage_before_previous", worker, group, "core_group", ago(31), now,
                       today)
    assert refused.field == "day"
    _refused("org_day_future", worker, group, "core_group", today + timedelta(days=1), now,
             today)
    _refused("mentor_itself", worker, group, "core_group", ago(20), now, today, mentor=group)
    incubation.record_stage(worker, group, "core_group", ago(20), now, today, mentor=mentor,
                            note="五位骨干，每周碰头。")
    _refused("stage_needs_filing", worker, group, "filed", ago(10), now, today)
    registry.file_organization(worker, group, now, today, ago(10))
    incubation.record_stage(worker, group, "filed", ago(10), now, today)
    assert [s.stage for s in incubation.path(group)] == ["talent", "core_group", "filed"]
    assert incubation.next_stage(group) == "micro_project"


def test_a_mentor_must_be_registered(worker, group, world, now, today):
    _refused("mentor_unregistered", worker, group, "talent", today, now, today,
             mentor=world["other_organization"])


def test_a_stranger_may_not_record(make_user, group, world, now, today):
    stranger = make_user(roles=[("community_worker", world["other_community"])])
    _refused("org_not_yours", stranger, group, "talent", today, now, today)


def test_the_street_list_groups_by_current_stage(worker, group, mentor, now, today):
    incubation.record_stage(worker, group, "talent", today - timedelta(days=12), now, today)
    incubation.record_stage(worker, group, "core_group", today - timedelta(days=5), now, today,
                            mentor=mentor)
    groups = incubation.by_stage(group.home_place.ancestor("street"), today)
    assert [(stage, [(r.organization.name, r.days) for r in rows]) for stage, rows in groups] \
        == [("core_group", [("草堂邻里互助队", 5)])]


def test_recording_over_http(client, login, worker, group, mentor, today):
    login(worker)
    page = f"/organizations/{group.id}/incubation"
    assert client.get(page).status_code == 200
    response = client.submit(page, {"stage": "talent", "day": str(today),
                                    "mentor": str(mentor.id), "note": "发现了王阿姨"},
                             token_from=page)
    assert response.status_code == 303
    step = db.session.scalar(select(IncubationStep))
    assert (step.stage, step.mentor_id, step.note) == ("talent", mentor.id, "发现了王阿姨")
    shown = text(client.get(f"/organizations/{group.id}"))
    assert mentor.name in shown


def test_a_stage_out_of_order_is_refused_with_what_was_typed(client, login, worker, group):
    login(worker)
    page = f"/organizations/{group.id}/incubation"
    response = client.submit(page, {"stage": "micro_project", "note": "社区微项目"},
                             token_from=page)
    assert response.status_code == 422 and "社区微项目" in text(response)
    assert _steps() == 0


@pytest.mark.parametrize("who, status", [("staff", 403), ("worker elsewhere", 403),
                                         ("resident", 403), ("admin", 303)])
def test_who_may_record_a_stage(who, status, client, login, make_user, world, group):
    roles = {"staff": [("org_staff", group)],
             "worker elsewhere": [("community_worker", world["other_community"])],
             "resident": [], "admin": [("admin", world["city"])]}[who]
    login(make_user(courtyard=world["courtyard"], roles=roles))
    response = client.submit(f"/organizations/{group.id}/incubation", {"stage": "talent"})
    assert response.status_code == status
    assert _steps() == (1 if status == 303 else 0)


def test_the_incubation_list_and_csv(client, login, worker, group, mentor, world, now, today):
    incubation.record_stage(worker, group, "talent", today - timedelta(days=3), now, today,
                            note="=HYPERLINK(\"x\")")
    db.session.commit()
    login(worker)
    response = client.get("/organizations/incubation")
    assert response.status_code == 200 and "草堂邻里互助队" in text(response)
    response = client.get(f"/organizations/incubation.csv?street={world['street'].id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff") and "草堂邻里互助队" in body
    assert "'=HYPERLINK" in body and ",3," in body


def test_the_incubation_list_is_for_workers_of_the_street(client, login, make_user, world):
    login(make_user(courtyard=world["courtyard"]))
    assert client.get("/organizations/incubation").status_code == 403
    assert client.get(f"/organizations/incubation?street={world['street'].id}"
                      ).status_code == 403
    login(make_user(roles=[("community_worker", world["community"])]))
    assert client.get(f"/organizations/incubation?street={world['community'].id}"
                      ).status_code == 404
