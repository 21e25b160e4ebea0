"""The approval queue: deciding logs, answering corrections, and workers checking what
neighbours approved alone."""

from types import SimpleNamespace

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal.accounts.models import User
from portal.accounts.permissions import can, load, places_where, require_that
from portal.extensions import db
from portal.formatting import duration
from portal.forms import EmptyForm
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timebank import activities, bp, logs
from portal.timebank.forms import AnswerForm, ReasonForm
from portal.timebank.models import CorrectionRequest, HourLog
from portal.timebank.views.loaders import PER_PAGE
from portal.timeutil import utcnow
from portal.urls import paginate, safe_next

NEIGHBOUR_REVIEWS_ON_APPROVALS = 10
MANAGED_ON_APPROVALS = 8


def _with_people(query):
    return query.options(joinedload(HourLog.volunteer),
                         joinedload(HourLog.neighbour).joinedload(User.home_courtyard),
                         joinedload(HourLog.reviewed_by))


def _answer_form(correction, formdata=None):
    return AnswerForm(prefix=f"c{correction.id}", formdata=formdata)


def _approvals_page(reason_forms=None, answer_forms=None, status=200):
    """The queue; ``reason_forms`` / ``answer_forms`` ({id: form}) are forms just sent, shown
    again with their errors and what was typed."""
    # The people in two small queries after the page's rows, not joined: joined, they would
    # widen the count of the whole queue (512 logs for a community worker) as well.
    page = paginate(logs.pending_for(current_user).options(
        contains_eager(HourLog.activity), selectinload(HourLog.volunteer),
        selectinload(HourLog.neighbour)), per_page=PER_PAGE)
    corrections = db.session.scalars(logs.open_corrections_for(current_user)).unique().all()
    sent = answer_forms or {}
    answer_forms = {c.id: sent.get(c.id) or _answer_form(c) for c in corrections}
    # Help a neighbour approved alone, not yet checked by a worker of the community.
    unchecked = logs.neighbour_approved_for(current_user).where(
        HourLog.status == "approved", HourLog.reviewed_at.is_(None))
    reviews = db.session.scalars(_with_people(unchecked)
                                 .limit(NEIGHBOUR_REVIEWS_ON_APPROVALS)).all()
    managed = db.session.scalars(activities.managed(current_user)
                                 .limit(MANAGED_ON_APPROVALS)).all()
    return render("timebank/approvals.html", page=page, corrections=corrections,
                  reason_forms=reason_forms or {}, form=EmptyForm(),
                  answer_forms=answer_forms, managed=managed,
                  reviews=reviews, reverse_forms={},
                  unchecked=db.session.scalar(select(func.count()).select_from(
                      unchecked.order_by(None).subquery())) if reviews else 0,
                  status=status)


@bp.get("/approvals")
@login_required
def approvals():
    return _approvals_page()


@bp.get("/neighbour-approvals")
@login_required
def neighbour_approvals():
    """Every record of help a neighbour approved alone, for workers of the community to
    check: not yet checked first, with what was checked and what was reversed."""
    require_that(places_where(current_user, "community_worker"))
    page = paginate(_with_people(logs.neighbour_approved_for(current_user)), per_page=PER_PAGE)
    return render("timebank/neighbour_approvals.html", page=page, reverse_forms={})


def _may_review(user, log):
    """A worker of the community checks help a neighbour approved alone (not their own)."""
    return (log.approved_by_neighbour and log.volunteer_id != user.id
            and can(user, "community_worker", log.community))


def _reviewable(log_id):
    return load(HourLog, log_id, allowed=_may_review)


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
        return _approvals_page(reason_forms={log.id: reason_form}, status=status)
    return redirect(safe_next("timebank.approvals"), 303)


def _decidable(log_id):
    """A log the current user may approve or reject (never their own)."""
    return load(HourLog, log_id, allowed=logs.may_decide)


@bp.post("/logs/<int:log_id>/approve")
@login_required
def approve(log_id):
    log = _decidable(log_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        logs.approve(log, current_user, utcnow())
    except Refused as refused:
        flash(refused.message, "info")
    else:
        if not request.htmx:
            flash(_("Approved: %(time)s for %(name)s.", time=duration(log.minutes),
                    name=log.volunteer.name), "success")
    return _decided(log)


@bp.post("/logs/<int:log_id>/reject")
@login_required
def reject(log_id):
    log = _decidable(log_id)
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
    correction = load(CorrectionRequest, correction_id,
                      allowed=lambda user, c: logs.may_answer_correction(user, c.hour_log))
    form = _answer_form(correction, formdata=request.form)
    if form.validate_on_submit():
        try:
            logs.answer_correction(correction, current_user, form.decision.data == "accept",
                                   form.answer.data, utcnow())
        except Refused as refused:
            if refused.reason in ("already_decided", "not_correctable"):
                flash(refused.message, "info")  # nothing left to answer here
                return redirect(url_for("timebank.approvals"), 303)
            show_on(form, refused, field="decision")
        else:
            flash(_("Your answer is sent to %(name)s.", name=correction.user.name), "success")
            return redirect(url_for("timebank.approvals"), 303)
    return _approvals_page(answer_forms={correction.id: form}, status=422)
