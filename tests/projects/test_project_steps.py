"""A project's stages, generated from ``projects.STEPS``: every stage × every step is either
taken — the stage moves where the table says and exactly one audit entry names the step,
where it came from and where it went — or refused, changing nothing. Then the same through
the real rules of each step that has one here (award and contract are the calls' rules,
tested in test_calls.py). A stage or step added to the table is covered without a new test.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.projects import calls, projects
from portal.projects.models import (
    PROJECT_STAGES,
    Call,
    Payment,
    ProgressReport,
    Project,
    ProjectSatisfaction,
)
from portal.publicity.models import Publication
from portal.refusals import Refused

STEPS = sorted(projects.STEPS)


def expected(stage, step):
    """What the table says, read without ``projects.allowed``."""
    starts, _leads_to = projects.STEPS[step]
    return stage in starts


def _entries(project=None):
    query = select(AuditEntry).order_by(AuditEntry.id)
    if project is not None:
        query = query.where(AuditEntry.subject_type == "Project",
                            AuditEntry.subject_id == project.id)
    return db.session.scalars(query).all()


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def contractor(make_org):
    return make_org("常青树社会服务中心")


@pytest.fixture
def at_stage(make_project, contractor):
    """at_stage(stage) -> a project forced into ``stage``, contracted to the contractor for
    10,000 yuan (whatever the stage, so that only the stage decides)."""
    organization, staff = contractor

    def make(stage):
        project = make_project()
        project.organization_id, project.manager_id = organization.id, staff.id
        project.contract_fen, project.stage = 1_000_000, stage
        db.session.commit()
        return project

    return make


def test_the_table_names_only_stages_that_exist():
    for starts, leads_to in projects.STEPS.values():
        assert set(starts) <= set(PROJECT_STAGES)
        assert leads_to is None or leads_to in PROJECT_STAGES
    assert set(projects.STAGE_LABELS) == set(PROJECT_STAGES)
    # From "planned", the steps reach every stage; "cancelled" is reached only by cancelling,
    # and none leaves it.
    reached, frontier = {"planned"}, ["planned"]
    while frontier:
        stage = frontier.pop()
        for starts, leads_to in projects.STEPS.values():
            if stage in starts and leads_to is not None and leads_to not in reached:
                reached.add(leads_to)
                frontier.append(leads_to)
    assert reached == set(PROJECT_STAGES)
    assert [step for step, (_starts, leads_to) in projects.STEPS.items()
            if leads_to == "cancelled"] == ["cancel"]
    assert not any("cancelled" in starts for starts, _ in projects.STEPS.values())


@pytest.mark.parametrize("stage", PROJECT_STAGES)
def test_every_step_from_every_stage(stage, at_stage, worker, now):
    for step in STEPS:
        project = at_stage(stage)
        before = _entries()
        if expected(stage, step):
            assert projects.allowed(project, step)
            projects.move(project, step, worker, now)
            db.session.commit()
            leads_to = projects.STEPS[step][1]
            assert project.stage == (leads_to or stage)
            [entry] = _entries()[len(before):]
            assert (entry.action, entry.subject_type, entry.subject_id, entry.actor_id) == (
                f"projects.{step}", "Project", project.id, worker.id)
            assert entry.details == {"stage_from": stage, "stage_to": project.stage}
        else:
            assert not projects.allowed(project, step)
            with pytest.raises(Refused) as refused:
                projects.move(project, step, worker, now)
            assert refused.value.reason == "project_stage_wrong"
            db.session.commit()
            assert db.session.get(Project, project.id).stage == stage
            assert _entries() == before


def test_an_unknown_step_is_not_a_step(at_stage, worker, now):
    project = at_stage("planned")
    with pytest.raises(KeyError):
        projects.move(project, "demolish", worker, now)
    assert project.stage == "planned"


# --- the same through the real rules ---------------------------------------------------

def _rules(worker, staff, resident, panel, now):
    """step -> (a call of its rule with good input, the table whose row it writes)."""
    return {
        "open_call": (lambda p: calls.open_call(
            worker, p, "比选", "请提交方案。", now + timedelta(days=5), ["service_agency"],
            ["registered"], [("方案", 100)], [u.mobile for u in panel], now), Call),
        "report": (lambda p: projects.report(staff, p, 50, "过半。", now), ProgressReport),
        "pay": (lambda p: projects.pay(worker, p, "首付款", 100_000, now), Payment),
        "accept": (lambda p: projects.accept(worker, p, [("顶棚不漏", True)], "验收合格。", now),
                   None),
        "publish_result": (lambda p: projects.publish_result(
            worker, p, now, now + timedelta(days=7), now), Publication),
        "answer": (lambda p: projects.answer(resident, p, "yes", "", now),
                   ProjectSatisfaction),
        "cancel": (lambda p: projects.cancel(worker, p, "居民大会决定不做了。", now), None),
    }


def test_every_step_with_a_rule_is_tried():
    assert set(_rules(*[None] * 5)) == set(STEPS) - {"award", "contract"}


@pytest.mark.parametrize("stage", PROJECT_STAGES)
def test_every_rule_from_every_stage(stage, at_stage, contractor, worker, panel, make_user,
                                     world, now):
    _organization, staff = contractor
    resident = make_user(name="居民", courtyard=world["courtyard"])
    for step, (act, table) in sorted(_rules(worker, staff, resident, panel, now).items()):
        project = at_stage(stage)
        before, rows = _entries(project), _count(table) if table else None
        if expected(stage, step):
            act(project)
            db.session.commit()
            leads_to = projects.STEPS[step][1]
            assert project.stage == (leads_to or stage), step
            assert [e.action for e in _entries(project)[len(before):]] == [f"projects.{step}"]
            if table is not None:
                assert _count(table) == rows + 1, step
        else:
            written = _count(AuditEntry)
            with pytest.raises(Refused):
                act(project)
            # Counted before any rollback (the session flushes what is pending first): the
            # rule refused before it wrote anything.
            assert project.stage == stage, step
            assert _count(AuditEntry) == written, step
            if table is not None:
                assert _count(table) == rows, step
            db.session.rollback()
