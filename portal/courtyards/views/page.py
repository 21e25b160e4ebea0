"""The courtyard page: its leaders, its notice board, its collections and convention, its
agreements; the archive of its notices; adding and reading an agreement."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import sections
from portal.accounts.permissions import load, require_that
from portal.courtyards import (
    agreements,
    bp,
    collections,
    conventions,
    households,
    leaders,
    notices,
)
from portal.courtyards.forms import AgreementForm
from portal.courtyards.models import Agreement
from portal.extensions import db
from portal.places.models import Place
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, utcnow
from portal.urls import paginate

ARCHIVE_PER_PAGE = 20
AGREEMENTS_SHOWN = 5

bp.add_app_template_filter(households.label, "household_label")


def courtyard_or_404(courtyard_id):
    """The courtyard with this id; a place of another kind is no courtyard page."""
    courtyard = load(Place, courtyard_id)
    if courtyard.kind != "courtyard":
        abort(404)
    return courtyard


def _leaders(courtyard):
    """[(leader, building or None, phone as the viewer sees it, shown in full)]."""
    found = leaders.leaders_of(courtyard)
    # Whether the viewer sees a number in full depends on the leader's home courtyard: load
    # them all at once (held here, so each leader's finds it), not one query per leader.
    homes = db.session.scalars(select(Place).where(Place.id.in_(
        {leader.home_courtyard_id for leader, _building in found} - {None}))).all()
    shown = [(leader, building, phone, phone == leader.mobile)
             for leader, building in found
             for phone in [leaders.phone_for(leader, current_user, courtyard)]]
    del homes
    return shown


def _courtyard_page(courtyard):
    now, today = utcnow(), local_today()
    context = {
        "courtyard_here": courtyard,
        "lineage": courtyard.lineage(),
        "leaders": _leaders(courtyard),
        "board": notices.board(courtyard, now, today),
        "agreements": db.session.scalars(
            agreements.of_courtyard(courtyard).limit(AGREEMENTS_SHOWN)).all(),
        "may_post": notices.may_post(current_user, courtyard),
        "may_add_agreement": agreements.may_add(current_user, courtyard),
        "now": now, "today": today,
    }
    context.update(collections.for_courtyard(courtyard, current_user, now))
    context.update(conventions.for_courtyard(courtyard, today))
    # What other domains have here (the projects of the courtyard, …).
    context["sections"] = sections.sections_for("courtyard", courtyard)
    return render("courtyards/show.html", **context)


@bp.get("/<int:courtyard_id>")
def show(courtyard_id):
    return _courtyard_page(courtyard_or_404(courtyard_id))


@bp.get("/<int:courtyard_id>/notices")
def archive(courtyard_id):
    courtyard = courtyard_or_404(courtyard_id)
    page = paginate(notices.archive(courtyard), per_page=ARCHIVE_PER_PAGE)
    return render("courtyards/show.html", courtyard_here=courtyard, archive=page,
                  archived=notices.with_publications(page.items),
                  lineage=courtyard.lineage(), now=utcnow(), today=local_today())


# --- agreements 共建协议 ---

def _agreement_page(courtyard, form, status=200):
    return render("courtyards/agreement_new.html", courtyard_here=courtyard, form=form,
                  lineage=courtyard.lineage(), status=status)


@bp.route("/<int:courtyard_id>/agreements/new", methods=["GET", "POST"])
@login_required
def new_agreement(courtyard_id):
    courtyard = courtyard_or_404(courtyard_id)
    require_that(agreements.may_add(current_user, courtyard))
    form = AgreementForm()
    if form.validate_on_submit():
        try:
            agreement = agreements.add_agreement(
                current_user, courtyard, form.title.data, form.other_party.data,
                form.signed_on.data, form.text.data, local_today())
        except Refused as refused:
            show_on(form, refused, field="title")
        else:
            flash(_("The agreement is on the courtyard page."), "success")
            return redirect(url_for("courtyards.agreement", agreement_id=agreement.id), 303)
    return _agreement_page(courtyard, form, status=422 if form.errors else 200)


@bp.get("/agreements/<int:agreement_id>")
def agreement(agreement_id):
    agreement = load(Agreement, agreement_id)
    return render("courtyards/agreement.html", agreement=agreement,
                  courtyard_here=agreement.place, lineage=agreement.place.lineage())
