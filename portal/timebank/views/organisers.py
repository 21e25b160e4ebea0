"""For organisers (community workers, organization staff): creating activities, the roster
and check-in."""

from datetime import datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.accounts.permissions import load, require_that
from portal.extensions import db
from portal.forms import EmptyForm, Pick, options
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timebank import activities, bp, logs
from portal.timebank.forms import ActivityForm
from portal.timebank.models import HourLog, SignUp
from portal.timebank.views.loaders import organised
from portal.timeutil import to_utc, utcnow

COMMUNITY = Pick("community")  # the community itself organises (its workers)


def _organiser_pick(organization):
    return COMMUNITY if organization is None else Pick("organization", organization.id)


@bp.route("/activities/new", methods=["GET", "POST"])
@login_required
def new_activity():
    choices = activities.organiser_options(current_user)
    require_that(choices)
    form = ActivityForm()
    form.organiser.choices = options(
        (_organiser_pick(organiser),
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
        organization = next(o for o, _p in choices if _organiser_pick(o) == form.organiser.data)
        place = next(p for _o, places in choices for p in places if p.id == form.place.data)
        point = next((p for p in points if str(p.id) == form.point.data), None)
        try:
            activity = activities.create_activity(
                current_user, organization, place, service_point=point, title=form.title.data,
                description=form.description.data, location=form.location.data,
                starts_at=to_utc(datetime.combine(form.day.data, form.starts.data)),
                ends_at=to_utc(datetime.combine(form.day.data, form.ends.data)),
                slots=form.slots.data, minutes=form.hours.data)
        except Refused as refused:
            show_on(form, refused, field="place")
        else:
            flash(_("The activity is published. Volunteers nearby can now sign up."),
                  "success")
            return redirect(url_for("timebank.activity", activity_id=activity.id), 303)
    return render("timebank/activity_new.html", form=form,
                  status=422 if form.errors else 200)


@bp.get("/activities/<int:activity_id>/roster")
@login_required
def roster(activity_id):
    activity = organised(activity_id)
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
    signup = load(SignUp, signup_id,
                  allowed=lambda user, s: activities.may_organise(user, s.activity))
    EmptyForm().validate_on_submit() or abort(400)
    activities.check_in(signup, current_user, utcnow(), present=request.form.get("present") == "1")
    if request.htmx:
        return render("timebank/roster.html", block="signup_row", signup=signup,
                      activity=signup.activity, form=EmptyForm())
    return redirect(url_for("timebank.roster", activity_id=signup.activity_id), 303)


@bp.post("/activities/<int:activity_id>/approve-checked-in")
@login_required
def approve_checked_in(activity_id):
    activity = organised(activity_id)
    EmptyForm().validate_on_submit() or abort(400)
    approved = logs.approve_checked_in(activity, current_user, utcnow())
    flash(_("%(count)d records approved.", count=approved), "success")
    return redirect(url_for("timebank.roster", activity_id=activity.id), 303)
