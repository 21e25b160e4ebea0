"""一征三议两公开: a matter that spends money or binds residents, carried by a council from
what was collected to the published result, one step after another:

    征 collect → 党组织提议 propose → 议事会商议 deliberate → 居民（代表）会议决议 resolve
    → 决议公开 publish → 实施 carry_out → 结果公开 result

Each step is refused until the one before it is complete, and records who and when (the
audit log keeps the actor of every step; the decision's columns keep what was decided).
When the decision comes from a request, each step is also a note on the request's public
timeline. Only one step moves the request's state: 实施, for a request the meetings left
"resolved" (the council's own moves are the meetings'). A resolution that is not carried
(as many against as for, or more) ends the decision there.
"""

import re
import unicodedata
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import select

from portal import audit
from portal.accounts.permissions import can
from portal.audit import AuditEntry
from portal.councils import access, states, telling
from portal.councils.models import Decision, Meeting, Motion, Request
from portal.courtyards import collections
from portal.courtyards.models import Collection
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.places.models import Place, within
from portal.publicity import rules as publicity
from portal.publicity.models import Publication
from portal.refusals import Refused
from portal.timeutil import to_local

__all__ = ["PUBLIC_DAYS", "STEPS", "STEP_LABELS", "carried", "carry_out", "choosable_motions",
           "choosable_requests", "choosable_collections", "deliberate", "may_act",
           "may_start", "parse_yuan", "propose", "publication_place", "publish_decision",
           "publish_result", "resolve", "start", "step_of", "stopped", "where", "yuan"]

TITLE_MAX = 100
TEXT_MAX = 5000
PUBLIC_DAYS = 7  # both publications: the decision's and the result's
MOST_VOTES = 100_000  # more than any residents' meeting: a typo, not a count
MOST_YUAN_DIGITS = 12  # a billion yuan and more is a typo too

STEPS = ("collect", "propose", "deliberate", "resolve", "publish", "carry_out", "result")
STEP_LABELS = {
    "collect": _l("Opinions collected"),  # 征
    "propose": _l("Party organization's proposal"),  # 党组织提议
    "deliberate": _l("Council deliberation"),  # 议事会商议
    "resolve": _l("Residents' (representatives') resolution"),  # 居民（代表）会议决议
    "publish": _l("Decision made public"),  # 决议公开
    "carry_out": _l("Carried out"),  # 实施
    "result": _l("Result made public"),  # 结果公开
}


# --- who may act -------------------------------------------------------------------------

def may_start(user, council):
    """A worker over the council's place or its convener (or deputy)."""
    return access.may_keep_council(user, council)


def may_act(user, decision, step):
    """Whether ``user`` may record ``step`` of ``decision`` (whatever step it is at)."""
    if step == "propose":
        return access.works_over(user, decision.council.place)
    return access.may_keep_council(user, decision.council)


def _role(user, council):
    """The role the timeline names: the worker's, else the council member's."""
    if can(user, "admin", council.place):
        return "admin"
    return "community_worker" if access.works_over(user, council.place) else "council_member"


def publication_place(council):
    """Where a decision is made public: the council's place, or for a building's council its
    courtyard (residents belong to courtyards, so they may object there)."""
    place = council.place
    if place.kind == "building":
        return place.ancestor("courtyard") or place
    return place


# --- what a decision may start from (征) -------------------------------------------------

def choosable_requests(council, limit=50):
    """The minor matters this council took up, newest first."""
    return db.session.scalars(
        select(Request).where(Request.council_id == council.id, Request.klass == "minor")
        .order_by(Request.created_at.desc(), Request.id.desc()).limit(limit)).all()


def choosable_collections(council, now, limit=50):
    """The closed opinion collections of places at or under the council's."""
    place = publication_place(council)
    return db.session.scalars(
        select(Collection).join(Place, Collection.place_id == Place.id)
        .where(within(place), (Collection.closed_at.is_not(None))
               | (Collection.closes_at <= now))
        .order_by(Collection.closes_at.desc(), Collection.id.desc()).limit(limit)).all()


def choosable_motions(decision):
    """The motions this council passed after the decision's proposal, newest first."""
    if decision.proposed_at is None:
        return []
    return db.session.scalars(
        select(Motion).join(Meeting, Motion.meeting_id == Meeting.id)
        .where(Meeting.council_id == decision.council_id, Motion.passed.is_(True),
               Motion.closed_at.is_not(None), Motion.closed_at >= decision.proposed_at)
        .order_by(Motion.closed_at.desc(), Motion.id.desc()).limit(50)).all()


# --- helpers of the rules ----------------------------------------------------------------

def _written(text, field, most=TEXT_MAX, missing="decision_text_needed"):
    text = (text or "").strip()
    if not text:
        raise Refused(missing, field=field)
    if len(text) > most:
        raise Refused("decision_text_too_long", field=field, limit=most)
    return text


def _require(user, decision, step):
    if not may_act(user, decision, step):
        raise Refused("decision_worker_only" if step == "propose" else "decision_not_yours")


def carried(decision):
    """Whether the resolution carried: more for than against (None before it is recorded)."""
    if decision.resolved_at is None:
        return None
    return decision.resolution_for > decision.resolution_against


def _publication(publication_id):
    return db.session.get(Publication, publication_id) if publication_id else None


def _needs(decision, step):
    """Refuse ``step`` unless every step before it is complete and it is not done yet."""
    if step == "propose":
        if decision.proposed_at is not None:
            raise Refused("decision_step_done")
        return
    if decision.proposed_at is None:
        raise Refused("decision_needs_proposal")
    if step == "deliberate":
        if decision.deliberated_at is not None:
            raise Refused("decision_step_done")
        return
    if decision.deliberated_at is None:
        raise Refused("decision_needs_deliberation")
    if step == "resolve":
        if decision.resolved_at is not None:
            raise Refused("decision_step_done")
        return
    if decision.resolved_at is None:
        raise Refused("decision_needs_resolution")
    if not carried(decision):
        raise Refused("decision_not_carried", **{"for": decision.resolution_for,
                                                 "against": decision.resolution_against})
    shown = _publication(decision.decision_publication_id)
    if step == "publish":
        if shown is not None and shown.withdrawn_at is None:
            raise Refused("decision_step_done")
        return  # never published, or withdrawn: published (again)
    if shown is None:
        raise Refused("decision_needs_publication")
    if step == "carry_out":
        if decision.carried_out_at is not None:
            raise Refused("decision_step_done")
        return
    if decision.carried_out_at is None:
        raise Refused("decision_needs_carrying_out")
    if decision.result_publication_id is not None:
        raise Refused("decision_step_done")


def _on_timeline(decision, step, actor, now, text=None):
    """Note the step on the request's timeline (in the portal's language: every reader sees
    the same words)."""
    request = decision.request
    if request is None:
        return None
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans")):
        label = str(STEP_LABELS[step])
    words = f"{label}：{decision.title}" if text is None else f"{label}：{text}"
    return states.note(request, "decision_step", actor, _role(actor, decision.council), now,
                       text=words, step=step, decision=decision.id)


def _record(decision, step, actor, **details):
    audit.record(f"councils.decision.{step}", decision, actor=actor,
                 role=_role(actor, decision.council), **details)


def _window(starts_at, ends_at):
    if ends_at <= starts_at:
        raise Refused("window_order", field="ends_on")
    if ends_at - starts_at < timedelta(days=PUBLIC_DAYS):
        raise Refused("decision_window_short", field="ends_on", days=PUBLIC_DAYS)


def _last_day(publication):
    return to_local(publication.ends_at - timedelta(microseconds=1)).date().isoformat()


# --- the steps ---------------------------------------------------------------------------

def start(actor, council, title, now, request=None, collection=None):
    """征: start a decision of ``council`` from a request it took up and/or the results of a
    closed opinion collection of its place; return the decision."""
    if not may_start(actor, council):
        raise Refused("decision_not_yours")
    title = _written(title, "title", TITLE_MAX, missing="decision_title_needed")
    if request is None and collection is None:
        raise Refused("decision_needs_source", field="request")
    if request is not None and (request.council_id != council.id or request.klass != "minor"):
        raise Refused("decision_request_not_here", field="request")
    if collection is not None:
        if not publication_place(council).contains(collection.place):
            raise Refused("decision_collection_not_here", field="collection")
        if not collections.is_closed(collection, now):
            raise Refused("decision_collection_open", field="collection")
    decision = Decision(council=council, request=request,
                        collection_id=collection.id if collection else None, title=title,
                        created_by_id=actor.id, created_at=now)
    db.session.add(decision)
    db.session.flush()
    _record(decision, "collect", actor, request=getattr(request, "id", None),
            collection=getattr(collection, "id", None))
    _on_timeline(decision, "collect", actor, now)
    return decision


def propose(actor, decision, text, now):
    """党组织提议: the community Party organization's proposal, recorded by a worker."""
    _require(actor, decision, "propose")
    _needs(decision, "propose")
    text = _written(text, "proposal")
    decision.proposal, decision.proposed_by_id, decision.proposed_at = text, actor.id, now
    _record(decision, "propose", actor)
    _on_timeline(decision, "propose", actor, now, text)
    return decision


def deliberate(actor, decision, motion, now):
    """议事会商议: the motion this council passed on it, at a meeting after the proposal."""
    _require(actor, decision, "deliberate")
    _needs(decision, "deliberate")
    if (motion is None or motion.meeting.council_id != decision.council_id
            or motion.passed is not True or motion.closed_at is None
            or motion.closed_at < decision.proposed_at):
        raise Refused("decision_motion_not_here", field="motion")
    decision.motion, decision.deliberated_at = motion, now
    _record(decision, "deliberate", actor, motion=motion.id)
    _on_timeline(decision, "deliberate", actor, now, motion.text)
    return decision


def _count(value, field):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MOST_VOTES:
        raise Refused("decision_votes_bad", field=field)
    return value


def resolve(actor, decision, text, votes_for, votes_against, votes_abstain, now):
    """居民（代表）会议决议: the resolution and its counts. It carries with more for than
    against; when it does not, it is recorded and the decision stops here."""
    _require(actor, decision, "resolve")
    _needs(decision, "resolve")
    text = _written(text, "resolution")
    counts = (_count(votes_for, "votes_for"), _count(votes_against, "votes_against"),
              _count(votes_abstain, "votes_abstain"))
    decision.resolution = text
    decision.resolution_for, decision.resolution_against, decision.resolution_abstain = counts
    decision.resolved_by_id, decision.resolved_at = actor.id, now
    _record(decision, "resolve", actor, votes=counts, carried=carried(decision))
    _on_timeline(decision, "resolve", actor, now, text)
    return decision


def publish_decision(actor, decision, starts_at, ends_at, now):
    """决议公开: make the decision public for at least seven days; tell the requester and
    supporters. A withdrawn publicity may be replaced by a new one."""
    _require(actor, decision, "publish")
    _needs(decision, "publish")
    _window(starts_at, ends_at)
    publication = publicity.publish(decision, publication_place(decision.council),
                                    decision.title, actor, starts_at, ends_at, now=now)
    decision.decision_publication_id = publication.id
    _record(decision, "publish", actor, publication=publication.id)
    _on_timeline(decision, "publish", actor, now)
    if decision.request is not None:
        telling.tell_residents(decision, telling.followers(decision.request),
                               "decision_published", str(publication.id), now,
                               day=_last_day(publication))
    return publication


def carry_out(actor, decision, now):
    """实施: once the decision's publicity period is over and every objection or question
    raised in it is answered."""
    _require(actor, decision, "carry_out")
    _needs(decision, "carry_out")
    shown = publicity.state(_publication(decision.decision_publication_id), now)
    if shown.phase == "withdrawn":
        raise Refused("decision_publication_withdrawn")
    if shown.phase != "ended":
        raise Refused("decision_window_not_over")
    if shown.answered < shown.objections:
        raise Refused("decision_objections_open", count=shown.objections - shown.answered)
    decision.carried_out_at = now
    _record(decision, "carry_out", actor)
    _on_timeline(decision, "carry_out", actor, now)
    request = decision.request
    if request is not None and states.allowed(request, "carry_out"):
        event = states.move(request, "carry_out", actor, _role(actor, decision.council), now,
                            decision=decision.id)
        db.session.flush()
        telling.tell_request(request, "request_carrying_out", str(event.id), now)
    return decision


def publish_result(actor, decision, text, cost_fen, starts_at, ends_at, now):
    """结果公开: what was done and what it cost, public for at least seven days."""
    _require(actor, decision, "result")
    _needs(decision, "result")
    text = _written(text, "result")
    if (isinstance(cost_fen, bool) or not isinstance(cost_fen, int) or cost_fen < 0
            or cost_fen >= 10 ** (MOST_YUAN_DIGITS + 2)):
        raise Refused("decision_cost_bad", field="cost")
    _window(starts_at, ends_at)
    publication = publicity.publish(decision, publication_place(decision.council),
                                    decision.title, actor, starts_at, ends_at, now=now)
    decision.result, decision.cost_fen = text, cost_fen
    decision.result_publication_id = publication.id
    _record(decision, "result", actor, publication=publication.id, cost_fen=cost_fen)
    _on_timeline(decision, "result", actor, now, text)
    if decision.request is not None:
        telling.tell_residents(decision, telling.followers(decision.request),
                               "result_published", str(publication.id), now)
    return publication


# --- where a decision stands -------------------------------------------------------------

def _done_at(decision, step):
    shown = _publication(decision.decision_publication_id)
    return {
        "collect": decision.created_at,
        "propose": decision.proposed_at,
        "deliberate": decision.deliberated_at,
        "resolve": decision.resolved_at,
        "publish": shown.created_at if shown is not None and shown.withdrawn_at is None
        else None,
        "carry_out": decision.carried_out_at,
        "result": _publication(decision.result_publication_id).created_at
        if decision.result_publication_id else None,
    }[step]


def step_of(decision):
    """(the key of the next step, or None when done or stopped; and for each step in order
    (key, label, done_at, who, role)). ``who`` is the User who recorded it."""
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "Decision",
                                 AuditEntry.subject_id == decision.id,
                                 AuditEntry.action.startswith("councils.decision."))
        .order_by(AuditEntry.id)).all()
    by_step = {e.action.removeprefix("councils.decision."): e for e in entries}
    rows, upcoming = [], None
    for step in STEPS:
        done_at = _done_at(decision, step)
        entry = by_step.get(step) if done_at is not None else None
        if done_at is None and upcoming is None:
            upcoming = step
        rows.append((step, STEP_LABELS[step], done_at,
                     entry.actor if entry is not None else None,
                     entry.details.get("role") if entry is not None else None))
    if carried(decision) is False:
        upcoming = None
    return upcoming, rows


def stopped(decision):
    """The resolution was recorded and did not carry."""
    return carried(decision) is False


def where(decision):
    """(the key of the next step or None, whether it stopped): for lists, without who."""
    if stopped(decision):
        return None, True
    return next((s for s in STEPS if _done_at(decision, s) is None), None), False


def decision_url(ident):
    return url_for("councils.decision", decision_id=ident)


publicity.register_subject("decision", decision_url)


# --- money ------------------------------------------------------------------------------

_YUAN = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$")


def parse_yuan(text):
    """The fen in typed yuan: "3200", "3,200.50", "¥3200.5", "3200元", full-width digits;
    ValueError for anything else (negatives, three decimals, words, absurd sizes)."""
    text = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
    text = text.removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    match = _YUAN.match(text)
    if not match:
        raise ValueError(text)
    whole = match.group(1).replace(",", "")
    if len(whole.lstrip("0")) > MOST_YUAN_DIGITS:
        raise ValueError(text)
    cents = (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(cents)


def yuan(fen):
    """3,200.50 for 320050 fen, 3,200 for 320000 (the unit is said by the words around it):
    whole yuan without ".00", so amounts stay short enough for a 240 px phone in 特大."""
    whole, cents = divmod(int(fen), 100)
    return f"{whole:,}" if cents == 0 else f"{whole:,}.{cents:02d}"
