"""代办: a community worker acting for a resident who is present at the counter and agrees.

How it works, and why this way: the worker stays signed in (the session keeps the worker's
identity) and the session also names an open ``ActingSession``. Before each request
``load_acting`` checks that session and, while it is open, makes the resident Flask-Login's
user *for that request*, and puts the session in ``g.acting``. So every domain's rules act for
the resident exactly as they would at home — a request, a sign-up, an answer to a collection
is the resident's — without any domain knowing about 代办, and ``portal.audit.record`` writes
every entry with the worker as the one who did it, the resident as the one it was for, and the
session. A write that no rule audited (a time-bank sign-up) is still recorded, by
``_record_unaudited`` just before the transaction commits.

What a worker must not do for a resident — their password, mobile number, roles, language,
kiosk PIN, or moving their hours or money out — is one set of endpoint names,
``FORBIDDEN_WHILE_ACTING``, refused before the view runs.

It ends when the worker ends it, signs out, or after PORTAL_ACTING_MINUTES (the first request
after that ends it and does nothing else). A worker acts for one resident at a time.

Rules here take the worker, the resident and ``now``; no request in them. The hooks at the end
are registered on the accounts blueprint (``bp.before_app_request``).
"""

from datetime import timedelta

from flask import current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal import audit
from portal.accounts.models import ActingSession, RoleGrant, User
from portal.accounts.permissions import works_for
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.refusals import Refused, messages

REASON_MAX = 200
SESSION_KEY = "acting_session"

MESSAGES = messages({
    "acting_self": _l("You cannot act for yourself."),
    "acting_staff": _l("You cannot act for another community worker or an administrator."),
    "acting_outside": _l("You can only act for residents of your own community."),
    "acting_inactive": _l("This account is closed."),
    "acting_already": _l("You are already acting for someone. End that first."),
    "acting_consent": _l("The resident must be here and agree before you act for them."),
    "acting_reason": _l("Write why you are acting for the resident."),
})

# Endpoints a worker may not use for a resident: their own secrets and settings, their roles,
# and anything that moves their hours or money out. Other domains add theirs here.
FORBIDDEN_WHILE_ACTING = frozenset({
    "accounts.change_password",
    "accounts.profile_pin",
    "accounts.sign_out_everywhere",
    "accounts.place_roles",
    "accounts.organization_roles",
    "accounts.revoke",
    "accounts.new_code",
    "main.set_language",
    "timebank.gift",
    "timebank.donate",
    "timebank.redeem",
    "timebank.help_confirm",
})
# The profile form changes the resident's language (and name): only its GET is allowed.
FORBIDDEN_POSTS_WHILE_ACTING = frozenset({"accounts.profile"})

# Rows whose changes are not "what was done" (logs, messages to others, the session itself).
UNTRACKED = frozenset({"AuditEntry", "ActingSession", "Kiosk", "Message", "SmsDelivery"})

# What the resident reads in their 代办 history, for the actions most often done at a counter;
# other actions are shown by their key.
ACTION_WORDS = {
    "councils.request.submit": _l("Submitted a request"),
    "councils.request.support": _l("Said they had the same problem"),
    "councils.request.duplicate_joined": _l("Joined an earlier request"),
    "councils.satisfaction.answer": _l("Said whether a problem stayed solved"),
    "collection.answer": _l("Answered a courtyard question"),
    "courtyards.household.record": _l("Recorded the household"),
    "courtyards.household.clear": _l("Cleared the household"),
    "publicity.object": _l("Raised a question about a public notice"),
    "timebank.join": _l("Joined the time bank"),
    "timebank.log": _l("Logged volunteer hours"),
    "timebank.help.ask": _l("Asked neighbours for help"),
    "timebank.help.accept": _l("Accepted a volunteer's offer of help"),
    "timebank.help.release": _l("Released a volunteer"),
    "timebank.help.cancel": _l("Withdrew a request for help"),
    "timebank.correction.request": _l("Asked for a correction of hours"),
    "user.register": _l("Registered"),
}
THING_WORDS = {
    "SignUp": _l("Signed up for an activity"),
    "Volunteer": _l("Changed their volunteer details"),
    "HelpRequest": _l("Changed a request for help"),
    "Request": _l("Changed a request"),
}


def minutes():
    return current_app.config["PORTAL"]["ACTING_MINUTES"]


def holds_staff_role(person):
    """Whether ``person`` is a community worker or an administrator anywhere."""
    return db.session.scalar(
        select(RoleGrant.id).where(RoleGrant.user_id == person.id,
                                   RoleGrant.role.in_(("community_worker", "admin"))).limit(1)
    ) is not None


def may_act_for(worker, person):
    """Whether ``worker`` may start acting for ``person``: a community worker (or admin) over
    the person's home courtyard, acting for a resident — not for themselves, another worker
    or an administrator."""
    return (worker.is_authenticated and worker.id != person.id and person.active
            and works_for(worker, person) and not holds_staff_role(person))


def open_session_of(worker, now):
    """The worker's 代办 session still running at ``now``, if any."""
    return db.session.scalar(
        select(ActingSession).where(ActingSession.worker_id == worker.id,
                                    ActingSession.ended_at.is_(None),
                                    ActingSession.expires_at > now)
        .order_by(ActingSession.id.desc()).limit(1))


def start(worker, resident, reason, present, agrees, now, length=None):
    """Start acting for ``resident``; return the ActingSession. Refused for someone the worker
    may not act for, without the resident's presence and agreement, or while the worker
    acts for someone else."""
    if worker.id == resident.id:
        raise Refused("acting_self")
    if not works_for(worker, resident):
        raise Refused("acting_outside")
    if holds_staff_role(resident):
        raise Refused("acting_staff")
    if not resident.active:
        raise Refused("acting_inactive")
    if not (present and agrees):
        raise Refused("acting_consent", field="present" if not present else "agrees")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("acting_reason", field="reason")
    # One at a time, also when two tabs start at once: take the worker's row first.
    db.session.execute(select(User.id).where(User.id == worker.id).with_for_update())
    if open_session_of(worker, now) is not None:
        raise Refused("acting_already")
    acting = ActingSession(worker=worker, resident=resident, reason=reason[:REASON_MAX],
                           resident_present=True, resident_agrees=True, started_at=now,
                           expires_at=now + timedelta(minutes=length or minutes()))
    db.session.add(acting)
    db.session.flush()
    audit.record("acting.start", acting, actor=worker, on_behalf_of=resident, reason=acting.reason)
    return acting


def end(acting, how, now):
    """End ``acting`` ("ended", "timeout" or "signed_out"); ending an ended one does nothing."""
    if acting.ended_at is not None:
        return acting
    acting.ended_at = min(now, acting.expires_at) if how == "timeout" else now
    acting.ended_how = how
    audit.record("acting.end", acting, actor=acting.worker, on_behalf_of=acting.resident, how=how)
    return acting


def ended_at(acting):
    """When the session ended, or will (a session nobody used after it expired)."""
    return acting.ended_at or acting.expires_at


# --- what the resident sees ---

def sessions_for(resident):
    """Select the 代办 sessions done for ``resident``, newest first."""
    return (select(ActingSession).where(ActingSession.resident_id == resident.id)
            .order_by(ActingSession.started_at.desc(), ActingSession.id.desc()))


def done_in(sessions):
    """{session id: [audit entries]} of what was done in ``sessions`` (one query)."""
    from portal.audit import AuditEntry

    ids = [s.id for s in sessions]
    done = {i: [] for i in ids}
    if ids:
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.acting_session_id.in_(ids),
                                     AuditEntry.action.not_in(("acting.start", "acting.end")))
            .order_by(AuditEntry.at, AuditEntry.id))
        for entry in entries:
            done[entry.acting_session_id].append(entry)
    return done


def words_for(entry):
    """What an audit entry did, in plain words where we have them, else its action key."""
    if entry.action == "acting.write":
        return str(THING_WORDS.get(entry.subject_type,
                                   _("Changed: %(thing)s", thing=entry.subject_type)))
    words = ACTION_WORDS.get(entry.action)
    return str(words) if words is not None else entry.action


def handled_today(worker, since):
    """The 代办 sessions ``worker`` started since ``since`` (today's start), newest first."""
    return db.session.scalars(
        select(ActingSession).where(ActingSession.worker_id == worker.id,
                                    ActingSession.started_at >= since)
        .order_by(ActingSession.started_at.desc())).all()


def registered_today(worker, since):
    """The residents ``worker`` registered at the counter since ``since``."""
    return db.session.scalars(
        select(User).where(User.registered_by_id == worker.id, User.created_at >= since)
        .order_by(User.created_at.desc())).all()


# --- each request ---

def load_acting():
    """Before each request: while this browser's worker acts for a resident, make the resident
    the request's user and put the session in ``g.acting``; end a session that ran out."""
    if request.endpoint == "static" or SESSION_KEY not in session:
        return None
    from portal.timeutil import utcnow

    worker = current_user._get_current_object()
    ident = session.get(SESSION_KEY)
    acting = db.session.get(ActingSession, ident) if isinstance(ident, int) else None
    if acting is None or not worker.is_authenticated or acting.worker_id != worker.id:
        session.pop(SESSION_KEY, None)
        return None
    now = utcnow()
    if acting.ended_at is not None or acting.expires_at <= now or not acting.resident.active:
        end(acting, "timeout" if acting.expires_at <= now else "ended", now)
        session.pop(SESSION_KEY, None)
        flash(_("Acting for %(name)s has ended. Nothing more was done for them.",
                name=acting.resident.name), "info")
        return redirect(url_for("accounts.counter"), 303)
    g.acting = acting
    # Flask-Login's user for this request: every rule now acts for the resident.
    g._login_user = acting.resident
    if request.endpoint in FORBIDDEN_WHILE_ACTING or (
            request.method == "POST" and request.endpoint in FORBIDDEN_POSTS_WHILE_ACTING):
        from portal.errors import error_page

        return error_page(403, _(
            "While you act for a resident you cannot change their password, mobile number, "
            "roles, language or kiosk PIN, or move their hours or money. End acting for them "
            "first; the resident can do it themselves."))
    return None


def stop_acting(how, now):
    """End this browser's 代办 session (if any) and make the worker the request's user again;
    return the ended session or None."""
    acting = g.pop("acting", None)
    session.pop(SESSION_KEY, None)
    if acting is None:
        return None
    end(acting, how, now)
    g._login_user = acting.worker
    return acting


def begin_here(acting):
    """Make this browser act in ``acting`` from its next request on."""
    session[SESSION_KEY] = acting.id


# A write made while acting that no rule audited is recorded all the same (a time-bank
# sign-up, say), so the resident's history lists everything that was done for them.

def _acting_now():
    return has_request_context() and g.get("acting") is not None


@event.listens_for(Session, "after_flush")
def _note_changes(db_session, _context):
    if not _acting_now():
        return
    changed = g.setdefault("acting_changed", [])
    for obj in [*db_session.new, *db_session.dirty, *db_session.deleted]:
        if type(obj).__name__ in UNTRACKED or any(obj is seen for seen in changed):
            continue
        if obj in db_session.dirty and not db_session.is_modified(obj):
            continue
        changed.append(obj)


@event.listens_for(Session, "before_commit")
def _record_unaudited(db_session):
    if not _acting_now():
        return
    db_session.flush()
    changed = g.pop("acting_changed", [])
    if not g.pop("acting_recorded", []):
        for obj in changed:
            audit.record("acting.write", obj, endpoint=request.endpoint)
        g.pop("acting_recorded", None)

