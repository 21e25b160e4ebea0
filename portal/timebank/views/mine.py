"""My time bank: logging hours, my history, gifts and donations, certificates and
corrections of my records."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from portal.accounts.people import find_by_mobile
from portal.accounts.permissions import can, load, mask_name
from portal.extensions import db
from portal.formatting import day_unbroken, duration
from portal.forms import Pick, options
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timebank import bp, certificates, help, ledger, logs, wallet
from portal.timebank.forms import (
    NEIGHBOUR,
    CertificateForm,
    CorrectionForm,
    DonateForm,
    GiftForm,
    LogForm,
)
from portal.timebank.models import Account, Activity, Certificate, HelpRequest, HourLog, SignUp
from portal.timebank.stars import star_progress
from portal.timebank.views.loaders import PER_PAGE, volunteer_of
from portal.timeutil import local_today, utcnow
from portal.urls import paginate

# --- my time bank and logging hours ---


def _log_form(user, formdata=None, choose_latest=True):
    """The log form as sent (``formdata``), or fresh: a new one-time token, nothing typed,
    and — when ``choose_latest`` — the newest activity still waiting for its log chosen, so
    logging it is two taps more (how long, send)."""
    form = LogForm(formdata=formdata)  # None: fresh; Flask-WTF would otherwise read the POST
    form.recent = logs.recent_activities(user, utcnow())
    form.what.choices = options([(Pick("activity", a.id), _activity_choice(a))
                                 for a in form.recent]
                                + [(NEIGHBOUR, _("I helped a neighbour"))])
    if formdata is None and choose_latest and form.recent:
        form.what.data = Pick("activity", form.recent[0].id)
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
        chosen = form.what.data
        activity = next((a for a in form.recent if Pick("activity", a.id) == chosen), None)
        neighbour = find_by_mobile(form.neighbour.data) if chosen == NEIGHBOUR else None
        try:
            log = logs.submit(current_user, form.chosen_minutes, activity=activity,
                              neighbour=neighbour, service_date=form.service_date.data,
                              note=form.note.data, token=form.token.data, now=utcnow(),
                              today=local_today())
        except Refused as refused:
            show_on(form, refused, field="what")
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

def _gift_page(form, receiver=None, status=200):
    return render("timebank/gift.html", form=form, receiver=receiver,
                  balance=ledger.balance(current_user), status=status)


@bp.route("/gift", methods=["GET", "POST"])
@login_required
def gift():
    form = GiftForm()
    if not form.validate_on_submit():
        return _gift_page(form, status=422 if form.errors else 200)
    if ledger.transfer_by_key(wallet.gift_key(form.token.data)):
        return redirect(url_for("timebank.mine"), 303)  # sent twice; given once
    receiver = find_by_mobile(form.mobile.data)
    try:
        if form.confirmed.data != "yes":
            wallet.check_gift(current_user, receiver, form.hours.data)
            # First the giver sees who this number belongs to (masked), then confirms.
            return _gift_page(form, receiver)
        wallet.gift(current_user, receiver, form.hours.data, token=form.token.data)
    except Refused as refused:
        show_on(form, refused, field="mobile")
        return _gift_page(form, status=422)
    flash(_("You gave %(time)s to %(name)s.", time=duration(form.hours.data),
            name=mask_name(receiver.name)), "success")
    return redirect(url_for("timebank.mine"), 303)


@bp.route("/donate", methods=["GET", "POST"])
@login_required
def donate():
    form = DonateForm()
    if form.validate_on_submit():
        try:
            wallet.donate(current_user, form.hours.data, token=form.token.data)
        except Refused as refused:
            show_on(form, refused, field="hours")
        else:
            flash(_("Thank you. %(time)s went to the community pool.",
                    time=duration(form.hours.data)), "success")
            return redirect(url_for("timebank.mine"), 303)
    return render("timebank/donate.html", form=form, balance=ledger.balance(current_user),
                  cap=ledger.storage_cap_minutes(), status=422 if form.errors else 200)


# --- certificates and corrections ---

@bp.route("/certificates", methods=["GET", "POST"])
@login_required
def certificates_index():
    form = CertificateForm()
    found = certificates.issuers(current_user)
    form.issuer.choices = options((Pick.of(issuer), issuer.name) for issuer, _m, _n in found)
    if form.validate_on_submit():
        issuer = next((i for i, _m, _n in found if Pick.of(i) == form.issuer.data), None)
        try:
            certificate = certificates.issue(current_user, issuer, utcnow())
        except Refused as refused:
            show_on(form, refused, field="issuer")
        else:
            return redirect(url_for("timebank.certificate", number=certificate.number), 303)
    issued = db.session.scalars(select(Certificate).filter_by(user_id=current_user.id)
                                .order_by(Certificate.issued_at.desc())).all()
    return render("timebank/certificates.html", form=form, found=found, issued=issued,
                  status=422 if form.errors else 200)


def _may_see_certificate(user, certificate):
    """Its volunteer, or whoever keeps the records it certifies."""
    if certificate.user_id == user.id:
        return True
    if certificate.issuer_organization is not None:
        return can(user, "org_staff", certificate.issuer_organization)
    return can(user, "community_worker", certificate.issuer_place)


@bp.get("/certificates/<number>")
@login_required
def certificate(number):
    found = db.first_or_404(select(Certificate.id).filter_by(number=number))
    certificate = load(Certificate, found, allowed=_may_see_certificate)
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
    log = load(HourLog, log_id, allowed=lambda user, log: log.volunteer_id == user.id)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            logs.request_correction(log, current_user, form.hours.data, form.explanation.data)
        except Refused as refused:
            show_on(form, refused, field="hours")
        else:
            flash(_("Your request is sent. The organiser will answer you."), "success")
            return redirect(url_for("timebank.mine"), 303)
    return render("timebank/correction.html", form=form, log=log,
                  status=422 if form.errors else 200)
