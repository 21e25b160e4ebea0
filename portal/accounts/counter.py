"""The counter 柜台: a community worker finds a resident, registers a new one (the slip is in
views.py), starts and ends acting for a resident (代办, rules in portal.accounts.acting), lets a
resident type a new kiosk PIN, and sees today's visitors they handled."""

from datetime import datetime, time

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.accounts import acting, bp
from portal.accounts.forms import ActingForm, CounterPinForm, CounterSearchForm
from portal.accounts.models import User
from portal.accounts.permissions import (
    load,
    may_manage_person,
    places_where,
    require_that,
    scope,
    works_for,
)
from portal.extensions import db
from portal.forms import EmptyForm, options
from portal.kiosks import pins
from portal.phones import normalize_mobile
from portal.places.models import Place
from portal.places.tree import descendants
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, to_utc, utcnow

FOUND_MOST = 20

bp.before_app_request(acting.load_acting)


def worker_places():
    """The places where I am a community worker (or admin); 403 when there are none."""
    places = places_where(current_user, "community_worker")
    require_that(places)
    return places


def _courtyards(places):
    return [c for place in places for c in db.session.scalars(descendants(place, "courtyard"))]


def find_residents(worker, query, courtyard_id=None):
    """Residents of ``worker``'s communities whose mobile ends with the digits typed (at
    least 4) or whose name contains the text, optionally in one courtyard; at most 20."""
    digits = normalize_mobile(query)
    condition = (User.mobile.endswith(digits) if digits.isdigit() and len(digits) >= 4
                 else User.name.contains(query, autoescape=True))
    select_ = (select(User).join(Place, User.home_courtyard_id == Place.id)
               .where(condition, scope(worker, "community_worker", place=Place.path))
               .options(contains_eager(User.home_courtyard))
               .order_by(User.name, User.id).limit(FOUND_MOST))
    if courtyard_id is not None:
        select_ = select_.where(User.home_courtyard_id == courtyard_id)
    return db.session.scalars(select_).all()


def counter_page(places, form, status=200):
    """The counter: search, the registration ``form``, today's visitors."""
    search = CounterSearchForm(request.args)
    search.courtyard.choices = options([("", _("All courtyards"))]) + options(
        (c.id, c.name) for c in _courtyards(places))
    found = None
    if search.q.data and search.validate():
        found = find_residents(current_user, search.q.data, search.courtyard.data)
    since = to_utc(datetime.combine(local_today(), time()))
    return render(
        "accounts/counter.html", form=form, search=search, found=found,
        may_act={p.id for p in found or () if acting.may_act_for(current_user, p)},
        manageable={p.id for p in found or () if may_manage_person(current_user, p)},
        handled=acting.handled_today(current_user, since),
        registered=acting.registered_today(current_user, since),
        running=acting.open_session_of(current_user, utcnow()), now_utc=utcnow(),
        status=status)


def _acting_page(person, form, status=200):
    return render("accounts/act.html", person=person, form=form,
                  running=acting.open_session_of(current_user, utcnow()), now_utc=utcnow(),
        status=status)


@bp.route("/counter/act/<int:user_id>", methods=["GET", "POST"])
@login_required
def act(user_id):
    """Start acting for a resident of my community (代办)."""
    person = load(User, user_id, allowed=works_for)
    form = ActingForm()
    if form.validate_on_submit():
        try:
            started = acting.start(current_user, person, form.reason.data, form.present.data,
                                   form.agrees.data, utcnow())
        except Refused as refused:
            show_on(form, refused, field="reason")
        else:
            acting.begin_here(started)
            flash(_("You are now acting for %(name)s. Everything you do is recorded for them "
                    "and under your name.", name=person.name), "success")
            return redirect(url_for("main.home"), 303)
    return _acting_page(person, form, status=422 if form.errors else 200)


@bp.post("/acting/end")
@login_required
def end_acting():
    """End acting for the resident (the banner's button)."""
    EmptyForm().validate_on_submit() or abort(400)
    ended = acting.stop_acting("ended", utcnow())
    if ended is not None:
        flash(_("You stopped acting for %(name)s.", name=ended.resident.name), "success")
    return redirect(url_for("accounts.counter"), 303)


@bp.route("/counter/pin/<int:user_id>", methods=["GET", "POST"])
@login_required
def counter_pin(user_id):
    """The resident types a new kiosk PIN on the counter's keyboard."""
    person = load(User, user_id, allowed=may_manage_person)
    form = CounterPinForm()
    if form.validate_on_submit():
        try:
            pins.set_pin(person, form.pin.data, actor=current_user)
        except Refused as refused:
            show_on(form, refused, field="pin")
        else:
            flash(_("The kiosk PIN of %(name)s is set.", name=person.name), "success")
            return redirect(url_for("accounts.counter"), 303)
    return render("accounts/counter_pin.html", person=person, form=form,
                  status=422 if form.errors else 200)


@bp.get("/profile/acting")
@login_required
def acting_history():
    """Every 代办 session done for me: who, when, why, and what was done."""
    from portal.urls import paginate

    page = paginate(acting.sessions_for(current_user), per_page=20)
    return render("accounts/acting_history.html", page=page, done=acting.done_in(page.items),
                  words_for=acting.words_for, ended_at=acting.ended_at,
                  acting_now=g.get("acting"))
