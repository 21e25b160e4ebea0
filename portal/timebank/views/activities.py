"""The time bank's front page, activities and signing up, and branch totals: for everyone."""

from flask import Response, abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import get_or_404
from portal.formatting import day
from portal.forms import EmptyForm
from portal.ical import calendar
from portal.places.models import Place
from portal.refusals import Refused
from portal.rendering import render
from portal.timebank import activities, bp, branches, ledger
from portal.timebank.forms import JoinForm
from portal.timebank.models import Activity
from portal.timebank.stars import star_progress
from portal.timebank.views.loaders import PER_PAGE, volunteer_of
from portal.timeutil import local_today, utcnow
from portal.urls import absolute_url, paginate, safe_next


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


def _activity_page(activity, refusal=None, status=200):
    signup = (activities.sign_up_of(current_user, activity)
              if current_user.is_authenticated else None)
    return render("timebank/activity.html", activity=activity, signup=signup,
                  is_volunteer=activities.is_volunteer(current_user),
                  organiser=activities.may_organise(current_user, activity),
                  now=utcnow(), form=EmptyForm(), refusal=refusal, status=status)


@bp.get("/activities/<int:activity_id>")
def activity(activity_id):
    return _activity_page(get_or_404(Activity, activity_id))


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
        return _activity_page(activity, refusal=refused.message, status=422)
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


# --- branches: 储蓄所 / 分行 / 总行 ---

@bp.get("/branch/<int:place_id>")
def branch(place_id):
    place = get_or_404(Place, place_id)
    if place.kind not in branches.BRANCH_KINDS:
        abort(404)
    summary, children, top = branches.totals(place, local_today())
    return render("timebank/branch.html", place=place, summary=summary, children=children,
                  top=top, lineage=place.lineage())
