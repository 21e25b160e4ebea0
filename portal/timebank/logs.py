"""Service records (服务记录): logging hours, approving or rejecting them, corrections.

Only approved time reaches the ledger: approving a log moves its minutes from the community's
pool to the volunteer, once, whoever clicks how often.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, false, func, or_, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.sql.elements import False_

from portal import audit
from portal.accounts.models import User
from portal.accounts.permissions import can, scope
from portal.extensions import db
from portal.places.models import Place, within
from portal.refusals import Refused
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

RECENT_ACTIVITIES = 6
# "Recent decisions" on my page: what was decided in these last days, at most this many.
RECENT_DECISION_DAYS = 30
RECENT_DECISIONS = 5


def window_days():
    return current_app.config["PORTAL"]["TIMEBANK_LOG_WINDOW_DAYS"]


def neighbour_caps():
    """(minutes a day, minutes a month for one pair) of help to neighbours; see config."""
    settings = current_app.config["PORTAL"]
    return (settings["TIMEBANK_NEIGHBOUR_DAY_CAP_HOURS"] * 60,
            settings["TIMEBANK_NEIGHBOUR_PAIR_MONTH_CAP_HOURS"] * 60)


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


def recent_decisions(user, now):
    """``user``'s records approved, rejected or corrected in the last RECENT_DECISION_DAYS
    days, the latest decision first."""
    return db.session.scalars(
        select(HourLog).where(HourLog.volunteer_id == user.id, HourLog.status != "pending",
                              HourLog.decided_at >= now - timedelta(days=RECENT_DECISION_DAYS))
        .order_by(HourLog.decided_at.desc(), HourLog.service_date.desc(), HourLog.id.desc())
        .options(selectinload(HourLog.activity), selectinload(HourLog.neighbour))
        .limit(RECENT_DECISIONS)).all()


def _check_minutes(minutes):
    if not isinstance(minutes, int) or minutes <= 0:
        raise Refused("no_minutes", field="quick")
    if minutes > MAX_LOG_MINUTES:
        raise Refused("too_many_minutes", field="minutes")


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
            raise Refused("outside_activity", field="service_date", first=first.isoformat(),
                          last=last.isoformat())
        community = activity.community
    else:
        if neighbour is None:
            raise Refused("unknown_neighbour", field="neighbour")
        if neighbour.id == volunteer.id:
            raise Refused("self_neighbour", field="neighbour")
        # The volunteer's community issues the hours; its workers (or the neighbour, when
        # they live in it) decide. Never the community of whoever was named as the neighbour.
        community = volunteer.home_community
        if community is None:
            raise Refused("no_place")
        service_date = service_date or today
    if service_date > today:
        raise Refused("future_date", field="service_date")
    if service_date < today - timedelta(days=window_days()):
        raise Refused("too_old", field="service_date", days=window_days())
    if activity is not None and _logged(volunteer, activity, service_date):
        raise Refused("already_logged", field="service_date")
    if activity is None:
        _check_neighbour_caps(volunteer, neighbour, service_date, minutes)
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


def _month_of(day):
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _neighbour_help(volunteer_id, first, last, neighbour_id=None, by_neighbour=False):
    """Minutes of help to neighbours the volunteer logged from ``first`` to ``last``: waiting
    or approved (or, ``by_neighbour``, approved by the neighbour alone)."""
    query = select(func.coalesce(func.sum(HourLog.minutes), 0)).where(
        HourLog.volunteer_id == volunteer_id, HourLog.neighbour_id.is_not(None),
        HourLog.activity_id.is_(None), HourLog.help_request_id.is_(None),
        HourLog.service_date >= first, HourLog.service_date <= last)
    if neighbour_id is not None:
        query = query.where(HourLog.neighbour_id == neighbour_id)
    if by_neighbour:
        query = query.where(HourLog.status == "approved",
                            HourLog.decided_by_id == HourLog.neighbour_id)
    else:
        query = query.where(HourLog.status.in_(("pending", "approved")))
    return db.session.scalar(query)


def _check_neighbour_caps(volunteer, neighbour, day, minutes):
    """Refuse a log of help to a neighbour that goes over the day's or the pair's month's
    cap. Refused when sent (not left for the neighbour to trip over): the volunteer learns
    at once, and an over-cap record never waits where a neighbour could approve it."""
    day_cap, pair_cap = neighbour_caps()
    if _neighbour_help(volunteer.id, day, day) + minutes > day_cap:
        raise Refused("neighbour_day_cap", field="quick", hours=day_cap // 60)
    first, last = _month_of(day)
    if _neighbour_help(volunteer.id, first, last, neighbour.id) + minutes > pair_cap:
        raise Refused("neighbour_pair_cap", field="quick", hours=pair_cap // 60)


def _logged(volunteer, activity, service_date):
    return db.session.scalar(select(HourLog.id).where(
        HourLog.volunteer_id == volunteer.id, HourLog.activity_id == activity.id,
        HourLog.service_date == service_date, HourLog.status.in_(("pending", "approved")))
    ) is not None


# --- deciding ---

def may_decide(user, log):
    """The organiser, a worker of the community, or the neighbour helped when they live in
    the volunteer's community; never oneself."""
    if not user.is_authenticated or user.id == log.volunteer_id:
        return False
    if can(user, "community_worker", log.community):
        return True
    if log.activity is not None:
        return may_organise(user, log.activity)
    return _decides_as_neighbour(user, log)


def _decides_as_neighbour(user, log):
    """The neighbour helped, living in the log's community, as the volunteer does."""
    return (log.neighbour_id == user.id and log.help_request_id is None
            and log.community.contains(user.home_courtyard)
            and log.community.contains(log.volunteer.home_courtyard))


def _check_neighbour_approval(log, neighbour):
    """A neighbour alone approves no more than the caps, however the log got here (logs
    written before the caps, or two sent at the same moment)."""
    # Take the volunteer's row lock first, so two approvals for one volunteer count in turn.
    db.session.execute(update(Volunteer).where(Volunteer.user_id == log.volunteer_id)
                       .values(service_minutes=Volunteer.service_minutes)
                       .execution_options(synchronize_session=False))
    day_cap, pair_cap = neighbour_caps()
    day = log.service_date
    first, last = _month_of(day)
    if (log.minutes + _neighbour_help(log.volunteer_id, day, day, by_neighbour=True) > day_cap
            or log.minutes + _neighbour_help(log.volunteer_id, first, last, neighbour.id,
                                             by_neighbour=True) > pair_cap):
        raise Refused("neighbour_cap")


def _check_decider(log, user, allowed=None):
    if user.id == log.volunteer_id:
        raise Refused("own_log")
    if not (allowed or may_decide)(user, log):
        raise Refused("not_yours_to_decide")


def may_answer_correction(user, log):
    """The organiser or a worker of the community; not the neighbour, who could otherwise
    turn an hour they approved into twelve."""
    if not user.is_authenticated or user.id == log.volunteer_id:
        return False
    if can(user, "community_worker", log.community):
        return True
    return log.activity is not None and may_organise(user, log.activity)


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
    if log.neighbour_id == approver.id and not can(approver, "community_worker",
                                                   log.community):
        _check_neighbour_approval(log, approver)
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
        raise Refused("reason_needed", field="reason")
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


# The place an activity happens at (a courtyard, say), beside the community that issues hours.
ActivityPlace = aliased(Place)


def _decider_scope(user):
    """SQL condition on an HourLog joined by ``_with_places``: a worker of its community, or
    an organiser of its activity (a worker of the activity's place, staff of its
    organization) — ``may_answer_correction`` asked of the whole table."""
    return or_(scope(user, "community_worker", place=Place.path),
               scope(user, "community_worker", place=ActivityPlace.path),
               scope(user, "org_staff", organization=Activity.organization_id))


def _with_places(query):
    """``query`` joined to the log's community, and (outer) its activity and that place."""
    return (query.join(Place, HourLog.community_id == Place.id)
            .outerjoin(Activity, HourLog.activity_id == Activity.id)
            .outerjoin(ActivityPlace, Activity.place_id == ActivityPlace.id))


def pending_for(user):
    """Select the pending logs ``user`` may decide (never their own), oldest first.

    Each way of being a decider is its own indexed lookup (the logs of these communities, of
    these activities …), joined: one OR across the joined tables reads every pending log of
    the city (80 ms at district scale)."""
    organised = select(Activity.id).join(ActivityPlace, Activity.place_id == ActivityPlace.id)
    as_worker = scope(user, "community_worker", place=Place.path)
    as_organiser = scope(user, "community_worker", place=ActivityPlace.path)
    as_staff = scope(user, "org_staff", organization=Activity.organization_id)
    ways = [way for reach, way in (
        (as_worker, HourLog.community_id.in_(select(Place.id).where(as_worker))),
        (as_organiser, HourLog.activity_id.in_(organised.where(as_organiser))),
        (as_staff, HourLog.activity_id.in_(select(Activity.id).where(as_staff))),
    ) if not isinstance(reach, False_)]  # a role held nowhere: no lookup at all
    home = user.home_community
    if home is not None:  # help the user was given, when both live where it is recorded
        neighbours = aliased(Place)
        ways.append(and_(
            HourLog.neighbour_id == user.id, HourLog.community_id == home.id,
            HourLog.help_request_id.is_(None),
            HourLog.volunteer_id.in_(
                select(User.id).join(neighbours, User.home_courtyard_id == neighbours.id)
                .where(within(home, neighbours.path)))))
    if not ways:
        return _with_places(select(HourLog)).where(false())
    pending = select(HourLog.id).where(HourLog.status == "pending",
                                       HourLog.volunteer_id != user.id)
    return (_with_places(select(HourLog))
            .where(HourLog.id.in_(union(*(pending.where(way) for way in ways))))
            .order_by(HourLog.created_at, HourLog.id))


def open_corrections_for(user):
    """Select the open correction requests ``user`` may answer (``may_answer_correction``),
    with their records and people, oldest first."""
    return (_with_places(select(CorrectionRequest)
                         .join(HourLog, CorrectionRequest.hour_log_id == HourLog.id))
            .where(CorrectionRequest.status == "open", HourLog.volunteer_id != user.id,
                   _decider_scope(user))
            .options(joinedload(CorrectionRequest.user),
                     joinedload(CorrectionRequest.hour_log).options(
                         joinedload(HourLog.activity), joinedload(HourLog.neighbour)))
            .order_by(CorrectionRequest.id))


# --- workers review what neighbours approved alone ---

def neighbour_approved_for(user):
    """Select help to neighbours approved by the neighbour alone, in the communities
    ``user`` works for: not yet checked first, then newest first."""
    return (select(HourLog).join(Place, HourLog.community_id == Place.id)
            .where(scope(user, "community_worker", place=Place.path),
                   HourLog.volunteer_id != user.id,
                   HourLog.neighbour_id.is_not(None), HourLog.activity_id.is_(None),
                   HourLog.help_request_id.is_(None),
                   HourLog.decided_by_id == HourLog.neighbour_id,
                   HourLog.status.in_(("approved", "reversed")))
            .order_by(HourLog.reviewed_at.is_not(None), HourLog.decided_at.desc(),
                      HourLog.id.desc()))


def _check_reviewer(log, worker):
    if not (log.approved_by_neighbour and can(worker, "community_worker", log.community)):
        raise Refused("not_yours_to_decide")
    if worker.id == log.volunteer_id:
        raise Refused("own_log")


def mark_reviewed(log, worker, now):
    """A worker of the community checked a neighbour's approval and keeps it."""
    _check_reviewer(log, worker)
    changed = db.session.execute(
        update(HourLog).where(HourLog.id == log.id, HourLog.status == "approved",
                              HourLog.reviewed_at.is_(None))
        .values(reviewed_at=now, reviewed_by_id=worker.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(log)
    if not changed:
        raise Refused("already_reviewed")
    audit.record("timebank.neighbour.review", log, actor=worker)
    return log


def reverse_neighbour_approval(log, worker, reason, now):
    """A worker of the community takes back hours a neighbour approved: the earning is
    reversed in the ledger (refused when the volunteer has spent them), the service no
    longer counts, and the record is marked so it is never reversed twice."""
    _check_reviewer(log, worker)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason_needed")
    try:
        with db.session.begin_nested():
            claimed = db.session.execute(
                update(HourLog).where(HourLog.id == log.id, HourLog.status == "approved")
                .values(status="reversed", reviewed_at=now, reviewed_by_id=worker.id,
                        reason=reason[:200])
                .execution_options(synchronize_session=False)
            ).rowcount
            if not claimed:
                raise Refused("already_reviewed")
            earning = db.session.scalar(select(Transfer).filter_by(
                hour_log_id=log.id, kind="earn", reverses_id=None))
            ledger.reverse(earning, worker, reason)
            count_service(log, -1)
    finally:
        db.session.refresh(log)
    audit.record("timebank.neighbour.reverse", log, actor=worker, reason=reason,
                 minutes=log.minutes)
    return log


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
        raise Refused("same_minutes", field="hours")
    if wanted_minutes < 0 or wanted_minutes > MAX_LOG_MINUTES:
        raise Refused("too_many_minutes", field="hours")
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
    _check_decider(log, decider, may_answer_correction)
    if correction.status != "open":
        raise Refused("already_decided")
    if accept and log.status != "approved":  # reversed meanwhile: nothing left to correct
        raise Refused("not_correctable")
    if not (answer or "").strip():
        raise Refused("reason_needed", field="answer")
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
