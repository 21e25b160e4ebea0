"""Resident conventions: the courtyard's convention and its versions (anyone), drafting,
putting a draft to the residents and deciding (leaders and workers)."""

from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import get_or_404, load, require_that
from portal.courtyards import bp, collections, conventions
from portal.courtyards.collection_forms import ConsultForm, ConventionForm, DecideForm
from portal.courtyards.diff import changed, line_diff
from portal.courtyards.models import ConventionVersion
from portal.places.models import Place
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, to_utc, utcnow


def _courtyard(courtyard_id):
    courtyard = get_or_404(Place, courtyard_id)
    if courtyard.kind != "courtyard":
        abort(404)
    return courtyard


@bp.get("/<int:courtyard_id>/convention")
def convention(courtyard_id):
    courtyard = _courtyard(courtyard_id)
    writer = conventions.may_write(current_user, courtyard)
    history = [v for v in conventions.versions(courtyard) if writer or v.state != "draft"]
    return render("courtyards/convention.html", courtyard=courtyard,
                  current=conventions.current(courtyard, local_today()), history=history,
                  writer=writer)


def _version_page(version, consult_form=None, decide_form=None, status=200):
    before = conventions.previous(version)
    pieces = line_diff(before.text, version.text) if before else None
    now = utcnow()
    outcome = (collections.results(version.collection)
               if version.collection is not None
               and collections.results_visible(version.collection, now) else None)
    return render("courtyards/convention_version.html", version=version, before=before,
                  pieces=pieces, counts=changed(pieces) if pieces else None,
                  writer=conventions.may_write(current_user, version.place),
                  consult_form=consult_form or ConsultForm(),
                  decide_form=decide_form or DecideForm(), outcome=outcome,
                  collection_closed=version.collection is not None
                  and collections.is_closed(version.collection, now),
                  status=status)


@bp.get("/convention/<int:version_id>")
def convention_version(version_id):
    return _version_page(load(ConventionVersion, version_id, allowed=conventions.may_read))


@bp.route("/<int:courtyard_id>/convention/new", methods=["GET", "POST"])
@login_required
def convention_new(courtyard_id):
    courtyard = _courtyard(courtyard_id)
    require_that(conventions.may_write(current_user, courtyard))
    waiting = conventions.pending(courtyard)
    base = waiting or conventions.current(courtyard, local_today())
    form = ConventionForm(data={"text": base.text} if base else None)
    status = 200
    if form.validate_on_submit():
        try:
            version = conventions.draft(current_user, courtyard, form.text.data, utcnow())
        except Refused as refused:
            show_on(form, refused, field="text")
        else:
            flash(_("The draft is saved."), "success")
            return redirect(url_for("courtyards.convention_version", version_id=version.id),
                            303)
    if form.errors:
        status = 422
    return render("courtyards/convention_new.html", courtyard=courtyard, form=form,
                  waiting=waiting, status=status)


def _written(version_id):
    return load(ConventionVersion, version_id,
                allowed=lambda user, version: conventions.may_write(user, version.place))


@bp.post("/convention/<int:version_id>/consult")
@login_required
def convention_consult(version_id):
    version = _written(version_id)
    form = ConsultForm()
    if not form.validate_on_submit():
        return _version_page(version, consult_form=form, status=422)
    now = utcnow()
    closes_at = to_utc(datetime.combine(form.closes_on.data + timedelta(days=1), time.min))
    try:
        collection = conventions.put_to_residents(current_user, version, now, closes_at, now)
    except Refused as refused:
        show_on(form, refused, field="closes_on")
        return _version_page(version, consult_form=form, status=422)
    flash(_("The draft is put to the residents."), "success")
    return redirect(url_for("courtyards.collection", collection_id=collection.id), 303)


@bp.post("/convention/<int:version_id>/decide")
@login_required
def convention_decide(version_id):
    version = _written(version_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return _version_page(version, decide_form=form, status=422)
    try:
        conventions.decide(current_user, version, form.outcome.data == "adopted",
                           form.effective_on.data, utcnow())
    except Refused as refused:
        show_on(form, refused, field="outcome")
        return _version_page(version, decide_form=form, status=422)
    flash(_("The decision is recorded."), "success")
    return redirect(url_for("courtyards.convention_version", version_id=version.id), 303)
