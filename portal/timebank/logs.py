"""Service records (服务记录): logging hours, approving or rejecting them, corrections.

Only approved time reaches the ledger: approving a log moves its minutes from the community's
pool to the volunteer, once, whoever clicks how often.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.permissions import can, organizations_where, places_where
from portal.extensions import db
from portal.places.tree import community_ids
from portal.timebank import ledger
from portal.timebank.activities import is_volunteer, local_days, may_organise, sign_up_of
from portal.timebank.models import (
    MAX_LOG_MINUTES,
    Activity,
    CorrectionRequest,
    HourLog,
    MonthlyHours,
    SignUp,
    Transfer,
    Volunteer,
)
from portal.timebank.refusals import Refused

RECENT_ACTIVITIES = 6


def window_days():
    return current_app.config["PORTAL"]["TIMEBANK_LOG_WINDOW_DAYS"]


def recent_activities(user, now):
    """Activities ``user`` signed up for that have started and still wait for their log,
    newest first: the log form's first choices."""
    logged = select(HourLog.activity_id).where(HourLog.volunteer_id == user.id,
                                               HourLog.status.in_(("pending", "approved")),
                                               HourLog.activity_id.is_not(None))
    found = db.session.scalars(
        select(Activity).join(SignUp, SignUp.activity_id == Activity.id)
        .where(SignUp.user_id == user.id, SignUp.cancelled_at.is_(None),
               Activity.cancelled.is_(False), Activity.starts_at <= now,
               Activity.ends_at >= now - timedelta(days=window_days() + 1))
        .order_by(Activity.starts_at.desc()).limit(2 * RECENT_ACTIVITIES)
    ).all()
    done = set(db.session.scalars(logged.where(HourLog.activity_id.in_([a.id for a in found]))))
    # A one-day activity already logged is done; a longer one may be logged day by day.
    return [a for a in found
            if a.id not in done or local_days(a)[0] != local_days(a)[1]][:RECENT_ACTIVITIES]


def _check_minutes(minutes):
    if not isinstance(minutes, int) or minutes <= 0:
        raise Refused("no_minutes")
    if minutes > MAX_LOG_MINUTES:
        raise Refused("too_many_minutes")


def by_token(token):
    return db.session.scalar(select(HourLog).filter_by(token=token))


def submit(volunteer, minutes, *, now, today, activity=None, neighbour=None, service_date=None,
           note="", token=None):
    """Record time given at ``activity`` or to ``neighbour``, waiting for approval."""
    earlier = by_token(token) if token else None
    if earlier is not None:
        return earlier
    if not is_volunteer(volunteer):
        raise Refused("not_volunteer")
    _check_minutes(minutes)
    if activity is not None:
        signup = sign_up_of(volunteer, activity)
        if signup is None or not signup.active:
            raise Refused("not_signed_up")
        if activity.starts_at > now:
            raise Refused("before_activity")
        first, last = local_days(activity)
        service_date = service_date or min(last, today)
        if not first <= service_date <= last:
            raise Refused("outside_activity", first=first.isoformat(), last=last.isoformat())
        community = activity.community
    else:
        if neighbour is None:
            raise Refused("unknown_neighbour")
        if neighbour.id == volunteer.id:
            raise Refused("self_neighbour")
        community = neighbour.home_community or volunteer.home_community
        if community is None:
            raise Refused("no_place")
        service_date = service_date or today
    if service_date > today:
        raise Refused("future_date")
    if service_date < today - timedelta(days=window_days()):
        raise Refused("too_old", days=window_days())
    if activity is not None and _logged(volunteer, activity, service_date):
        raise Refused("already_logged")
    log = HourLog(volunteer=volunteer, activity=activity, neighbour=neighbour,
                  community=community, service_date=service_date, minutes=minutes,
                  note=(note or "")[:200], token=token, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(log)
    except IntegrityError:  # the same form twice at once, or the same day twice at once
        earlier = by_token(token) if token else None
        if earlier is None:
            raise Refused("already_logged") from None
        return earlier
    audit.record("timebank.log", log, actor=volunteer, minutes=minutes)
    return log


def _logged(volunteer, activity, service_date):
    return db.session.scalar(select(HourLog.id).where(
        HourLog.volunteer_id == volunteer.id, HourLog.activity_id == activity.id,
        HourLog.service_date == service_date, HourLog.status.in_(("pending", "approved")))
    ) is not None


# --- deciding ---

def may_decide(user, log):
    """The organiser, a worker of the community, or the neighbour helped; never oneself."""
    if not user.is_authenticated or user.id == log.volunteer_id:
        return False
    if log.neighbour_id is not None and log.neighbour_id == user.id:
        return True
    if can(user, "community_worker", log.community):
        return True
    return log.activity is not None and may_organise(user, log.activity)


def _check_decider(log, user):
    if user.id == log.volunteer_id:
        raise Refused("own_log")
    if not may_decide(user, log):
        raise Refused("not_yours_to_decide")


def _claim(log, status, user, now, reason=""):
    """Move a pending log to ``status``; False when someone decided it first."""
    changed = db.session.execute(
        update(HourLog).where(HourLog.id == log.id, HourLog.status == "pending")
        .values(status=status, decided_by_id=user.id, decided_at=now, reason=reason[:200])
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(log)
    return changed == 1


def approve(log, approver, now):
    """Approve a pending log: the volunteer is paid from the community's pool, once."""
    _check_decider(log, approver)
    if not _claim(log, "approved", approver, now):
        raise Refused("already_decided")
    credit(log, approver)
    audit.record("timebank.approve", log, actor=approver, minutes=log.minutes)
    return log


def credit(log, actor, kind="earn", source=None):
    """Pay an approved log and count it as service (stars, branch totals, activity)."""
    source = source or ledger.pool_account(log.community)
    transfer = ledger.move(kind, source, ledger.person_account(log.volunteer), log.minutes,
                           actor=actor, key=f"{kind}:{log.id}", hour_log_id=log.id)
    ledger.spill_over_cap(log.volunteer, log.community, actor, key=f"cap:{log.id}")
    count_service(log, 1)
    return transfer


def reject(log, decider, reason, now):
    _check_decider(log, decider)
    if not (reason or "").strip():
        raise Refused("reason_needed")
    if not _claim(log, "rejected", decider, now, reason.strip()):
        raise Refused("already_decided")
    audit.record("timebank.reject", log, actor=decider, reason=reason.strip())
    return log


def approve_checked_in(activity, approver, now):
    """Approve every pending log of volunteers checked in at ``activity``; return how many."""
    logs = db.session.scalars(
        select(HourLog).join(SignUp, and_(SignUp.activity_id == HourLog.activity_id,
                                          SignUp.user_id == HourLog.volunteer_id))
        .where(HourLog.activity_id == activity.id, HourLog.status == "pending",
               SignUp.checked_in_at.is_not(None), HourLog.volunteer_id != approver.id)
        .order_by(HourLog.id)
    ).all()
    approved = 0
    for log in logs:
        try:
            approve(log, approver, now)
            approved += 1
        except Refused:  # decided by someone else meanwhile
            continue
    return approved


def pending_for(user):
    """Select the pending logs ``user`` may decide (never their own), oldest first."""
    conditions = [HourLog.neighbour_id == user.id]
    communities = community_ids(places_where(user, "community_worker"))
    if communities:
        conditions.append(HourLog.community_id.in_(communities))
    organization_ids = [o.id for o in organizations_where(user, "org_staff")]
    if organization_ids:
        conditions.append(HourLog.activity_id.in_(
            select(Activity.id).where(Activity.organization_id.in_(organization_ids))))
    return (select(HourLog)
            .where(HourLog.status == "pending", HourLog.volunteer_id != user.id,
                   or_(*conditions))
            .order_by(HourLog.created_at, HourLog.id))


# --- counting service ---

def _month(day):
    return day.replace(day=1)


def count_service(log, sign):
    """Add (sign 1) or take back (sign -1) an approved log in the running totals."""
    minutes = sign * log.minutes
    db.session.execute(update(Volunteer).where(Volunteer.user_id == log.volunteer_id)
                       .values(service_minutes=Volunteer.service_minutes + minutes)
                       .execution_options(synchronize_session=False))
    if log.activity_id:
        db.session.execute(update(Activity).where(Activity.id == log.activity_id)
                           .values(approved_minutes=Activity.approved_minutes + minutes)
                           .execution_options(synchronize_session=False))
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(MonthlyHours).values(
        community_id=log.community_id, month=_month(log.service_date), minutes=minutes,
        logs=sign)
    db.session.execute(upsert.on_conflict_do_update(
        index_elements=["community_id", "month"],
        set_={"minutes": MonthlyHours.minutes + upsert.excluded.minutes,
              "logs": MonthlyHours.logs + upsert.excluded.logs}))
    volunteer = db.session.get(Volunteer, log.volunteer_id)
    if volunteer is not None:
        db.session.refresh(volunteer, ["service_minutes"])


# --- corrections ---

def request_correction(log, user, wanted_minutes, explanation):
    """A volunteer asks for an approved record to be corrected (0 minutes: removed)."""
    if log.volunteer_id != user.id:
        raise Refused("not_yours_to_decide")
    if log.status != "approved":
        raise Refused("not_correctable")
    if wanted_minutes == log.minutes:
        raise Refused("same_minutes")
    if wanted_minutes < 0 or wanted_minutes > MAX_LOG_MINUTES:
        raise Refused("too_many_minutes")
    if db.session.scalar(select(CorrectionRequest.id).filter_by(hour_log_id=log.id,
                                                               status="open")):
        raise Refused("correction_open")
    correction = CorrectionRequest(hour_log=log, user=user, wanted_minutes=wanted_minutes,
                                   explanation=explanation.strip()[:500])
    db.session.add(correction)
    db.session.flush()
    audit.record("timebank.correction.request", correction, actor=user)
    return correction


def answer_correction(correction, decider, accept, answer, now):
    """Accept (reverse the old earning, record the corrected time) or refuse, with words."""
    log = correction.hour_log
    _check_decider(log, decider)
    if correction.status != "open":
        raise Refused("already_decided")
    if not (answer or "").strip():
        raise Refused("reason_needed")
    correction.answer = answer.strip()[:500]
    correction.answered_by = decider
    correction.answered_at = now
    if not accept:
        correction.status = "refused"
        audit.record("timebank.correction.refuse", correction, actor=decider)
        return correction
    earning = db.session.scalar(select(Transfer).filter_by(hour_log_id=log.id, reverses_id=None)
                                .where(Transfer.kind.in_(("earn", "exchange"))))
    correction.reversal_id = ledger.reverse(earning, decider, correction.answer).id
    log.status = "corrected"
    count_service(log, -1)
    db.session.flush()
    if correction.wanted_minutes:
        new_log = HourLog(volunteer_id=log.volunteer_id, activity_id=log.activity_id,
                          neighbour_id=log.neighbour_id, help_request_id=log.help_request_id,
                          community_id=log.community_id, service_date=log.service_date,
                          minutes=correction.wanted_minutes, note=log.note, status="approved",
                          decided_by=decider, decided_at=now, created_at=now,
                          reason=correction.answer)
        db.session.add(new_log)
        db.session.flush()
        if earning.kind == "exchange":
            # Help paid by a neighbour: the corrected time is paid by them again.
            payer = next(e.account for e in earning.entries if e.amount < 0)
            credit(new_log, decider, kind="exchange", source=payer)
        else:
            credit(new_log, decider)
        correction.new_log_id = new_log.id
    correction.status = "accepted"
    audit.record("timebank.correction.accept", correction, actor=decider,
                 minutes=correction.wanted_minutes)
    return correction
