"""Triage 三事分流: what workers and conveners do with a request, and the queue they work from.

- 大事 are referred to a department of the request's district, with a day to answer by;
  the department's answer is recorded. 小事 go to a council over the request's place. 私事
  are answered with guidance and service points to go to.
- Sorting again (re-triage) is the same three moves from a sorted state; the timeline
  says so (``retriage`` in the step's details).
- Every state change goes through ``states.move``; each tells the requester and everyone
  who said 我也遇到 once (the message key is the timeline step's id).
- The same POST sent twice changes nothing the second time: a rule asked to do what the
  request already shows returns the step that did it, and nobody is told twice.
- Marking a duplicate closes it and moves its requester and supporters onto the original
  as supporters: nobody's support is lost, and both running totals are counted again.
"""

import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.permissions import can, places_where, scope
from portal.councils import access, states, telling
from portal.councils.models import (
    CLASSES,
    Department,
    ReplyTemplate,
    Request,
    RequestEvent,
    RequestSupport,
)
from portal.extensions import db
from portal.places.models import Place, within
from portal.refusals import Refused
from portal.servicemap.models import ServicePoint
from portal.timeutil import to_local

TEXT_MAX = 5000
TEMPLATE_TITLE_MAX = 60
CLOSE_OUTCOMES = states.CLOSING["close"]


def local_day(now):
    return to_local(now).date()


def _role(actor, request):
    """The role ``actor`` sorts ``request`` in, as the timeline shows it."""
    if access.works_over(actor, request.courtyard):
        return "community_worker"
    return "council_member"


def _check_may_triage(actor, request, now):
    if not access.may_triage(actor, request, local_day(now)):
        raise Refused("triage_not_yours")


def _text(text, field="text", required=True):
    """``text`` stripped; refused when missing (if required) or too long."""
    text = (text or "").strip()
    if required and not text:
        raise Refused("triage_text_missing", field=field)
    if len(text) > TEXT_MAX:
        raise Refused("triage_text_too_long", field=field, most=TEXT_MAX)
    return text or None


def _last_event(request):
    return db.session.scalar(select(RequestEvent).where(RequestEvent.request_id == request.id)
                             .order_by(RequestEvent.id.desc()).limit(1))


def _repeat(request, action, **same):
    """The step that already did this (a second tap of the same button), or None: the request
    is where ``action`` leads, its last step was ``action``, and ``same`` columns match."""
    if request.state != states.TRANSITIONS[action][1]:
        return None
    last = _last_event(request)
    if last is None or last.action != action:
        return None
    if any(getattr(request, name) != value for name, value in same.items()):
        return None
    return last


def _sorted(request, action, actor, now, text, **details):
    """Move ``request`` by one of the three triage moves; leave the columns of another class
    it was sorted as before (the timeline keeps them)."""
    if request.state != "submitted":
        details["retriage"] = True
    event = states.move(request, action, actor, _role(actor, request), now, text=text,
                        **details)
    if action != "refer":
        request.department_id = request.due_on = request.department_reply = None
    if action != "to_council":
        request.council_id = None
    return event


def _told(request, event, kind, now, **params):
    db.session.flush()  # the step's id names the message
    telling.tell_request(request, kind, f"{event.id}", now, **params)
    return event


# --- the three ways a request is sorted ---

def department_choices(request):
    """The active departments of the request's district, by name."""
    district = request.courtyard.ancestor("district")
    if district is None:
        return []
    return db.session.scalars(select(Department).where(
        Department.district_id == district.id, Department.active.is_(True))
        .order_by(Department.name)).all()


def default_due(now):
    return local_day(now) + timedelta(days=current_app.config["PORTAL"]
                                      ["COUNCIL_DEPARTMENT_DAYS"])


def refer(request, actor, department, due_on, text, now):
    """大事: refer ``request`` to ``department`` of its district, to answer by ``due_on``
    (default: in COUNCIL_DEPARTMENT_DAYS days)."""
    _check_may_triage(actor, request, now)
    if department is None or department not in department_choices(request):
        raise Refused("triage_department_unknown", field="department")
    due_on = due_on or default_due(now)
    if due_on < local_day(now):
        raise Refused("triage_due_past", field="due_on")
    text = _text(text, required=False)
    repeat = _repeat(request, "refer", department_id=department.id, due_on=due_on)
    if repeat is not None:
        return repeat
    event = _sorted(request, "refer", actor, now, text, department=department.name,
                    department_id=department.id, due=due_on.isoformat())
    request.department = department
    request.due_on = due_on
    request.department_reply = None
    return _told(request, event, "request_referred", now, department=department.name,
                 due=due_on.isoformat())


def to_council(request, actor, council, text, now):
    """小事: put ``request`` to ``council``, one of those over its place (一事一议)."""
    _check_may_triage(actor, request, now)
    if council is None or council not in access.councils_over(request.courtyard):
        raise Refused("triage_council_unknown", field="council")
    text = _text(text, required=False)
    repeat = _repeat(request, "to_council", council_id=council.id)
    if repeat is not None:
        return repeat
    event = _sorted(request, "to_council", actor, now, text, council=council.name,
                    council_id=council.id)
    request.council = council
    return _told(request, event, "request_to_council", now, council=council.name)


def point_choices(request):
    """The active service points of the request's community, by name."""
    return db.session.scalars(
        select(ServicePoint).join(Place, ServicePoint.place_id == Place.id)
        .where(within(request.community), ServicePoint.status == "active")
        .order_by(ServicePoint.name)).all()


def guide(request, actor, text, points, now):
    """私事: answer ``request`` with guidance (``text``) and the service points to go to,
    each in the request's district."""
    _check_may_triage(actor, request, now)
    text = _text(text)
    district = request.courtyard.ancestor("district")
    points = list(points or [])
    if any(district is None or not district.contains(point.place) for point in points):
        raise Refused("triage_point_far", field="points")
    ids = sorted({point.id for point in points})
    repeat = _repeat(request, "guide")
    if repeat is not None and repeat.text == text and guided_point_ids(repeat) == ids:
        return repeat
    event = _sorted(request, "guide", actor, now, text, points=ids)
    return _told(request, event, "request_guided", now)


def guided_point_ids(event):
    """The ids of the service points a guidance step suggested."""
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        return []
    ids = details.get("points") if isinstance(details, dict) else None
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


# --- what follows ---

def record_reply(request, actor, text, now):
    """The department's answer to a referred 大事, in its words."""
    _check_may_triage(actor, request, now)
    text = _text(text)
    repeat = _repeat(request, "reply", department_reply=text)
    if repeat is not None:
        return repeat
    event = states.move(request, "reply", actor, _role(actor, request), now, text=text,
                        department=request.department.name if request.department else None)
    request.department_reply = text
    return _told(request, event, "request_replied", now,
                 department=request.department.name if request.department else "")


def carry_out(request, actor, now):
    """What the council decided is being carried out."""
    _check_may_triage(actor, request, now)
    repeat = _repeat(request, "carry_out")
    if repeat is not None:
        return repeat
    event = states.move(request, "carry_out", actor, _role(actor, request), now)
    return _told(request, event, "request_carrying_out", now)


def close_outcomes(request):
    """The outcomes ``request`` may be closed with now."""
    return [o for o in CLOSE_OUTCOMES if states.allowed(request, "close", o)]


def close(request, actor, outcome, reason, now):
    """Close ``request`` with ``outcome`` (done, partly done, not possible); "not possible"
    needs the reason, which the residents read on the timeline. They are asked whether the
    problem was solved."""
    _check_may_triage(actor, request, now)
    if outcome not in CLOSE_OUTCOMES:
        raise Refused("triage_outcome_unknown", field="outcome")
    reason = _text(reason, field="reason", required=False)
    if outcome == "not_possible" and not reason:
        raise Refused("triage_reason_missing", field="reason")
    repeat = _repeat(request, "close", outcome=outcome)
    if repeat is not None:
        return repeat
    if (states.is_open(request) and outcome in ("done", "partly_done")
            and request.state not in states.DONE_FROM):
        raise Refused("triage_done_too_soon", field="outcome")
    event = states.move(request, "close", actor, _role(actor, request), now, text=reason,
                        outcome=outcome)
    request.outcome_reason = reason
    return _told(request, event, "request_closed", now)


def withdraw(request, requester, now):
    """The resident who made the request withdraws it (nobody else may)."""
    if requester is None or getattr(requester, "id", None) != request.requester_id:
        raise Refused("withdraw_not_yours")
    repeat = _repeat(request, "withdraw")
    if repeat is not None:
        return repeat
    event = states.move(request, "withdraw", requester, "resident", now, outcome="withdrawn")
    db.session.flush()  # the step's id names the message
    telling.tell_request(request, "request_withdrawn", f"{event.id}", now, but=requester)
    return event


# --- duplicates ---

def find_original(request, number):
    """The request numbered ``number`` (000123 or 123) in ``request``'s community, or None."""
    number = (number or "").strip()
    if not (number.isascii() and number.isdigit()) or not 0 < int(number) < 2**31:
        return None
    original = db.session.get(Request, int(number))
    if original is None or original.community_id != request.community_id:
        return None
    return original


def _support_count(request_id):
    return db.session.scalar(select(func.count()).select_from(RequestSupport)
                             .where(RequestSupport.request_id == request_id))


def mark_duplicate(request, original, actor, now):
    """Close ``request`` as the same as ``original`` (another open request of the
    community); its requester and supporters become supporters of ``original``."""
    _check_may_triage(actor, request, now)
    if original is not None and original.id == request.id:
        raise Refused("duplicate_of_itself", field="original")
    if (original is None or original.community_id != request.community_id
            or not states.is_open(original)):
        raise Refused("duplicate_not_found", field="original")
    if request.state == "closed" and request.duplicate_of_id == original.id:
        repeat = _repeat(request, "mark_duplicate")
        if repeat is not None:
            return repeat
    seen, link = {request.id}, original
    while link.duplicate_of_id is not None:  # A → B → … never back to A
        if link.duplicate_of_id in seen:
            raise Refused("duplicate_loop", field="original")
        seen.add(link.id)
        link = db.session.get(Request, link.duplicate_of_id)
    role = _role(actor, request)
    event = states.move(request, "mark_duplicate", actor, role, now, outcome="duplicate",
                        original=original.number, original_id=original.id)
    request.duplicate_of = original
    # Told before their support moves: the followers of the duplicate, as they were.
    _told(request, event, "request_duplicate", now, number=original.number)
    moved = _move_supporters(request, original, now)
    states.note(original, "duplicate_joined", actor, role, now, number=request.number,
                duplicate_id=request.id, supporters=moved)
    audit.record("councils.request.duplicate_joined", original, actor=actor,
                 duplicate=request.id, supporters=moved)
    return event


def _move_supporters(duplicate, original, now):
    """Make the duplicate's requester and supporters supporters of ``original`` (once each,
    never its own requester); recount both totals. Return how many were added."""
    already = set(db.session.scalars(select(RequestSupport.user_id)
                                     .where(RequestSupport.request_id == original.id)))
    already.add(original.requester_id)
    rows = db.session.scalars(select(RequestSupport)
                              .where(RequestSupport.request_id == duplicate.id)).all()
    moved = 0
    for row in rows:
        if row.user_id in already:
            db.session.delete(row)
            continue
        already.add(row.user_id)
        moved += _moved(row, original)
    if duplicate.requester_id not in already:
        moved += _added(original, duplicate.requester_id, duplicate.created_at or now)
    db.session.flush()
    duplicate.support_count = _support_count(duplicate.id)
    original.support_count = _support_count(original.id)
    return moved


def _moved(row, original):
    """Move one support row; if the person said 我也遇到 on the original meanwhile (another
    request at the same moment), the row already there stands and this one goes."""
    try:
        with db.session.begin_nested():
            db.session.execute(update(RequestSupport).where(RequestSupport.id == row.id)
                               .values(request_id=original.id))
    except IntegrityError:
        db.session.execute(delete(RequestSupport).where(RequestSupport.id == row.id))
        return 0
    return 1


def _added(original, user_id, since):
    try:
        with db.session.begin_nested():
            db.session.add(RequestSupport(request_id=original.id, user_id=user_id,
                                          created_at=since))
    except IntegrityError:
        return 0
    return 1


# --- reply templates ---

def templates_for(place, klass):
    """The reply templates for ``klass`` kept at ``place`` or above, by title."""
    if place is None or klass not in CLASSES:
        return []
    return db.session.scalars(select(ReplyTemplate).where(
        ReplyTemplate.place_id.in_(place.lineage_ids), ReplyTemplate.klass == klass)
        .order_by(ReplyTemplate.title, ReplyTemplate.id)).all()


def may_keep_templates(user, place):
    """Workers of a community (or above) keep its templates."""
    return (place is not None and place.kind not in ("courtyard", "building")
            and can(user, "community_worker", place))


def add_template(actor, place, klass, title, text):
    """Keep wording for ``klass`` requests at ``place`` (a community or above)."""
    if not may_keep_templates(actor, place):
        raise Refused("template_not_yours")
    if klass not in CLASSES:
        raise Refused("template_class_unknown", field="klass")
    title = (title or "").strip()
    if not title:
        raise Refused("template_title_missing", field="title")
    if len(title) > TEMPLATE_TITLE_MAX:
        raise Refused("triage_text_too_long", field="title", most=TEMPLATE_TITLE_MAX)
    text = _text(text)
    template = ReplyTemplate(place=place, klass=klass, title=title, text=text)
    db.session.add(template)
    db.session.flush()
    audit.record("councils.template.add", template, actor=actor, klass=klass, title=title)
    return template


def remove_template(actor, template):
    if not may_keep_templates(actor, template.place):
        raise Refused("template_not_yours")
    audit.record("councils.template.remove", template, actor=actor, title=template.title)
    db.session.delete(template)


# --- the queue ---

def queue_condition(user, today=None):
    """SQL condition: the requests ``user`` sorts (as a worker, or chairing a council)."""
    chaired = [within(seat.council.place, Request.place_path)
               for seat in access.seats_of(user, today) if seat.position in access.CHAIRS]
    return or_(scope(user, "community_worker", place=Request.place_path), *chaired)


def may_use_queue(user, today=None):
    """Workers (anywhere) and the conveners of a council have a queue."""
    return user.is_authenticated and (
        bool(places_where(user, "community_worker"))
        or any(seat.position in access.CHAIRS for seat in access.seats_of(user, today)))


def queue(user, today, state=None, klass=None, category=None, courtyard=None):
    """The open requests ``user`` sorts: overdue 大事 first, then those waiting to be sorted
    (most 我也遇到 first), then the rest; oldest first within each."""
    overdue = and_(Request.state == "referred", Request.due_on < today)
    rank = case((overdue, 0), (Request.state == "submitted", 1), else_=2)
    query = select(Request).where(queue_condition(user, today),
                                  Request.state.in_(sorted(states.OPEN)))
    if state:
        query = query.where(Request.state == state)
    if klass:
        query = query.where(Request.klass == klass)
    if category:
        query = query.where(Request.category == category)
    if courtyard is not None:
        query = query.where(within(courtyard, Request.place_path))
    return query.order_by(rank, case((Request.state == "submitted", -Request.support_count),
                                     else_=0), Request.created_at, Request.id)


def overdue_count(user, today):
    return db.session.scalar(select(func.count()).select_from(Request).where(
        queue_condition(user, today), Request.state == "referred", Request.due_on < today))


