"""Projects 项目: made by a community worker for a courtyard or a community, from a council's
published decision (一征三议两公开, so request → decision → project → result is one chain) or
a note on the community plan; funded by several lines; put out to a call for bids
(portal.projects.calls); then carried out, paid in instalments, accepted (验收), its result
made public (结果公开) and its residents asked 问题解决了吗？.

Stages, each reached only from the one before (``STEPS``)::

    planned ─ open_call → calling ─ award → awarded ─ contract → contracted
            ─ report (the first progress report) → in_progress ─ accept → accepted

Money is integer 分 throughout; a fund's matching rule and a project's leverage are computed,
never stored.
"""

import json
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from portal import audit, photos
from portal.accounts.permissions import can
from portal.councils.decisions import yuan
from portal.councils.models import Council, Decision
from portal.extensions import db
from portal.funds import money
from portal.funds.models import Fund, FundTransfer
from portal.i18n import lazy_gettext as _l
from portal.places.models import Place, within
from portal.projects.models import (
    FUNDING_SOURCES,
    SATISFACTION,
    FundingLine,
    Payment,
    ProgressReport,
    Project,
    ProjectSatisfaction,
    ProjectTask,
)
from portal.publicity import rules as publicity
from portal.refusals import Refused

TITLE_MAX = 100
TEXT_MAX = 5000
NOTE_MAX = 200
LABEL_MAX = 60
PUBLIC_DAYS = 7
MOST_FEN = 10 ** 14  # a trillion yuan: a typo, not a budget
CHECKLIST_MAX = 10

STAGE_LABELS = {
    "planned": _l("Planned"),
    "calling": _l("Call for bids open"),
    "awarded": _l("Awarded, in publicity"),
    "contracted": _l("Contracted"),
    "in_progress": _l("Work in progress"),
    "accepted": _l("Accepted"),
    "cancelled": _l("Cancelled"),
}
SOURCE_LABELS = {
    "community_fund": _l("Community incentive fund"),  # 社区保障激励资金
    "residents": _l("Residents' own money"),  # 居民自筹
    "donations": _l("Donations"),  # 社会捐赠
    "foundation": _l("Foundation"),  # 基金会
    "street": _l("Street office"),  # 街道投入
}
SATISFACTION_LABELS = {"yes": _l("Yes, solved"), "partly": _l("Partly"),
                       "no": _l("No, not solved")}

# step: (the stages it may start from, the stage it leads to)
STEPS = {
    "open_call": (("planned",), "calling"),
    "award": (("calling",), "awarded"),
    "contract": (("awarded",), "contracted"),
    "report": (("contracted", "in_progress"), "in_progress"),
    "pay": (("contracted", "in_progress", "accepted"), None),
    "accept": (("in_progress",), "accepted"),
    "publish_result": (("accepted",), None),
    "answer": (("accepted",), None),
    # Stopped before its work was accepted: what it was meant to do will not be done.
    "cancel": (("planned", "calling", "awarded", "contracted", "in_progress"), "cancelled"),
}
assert set(FUNDING_SOURCES) == set(SOURCE_LABELS)


def allowed(project, step):
    return project.stage in STEPS[step][0]


def move(project, step, actor, now, **details):
    """Refuse ``step`` unless the project's stage allows it; move the stage when the step
    leads somewhere, and write it in the audit log."""
    starts, leads_to = STEPS[step]
    if project.stage not in starts:
        raise Refused("project_stage_wrong")
    before = project.stage
    if leads_to is not None:
        project.stage = leads_to
    audit.record(f"projects.{step}", project, actor=actor, stage_from=before,
                 stage_to=project.stage, **details)


# --- who may do what ---------------------------------------------------------------------

def community_of(place):
    return place if place.kind == "community" else place.ancestor("community")


def may_create(user, place):
    return place is not None and place.kind in ("courtyard", "community") and can(
        user, "community_worker", place)


def may_keep(user, project):
    """A community worker (or admin) over the project's place."""
    return can(user, "community_worker", project.place)


def is_contractor(user, project):
    """Staff of the organization the project is contracted to."""
    return project.organization is not None and can(user, "org_staff", project.organization)


def may_report(user, project):
    return is_contractor(user, project)


def may_answer(user, project):
    """A resident of the project's place: someone who lives there (an admin's role over it
    is not a home)."""
    return can(user, "resident", project.place) and project.place.contains(
        user.home_courtyard)


# --- money ------------------------------------------------------------------------------

def matched(fund, residents_fen):
    """What ``fund``'s matching rule adds to residents' own ``residents_fen``: its
    match_percent of it (whole 分, rounded down), at most its cap; nothing when the cap is 0."""
    if fund is None or fund.match_cap_fen <= 0 or residents_fen <= 0:
        return 0
    return min(residents_fen * fund.match_percent // 100, fund.match_cap_fen)


def funding_total(project):
    return sum(line.amount_fen for line in project.funding)


def leverage(project):
    """How many yuan of other money each yuan of the community fund brings in: (all lines −
    the community fund's) ÷ the community fund's, to one decimal (a str), or None when the
    community fund puts nothing in."""
    community = sum(line.amount_fen for line in project.funding
                    if line.source == "community_fund")
    if community <= 0:
        return None
    others = funding_total(project) - community
    tenths = (others * 10 * 2 + community) // (community * 2)  # rounded half up
    return f"{tenths // 10}.{tenths % 10}"


def match_line(project):
    """(the fund, residents' total, what its rule matches) for the project's community fund
    line that names a fund with a matching rule; None otherwise."""
    fund_ids = [line.fund_id for line in project.funding
                if line.source == "community_fund" and line.fund_id]
    if not fund_ids:
        return None
    fund = db.session.get(Fund, fund_ids[0])
    if fund is None or fund.match_cap_fen <= 0:
        return None
    residents = sum(line.amount_fen for line in project.funding if line.source == "residents")
    return fund, residents, matched(fund, residents)


def choosable_funds(place):
    """The funds of ``place``'s community or above, for its community fund line."""
    community = community_of(place)
    paths = [p.path for p in community.lineage()] if community else []
    return db.session.scalars(
        select(Fund).join(Place, Fund.place_id == Place.id)
        .where(Place.path.in_(paths)).order_by(Fund.name)).all()


# --- where a project comes from ----------------------------------------------------------

def choosable_decisions(place, limit=50):
    """Decisions of councils at or under ``place``'s community that have been made public."""
    community = community_of(place)
    if community is None:
        return []
    return db.session.scalars(
        select(Decision).join(Council, Decision.council_id == Council.id)
        .join(Place, Council.place_id == Place.id)
        .where(within(community), Decision.decision_publication_id.is_not(None))
        .order_by(Decision.created_at.desc(), Decision.id.desc()).limit(limit)).all()


def _written(text, field, most=TEXT_MAX, required=True):
    text = (text or "").strip()
    if not text:
        if required:
            raise Refused("project_text_needed", field=field)
        return None
    if len(text) > most:
        raise Refused("project_text_too_long", field=field, limit=most)
    return text


def _fen(value, field, positive=False):
    if (isinstance(value, bool) or not isinstance(value, int) or value < 0
            or value >= MOST_FEN or (positive and value == 0)):
        raise Refused("project_amount_bad", field=field)
    return value


def create(actor, place, title, description, budget_fen, now, decision=None, plan_note=None,
           funding=(), fund=None, tasks=()):
    """Make a project for ``place`` (a courtyard or community); ``funding`` is (source,
    amount in 分) pairs, ``fund`` the Fund the community fund line draws on (optional),
    ``tasks`` the titles of its sub-tasks. Return the project."""
    if place is None or place.kind not in ("courtyard", "community"):
        raise Refused("project_place_bad", field="place")
    if not can(actor, "community_worker", place):
        raise Refused("project_worker_only")
    title = _written(title, "title", TITLE_MAX)
    description = _written(description, "description")
    budget_fen = _fen(budget_fen, "budget")
    plan_note = _written(plan_note, "plan_note", required=False)
    if decision is not None:
        if decision.decision_publication_id is None or not community_of(place).contains(
                decision.council.place):
            raise Refused("project_decision_not_here", field="decision")
    elif plan_note is None:
        raise Refused("project_needs_origin", field="decision")
    if fund is not None and fund.id not in {f.id for f in choosable_funds(place)}:
        raise Refused("project_fund_not_here", field="fund")
    project = Project(place=place, title=title, description=description,
                      budget_fen=budget_fen, decision_id=decision.id if decision else None,
                      plan_note=plan_note, stage="planned", created_by_id=actor.id,
                      created_at=now)
    for source, amount in funding:
        if source not in FUNDING_SOURCES:
            raise Refused("project_amount_bad", field=source)
        amount = _fen(amount, source)
        if amount:
            project.funding.append(FundingLine(
                source=source, amount_fen=amount,
                fund_id=fund.id if fund is not None and source == "community_fund" else None))
    for position, task in enumerate(t for t in tasks if t and t.strip()):
        project.tasks.append(ProjectTask(position=position,
                                         title=_written(task, "tasks", TITLE_MAX)))
    db.session.add(project)
    db.session.flush()
    audit.record("projects.create", project, actor=actor, place=place.id,
                 decision=project.decision_id, budget_fen=budget_fen,
                 funding={line.source: line.amount_fen for line in project.funding})
    return project


# --- progress, payments, acceptance ------------------------------------------------------

def percent(project):
    """The project's progress: its tasks' average (rounded down) when it has tasks, else
    the latest report's."""
    if project.tasks:
        return sum(t.percent for t in project.tasks) // len(project.tasks)
    latest = db.session.scalar(
        select(ProgressReport.percent).where(ProgressReport.project_id == project.id)
        .order_by(ProgressReport.reported_at.desc(), ProgressReport.id.desc()).limit(1))
    return latest or 0


def reports(project, most=None):
    """The project's progress reports, newest first, without their photos' bytes (see
    ``photographed``)."""
    return db.session.scalars(
        select(ProgressReport).where(ProgressReport.project_id == project.id)
        .options(defer(ProgressReport.photo))
        .order_by(ProgressReport.reported_at.desc(), ProgressReport.id.desc())
        .limit(most)).all()


def photographed(project):
    """The ids of the project's progress reports that carry a photo."""
    return set(db.session.scalars(
        select(ProgressReport.id).where(ProgressReport.project_id == project.id,
                                        ProgressReport.photo.is_not(None))))


def report(actor, project, percent_done, text, now, task=None, photo=None):
    """The contracted organization's staff report progress (a task's, when the project has
    tasks), with a photo if they like (an uploaded file, re-encoded: a fresh JPEG without
    its location); the first report starts the work (stage in_progress)."""
    if not may_report(actor, project):
        raise Refused("project_not_contracted")
    if (isinstance(percent_done, bool) or not isinstance(percent_done, int)
            or not 0 <= percent_done <= 100):
        raise Refused("project_percent_bad", field="percent")
    text = _written(text, "text")
    if project.tasks:
        if task is None or task.project_id != project.id:
            raise Refused("project_task_not_here", field="task")
    else:
        task = None
    if not allowed(project, "report"):
        raise Refused("project_stage_wrong")
    # Read and re-encoded before anything is written: a bad photo refuses the whole report.
    picture = photos.reencode(photo)[0] if photo is not None else None
    move(project, "report", actor, now, percent=percent_done,
         task=task.id if task else None, photo=picture is not None)
    if task is not None:
        task.percent = percent_done
    row = ProgressReport(project_id=project.id, task_id=task.id if task else None,
                         percent=percent_done, text=text, photo=picture,
                         reported_by_id=actor.id, reported_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def may_remove_photo(user, report):
    """Who reported it, or a worker keeping the project: a photo that shows what it should
    not (a face, a door number) can be taken down."""
    return user.is_authenticated and (report.reported_by_id == user.id
                                      or may_keep(user, report.project))


def remove_photo(actor, report, now):
    """Take the photo off a progress report (the report stays); once."""
    if not may_remove_photo(actor, report):
        raise Refused("project_worker_only")
    if report.photo is not None:
        report.photo = None
        audit.record("projects.progress.photo_removed", report.project, actor=actor,
                     report=report.id)
    return report


def payments(project):
    return db.session.scalars(
        select(Payment).where(Payment.project_id == project.id)
        .order_by(Payment.paid_at, Payment.id)).all()


def paid_fen(project):
    return db.session.scalar(select(func.coalesce(func.sum(Payment.amount_fen), 0))
                             .where(Payment.project_id == project.id))


def paid_from_fen(project, fund):
    """What the project's payments out of ``fund`` come to."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_fen), 0))
        .join(FundTransfer, Payment.fund_transfer_id == FundTransfer.id)
        .where(Payment.project_id == project.id, FundTransfer.fund_id == fund.id))


def payable_funds(project):
    """The funds a payment for ``project`` may come from: funds of its community (or above)
    that have a funding line on it."""
    named = {line.fund_id for line in project.funding if line.fund_id is not None}
    return [fund for fund in choosable_funds(project.place) if fund.id in named]


def payment_funds(project):
    """{payment id: the fund it was paid from} for the project's payments from a fund."""
    return dict(db.session.execute(
        select(Payment.id, Fund).join(FundTransfer, Payment.fund_transfer_id == FundTransfer.id)
        .join(Fund, FundTransfer.fund_id == Fund.id)
        .where(Payment.project_id == project.id)).all())


def _paid_under(transfer_key):
    """The payment already made by the fund's transfer under ``transfer_key``, if any."""
    return db.session.scalar(
        select(Payment).join(FundTransfer, Payment.fund_transfer_id == FundTransfer.id)
        .where(FundTransfer.key == transfer_key))


def pay(actor, project, label, amount_fen, now, fund=None, key=None):
    """The worker records an instalment paid to the contracted organization; the payments
    never come to more than the contract amount.

    Paid from ``fund`` (one of ``payable_funds``), the money leaves the fund's own books by
    a disbursement (``portal.funds.money.disburse``) that the payment links to; ``key``
    names this payment (the form's one-time token), so the same form sent twice pays once
    and returns the first payment. A fund holding too little refuses it with the fund's
    words, and nothing is written. Without a fund, the payment records what the project
    paid out of all its money."""
    if not may_keep(actor, project):
        raise Refused("project_worker_only")
    transfer_key = None
    if fund is not None:
        if not key:
            raise ValueError("a payment from a fund needs the key that names it")
        transfer_key = f"project-payment:{project.id}:{key}"
        earlier = _paid_under(transfer_key)
        if earlier is not None:
            return earlier  # sent twice: paid once
    label = _written(label, "label", LABEL_MAX)
    amount_fen = _fen(amount_fen, "amount", positive=True)
    # One payment of a project at a time: the next reads what this one paid before checking
    # the contract and the funding line (two at once would each see room for themselves).
    db.session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    if not allowed(project, "pay"):
        raise Refused("project_stage_wrong", field="amount")
    total = paid_fen(project) + amount_fen
    if total > (project.contract_fen or 0):
        raise Refused("project_payment_over", field="amount", total=yuan(total),
                      contract=yuan(project.contract_fen or 0))
    transfer = None
    if fund is not None:
        if fund.id not in {f.id for f in payable_funds(project)}:
            raise Refused("project_fund_not_here", field="fund")
        # A fund pays at most what its funding lines promised the project.
        line = sum(f.amount_fen for f in project.funding if f.fund_id == fund.id)
        from_fund = paid_from_fen(project, fund) + amount_fen
        if from_fund > line:
            raise Refused("project_payment_over_line", field="amount", fund=fund.name,
                          total=yuan(from_fund), line=yuan(line))
        transfer = money.disburse(fund, project, amount_fen, actor, transfer_key, now,
                                  memo=label)
        earlier = _paid_under(transfer_key)
        if earlier is not None:
            return earlier  # the same form, sent at the same moment, was paid first
    move(project, "pay", actor, now, amount_fen=amount_fen,
         fund=fund.id if fund is not None else None)
    row = Payment(project_id=project.id, label=label, amount_fen=amount_fen, paid_at=now,
                  recorded_by_id=actor.id,
                  fund_transfer_id=transfer.id if transfer is not None else None)
    db.session.add(row)
    db.session.flush()
    return row


def checklist(project):
    """[(line, passed)] of the acceptance."""
    if not project.acceptance_checklist:
        return []
    return [(item, bool(passed)) for item, passed in json.loads(project.acceptance_checklist)]


def accept(actor, project, items, note, now):
    """验收: the worker accepts the work against a checklist of (line, passed) pairs; every
    line must pass."""
    if not may_keep(actor, project):
        raise Refused("project_worker_only")
    items = [((line or "").strip(), bool(passed)) for line, passed in items
             if (line or "").strip()]
    if not items:
        raise Refused("project_checklist_needed", field="items")
    if any(len(line) > TITLE_MAX for line, _passed in items):
        raise Refused("project_text_too_long", field="items", limit=TITLE_MAX)
    if not all(passed for _line, passed in items):
        raise Refused("project_checklist_failed", field="items")
    note = _written(note, "note")
    move(project, "accept", actor, now)
    project.acceptance_checklist = json.dumps(items, ensure_ascii=False)
    project.acceptance_note = note
    project.accepted_by_id, project.accepted_at = actor.id, now
    return project


def cancel(actor, project, reason, now):
    """The worker cancels the project before its work is accepted, with the reason residents
    read on its page; a call still taking bids takes no more, and the bidders are told.
    Money already paid stays recorded (a fund's payment is undone on the fund's page)."""
    if not may_keep(actor, project):
        raise Refused("project_worker_only")
    reason = _written(reason, "reason")
    move(project, "cancel", actor, now, reason=reason)
    project.cancelled_reason = reason
    from portal.projects import calls

    call = calls.call_of(project)
    if call is not None:
        calls.tell_bidders_cancelled(call, now)
    return project


def publish_result(actor, project, starts_at, ends_at, now):
    """结果公开: make the accepted project's result public for at least seven days."""
    if not may_keep(actor, project):
        raise Refused("project_worker_only")
    if project.result_publication_id is not None:
        raise Refused("project_result_done")
    if ends_at - starts_at < timedelta(days=PUBLIC_DAYS):
        raise Refused("project_window_short", field="ends_on", days=PUBLIC_DAYS)
    move(project, "publish_result", actor, now)
    publication = publicity.publish(project, project.place, project.title, actor, starts_at,
                                    ends_at, now=now)
    project.result_publication_id = publication.id
    return publication


def answer(user, project, choice, words, now):
    """问题解决了吗？ a resident of the project's place answers once, after acceptance."""
    if not may_answer(user, project):
        raise Refused("project_not_resident", field="answer")
    if project.stage != "accepted":
        raise Refused("project_stage_wrong", field="answer")
    if choice not in SATISFACTION:
        raise Refused("project_answer_unknown", field="answer")
    words = _written(words, "words", required=False)
    row = ProjectSatisfaction(project_id=project.id, user_id=user.id, answer=choice,
                              words=words, answered_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Refused("project_already_answered", field="answer") from None
    audit.record("projects.answer", project, actor=user, answer=choice)
    return row


def answer_of(user, project):
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(select(ProjectSatisfaction).where(
        ProjectSatisfaction.project_id == project.id, ProjectSatisfaction.user_id == user.id))


def satisfaction_counts(project):
    counts = dict(db.session.execute(
        select(ProjectSatisfaction.answer, func.count())
        .where(ProjectSatisfaction.project_id == project.id)
        .group_by(ProjectSatisfaction.answer)).all())
    return {key: counts.get(key, 0) for key in SATISFACTION}


# --- lists -------------------------------------------------------------------------------

def of_place(place):
    """A select of the projects at or under ``place``, newest first."""
    return (select(Project).join(Place, Project.place_id == Place.id)
            .where(within(place)).order_by(Project.created_at.desc(), Project.id.desc()))


def project_url(ident):
    return url_for("projects.project", project_id=ident)


publicity.register_subject("project", project_url)
