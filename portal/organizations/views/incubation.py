"""Incubation 孵化: recording a stage an organization reached, and the sub-district's list of
who is at which stage (with its CSV)."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.accounts.permissions import can, load, places_where, require_that
from portal.extensions import db
from portal.organizations import bp, incubation, registry
from portal.organizations.forms import StageForm
from portal.organizations.models import Organization
from portal.organizations.words import STAGE_LABELS, STATUS_LABELS
from portal.places.models import Place, within
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.spreadsheet import CSV_MIMETYPE, csv_text, download
from portal.timeutil import local_today, utcnow
from portal.urls import query_id


def _stage_page(organization, form, status=200):
    return render("organizations/incubation.html", organization=organization, form=form,
                  steps=incubation.path(organization), stages=STAGE_LABELS, status=status)


@bp.route("/<int:organization_id>/incubation", methods=["GET", "POST"])
@login_required
def record_stage(organization_id):
    organization = load(Organization, organization_id, allowed=registry.may_keep)
    form = StageForm()
    form.fill_mentors(incubation.mentors(organization))
    if not form.is_submitted():
        form.stage.data = incubation.next_stage(organization)
    if form.validate_on_submit():
        mentor = db.session.get(Organization, form.mentor.data) if form.mentor.data else None
        try:
            step = incubation.record_stage(current_user, organization, form.stage.data,
                                           form.day.data, utcnow(), local_today(),
                                           mentor=mentor, note=form.note.data)
        except Refused as refused:
            show_on(form, refused, field="stage")
        else:
            flash(_("Recorded: %(name)s reached “%(stage)s”.", name=organization.name,
                    stage=STAGE_LABELS[step.stage]), "success")
            return redirect(url_for("organizations.show", organization_id=organization.id),
                            303)
    return _stage_page(organization, form, status=422 if form.errors else 200)


# --- the sub-district's list ---

def may_follow_incubation(user, street):
    """Workers of the sub-district or of one of its communities (or admins over it)."""
    return can(user, "community_worker", street) or any(
        street.contains(place) for place in places_where(user, "community_worker"))


def _street_asked():
    """The sub-district in ``?street=`` (404 when there is none), else the current user's:
    403 unless the user works in it."""
    if "street" in request.args:
        street = db.get_or_404(Place, query_id("street") or 0)
        if street.kind != "street":
            abort(404)
    else:
        street = _own_street(current_user)
    require_that(street is not None and may_follow_incubation(current_user, street))
    return street


def _own_street(user):
    for place in places_where(user, "community_worker"):
        street = place.ancestor("street") or db.session.scalar(
            select(Place).where(within(place), Place.kind == "street").order_by(Place.path))
        if street is not None:
            return street
    return None


@bp.get("/incubation")
@login_required
def incubation_list():
    street = _street_asked()
    today = local_today()
    return render("organizations/incubation_list.html", street=street,
                  groups=incubation.by_stage(street, today), stages=STAGE_LABELS,
                  statuses=STATUS_LABELS)


CSV_HEADER = ("组织", "状态", "当前阶段", "到达日期", "已过天数", "指导组织", "备注")


@bp.get("/incubation.csv")
@login_required
def incubation_csv():
    street = _street_asked()
    rows = [(row.organization.name, str(STATUS_LABELS[row.organization.status]),
             str(STAGE_LABELS[stage]), row.step.reached_on, row.days,
             row.step.mentor.name if row.step.mentor else "", row.step.note or "")
            for stage, rows in incubation.by_stage(street, local_today()) for row in rows]
    return download(csv_text(CSV_HEADER, rows), f"incubation-{street.id}.csv", CSV_MIMETYPE)
