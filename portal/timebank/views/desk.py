"""The community's time-bank desk, for its workers: the pool, grants, who may spend hours."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal.accounts.people import find_by_mobile
from portal.accounts.permissions import places_where, require_that
from portal.extensions import db
from portal.formatting import duration
from portal.places.models import Place, within
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timebank import bp, ledger, wallet
from portal.timebank.forms import GrantForm, SpendingRightForm
from portal.timebank.models import HourLog, Redemption, Reward
from portal.timebank.views.loaders import worked_community


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
    return _desk(worked_community(place_id))


@bp.get("/desk")
@login_required
def my_desk():
    """The worker's own community desk (the first community they work in)."""
    for place in places_where(current_user, "community_worker"):
        community = place if place.kind == "community" else db.session.scalar(
            select(Place).where(within(place), Place.kind == "community").order_by(Place.path))
        if community is not None:
            return redirect(url_for("timebank.desk", place_id=community.id))
    require_that(False)


@bp.post("/community/<int:place_id>/grant")
@login_required
def grant(place_id):
    community = worked_community(place_id)
    form = GrantForm()
    if form.validate_on_submit():
        receiver = find_by_mobile(form.mobile.data)
        try:
            wallet.grant(current_user, community, receiver, form.hours.data, form.reason.data,
                         token=form.token.data)
        except Refused as refused:
            show_on(form, refused, field="mobile")
        else:
            flash(_("%(time)s granted to %(name)s.", time=duration(form.hours.data),
                    name=receiver.name), "success")
            return redirect(url_for("timebank.desk", place_id=community.id), 303)
    return _desk(community, grant_form=form, status=422)


@bp.post("/community/<int:place_id>/spending-right")
@login_required
def spending_right(place_id):
    community = worked_community(place_id)
    form = SpendingRightForm()
    if form.validate_on_submit():
        person = find_by_mobile(form.mobile.data)
        try:
            wallet.note_spending_right(current_user, person, form.reason.data)
        except Refused as refused:
            show_on(form, refused, field="mobile")
        else:
            flash(_("%(name)s may now spend hours on services.", name=person.name), "success")
            return redirect(url_for("timebank.desk", place_id=community.id), 303)
    return _desk(community, right_form=form, status=422)
