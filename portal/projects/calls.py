"""Calls for bids 比选公告: a community worker opens a call for a planned project (a deadline,
who may bid, weighted criteria, a review panel); eligible organizations bid, each once, and
may change their bid until the deadline; after it each panel member scores every bid on every
criterion (0–10, with a comment) and submits; the worker awards the call, published for at
least seven days (评审结果公示); once that is over and every objection answered, the winner is
contracted with a named project manager (一项目一经理).

Invariants:

- **Sealed.** Before the deadline nobody but the bidder's own staff sees a bid (not the
  workers, not the panel): ``may_see_bid``.
- **Scores after one's own.** A panel member sees others' scores only after submitting their
  own; a worker who is not on the panel after the deadline; everyone after the award:
  ``may_see_scores``.
- **No scoring one's own.** A member who is staff of a bidder declares it and never scores
  that bid (declared or not); they are excused from it.
- **Ranking is computed, never stored**: each bid's Σ (mean of the members' scores on a
  criterion) × weight / 10, to one decimal; ties go to the lower price, then the earlier bid.
"""

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from flask import current_app, url_for
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import RoleGrant, User
from portal.accounts.permissions import can, organizations_where
from portal.audit import AuditEntry
from portal.councils.models import Council, CouncilMember
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.notifications.kinds import register_kind
from portal.notifications.sender import notify
from portal.organizations.models import ORGANIZATION_KINDS, ORGANIZATION_STATUSES
from portal.phones import is_valid_mobile, normalize_mobile
from portal.places.models import Place, within
from portal.projects import projects
from portal.projects.models import Bid, Call, Criterion, PanelMember, Score
from portal.publicity import rules as publicity
from portal.publicity.models import Publication
from portal.refusals import Refused

CRITERIA_MOST = 6
CRITERION_NAME_MAX = 40
PANEL_LEAST = 3
PANEL_MOST = 15
SCORE_MOST = 10
BIDDABLE_STATUSES = tuple(s for s in ORGANIZATION_STATUSES if s != "suspended")
DEFAULT_CRITERIA = (("方案", 40), ("经验", 30), ("报价", 30))
PANEL_ROLE_LABELS = {"worker": _l("Community worker"), "council": _l("Council member"),
                     "resident": _l("Resident representative")}
STATUS_LABELS = {"incubating": _l("Incubating"), "filed": _l("Filed with the street"),
                 "registered": _l("Registered"), "suspended": _l("Suspended")}


# --- reading a call ----------------------------------------------------------------------

def kinds_of(call):
    return [k for k in call.eligible_kinds.split(",") if k]


def statuses_of(call):
    return [s for s in call.eligible_statuses.split(",") if s]


def is_open(call, now):
    return now < call.deadline_at


def cancelled(call):
    """The call's project was cancelled: the call is closed for good."""
    return call.project.stage == "cancelled"


def _refuse_if_cancelled(call):
    if cancelled(call):
        raise Refused("call_cancelled")


def eligible(call, organization):
    """Whether ``organization`` may bid: of a kind and status the call names; a suspended
    organization never."""
    return (organization.status != "suspended" and organization.kind in kinds_of(call)
            and organization.status in statuses_of(call))


def bids(call):
    return db.session.scalars(select(Bid).where(Bid.call_id == call.id)
                              .order_by(Bid.submitted_at, Bid.id)).all()


def bid_count(call):
    return len(bids(call))


def bid_of(call, organization):
    return db.session.scalar(select(Bid).where(Bid.call_id == call.id,
                                               Bid.organization_id == organization.id))


def member_of(call, user):
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(select(PanelMember).where(PanelMember.call_id == call.id,
                                                       PanelMember.user_id == user.id))


def staff_of(organization):
    return db.session.scalars(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.organization_id == organization.id, RoleGrant.role == "org_staff",
               User.active.is_(True)).order_by(User.name, User.id)).all()


def may_open(user, project):
    return projects.may_keep(user, project)


def may_keep(user, call):
    """A community worker over the project's place: awards and contracts."""
    return projects.may_keep(user, call.project)


def biddable_for(user, call):
    """The organizations ``user`` is staff of that may bid for ``call``."""
    return [o for o in organizations_where(user, "org_staff") if eligible(call, o)]


# --- who sees what -----------------------------------------------------------------------

def may_see_bid(user, bid, now):
    """Sealed: before the deadline only the bidder's own staff; after it also the panel and
    the workers over the project's place."""
    if can(user, "org_staff", bid.organization):
        return True
    call = bid.call
    if is_open(call, now):
        return False
    return member_of(call, user) is not None or may_keep(user, call)


def may_see_scores(user, call, now):
    """Everyone once the call is awarded; before that, after the deadline, a panel member
    who has submitted their own scores, or a worker over the place who is not a member
    still scoring."""
    if call.awarded_at is not None:
        return True
    if is_open(call, now):
        return False
    member = member_of(call, user)
    if member is not None:
        return member.submitted_at is not None
    return may_keep(user, call)


def excused(member, bid):
    """A member who declared the bidder, or is its staff, does not score its bid."""
    return (member.declared_organization_id == bid.organization_id
            or can(member.user, "org_staff", bid.organization))


# --- opening a call ----------------------------------------------------------------------

def _criteria(pairs):
    pairs = [((name or "").strip(), weight) for name, weight in pairs
             if (name or "").strip() or weight not in (None, "")]
    total = sum(w for _n, w in pairs if isinstance(w, int) and not isinstance(w, bool))
    if not 1 <= len(pairs) <= CRITERIA_MOST or any(
            not name or len(name) > CRITERION_NAME_MAX or isinstance(weight, bool)
            or not isinstance(weight, int) or not 1 <= weight <= 100 for name, weight in pairs
    ) or total != 100:
        raise Refused("call_criteria_bad", field="criteria", total=total)
    return pairs


def _panel_role(user, community):
    if can(user, "community_worker", community):
        return "worker"
    seated = db.session.scalar(
        select(CouncilMember.id).join(Council, CouncilMember.council_id == Council.id)
        .join(Place, Council.place_id == Place.id)
        .where(CouncilMember.user_id == user.id, within(community)).limit(1))
    return "council" if seated else "resident"


def _panel(mobiles, community):
    users, seen = [], set()
    for typed in mobiles:
        mobile = normalize_mobile(typed or "")
        if not mobile or mobile in seen:
            continue
        seen.add(mobile)
        user = db.session.scalar(select(User).where(User.mobile == mobile,
                                                    User.active.is_(True))) \
            if is_valid_mobile(mobile) else None
        if user is None:
            raise Refused("call_panel_unknown", field="panel", mobile=mobile[:20])
        if not (can(user, "resident", community) or can(user, "community_worker", community)):
            raise Refused("call_panel_not_here", field="panel", name=user.name)
        users.append(user)
    if len(users) < PANEL_LEAST:
        raise Refused("call_panel_small", field="panel", least=PANEL_LEAST)
    if len(users) > PANEL_MOST:
        raise Refused("project_text_too_long", field="panel", limit=PANEL_MOST)
    return [(user, _panel_role(user, community)) for user in users]


def open_call(actor, project, title, description, deadline_at, kinds, statuses, criteria,
              panel_mobiles, now):
    """Open the call for ``project`` (planned → calling); ``criteria`` is (name, weight)
    pairs, ``panel_mobiles`` the members' mobile numbers. Return the call."""
    if not may_open(actor, project):
        raise Refused("project_worker_only")
    if not projects.allowed(project, "open_call"):
        raise Refused("call_exists" if project.stage != "planned" else "project_stage_wrong")
    title = projects._written(title, "title", projects.TITLE_MAX)
    description = projects._written(description, "description")
    if deadline_at is None or deadline_at <= now:
        raise Refused("call_deadline_past", field="deadline_on")
    kinds = [k for k in kinds if k in ORGANIZATION_KINDS]
    statuses = [s for s in statuses if s in BIDDABLE_STATUSES]
    if not kinds or not statuses:
        raise Refused("call_eligibility_needed", field="kinds" if not kinds else "statuses")
    criteria = _criteria(criteria)
    panel = _panel(panel_mobiles, projects.community_of(project.place))
    call = Call(project_id=project.id, title=title, description=description, opens_at=now,
                deadline_at=deadline_at, eligible_kinds=",".join(kinds),
                eligible_statuses=",".join(statuses), created_by_id=actor.id, created_at=now)
    for position, (name, weight) in enumerate(criteria):
        call.criteria.append(Criterion(position=position, name=name, weight=weight))
    for user, role in panel:
        call.panel.append(PanelMember(user_id=user.id, role=role))
    db.session.add(call)
    db.session.flush()
    projects.move(project, "open_call", actor, now, call=call.id)
    audit.record("projects.call.open", call, actor=actor, project=project.id,
                 deadline_at=deadline_at, panel=[u.id for u, _r in panel])
    return call


def call_of(project):
    return db.session.scalar(select(Call).where(Call.project_id == project.id))


# --- bids --------------------------------------------------------------------------------

def _bid_texts(plan, team, timetable):
    return (projects._written(plan, "plan"), projects._written(team, "team"),
            projects._written(timetable, "timetable"))


def submit_bid(actor, call, organization, plan, team, price_fen, timetable, now):
    """An eligible organization's staff bid before the deadline; one bid per organization
    (a second, even sent at the same moment, is refused). Return the bid."""
    if organization is None or not can(actor, "org_staff", organization):
        raise Refused("bid_not_staff", field="organization")
    _refuse_if_cancelled(call)
    if not eligible(call, organization):
        raise Refused("bid_not_eligible", field="organization")
    if not is_open(call, now):
        raise Refused("bid_closed")
    plan, team, timetable = _bid_texts(plan, team, timetable)
    price_fen = projects._fen(price_fen, "price", positive=True)
    if bid_of(call, organization) is not None:
        raise Refused("bid_twice", field="organization")
    bid = Bid(call_id=call.id, organization_id=organization.id, submitted_by_id=actor.id,
              plan=plan, team=team, price_fen=price_fen, timetable=timetable,
              submitted_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(bid)
            db.session.flush()
    except IntegrityError:
        raise Refused("bid_twice", field="organization") from None
    audit.record("projects.bid.submit", bid, actor=actor, call=call.id,
                 organization=organization.id, price_fen=price_fen)
    return bid


def change_bid(actor, bid, plan, team, price_fen, timetable, now):
    """The bidder's staff change their bid until the deadline."""
    if not can(actor, "org_staff", bid.organization):
        raise Refused("bid_not_staff")
    _refuse_if_cancelled(bid.call)
    if not is_open(bid.call, now):
        raise Refused("bid_closed")
    if not eligible(bid.call, bid.organization):
        raise Refused("bid_not_eligible")
    bid.plan, bid.team, bid.timetable = _bid_texts(plan, team, timetable)
    bid.price_fen = projects._fen(price_fen, "price", positive=True)
    audit.record("projects.bid.change", bid, actor=actor, price_fen=bid.price_fen)
    return bid


# --- scores ------------------------------------------------------------------------------

def scores_by(member, bid):
    return db.session.scalars(select(Score).where(Score.panel_member_id == member.id,
                                                  Score.bid_id == bid.id)).all()


def score(actor, bid, marks, now):
    """A panel member scores ``bid``: ``marks`` is {criterion id: (0–10, comment)} for every
    criterion of the call; once per bid, after the deadline, before submitting."""
    call = bid.call
    member = member_of(call, actor)
    if member is None:
        raise Refused("score_not_member")
    _refuse_if_cancelled(call)
    if is_open(call, now):
        raise Refused("score_too_early")
    if member.submitted_at is not None:
        raise Refused("score_submitted")
    if excused(member, bid):
        raise Refused("score_own_bid")
    rows = []
    for criterion in call.criteria:
        mark, comment = marks.get(criterion.id, (None, None))
        if isinstance(mark, bool) or not isinstance(mark, int) or not 0 <= mark <= SCORE_MOST:
            raise Refused("score_bad", field=f"score_{criterion.id}")
        comment = projects._written(comment, f"comment_{criterion.id}", required=False)
        rows.append(Score(bid_id=bid.id, panel_member_id=member.id, criterion_id=criterion.id,
                          score=mark, comment=comment, scored_at=now))
    if scores_by(member, bid):
        raise Refused("score_twice")
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
            db.session.flush()
    except IntegrityError:
        raise Refused("score_twice") from None
    audit.record("projects.bid.score", bid, actor=actor, member=member.id,
                 scores={r.criterion_id: r.score for r in rows})
    return rows


def declare(actor, call, organization, now):
    """A member who is staff of a bidding organization says so (and is excused from its
    bid)."""
    member = member_of(call, actor)
    if member is None:
        raise Refused("score_not_member")
    _refuse_if_cancelled(call)
    if member.submitted_at is not None:
        raise Refused("score_submitted")
    if organization is None or bid_of(call, organization) is None:
        raise Refused("declare_not_bidder", field="organization")
    if not can(actor, "org_staff", organization):
        raise Refused("declare_not_staff", field="organization")
    member.declared_organization_id = organization.id
    audit.record("projects.panel.declare", call, actor=actor, organization=organization.id)
    return member


def undeclared(member, call):
    """The bidding organizations ``member`` is staff of and has not declared."""
    return [b.organization for b in bids(call)
            if can(member.user, "org_staff", b.organization)
            and member.declared_organization_id != b.organization_id]


def left_to_score(member, call):
    """The bids ``member`` still has to score (their excused ones are not asked)."""
    scored = set(db.session.scalars(select(Score.bid_id).where(
        Score.panel_member_id == member.id)).all())
    return [b for b in bids(call) if b.id not in scored and not excused(member, b)]


def submit_scores(actor, call, now):
    """A member submits once every bid they may score is scored; a staff of a bidder must
    have declared it."""
    member = member_of(call, actor)
    if member is None:
        raise Refused("score_not_member")
    _refuse_if_cancelled(call)
    if is_open(call, now):
        raise Refused("score_too_early")
    if member.submitted_at is not None:
        raise Refused("score_submitted")
    conflicts = undeclared(member, call)
    if conflicts:
        raise Refused("declare_first", field="organization", name=conflicts[0].name)
    left = left_to_score(member, call)
    if left:
        raise Refused("score_unfinished", left=len(left))
    member.submitted_at = now
    audit.record("projects.panel.submit", call, actor=actor, member=member.id)
    return member


# --- the ranking -------------------------------------------------------------------------

def _tenths(value):
    """A Fraction rounded half up to tenths, as a Fraction."""
    return Fraction(int(value * 10 + Fraction(1, 2)), 10)


@dataclass(frozen=True)
class Ranked:
    bid: Bid
    weighted: Fraction  # 0–100, rounded to one decimal
    means: dict  # criterion id → the mean score (a Fraction), None when nobody scored it
    scorers: int  # how many members scored the bid

    @property
    def score_words(self):
        return f"{float(self.weighted):.1f}"


def ranking(call):
    """The bids, best first: Σ (mean of the scores on a criterion) × weight / 10 to one
    decimal; ties go to the lower price, then the earlier bid."""
    all_bids = bids(call)
    scores = db.session.scalars(select(Score).join(Bid, Score.bid_id == Bid.id)
                                .where(Bid.call_id == call.id)).all()
    by_bid = {}
    for row in scores:
        by_bid.setdefault(row.bid_id, {}).setdefault(row.criterion_id, []).append(row.score)
    ranked = []
    for bid in all_bids:
        marks = by_bid.get(bid.id, {})
        means = {c.id: Fraction(sum(marks[c.id]), len(marks[c.id])) if marks.get(c.id)
                 else None for c in call.criteria}
        total = sum((means[c.id] or 0) * c.weight / 10 for c in call.criteria)
        scorers = len({r.panel_member_id for r in scores if r.bid_id == bid.id})
        ranked.append(Ranked(bid, _tenths(Fraction(total)), means, scorers))
    ranked.sort(key=lambda r: (-r.weighted, r.bid.price_fen, r.bid.submitted_at, r.bid.id))
    return ranked


# --- award and contract ------------------------------------------------------------------

def panel_standing(call):
    """(members who must submit and have not, members who submitted)."""
    all_bids = bids(call)
    waiting = [m for m in call.panel if m.submitted_at is None
               and any(not excused(m, b) for b in all_bids)]
    return waiting, [m for m in call.panel if m.submitted_at is not None]


def award_reason(call):
    """The reason the worker gave for choosing other than the first-ranked bid, if any."""
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.subject_type == "project_call",
                                 AuditEntry.subject_id == call.id,
                                 AuditEntry.action == "projects.call.award")
        .order_by(AuditEntry.id.desc()).limit(1))
    return entry.details.get("reason") if entry is not None else None


def winner(call):
    return db.session.scalar(select(Bid).where(Bid.call_id == call.id, Bid.awarded.is_(True)))


def award(actor, call, bid, reason, starts_at, ends_at, now):
    """Award ``call`` to ``bid`` (the first ranked, or another with a written reason) once
    every panel member who has bids to score has submitted and at least three have; publish
    the result with the ranking (评审结果公示) and tell the bidders."""
    if not may_keep(actor, call):
        raise Refused("award_worker_only")
    if call.awarded_at is not None:
        raise Refused("award_done")
    if is_open(call, now):
        raise Refused("award_too_early")
    waiting, submitted = panel_standing(call)
    if waiting:
        raise Refused("award_not_scored", left=len(waiting))
    if len(submitted) < PANEL_LEAST:
        raise Refused("award_no_quorum", least=PANEL_LEAST)
    ranked = ranking(call)
    if bid is None or bid.call_id != call.id:
        raise Refused("declare_not_bidder", field="bid")
    reason = projects._written(reason, "reason", required=False)
    if ranked[0].bid.id != bid.id and reason is None:
        raise Refused("award_reason_needed", field="reason")
    if ends_at - starts_at < timedelta(days=projects.PUBLIC_DAYS):
        raise Refused("project_window_short", field="ends_on", days=projects.PUBLIC_DAYS)
    project = call.project
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans")):
        title = gettext("Result of the review: %(title)s", title=project.title)
    publication = publicity.publish(call, projects.community_of(project.place), title, actor,
                                    starts_at, ends_at, now=now)
    bid.awarded = True
    call.awarded_at, call.award_publication_id = now, publication.id
    projects.move(project, "award", actor, now, call=call.id, bid=bid.id)
    audit.record("projects.call.award", call, actor=actor, bid=bid.id,
                 organization=bid.organization_id, reason=reason,
                 first=ranked[0].bid.id, publication=publication.id)
    tell_bidders(call, bid, now)
    return publication


def contract(actor, call, manager, contract_fen, now):
    """一项目一经理: once the award's publicity is over with every objection answered, sign
    the winner with a named project manager (its staff) and the contract amount."""
    if not may_keep(actor, call):
        raise Refused("award_worker_only")
    won = winner(call)
    if won is None or call.award_publication_id is None:
        raise Refused("contract_not_awarded")
    project = call.project
    if not projects.allowed(project, "contract"):
        raise Refused("project_stage_wrong")
    shown = publicity.state(db.session.get(Publication, call.award_publication_id), now)
    if shown.phase != "ended":
        raise Refused("contract_window_open")
    if shown.answered < shown.objections:
        raise Refused("contract_objections_open", count=shown.objections - shown.answered)
    if manager is None or not can(manager, "org_staff", won.organization):
        raise Refused("contract_manager_bad", field="manager")
    contract_fen = projects._fen(contract_fen, "amount", positive=True)
    project.organization_id = won.organization_id
    project.manager_id = manager.id
    project.contract_fen = contract_fen
    project.contracted_at = now
    projects.move(project, "contract", actor, now, organization=won.organization_id,
                  manager=manager.id, contract_fen=contract_fen)
    return project


# --- telling the bidders -----------------------------------------------------------------

def _call_url(call_id):
    return url_for("projects.call", call_id=call_id)


register_kind("project_call_awarded",
              _l("The call “%(title)s” was decided: %(winner)s was chosen. See the ranking."),
              _call_url)
register_kind("project_call_cancelled",
              _l("The project of the call “%(title)s” was cancelled, and the call with it. "
                 "See why."),
              _call_url)
publicity.register_subject("project_call", _call_url)


def tell_bidders(call, won, now):
    _tell_bidders(call, "project_call_awarded", f"call_awarded:{call.id}", now,
                  winner=won.organization.name)


def tell_bidders_cancelled(call, now):
    _tell_bidders(call, "project_call_cancelled", f"call_cancelled:{call.id}", now)


def _tell_bidders(call, kind, key, now, **words):
    """Tell each bidding organization's staff, each person once."""
    told = set()
    for bid in bids(call):
        for user in staff_of(bid.organization):
            if user.id in told:
                continue
            told.add(user.id)
            notify(user, kind, call, key, now=now, title=call.title, **words)
