"""A community worker cancels a project before its work is accepted, with a reason residents
read on its page; its call closes for good (no more bids, scores or awards) and the bidders
are told; nobody else may, and a project done or already cancelled cannot be."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.notifications.models import Message
from portal.projects import calls, projects
from portal.projects.models import Bid, Payment, Project
from portal.refusals import Refused
from tests.helpers import text
from tests.projects.conftest import ROLES, marks

REASON = "业主大会决定改建为绿地，停车棚不再翻修。"


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_cancelling_closes_the_call_and_tells_the_bidders(scene, worker, panel, make_org,
                                                          now):
    call, project = scene["call"], scene["project"]
    projects.cancel(worker, project, f"  {REASON}  ", now)
    db.session.commit()
    assert (project.stage, project.cancelled_reason) == ("cancelled", REASON)
    [entry] = db.session.scalars(select(AuditEntry)
                                 .where(AuditEntry.action == "projects.cancel"))
    assert entry.details["stage_from"] == "calling" and entry.details["reason"] == REASON
    told = db.session.scalars(select(Message).filter_by(kind="project_call_cancelled")).all()
    staff = calls.staff_of(scene["bid"].organization)
    assert sorted(m.user_id for m in told) == sorted(u.id for u in staff)

    for act in (lambda: calls.score(panel[0], scene["bid"], marks(call, 8, 8, 8), now),
                lambda: calls.submit_scores(panel[0], call, now),
                lambda: calls.change_bid(staff[0], scene["bid"], "新方案", "团队", 90_000,
                                         "三周", now)):
        with pytest.raises(Refused) as refused:
            act()
        assert refused.value.reason == "call_cancelled"
    late, late_staff = make_org("晚到的社工机构")
    call.deadline_at = now + timedelta(days=3)  # even were it still taking bids
    with pytest.raises(Refused) as refused:
        calls.submit_bid(late_staff, call, late, "方案", "团队", 80_000, "四周", now)
    assert refused.value.reason == "call_cancelled"
    assert _count(Bid) == 1


def test_a_reason_is_needed_and_nothing_changes_without_one(scene, worker, now):
    with pytest.raises(Refused) as refused:
        projects.cancel(worker, scene["project"], "   ", now)
    assert refused.value.reason == "project_text_needed"
    assert scene["project"].stage == "calling"
    assert _count(AuditEntry, AuditEntry.action == "projects.cancel") == 0


def test_a_contracted_project_cancelled_takes_no_more_payments(contracted, worker, now):
    projects.pay(worker, contracted, "首付款", 30_000, now)
    projects.cancel(worker, contracted, REASON, now)
    with pytest.raises(Refused) as refused:
        projects.pay(worker, contracted, "尾款", 10_000, now)
    assert refused.value.reason == "project_stage_wrong"
    assert _count(Payment) == 1  # what was paid stays recorded


def test_done_or_cancelled_already_cannot_be_cancelled(make_project, worker, now):
    project = make_project()
    projects.cancel(worker, project, REASON, now)
    with pytest.raises(Refused) as refused:
        projects.cancel(worker, project, "再取消一次", now)
    assert refused.value.reason == "project_stage_wrong"
    assert project.cancelled_reason == REASON
    project.stage = "accepted"
    with pytest.raises(Refused):
        projects.cancel(worker, project, REASON, now)


def test_the_worker_cancels_on_the_page_and_everyone_reads_why(client, login, scene, worker,
                                                              zh):
    project, call = scene["project"], scene["call"]
    page = f"/projects/{project.id}"
    login(worker)
    html = text(client.get(page))
    assert f'action="/projects/{project.id}/cancel"' in html
    assert "<details>" in html  # folded away until asked for
    response = client.submit(f"{page}/cancel", {"reason": REASON}, token_from=page)
    assert response.status_code == 303 and response.location.endswith(page)
    client.get("/accounts/logout")
    html = text(client.get(page))
    assert zh("Stage: %(stage)s", stage=zh("Cancelled")) in html and REASON in html
    assert f"/projects/{project.id}/cancel" not in html
    html = text(client.get(f"/projects/calls/{call.id}"))
    assert zh("The project was cancelled, and its call with it.") in html and REASON in html


def test_without_a_reason_the_page_comes_back_422_open_with_its_message(client, login, scene,
                                                                        worker, zh):
    project = scene["project"]
    page = f"/projects/{project.id}"
    login(worker)
    response = client.submit(f"{page}/cancel", {"reason": ""}, token_from=page)
    assert response.status_code == 422
    html = text(response)
    assert "<details open>" in html
    assert zh("Write why: residents and bidders read it on the project's page.") in html
    assert db.session.get(Project, project.id).stage == "calling"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_cancel(client, scene, sign_in, role):
    project = scene["project"]
    sign_in(role)
    response = client.submit(f"/projects/{project.id}/cancel", {"reason": REASON})
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role in ("worker_here", "admin"):
        assert response.status_code == 303
    else:
        assert response.status_code == 403
    cancelled = role in ("worker_here", "admin")
    assert db.session.get(Project, project.id).stage == ("cancelled" if cancelled
                                                        else "calling")
