"""Time-bank pages for organisers and community workers: activities and check-in, the
approval queue, corrections, the community's pool and rewards, and CSV exports."""

from datetime import datetime
from types import SimpleNamespace

from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.accounts.people import find_by_mobile
from portal.accounts.permissions import can, get_or_404, places_where
from portal.extensions import db
from portal.formatting import day, duration
from portal.forms import EmptyForm, options
from portal.places.models import Place, within
from portal.rendering import render
from portal.timebank import activities, bp, export, ledger, logs, rewards, wallet
from portal.timebank.forms import (
    ActivityForm,
    AnswerForm,
    ExportForm,
    GrantForm,
    ReasonForm,
    RewardForm,
    SpendingRightForm,
    StockForm,
)
from portal.timebank.models import (
    Activity,
    CorrectionRequest,
    HourLog,
    Redemption,
    Reward,
    SignUp,
)
from portal.timebank.refusals import Refused, refuse
from portal.timeutil import to_utc, utcnow
from portal.urls import paginate, safe_next

PER_PAGE = 20


def _organised(activity_id):
    activity = get_or_404(Activity, activity_id)
    if not activities.may_organise(current_user, activity):
        abort(403)
    return activity


# --- creating activities, the roster and check-in ---

@bp.route("/activities/new", methods=["GET", "POST"])
@login_required
def new_activity():
    choices = activities.organiser_options(current_user)
    if not choices:
        abort(403)
    form = ActivityForm()
    form.organiser.choices = options(
        ("c" if organiser is None else f"o{organiser.id}",
         _("The community (community workers)") if organiser is None else organiser.name)
        for organiser, _places in choices)
    form.place.choices = [choice for organiser, places in choices for choice in options(
        ((p.id, p.name) for p in places),
        group=_("Community") if organiser is None else organiser.name)]
    points = activities.points_for([p for _o, places in choices for p in places
                                    if p.kind == "community"])
    form.point.choices = options([("", _("Not at a service point"))]
                                 + [(str(p.id), p.name) for p in points])
    if form.validate_on_submit():
        organization = next((o for o, _p in choices
                             if o is not None and f"o{o.id}" == form.organiser.data), None)
        place = db.session.get(Place, form.place.data)
        point = next((p for p in points if str(p.id) == form.point.data), None)
        try:
            activity = activities.create_activity(
                current_user, organization, place, service_point=point, title=form.title.data,
                description=form.description.data, location=form.location.data,
                starts_at=to_utc(datetime.combine(form.day.data, form.starts.data)),
                ends_at=to_utc(datetime.combine(form.day.data, form.ends.data)),
                slots=form.slots.data, minutes=form.hours.data)
        except Refused as refused:
            if refused.reason == "point_elsewhere":
                refuse(form.point, refused)
            else:
                form.place.errors = [*form.place.errors,
                                     _("This organiser cannot hold activities at that place.")]
        else:
            flash(_("The activity is published. Volunteers nearby can now sign up."),
                  "success")
            return redirect(url_for("timebank.activity", activity_id=activity.id), 303)
    return render("timebank/activity_new.html", form=form,
                  status=422 if form.errors else 200)


@bp.get("/activities/<int:activity_id>/roster")
@login_required
def roster(activity_id):
    activity = _organised(activity_id)
    signups = db.session.scalars(
        select(SignUp).filter_by(activity_id=activity.id, cancelled_at=None)
        .options(joinedload(SignUp.user).joinedload(User.home_courtyard))
        .order_by(SignUp.created_at)).all()
    pending = db.session.scalar(select(func.count(HourLog.id)).filter_by(
        activity_id=activity.id, status="pending"))
    return render("timebank/roster.html", activity=activity, signups=signups, pending=pending,
                  form=EmptyForm())


@bp.post("/signups/<int:signup_id>/check-in")
@login_required
def check_in(signup_id):
    signup = get_or_404(SignUp, signup_id)
    _organised(signup.activity_id)
    EmptyForm().validate_on_submit() or abort(400)
    activities.check_in(signup, current_user, utcnow(), present=request.form.get("present") == "1")
    if request.htmx:
        return render("timebank/roster.html", block="signup_row", signup=signup,
                      activity=signup.activity, form=EmptyForm())
    return redirect(url_for("timebank.roster", activity_id=signup.activity_id), 303)


@bp.post("/activities/<int:activity_id>/approve-checked-in")
@login_required
def approve_checked_in(activity_id):
    activity = _organised(activity_id)
    EmptyForm().validate_on_submit() or abort(400)
    approved = logs.approve_checked_in(activity, current_user, utcnow())
    flash(_("%(count)d records approved.", count=approved), "success")
    return redirect(url_for("timebank.roster", activity_id=activity.id), 303)


# --- the approval queue ---

def _managed_activities():
    query = activities.managed(current_user, utcnow())
    return db.session.scalars(query.limit(8)).all() if query is not None else []


NEIGHBOUR_REVIEWS_ON_APPROVALS = 10


@bp.get("/approvals")
@login_required
def approvals(reason_forms=None, status=200):
    page = paginate(logs.pending_for(current_user).options(
        joinedload(HourLog.volunteer), joinedload(HourLog.activity),
        joinedload(HourLog.neighbour)), per_page=PER_PAGE)
    corrections = db.session.scalars(
        select(CorrectionRequest).filter_by(status="open").order_by(CorrectionRequest.id)
    ).all()
    corrections = [c for c in corrections
                   if logs.may_answer_correction(current_user, c.hour_log)]
    # Help a neighbour approved alone, not yet checked by a worker of the community.
    unchecked = logs.neighbour_approved_for(current_user).where(
        HourLog.status == "approved", HourLog.reviewed_at.is_(None))
    reviews = db.session.scalars(_with_people(unchecked)
                                 .limit(NEIGHBOUR_REVIEWS_ON_APPROVALS)).all()
    return render("timebank/approvals.html", page=page, corrections=corrections,
                  reason_forms=reason_forms or {}, form=EmptyForm(),
                  answer_form=AnswerForm(formdata=None), managed=_managed_activities(),
                  reviews=reviews, reverse_forms={},
                  unchecked=db.session.scalar(select(func.count()).select_from(
                      unchecked.order_by(None).subquery())) if reviews else 0,
                  status=status)


def _with_people(query):
    return query.options(joinedload(HourLog.volunteer),
                         joinedload(HourLog.neighbour).joinedload(User.home_courtyard),
                         joinedload(HourLog.reviewed_by))


@bp.get("/neighbour-approvals")
@login_required
def neighbour_approvals():
    """Every record of help a neighbour approved alone, for workers of the community to
    check: not yet checked first, with what was checked and what was reversed."""
    if not places_where(current_user, "community_worker"):
        abort(403)
    page = paginate(_with_people(logs.neighbour_approved_for(current_user)), per_page=PER_PAGE)
    return render("timebank/neighbour_approvals.html", page=page, reverse_forms={})


def _reviewable(log_id):
    log = get_or_404(HourLog, log_id)
    if not (log.approved_by_neighbour and can(current_user, "community_worker", log.community)):
        abort(403)
    return log


def _after_review():
    return redirect(safe_next("timebank.approvals"), 303)


@bp.post("/logs/<int:log_id>/reviewed")
@login_required
def review(log_id):
    log = _reviewable(log_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        logs.mark_reviewed(log, current_user, utcnow())
    except Refused as refused:
        if refused.reason == "own_log":
            abort(403)
        flash(refused.message, "info")
    else:
        flash(_("Marked as checked: %(time)s for %(name)s.", time=duration(log.minutes),
                name=log.volunteer.name), "success")
    return _after_review()


@bp.post("/logs/<int:log_id>/reverse")
@login_required
def reverse(log_id):
    log = _reviewable(log_id)
    form = ReasonForm(prefix=f"rev{log.id}")
    if not form.validate_on_submit():
        # The record alone, with what is missing beside it.
        return render("timebank/neighbour_approvals.html", page=SimpleNamespace(
            items=[log], pages=1), reverse_forms={log.id: form}, status=422)
    try:
        logs.reverse_neighbour_approval(log, current_user, form.reason.data, utcnow())
    except Refused as refused:
        if refused.reason == "own_log":
            abort(403)
        flash(refused.message, "error" if refused.reason == "spent" else "info")
    else:
        flash(_("Reversed: %(time)s taken back from %(name)s.", time=duration(log.minutes),
                name=log.volunteer.name), "success")
    return _after_review()


def _decided(log, reason_form=None, status=200):
    """After a decision: the row alone for htmx, else back to the queue."""
    if request.htmx:
        return render("timebank/approvals.html", block="log_row", log=log, form=EmptyForm(),
                      reason_forms={log.id: reason_form} if reason_form else {},
                      status=status)
    if status != 200:
        return approvals(reason_forms={log.id: reason_form}, status=status)
    return redirect(safe_next("timebank.approvals"), 303)


@bp.post("/logs/<int:log_id>/approve")
@login_required
def approve(log_id):
    log = get_or_404(HourLog, log_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        logs.approve(log, current_user, utcnow())
    except Refused as refused:
        if refused.reason in ("own_log", "not_yours_to_decide"):
            abort(403)
        flash(refused.message, "info")
    else:
        if not request.htmx:
            flash(_("Approved: %(time)s for %(name)s.", time=duration(log.minutes),
                    name=log.volunteer.name), "success")
    return _decided(log)


@bp.post("/logs/<int:log_id>/reject")
@login_required
def reject(log_id):
    log = get_or_404(HourLog, log_id)
    if not logs.may_decide(current_user, log):
        abort(403)
    form = ReasonForm(prefix=f"log{log.id}")
    if not form.validate_on_submit():
        return _decided(log, form, status=422)
    try:
        logs.reject(log, current_user, form.reason.data, utcnow())
    except Refused as refused:
        flash(refused.message, "info")
    return _decided(log)


@bp.post("/corrections/<int:correction_id>")
@login_required
def answer_correction(correction_id):
    correction = get_or_404(CorrectionRequest, correction_id)
    if not logs.may_answer_correction(current_user, correction.hour_log):
        abort(403)
    form = AnswerForm(prefix=f"c{correction.id}")
    if form.validate_on_submit():
        try:
            logs.answer_correction(correction, current_user, form.decision.data == "accept",
                                   form.answer.data, utcnow())
        except Refused as refused:
            flash(refused.message, "error")
            return approvals(status=422)
        flash(_("Your answer is sent to %(name)s.", name=correction.user.name), "success")
        return redirect(url_for("timebank.approvals"), 303)
    # Messages are lazy strings: made text before they are joined.
    flash(" ".join(str(m) for messages in form.errors.values() for m in messages), "error")
    return approvals(status=422)


# --- the community's time bank: pool, grants, eligibility, rewards ---

def _worked_community(place_id):
    community = get_or_404(Place, place_id)
    if community.kind != "community":
        abort(404)
    if not can(current_user, "community_worker", community):
        abort(403)
    return community


def _desk(community, grant_form=None, right_form=None, status=200):
    pool = ledger.pool_account(community)
    grant_form = grant_form or GrantForm(formdata=None)
    right_form = right_form or SpendingRightForm(formdata=None)
    return render("timebank/desk.html", community=community, pool=pool, grant_form=grant_form,
                  right_form=right_form, status=status,
                  pending=db.session.scalar(select(func.count(HourLog.id)).filter_by(
                      community_id=community.id, status="pending")),
                  waiting=db.session.scalar(
                      select(func.count(Redemption.id)).join(Reward)
                      .where(Reward.community_id == community.id,
                             Redemption.handed_over_at.is_(None))))


@bp.get("/community/<int:place_id>")
@login_required
def desk(place_id):
    return _desk(_worked_community(place_id))


@bp.get("/desk")
@login_required
def my_desk():
    """The worker's own community desk (the first community they work in)."""
    for place in places_where(current_user, "community_worker"):
        community = place if place.kind == "community" else db.session.scalar(
            select(Place).where(within(place), Place.kind == "community").order_by(Place.path))
        if community is not None:
            return redirect(url_for("timebank.desk", place_id=community.id))
    abort(403)


@bp.post("/community/<int:place_id>/grant")
@login_required
def grant(place_id):
    community = _worked_community(place_id)
    form = GrantForm()
    if form.validate_on_submit():
        receiver = find_by_mobile(form.mobile.data)
        try:
            wallet.grant(current_user, community, receiver, form.hours.data, form.reason.data,
                         key=f"grant:{form.token.data}")
        except Refused as refused:
            field = form.hours if refused.reason in ("over_cap", "insufficient") else form.mobile
            refuse(field, refused)
        else:
            flash(_("%(time)s granted to %(name)s.", time=duration(form.hours.data),
                    name=receiver.name), "success")
            return redirect(url_for("timebank.desk", place_id=community.id), 303)
    return _desk(community, grant_form=form, status=422)


@bp.post("/community/<int:place_id>/spending-right")
@login_required
def spending_right(place_id):
    community = _worked_community(place_id)
    form = SpendingRightForm()
    if form.validate_on_submit():
        person = find_by_mobile(form.mobile.data)
        try:
            if person is None:
                raise Refused("unknown_mobile")
            wallet.note_spending_right(current_user, person, form.reason.data)
        except Refused as refused:
            refuse(form.mobile, refused)
        else:
            flash(_("%(name)s may now spend hours on services.", name=person.name), "success")
            return redirect(url_for("timebank.desk", place_id=community.id), 303)
    return _desk(community, right_form=form, status=422)


def _rewards_page(community, form=None, status=200):
    items = db.session.scalars(select(Reward).filter_by(community_id=community.id)
                               .order_by(Reward.active.desc(), Reward.name)).all()
    return render("timebank/rewards_manage.html", community=community, items=items,
                  form=form or RewardForm(formdata=None), stock_form=StockForm(formdata=None),
                  status=status)


@bp.route("/community/<int:place_id>/rewards", methods=["GET", "POST"])
@login_required
def manage_rewards(place_id):
    community = _worked_community(place_id)
    if request.method == "GET":
        return _rewards_page(community)
    form = RewardForm()
    if form.validate_on_submit():
        db.session.add(Reward(community=community, name=form.name.data,
                              description=form.description.data, kind=form.kind.data,
                              price_minutes=form.hours.data, stock=form.stock.data))
        flash(_("%(name)s is added to the catalogue.", name=form.name.data), "success")
        return redirect(url_for("timebank.manage_rewards", place_id=community.id), 303)
    return _rewards_page(community, form, status=422)


@bp.post("/rewards/<int:reward_id>/stock")
@login_required
def update_stock(reward_id):
    reward = get_or_404(Reward, reward_id)
    community = _worked_community(reward.community_id)
    form = StockForm()
    if form.validate_on_submit():
        reward.stock = form.stock.data
        reward.active = request.form.get("active") != "0"
        flash(_("%(name)s is updated.", name=reward.name), "success")
        return redirect(url_for("timebank.manage_rewards", place_id=community.id), 303)
    flash(" ".join(str(m) for m in form.stock.errors), "error")
    return _rewards_page(community, status=422)


@bp.get("/community/<int:place_id>/redemptions")
@login_required
def redemptions(place_id):
    community = _worked_community(place_id)
    code = "".join(ch for ch in request.args.get("code", "") if ch.isdigit())[:6]
    query = (select(Redemption).join(Reward).where(Reward.community_id == community.id)
             .order_by(Redemption.handed_over_at.is_not(None), Redemption.created_at.desc()))
    if code:
        query = query.where(Redemption.pickup_code == code)
    page = paginate(query, per_page=PER_PAGE)
    return render("timebank/redemptions.html", community=community, page=page, code=code,
                  form=EmptyForm())


@bp.post("/redemptions/<int:redemption_id>/hand-over")
@login_required
def hand_over(redemption_id):
    redemption = get_or_404(Redemption, redemption_id)
    community = _worked_community(redemption.reward.community_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        rewards.hand_over(redemption, current_user, utcnow())
    except Refused as refused:
        flash(refused.message, "info")
    else:
        flash(_("%(reward)s handed over to %(name)s.", reward=redemption.reward.name,
                name=redemption.user.name), "success")
    return redirect(url_for("timebank.redemptions", place_id=community.id), 303)


# --- exports ---

def _export_scopes():
    scopes = []
    for place in places_where(current_user, "community_worker"):
        scopes.append((f"p{place.id}", place.name))
    managed = activities.managed(current_user, utcnow())
    if managed is not None:
        for activity in db.session.scalars(managed.limit(50)):
            scopes.append((f"a{activity.id}", f"{activity.title} · {day(activity.starts_at)}"))
    return scopes


@bp.get("/export")
@login_required
def export_records():
    form = ExportForm(request.args)
    form.scope.choices = options(_export_scopes())
    if not form.scope.choices:
        abort(403)
    if "scope" not in request.args or not form.validate():
        return render("timebank/export.html", form=form,
                      status=422 if "scope" in request.args else 200)
    kind, ident = form.scope.data[0], int(form.scope.data[1:])
    community = activity = None
    if kind == "p":
        community = get_or_404(Place, ident)
        if not can(current_user, "community_worker", community):
            abort(403)
    else:
        activity = _organised(ident)
    # Workers of the community see full mobile numbers; an organization's staff do not.
    full = can(current_user, "community_worker", community or activity.community)
    query = export.records_query(community=community, activity=activity, first=form.first.data,
                                 last=form.last.data)
    name = f"service-records-{form.scope.data}.csv"
    return Response(stream_with_context(export.rows_csv(query, full)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}"})

