"""The one state machine of a request (诉求). Every allowed move is in ``TRANSITIONS``; every
other one is refused. Each move is written on the request's public timeline.

    submitted ─ refer ──────→ referred ─ reply ─→ replied                     (大事)
              ─ to_council ─→ with_council ─ put_on_agenda ─→ on_agenda
                  ─ deliberate ─→ deliberated ─ resolve ─→ resolved
                  ─ carry_out ─→ carrying_out                                 (小事)
              ─ guide ──────→ guided                                          (私事)
    … ─ close / mark_duplicate / withdraw ─→ closed ─ follow_up ─→ followed_up
    closed, followed_up ─ reopen ─→ submitted  (the resident says it is not solved)

Triage again (re-triage) is the same three moves from any triaged state. A 大事 is overdue
when it is referred and its due day has passed: a fact read from the date, not a state, so
no page waits for a job to mark it.
"""

import json
from datetime import timedelta

from flask import current_app

from portal import audit
from portal.councils.models import RequestEvent
from portal.extensions import db
from portal.refusals import Refused

TRIAGED = frozenset({"referred", "replied", "with_council", "on_agenda", "deliberated",
                     "resolved", "carrying_out", "guided"})
OPEN = TRIAGED | {"submitted"}
RETRIAGE_FROM = frozenset({"submitted", "referred", "replied", "with_council", "guided"})
STATES = ("submitted", "referred", "replied", "with_council", "on_agenda", "deliberated",
          "resolved", "carrying_out", "guided", "closed", "followed_up")

# name: (the states it may start from, the state it leads to)
TRANSITIONS = {
    "refer": (RETRIAGE_FROM, "referred"),
    "to_council": (RETRIAGE_FROM, "with_council"),
    "guide": (RETRIAGE_FROM, "guided"),
    "reply": (frozenset({"referred"}), "replied"),
    "put_on_agenda": (frozenset({"with_council"}), "on_agenda"),
    "take_off_agenda": (frozenset({"on_agenda"}), "with_council"),
    "deliberate": (frozenset({"on_agenda"}), "deliberated"),
    "resolve": (frozenset({"deliberated"}), "resolved"),
    "carry_out": (frozenset({"resolved"}), "carrying_out"),
    # Closed with an outcome: done or partly done once something was done or said; not
    # possible (with the reason) from any open state.
    "close": (OPEN, "closed"),
    "mark_duplicate": (OPEN, "closed"),
    "withdraw": (OPEN, "closed"),
    "follow_up": (frozenset({"closed"}), "followed_up"),
    "reopen": (frozenset({"closed", "followed_up"}), "submitted"),
}
# Outcomes each closing move may give, and the states "done" needs something to have
# happened in.
CLOSING = {"close": ("done", "partly_done", "not_possible"),
           "mark_duplicate": ("duplicate",), "withdraw": ("withdrawn",)}
DONE_FROM = frozenset({"replied", "guided", "resolved", "carrying_out"})
CLASS_OF = {"referred": "major", "with_council": "minor", "guided": "private"}


def allowed(request, action, outcome=None):
    """Tell whether ``action`` (with ``outcome``, for closing moves) may be taken now."""
    entry = TRANSITIONS.get(action)
    if entry is None or request.state not in entry[0]:
        return False
    if action in CLOSING:
        if outcome not in CLOSING[action]:
            return False
        if outcome in ("done", "partly_done") and request.state not in DONE_FROM:
            return False
    return True


def moves_from(state):
    """The names of the moves that may start from ``state`` (for the page's buttons)."""
    return [name for name, (sources, _to) in TRANSITIONS.items() if state in sources]


def is_open(request):
    return request.state in OPEN


def is_overdue(request, today):
    """A referred 大事 whose department has not replied by its due day."""
    return request.state == "referred" and request.due_on is not None and request.due_on < today


def move(request, action, actor, role, now, text=None, outcome=None, **details):
    """Take ``action`` on ``request`` for ``actor`` acting as ``role`` (a ROLE_LABELS key);
    write the step on its timeline and in the audit log; return the timeline event.

    Raises Refused("move_not_allowed") when the state machine does not allow it. What the
    move means besides the state (the department, the council, the outcome's words) is set
    by the caller's rule before or after; ``details`` are kept with the event."""
    if not allowed(request, action, outcome):
        raise Refused("move_not_allowed", state=request.state, action=action)
    before, after = request.state, TRANSITIONS[action][1]
    request.state = after
    request.updated_at = now
    if after in CLASS_OF:
        request.klass = CLASS_OF[after]
        if before == "submitted" or request.triaged_at is None:
            request.triaged_at = now
    if action in CLOSING:
        request.outcome = outcome
        request.closed_at = now
        if action == "close":  # asked again, four weeks on, whether it stayed solved
            days = current_app.config["PORTAL"]["COUNCIL_FOLLOW_UP_DAYS"]
            request.follow_up_at = now + timedelta(days=days)
            request.follow_up_sent_at = None
    if action == "reopen":
        request.outcome = None
        request.closed_at = None
        request.klass = None
    if outcome is not None:
        details["outcome"] = outcome
    event = RequestEvent(request=request, at=now, actor_id=getattr(actor, "id", None),
                         actor_role=role, action=action, from_state=before, to_state=after,
                         text=text, details=json.dumps(details, ensure_ascii=False,
                                                       default=str) if details else None)
    db.session.add(event)
    audit.record(f"councils.request.{action}", request, actor=actor, before=before,
                 after=after, **details)
    return event


def note(request, action, actor, role, now, text=None, **details):
    """Write a step that changes no state (a department's late answer, a supporter joining
    from a duplicate, a leader's 代录) on the timeline; return the event."""
    event = RequestEvent(request=request, at=now, actor_id=getattr(actor, "id", None),
                         actor_role=role, action=action, from_state=request.state,
                         to_state=request.state, text=text,
                         details=json.dumps(details, ensure_ascii=False, default=str)
                         if details else None)
    db.session.add(event)
    request.updated_at = now
    return event


__all__ = ["CLOSING", "OPEN", "STATES", "TRANSITIONS", "TRIAGED", "allowed",
           "is_open", "is_overdue", "move", "moves_from", "note"]
