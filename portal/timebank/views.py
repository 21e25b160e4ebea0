"""Time-bank pages for residents and volunteers: activities, my time bank and logging hours,
gifts, help between neighbours, rewards, certificates, branch totals."""

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from portal.accounts.people import find_by_mobile
from portal.accounts.permissions import can, get_or_404, mask_name
from portal.extensions import db
from portal.formatting import day, day_unbroken, duration
from portal.forms import EmptyForm, options
from portal.ical import calendar
from portal.places.models import Place
from portal.rendering import render
from portal.timebank import (
    activities,
    bp,
    branches,
    certificates,
    help,
    ledger,
    logs,
    rewards,
    wallet,
)
from portal.timebank.forms import (
    CertificateForm,
    CorrectionForm,
    DonateForm,
    GiftForm,
    HelpForm,
    JoinForm,
    LogForm,
    TokenForm,
)
from portal.timebank.models import (
    Account,
    Activity,
    Certificate,
    HelpRequest,
    HourLog,
    Redemption,
    Reward,
    SignUp,
    Volunteer,
)
from portal.timebank.refusals import Refused, refuse
from portal.timebank.stars import star_progress
from portal.timeutil import local_today, utcnow
from portal.urls import absolute_url, paginate, query_id, safe_next

PER_PAGE = 20


def volunteer_of(user):
    return db.session.get(Volunteer, user.id) if user.is_authenticated else None


# --- the time bank's front page and activities ---

@bp.get("/")
def index():
    activities_page = paginate(activities.upcoming(g.courtyard, utcnow()), per_page=PER_PAGE)
    summary = None
    if current_user.is_authenticated:
        volunteer = volunteer_of(current_user)
        summary = {"balance": ledger.balance(current_user), "volunteer": volunteer,
                   "stars": star_progress(volunteer.service_minutes) if volunteer else None}
    return render("timebank/index.html", activities_page=activities_page, summary=summary,
                  organiser=activities.is_organiser(current_user))


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    volunteer = volunteer_of(current_user)
    form = JoinForm(obj=volunteer)
    if form.validate_on_submit():
        activities.join(current_user, form.skills.data, form.availability.data, utcnow())
        flash(_("Welcome to the time bank. Thank you for helping your neighbours."), "success")
        return redirect(safe_next("timebank.mine"), 303)
    return render("timebank/join.html", form=form, volunteer=volunteer,
                  status=422 if form.errors else 200)


@bp.get("/activities/<int:activity_id>")
def activity(activity_id):
    activity = get_or_404(Activity, activity_id)
    signup = (activities.sign_up_of(current_user, activity)
              if current_user.is_authenticated else None)
    return render("timebank/activity.html", activity=activity, signup=signup,
                  is_volunteer=activities.is_volunteer(current_user),
                  organiser=activities.may_organise(current_user, activity),
                  now=utcnow(), form=EmptyForm())


@bp.get("/activities/<int:activity_id>.ics")
def activity_calendar(activity_id):
    activity = get_or_404(Activity, activity_id)
    text = calendar([{
        "uid": f"activity-{activity.id}@linli", "starts_at": activity.starts_at,
        "ends_at": activity.ends_at, "summary": activity.title,
        "description": activity.description,
        "location": " ".join(filter(None, [
            activity.service_point.address if activity.service_point else activity.place.name,
            activity.location])),
        "url": absolute_url("timebank.activity", activity_id=activity.id),
    }], activity.organiser_name)
    return Response(text, mimetype="text/calendar", headers={
        "Content-Disposition": f"attachment; filename=activity-{activity.id}.ics"})


def _back_to_activity(activity):
    return redirect(url_for("timebank.activity", activity_id=activity.id), 303)


@bp.post("/activities/<int:activity_id>/sign-up")
@login_required
def sign_up(activity_id):
    activity = get_or_404(Activity, activity_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        activities.sign_up(current_user, activity, utcnow())
    except Refused as refused:
        if refused.reason == "not_volunteer":
            return redirect(url_for("timebank.join"), 303)
        return render("timebank/activity.html", activity=activity, signup=None,
                      is_volunteer=True, organiser=False, now=utcnow(), form=EmptyForm(),
                      refusal=refused.message, status=422)
    flash(_("You are signed up. See you on %(day)s!", day=day(activity.starts_at)), "success")
    return _back_to_activity(activity)


@bp.post("/activities/<int:activity_id>/cancel")
@login_required
def cancel_sign_up(activity_id):
    activity = get_or_404(Activity, activity_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        activities.cancel_sign_up(current_user, activity, utcnow())
    except Refused as refused:
        flash(refused.message, "error")
        return _back_to_activity(activity)
    flash(_("Your place is given back. Thank you for telling us."), "success")
    return _back_to_activity(activity)


# --- my time bank and logging hours ---

def _log_form(user, formdata=None, choose_latest=True):
    """The log form as sent (``formdata``), or fresh: a new one-time token, nothing typed,
    and — when ``choose_latest`` — the newest activity still waiting for its log chosen, so
    logging it is two taps more (how long, send)."""
    form = LogForm(formdata=formdata)  # None: fresh; Flask-WTF would otherwise read the POST
    recent = logs.recent_activities(user, utcnow())
    form.what.choices = options([(f"a{a.id}", _activity_choice(a)) for a in recent]
                                + [("neighbour", _("I helped a neighbour"))])
    if formdata is None and choose_latest and recent:
        form.what.data = f"a{recent[0].id}"
    return form


def _activity_choice(activity):
    """"楼道扶手消毒 · 11月30日周一", the date whole: a choice on the log form."""
    return Markup("{} · {}").format(activity.title, day_unbroken(activity.starts_at))


def _mine(form, status=200, logged=None):
    volunteer = volunteer_of(current_user)
    pending = db.session.scalars(
        select(HourLog).where(HourLog.volunteer_id == current_user.id,
                              HourLog.status == "pending").order_by(HourLog.created_at.desc())
        .options(selectinload(HourLog.activity), selectinload(HourLog.neighbour))
    ).all()
    context = {
        "form": form, "volunteer": volunteer, "pending": pending, "logged": logged,
        "balance": ledger.balance(current_user),
        "stars": star_progress(volunteer.service_minutes if volunteer else 0),
    }
    if request.htmx and (status != 200 or logged is not None):
        return render("timebank/mine.html", block="log_panel", status=status, **context)
    now = utcnow()
    context["signups"] = db.session.scalars(
        select(SignUp).join(Activity).where(SignUp.user_id == current_user.id,
                                            SignUp.cancelled_at.is_(None),
                                            Activity.ends_at > now)
        .options(contains_eager(SignUp.activity))
        .order_by(Activity.starts_at)).all()
    context["decided"] = logs.recent_decisions(current_user, now)
    context["decided_days"] = logs.RECENT_DECISION_DAYS
    context["helping"] = db.session.scalars(
        help.mine(current_user).where(HelpRequest.status.in_(("open", "taken")))).all()
    return render("timebank/mine.html", status=status, **context)


@bp.get("/me")
@login_required
def mine():
    return _mine(_log_form(current_user) if volunteer_of(current_user) else None)


@bp.post("/me/log")
@login_required
def log_hours():
    if volunteer_of(current_user) is None:
        return redirect(url_for("timebank.join"), 303)
    form = _log_form(current_user, formdata=request.form)
    earlier = logs.by_token(form.token.data) if form.token.data else None
    if earlier is not None:
        # Sent twice (a double tap, a resend on a slow line): it is stored once already.
        if request.htmx and earlier.volunteer_id == current_user.id:
            return _mine(_log_form(current_user, choose_latest=False), logged=earlier)
        return redirect(url_for("timebank.mine"), 303)
    if form.validate_on_submit():
        activity = neighbour = None
        if form.what.data.startswith("a"):
            activity = db.session.get(Activity, int(form.what.data[1:]))
        else:
            neighbour = find_by_mobile(form.neighbour.data)
        try:
            log = logs.submit(current_user, form.chosen_minutes, activity=activity,
                              neighbour=neighbour, service_date=form.service_date.data,
                              note=form.note.data, token=form.token.data, now=utcnow(),
                              today=local_today())
        except Refused as refused:
            field = {"unknown_neighbour": form.neighbour, "self_neighbour": form.neighbour,
                     "future_date": form.service_date, "too_old": form.service_date,
                     "outside_activity": form.service_date, "too_many_minutes": form.minutes,
                     "no_minutes": form.quick, "neighbour_day_cap": form.quick,
                     "neighbour_pair_cap": form.quick}.get(refused.reason, form.what)
            refuse(field, refused)
        else:
            if not request.htmx:
                flash(_("Sent: %(time)s, waiting for approval.",
                        time=duration(log.minutes)), "success")
                return redirect(url_for("timebank.mine"), 303)
            # The confirmation beside a fresh form: nothing chosen, a new one-time token.
            return _mine(_log_form(current_user, choose_latest=False), logged=log)
    return _mine(form, status=422)


@bp.get("/me/history")
@login_required
def history():
    account = db.session.scalar(select(Account).filter_by(user_id=current_user.id))
    entries = paginate(ledger.statement(account), per_page=PER_PAGE)
    counterparts = ledger.counterparts(entries.items)
    return render("timebank/history.html", entries=entries, counterparts=counterparts,
                  balance=ledger.balance(current_user))


# --- gifts and donations ---

@bp.route("/gift", methods=["GET", "POST"])
@login_required
def gift():
    form = GiftForm()
    receiver = None
    if form.validate_on_submit():
        if ledger.transfer_by_key(f"gift:{form.token.data}"):
            return redirect(url_for("timebank.mine"), 303)  # sent twice; given once
        receiver = find_by_mobile(form.mobile.data)
        try:
            if receiver is None or receiver.id == current_user.id:
                raise Refused("unknown_mobile" if receiver is None else "gift_to_self")
            if form.hours.data > ledger.balance(current_user):
                raise Refused("insufficient")
            if form.confirmed.data == "yes":
                wallet.gift(current_user, receiver, form.hours.data,
                            key=f"gift:{form.token.data}")
                flash(_("You gave %(time)s to %(name)s.", time=duration(form.hours.data),
                        name=mask_name(receiver.name)), "success")
                return redirect(url_for("timebank.mine"), 303)
            # First the giver sees who this number belongs to (masked), then confirms.
            return render("timebank/gift.html", form=form, receiver=receiver,
                          balance=ledger.balance(current_user))
        except Refused as refused:
            refuse(form.hours if refused.reason in ("insufficient", "over_cap")
                   else form.mobile, refused)
            receiver = None
    return render("timebank/gift.html", form=form, receiver=receiver,
                  balance=ledger.balance(current_user), status=422 if form.errors else 200)


@bp.route("/donate", methods=["GET", "POST"])
@login_required
def donate():
    form = DonateForm()
    if form.validate_on_submit():
        try:
            wallet.donate(current_user, form.hours.data, key=f"donate:{form.token.data}")
        except Refused as refused:
            refuse(form.hours, refused)
        else:
            flash(_("Thank you. %(time)s went to the community pool.",
                    time=duration(form.hours.data)), "success")
            return redirect(url_for("timebank.mine"), 303)
    return render("timebank/donate.html", form=form, balance=ledger.balance(current_user),
                  cap=ledger.storage_cap_minutes(), status=422 if form.errors else 200)


# --- help between neighbours ---

@bp.get("/help")
def help_index():
    requests = paginate(help.open_near(g.courtyard), per_page=PER_PAGE)
    mine = (db.session.scalars(help.mine(current_user).limit(10)).all()
            if current_user.is_authenticated else [])
    return render("timebank/help_index.html", requests=requests, mine=mine)


@bp.route("/help/new", methods=["GET", "POST"])
@login_required
def help_new():
    form = HelpForm()
    if form.validate_on_submit():
        try:
            request_ = help.ask(current_user, form.title.data, form.hours.data,
                                details=form.details.data, wanted_on=form.wanted_on.data,
                                when_text=form.when_text.data)
        except Refused as refused:
            refuse(form.hours if refused.reason == "insufficient" else form.title, refused)
        else:
            flash(_("Your request is posted. Volunteers nearby can now offer to help."),
                  "success")
            return redirect(url_for("timebank.help_show", request_id=request_.id), 303)
    return render("timebank/help_new.html", form=form, balance=ledger.balance(current_user),
                  status=422 if form.errors else 200)


@bp.get("/help/<int:request_id>")
def help_show(request_id, refusal=None, status=200):
    request_ = get_or_404(HelpRequest, request_id)
    return render("timebank/help_show.html", help_request=request_, form=EmptyForm(),
                  # Who may offer (one who has not joined yet is asked to join first).
                  may_take=current_user.is_authenticated
                  and current_user.id != request_.requester_id
                  and help.helps_in(current_user, request_.community), refusal=refusal,
                  status=status)


def _help_action(request_id, action, done_message):
    request_ = get_or_404(HelpRequest, request_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        action(request_)
    except Refused as refused:
        if refused.reason == "not_volunteer":
            return redirect(url_for("timebank.join"), 303)
        return help_show(request_id, refusal=refused.message, status=422)
    flash(done_message(request_), "success")
    return redirect(url_for("timebank.help_show", request_id=request_.id), 303)


@bp.post("/help/<int:request_id>/take")
@login_required
def help_take(request_id):
    # The asker's name and number show only once they accept this volunteer.
    return _help_action(request_id, lambda r: help.take(r, current_user, utcnow()),
                        lambda r: _("Thank you for offering to help."))


@bp.post("/help/<int:request_id>/accept")
@login_required
def help_accept(request_id):
    return _help_action(request_id, lambda r: help.accept(r, current_user, utcnow()),
                        lambda r: _("You accepted the volunteer. Call them to agree on a "
                                    "time."))


@bp.post("/help/<int:request_id>/release")
@login_required
def help_release(request_id):
    return _help_action(request_id, lambda r: help.release(r, current_user),
                        lambda r: _("The volunteer is released. Your request is open again "
                                    "for other volunteers."))


@bp.post("/help/<int:request_id>/confirm")
@login_required
def help_confirm(request_id):
    return _help_action(request_id,
                        lambda r: help.confirm(r, current_user, utcnow(), local_today()),
                        lambda r: _("Done: the hours have moved. Thank you both.")
                        if r.status == "done" else _("Thank you. Waiting for the other "
                                                     "person to confirm too."))


@bp.post("/help/<int:request_id>/cancel")
@login_required
def help_cancel(request_id):
    return _help_action(request_id, lambda r: help.cancel(r, current_user),
                        lambda r: _("Your request is withdrawn."))


# --- rewards ---

def _community_for_rewards():
    chosen = query_id("community")
    if chosen:
        place = get_or_404(Place, chosen)
        return place if place.kind == "community" else abort(404)
    return g.community


@bp.get("/rewards")
def rewards_index():
    community = _community_for_rewards()
    items = db.session.scalars(rewards.catalogue(community)).all() if community else []
    mine = (db.session.scalars(select(Redemption).filter_by(user_id=current_user.id)
                               .order_by(Redemption.created_at.desc()).limit(5)).all()
            if current_user.is_authenticated else [])
    return render("timebank/rewards.html", community=community, items=items, mine=mine,
                  form=TokenForm(), balance=ledger.balance(current_user)
                  if current_user.is_authenticated else None)


@bp.post("/rewards/<int:reward_id>/redeem")
@login_required
def redeem(reward_id):
    reward = get_or_404(Reward, reward_id)
    form = TokenForm()
    form.validate_on_submit() or abort(400)
    try:
        redemption = rewards.redeem(current_user, reward, key=f"redeem:{form.token.data}")
    except Refused as refused:
        items = db.session.scalars(rewards.catalogue(reward.community)).all()
        return render("timebank/rewards.html", community=reward.community, items=items,
                      mine=[], form=TokenForm(formdata=None), refusal=refused.message,
                      balance=ledger.balance(current_user), status=422)
    return redirect(url_for("timebank.redemption", redemption_id=redemption.id), 303)


@bp.get("/redemptions/<int:redemption_id>")
@login_required
def redemption(redemption_id):
    redemption = get_or_404(Redemption, redemption_id)
    worker = can(current_user, "community_worker", redemption.reward.community)
    if redemption.user_id != current_user.id and not worker:
        abort(403)
    return render("timebank/redemption.html", redemption=redemption, worker=worker,
                  form=EmptyForm())


# --- certificates and corrections ---

@bp.route("/certificates", methods=["GET", "POST"])
@login_required
def certificates_index():
    form = CertificateForm()
    found = certificates.issuers(current_user)
    form.issuer.choices = options((key, name) for key, name, _m, _n in found)
    if form.validate_on_submit():
        try:
            certificate = certificates.issue(current_user, form.issuer.data, utcnow())
        except Refused as refused:
            refuse(form.issuer, refused)
        else:
            return redirect(url_for("timebank.certificate", number=certificate.number), 303)
    issued = db.session.scalars(select(Certificate).filter_by(user_id=current_user.id)
                                .order_by(Certificate.issued_at.desc())).all()
    return render("timebank/certificates.html", form=form, found=found, issued=issued,
                  status=422 if form.errors else 200)


@bp.get("/certificates/<number>")
@login_required
def certificate(number):
    certificate = db.first_or_404(select(Certificate).filter_by(number=number))
    issuer = certificate.issuer_organization or certificate.issuer_place
    if certificate.user_id != current_user.id and not can(
            current_user, "org_staff" if certificate.issuer_organization else "community_worker",
            issuer):
        abort(403)
    return render("timebank/certificate.html", certificate=certificate,
                  records=certificates.records(certificate))


@bp.get("/verify/<token>")
def verify_certificate(token):
    """Public: enough to check a certificate is real, nothing more."""
    certificate = db.first_or_404(select(Certificate).filter_by(verify_token=token))
    return render("timebank/verify.html", certificate=certificate,
                  masked_name=mask_name(certificate.user.name))


@bp.route("/logs/<int:log_id>/correction", methods=["GET", "POST"])
@login_required
def correction(log_id):
    log = get_or_404(HourLog, log_id)
    if log.volunteer_id != current_user.id:
        abort(403)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            logs.request_correction(log, current_user, form.hours.data, form.explanation.data)
        except Refused as refused:
            refuse(form.hours, refused)
        else:
            flash(_("Your request is sent. The organiser will answer you."), "success")
            return redirect(url_for("timebank.mine"), 303)
    return render("timebank/correction.html", form=form, log=log,
                  status=422 if form.errors else 200)


# --- branches: 储蓄所 / 分行 / 总行 ---

@bp.get("/branch/<int:place_id>")
def branch(place_id):
    place = get_or_404(Place, place_id)
    if place.kind not in branches.BRANCH_KINDS:
        abort(404)
    summary, children, top = branches.totals(place, local_today())
    return render("timebank/branch.html", place=place, summary=summary, children=children,
                  top=top, lineage=place.lineage())


from portal.timebank import organiser_views  # noqa: E402, F401  (the organisers' pages)
