"""My household 户: the resident records which flat of their courtyard they live in."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.courtyards import bp, households
from portal.courtyards.forms import HouseholdForm
from portal.courtyards.models import Household
from portal.extensions import db
from portal.forms import EmptyForm
from portal.places.models import Place
from portal.refusals import Refused, show_on
from portal.rendering import render


def _household_page(courtyard, form, status=200):
    household = (db.session.get(Household, current_user.household_id)
                 if current_user.household_id else None)
    return render("courtyards/household.html", courtyard_here=courtyard, form=form,
                  household=household, clear_form=EmptyForm(formdata=None),
                  label=households.label, status=status)


def _my_courtyard():
    courtyard = current_user.home_courtyard
    if courtyard is None:
        flash(_("Choose your courtyard in your profile first."), "error")
    return courtyard


@bp.route("/household", methods=["GET", "POST"])
@login_required
def household():
    courtyard = _my_courtyard()
    if courtyard is None:
        return redirect(url_for("accounts.profile"), 303)
    current = (db.session.get(Household, current_user.household_id)
               if current_user.household_id else None)
    form = HouseholdForm(building=current.building_id, unit=current.unit,
                         room=current.room) if current else HouseholdForm()
    form.offer_buildings(db.session.scalars(households.buildings_of(courtyard)).all())
    if form.validate_on_submit():
        building_id = form.building.data if "building" in form else None
        try:
            households.record_household(
                current_user, courtyard,
                db.session.get(Place, building_id) if building_id else None,
                form.unit.data, form.room.data, actor=current_user)
        except Refused as refused:
            show_on(form, refused, field="room")
        else:
            flash(_("Your household is recorded."), "success")
            return redirect(url_for("accounts.profile"), 303)
    return _household_page(courtyard, form, status=422 if form.errors else 200)


@bp.post("/household/clear")
@login_required
def clear_household():
    EmptyForm().validate_on_submit() or abort(400)
    households.clear_household(current_user, current_user)
    flash(_("Your household is no longer recorded."), "success")
    return redirect(url_for("accounts.profile"), 303)
