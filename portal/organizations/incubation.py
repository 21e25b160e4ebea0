"""Incubation 孵化: the stages an organization reaches, in order, on days, with a mentor.

能人发现 → 骨干抱团 → 社区社会组织备案 → 承接微项目 → 登记注册 (``INCUBATION_STAGES``). A stage
is recorded once, after every earlier stage and not on a day before the previous one; "filed"
and "registered" only once the registry says so; a mentor is another, registered
organization.
"""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.extensions import db
from portal.formatting import day as day_text
from portal.organizations.models import INCUBATION_STAGES, IncubationStep, Organization
from portal.organizations.registry import check_keeper
from portal.organizations.words import STAGE_LABELS
from portal.places.models import Place, within
from portal.refusals import Refused

NOTE_LIMIT = 1000


def path(organization):
    """The stages reached, in order of the stages."""
    steps = db.session.scalars(
        select(IncubationStep).filter_by(organization_id=organization.id)
        .options(joinedload(IncubationStep.mentor))).all()
    return sorted(steps, key=lambda step: INCUBATION_STAGES.index(step.stage))


def next_stage(organization):
    """The first stage not yet recorded, or None when all are."""
    reached = {step.stage for step in path(organization)}
    return next((s for s in INCUBATION_STAGES if s not in reached), None)


def record_stage(worker, organization, stage, day, now, today, mentor=None, note=None):
    """A worker keeping ``organization`` records that it reached ``stage`` on ``day``."""
    check_keeper(worker, organization)
    if stage not in INCUBATION_STAGES:
        raise Refused("stage_unknown", field="stage")
    steps = {step.stage: step for step in path(organization)}
    if stage in steps:
        raise Refused("stage_recorded", field="stage")
    earlier = INCUBATION_STAGES[:INCUBATION_STAGES.index(stage)]
    missing = next((s for s in earlier if s not in steps), None)
    if missing:
        raise Refused("stage_out_of_order", field="stage", missing=str(STAGE_LABELS[missing]))
    if stage == "filed" and organization.filed_on is None:
        raise Refused("stage_needs_filing", field="stage")
    if stage == "registered" and organization.registered_on is None:
        raise Refused("stage_needs_registration", field="stage")
    if day is None:
        day = today
    if day > today:
        raise Refused("org_day_future", field="day")
    previous = steps[earlier[-1]] if earlier else None
    if previous is not None and day < previous.reached_on:
        raise Refused("stage_before_previous", field="day", day=day_text(previous.reached_on))
    if mentor is not None:
        if mentor.id == organization.id:
            raise Refused("mentor_itself", field="mentor")
        if mentor.status != "registered":
            raise Refused("mentor_unregistered", field="mentor")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_LIMIT:
        raise Refused("org_text_too_long", field="note", max=NOTE_LIMIT)
    step = IncubationStep(organization=organization, stage=stage, reached_on=day,
                          mentor=mentor, note=note, recorded_by_id=worker.id, recorded_at=now)
    db.session.add(step)
    db.session.flush()
    audit.record("organizations.incubation", organization, actor=worker, stage=stage,
                 day=day, mentor=mentor.id if mentor else None)
    return step


def mentors(organization):
    """Organizations that may mentor it: registered ones, itself left out, by name."""
    return db.session.scalars(
        select(Organization).where(Organization.status == "registered",
                                   Organization.id != organization.id)
        .order_by(Organization.name)).all()


class Row:
    """One organization on the incubation list: its current stage, since when, mentored by."""

    def __init__(self, organization, step, today):
        self.organization, self.step = organization, step
        self.days = (today - step.reached_on) // timedelta(days=1)


def by_stage(street, today):
    """The organizations of ``street`` with at least one stage, grouped by their current (last
    reached) stage: [(stage, [Row, …]), …] in stage order, longest waiting first."""
    steps = db.session.scalars(
        select(IncubationStep).join(Organization, IncubationStep.organization_id
                                    == Organization.id)
        .join(Place, Organization.home_place_id == Place.id).where(within(street))
        .options(joinedload(IncubationStep.organization), joinedload(IncubationStep.mentor))
    ).all()
    latest = {}
    for step in steps:
        held = latest.get(step.organization_id)
        if held is None or (INCUBATION_STAGES.index(step.stage)
                            > INCUBATION_STAGES.index(held.stage)):
            latest[step.organization_id] = step
    groups = defaultdict(list)
    for step in latest.values():
        groups[step.stage].append(Row(step.organization, step, today))
    return [(stage, sorted(groups[stage], key=lambda r: (-r.days, r.organization.name)))
            for stage in INCUBATION_STAGES if groups[stage]]
