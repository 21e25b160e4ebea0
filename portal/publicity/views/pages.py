"""A publication's page, and the three writes on it: object or ask, answer, withdraw."""

from datetime import time, timedelta

from flask import flash, redirect
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.permissions import get_or_404, load
from portal.extensions import db
from portal.formatting import day, when
from portal.publicity import bp, rules
from portal.publicity.forms import AnswerForm, ObjectionForm, WithdrawForm, own_ids
from portal.publicity.models import Objection, Publication
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import to_local, utcnow


def window_words(publication):
    """The window's first and last day ("11月1日周六", "11月7日周五") when it runs from
    midnight to midnight, else its first and last moment with their times."""
    starts, ends = to_local(publication.starts_at), to_local(publication.ends_at)
    if starts.time() == ends.time() == time(0):
        return day(publication.starts_at), day(ends - timedelta(days=1))
    return when(publication.starts_at), when(publication.ends_at)


def context(publication, user, now, objection_form=None, answer_forms=None,
            withdraw_form=None):
    """What ``templates/publicity/_publication.html`` needs to show ``publication`` to
    ``user`` at ``now``: its state, its objections with their answers, and the forms this
    user may use (those just sent, with their errors and what was typed, else empty ones)."""
    sent_answers = answer_forms or {}
    sent = [form for form in (objection_form, withdraw_form, *sent_answers.values())
            if form is not None]
    objections = db.session.scalars(
        select(Objection).where(Objection.publication_id == publication.id)
        .options(selectinload(Objection.raised_by))
        .order_by(Objection.raised_at, Objection.id)).all()
    may_answer = rules.may_answer(user, publication)
    state = rules.state(publication, now)
    items = []
    for objection in objections:
        form = None
        if objection.id in sent_answers:  # just sent: shown with its errors (as above)
            form = own_ids(sent_answers[objection.id], f"a{objection.id}")
        elif may_answer and objection.answered_at is None:
            form = own_ids(AnswerForm(formdata=None), f"a{objection.id}")
        items.append({
            "objection": objection,
            "overdue": rules.is_overdue(objection, now),
            "by_poster": objection.answered_by_id == publication.posted_by_id,
            "answer_form": form,
        })
    may_withdraw = rules.may_withdraw(user, publication) and state.phase != "withdrawn"
    may_object = rules.may_object(user, publication)
    # A form just sent is shown again with its errors even when the answer was "too late"
    # (the window closed, someone withdrew it first), so what was typed is kept.
    if objection_form is None and may_object and state.is_open:
        objection_form = ObjectionForm(formdata=None)
    if withdraw_form is None and may_withdraw:
        withdraw_form = WithdrawForm(formdata=None)
    if objection_form is not None:
        own_ids(objection_form, f"n{publication.id}")
    if withdraw_form is not None:
        own_ids(withdraw_form, f"w{publication.id}")
    starts, ends = window_words(publication)
    return {
        "state": state,
        "starts": starts,
        "ends": ends,
        "items": items,
        "may_object": may_object,
        "may_answer": may_answer,
        "may_withdraw": may_withdraw,
        "objection_form": objection_form,
        "withdraw_form": withdraw_form,
        "sent": sent,  # for the page's error summary
        "subject_url": rules.subject_url(publication),
    }


def _page(publication, status=200, **forms):
    """The publication's own page; with the forms just sent when answering 422."""
    return render("publicity/publication.html", publication=publication,
                  publicity=context(publication, current_user, utcnow(), **forms),
                  status=status)


@bp.get("/<int:publication_id>")
def publication(publication_id):
    return _page(get_or_404(Publication, publication_id))


@bp.post("/<int:publication_id>/objections")
@login_required
def raise_objection(publication_id):
    publication = load(Publication, publication_id, allowed=rules.may_object)
    form = ObjectionForm()
    if not form.validate_on_submit():
        return _page(publication, 422, objection_form=form)
    try:
        objection = rules.raise_objection(publication, current_user, form.kind.data,
                                          form.body.data, utcnow())
    except Refused as refused:
        show_on(form, refused, field="body")
        return _page(publication, 422, objection_form=form)
    flash(_("Thank you. It is shown with the publicity and will be answered by %(day)s.",
            day=day(objection.due_at)), "success")
    return redirect(rules.subject_url(publication), 303)


def _may_answer(user, objection):
    return rules.may_answer(user, objection.publication)


@bp.post("/objections/<int:objection_id>/answer")
@login_required
def answer(objection_id):
    objection = load(Objection, objection_id, allowed=_may_answer)
    publication = objection.publication
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page(publication, 422, answer_forms={objection.id: form})
    try:
        rules.answer(objection, current_user, form.answer.data, utcnow())
    except Refused as refused:
        show_on(form, refused, field="answer")
        return _page(publication, 422, answer_forms={objection.id: form})
    flash(_("Your answer is published."), "success")
    return redirect(rules.subject_url(publication), 303)


@bp.post("/<int:publication_id>/withdraw")
@login_required
def withdraw(publication_id):
    publication = load(Publication, publication_id, allowed=rules.may_withdraw)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _page(publication, 422, withdraw_form=form)
    try:
        rules.withdraw(publication, current_user, form.reason.data, utcnow())
    except Refused as refused:
        show_on(form, refused, field="reason")
        return _page(publication, 422, withdraw_form=form)
    flash(_("The publicity is withdrawn. The reason is shown with it."), "success")
    return redirect(rules.subject_url(publication), 303)
