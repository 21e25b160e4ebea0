import time
from datetime import timedelta

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import format_timedelta, get_locale, refresh
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal import audit
from portal.accounts import bp, throttle
from portal.accounts.acting import sessions_for, stop_acting
from portal.accounts.forms import (
    AssistedRegisterForm,
    FirstLoginForm,
    GrantForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    ProfilePinForm,
    RegisterForm,
)
from portal.accounts.models import ROLE_LABELS, RoleGrant, User
from portal.accounts.people import (
    change_password as change_user_password,
)
from portal.accounts.people import (
    find_by_mobile,
    issue_first_login_code,
    password_matches,
    redeem_first_login_code,
)
from portal.accounts.people import (
    register as register_user,
)
from portal.accounts.permissions import (
    load,
    may_manage_person,
    places_where,
    require,
    require_that,
    scope,
)
from portal.accounts.roles import (
    grant_role,
    grantable_roles,
    may_grant,
    may_grant_at,
    may_revoke,
    revoke_role,
)
from portal.courtyards.households import (
    buildings_of,
    clear_household,
    record_household,
)
from portal.courtyards.households import label as household_label
from portal.courtyards.leaders import is_leader
from portal.courtyards.models import Household
from portal.extensions import db, limiter
from portal.forms import EmptyForm, options
from portal.kiosks.pins import set_pin
from portal.layout import load_place_context
from portal.organizations.models import Organization
from portal.phones import normalize_mobile
from portal.places.models import Place
from portal.places.tree import courtyards_near, descendants
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import utcnow
from portal.urls import paginate, query_id, safe_next

PEOPLE_PER_PAGE = 30


# --- signing in ---
#
# Wrong passwords and codes are counted per (number, address) and per address by
# Flask-Limiter, only when the view marks the request as one (``_wrong_secret``); across
# addresses a number is only slowed down (see portal.accounts.throttle).

def _limit(name):
    return lambda: current_app.config["PORTAL"][name]


def _typed_mobile():
    return normalize_mobile(request.form.get("mobile", ""))


def _per_account(prefix):
    return lambda: f"{prefix}:{_typed_mobile()}"


def _per_account_and_address(prefix):
    return lambda: f"{prefix}:{_typed_mobile()}@{get_remote_address()}"


def _wrong_secret():
    """Mark this request as a wrong password or code, to be counted by the limits."""
    g.wrong_secret = True


def _was_wrong(_response):
    return g.get("wrong_secret", False)


def _wait(seconds):
    """How long to wait ("15 minutes", "30 seconds"), in the user's language."""
    return format_timedelta(timedelta(seconds=max(1, round(seconds))))


def _refused(page, message):
    """An ``on_breach`` answer: the form again, as typed, saying why and for how long."""

    def answer(limit):
        if "courtyard" not in g:  # limits are checked before the page context is loaded
            load_place_context()
        return page(refusal=message(_wait(limit.reset_at - time.time())), status=429)

    return answer


def _login_page(form=None, refusal=None, status=200):
    form = form or LoginForm()  # a refused form keeps what was typed (never the password)
    return render("accounts/login.html", form=form, refusal=refusal, status=status)


def _device_locked(wait):
    return _("Too many wrong passwords from this device. Try again in %(wait)s or ask at "
             "your service centre.", wait=wait)


def _network_locked(wait):
    return _("Too many wrong passwords from this network. Try again in %(wait)s or ask at "
             "your service centre.", wait=wait)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"), methods=["POST"],
               key_func=_per_account_and_address("login"), deduct_when=_was_wrong,
               on_breach=_refused(_login_page, _device_locked))
@limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_was_wrong,
               on_breach=_refused(_login_page, _network_locked))
def login():
    if current_user.is_authenticated:
        # "Continue on your phone" leads here with ?next= a page; already signed in, go there.
        return redirect(safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        user = find_by_mobile(form.mobile.data)
        wait = 0 if throttle.is_known_device(user) else throttle.seconds_to_wait(form.mobile.data)
        if wait:
            return _login_page(form, status=429, refusal=_(
                "Many wrong passwords were typed for this number. To keep it safe, wait "
                "%(wait)s and try again.", wait=_wait(wait)))
        # Checked even for an unknown number, so the answer takes as long.
        if password_matches(user, form.password.data) and user.is_active:
            login_user(user, remember=form.remember.data)
            refresh()
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return throttle.remember_device(redirect(safe_next(), 303), user)
        _wrong_secret()
        throttle.count_wrong_password(form.mobile.data)
        if user is not None and user.password_hash is None and user.first_login_code_hash:
            form.password.errors.append(
                _("This account was opened at the service centre. First set a password "
                  "with the code on your slip.")
            )
        else:
            form.password.errors.append(_("The mobile number or the password is not right."))
    return _login_page(form, status=422 if form.errors else 200)


def _end_session():
    """Sign this browser out: the session is emptied, the remember cookie deleted."""
    logout_user()
    remember = session.get("_remember")  # Flask-Login's note to delete the remember cookie
    session.clear()
    if remember:
        session["_remember"] = remember


@bp.post("/logout")
def logout():
    EmptyForm().validate_on_submit() or abort(400)
    # Signing out ends acting for a resident (代办); it is the worker who signs out.
    stop_acting("signed_out", utcnow())
    if current_user.is_authenticated:
        # A new token, so a copy of this session or its remember cookie (taken before the
        # sign-out) no longer works. It ends the user's sessions on other devices too.
        current_user.sign_out_everywhere()
    _end_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"), 303)


def _register_page(form=None, refusal=None, status=200):
    form = form or RegisterForm()
    _offer_courtyards(form, g.courtyard)
    return render("accounts/register.html", form=form, refusal=refusal, status=status)


def _registrations_refused(wait):
    return _("Too many registrations from this network. Try again in %(wait)s or ask at "
             "your service centre.", wait=wait)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("REGISTER_LIMIT_PER_ADDRESS"), methods=["POST"],
               on_breach=_refused(_register_page, _registrations_refused))
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm(courtyard=g.courtyard.id if g.courtyard else None)
    _offer_courtyards(form, g.courtyard)
    if form.validate_on_submit():
        user = register_user(form.mobile.data, form.name.data,
                             db.session.get(Place, form.courtyard.data), form.password.data)
        login_user(user)
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
        return throttle.remember_device(redirect(url_for("main.home"), 303), user)
    return _register_page(form, status=422 if form.errors else 200)


def _first_login_page(form=None, refusal=None, status=200):
    form = form or FirstLoginForm()
    return render("accounts/first_login.html", form=form, refusal=refusal,
                  tries=current_app.config["PORTAL"]["FIRST_LOGIN_CODE_TRIES"], status=status)


def _codes_refused_for_number(wait):
    return _("Too many wrong codes for this number. Try again in %(wait)s or ask your "
             "community worker for a new slip.", wait=wait)


def _codes_refused_for_network(wait):
    return _("Too many wrong codes from this network. Try again in %(wait)s or ask at your "
             "service centre.", wait=wait)


@bp.route("/first-login", methods=["GET", "POST"])
@limiter.limit(_limit("FIRST_LOGIN_LIMIT_PER_ACCOUNT"), methods=["POST"],
               key_func=_per_account("first-login"), deduct_when=_was_wrong,
               on_breach=_refused(_first_login_page, _codes_refused_for_number))
@limiter.limit(_limit("FIRST_LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"],
               deduct_when=_was_wrong,
               on_breach=_refused(_first_login_page, _codes_refused_for_network))
def first_login():
    """A resident registered at the counter sets their own password with the slip's code."""
    form = FirstLoginForm()
    if form.validate_on_submit():
        user = find_by_mobile(form.mobile.data)
        if redeem_first_login_code(user, form.code.data, form.password.data):
            login_user(user)
            flash(_("Your password is set. Welcome, %(name)s.", name=user.name), "success")
            return throttle.remember_device(redirect(url_for("main.home"), 303), user)
        _wrong_secret()
        form.code.errors.append(
            _("This code is not right or has expired. Ask your community worker for a new slip.")
        )
    return _first_login_page(form, status=422 if form.errors else 200)


# --- the profile ---

def _offer_courtyards(form, around, also=None):
    """Offer the courtyards of the community of ``around`` (and of ``also``)."""
    courtyards = []
    for place in (around, also):
        if place is not None:
            courtyards += [c for c in courtyards_near(place) if c not in courtyards]
    form.courtyard.choices = options((c.id, c.name) for c in courtyards)
    return courtyards


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    # "Make this my courtyard" on a place page links here with ?courtyard=<id>.
    wanted = query_id("courtyard")
    wanted = db.session.get(Place, wanted) if wanted else None
    if wanted is not None and wanted.kind != "courtyard":
        wanted = None
    shown = wanted or current_user.home_courtyard
    form = ProfileForm(obj=current_user, courtyard=shown.id if shown else None)
    if not _offer_courtyards(form, current_user.home_courtyard or g.courtyard, wanted):
        del form.courtyard  # nothing to choose from yet (an administrator, say)
    if not is_leader(current_user):
        del form.phone_shown_to_neighbours
    if form.validate_on_submit():
        current_user.name = form.name.data
        if "courtyard" in form:
            moved = db.session.get(Place, form.courtyard.data)
            if moved != current_user.home_courtyard:
                clear_household(current_user, current_user)  # a flat of the old courtyard
            current_user.home_courtyard = moved
        if "phone_shown_to_neighbours" in form:
            current_user.phone_shown_to_neighbours = form.phone_shown_to_neighbours.data
        current_user.locale = form.locale.data
        current_user.text_size = form.text_size.data
        refresh()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"), 303)
    if not form.is_submitted():
        form.locale.data = current_user.locale or str(get_locale())
        form.text_size.data = current_user.text_size or "standard"
    return render("accounts/profile.html", form=form,
                  password_form=PasswordForm(formdata=None, prefix="pw"),
                  pin_form=ProfilePinForm(formdata=None, prefix="pin"),
                  acting_sessions=_acting_sessions_of(current_user),
                  household=_household_of(current_user), status=422 if form.errors else 200)


def _acting_sessions_of(user):
    """How many times a worker acted for ``user`` (代办), for the profile's link."""
    return db.session.scalar(db.select(db.func.count()).select_from(
        sessions_for(user).order_by(None).subquery()))


def _household_of(user):
    """The address of ``user``'s recorded household (3栋2单元401), or None."""
    household = db.session.get(Household, user.household_id) if user.household_id else None
    return household_label(household) if household is not None else None


def _has_remember_cookie():
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.post("/profile/password")
@login_required
def change_password():
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if change_user_password(user, form.current.data, form.password.data):
            # The new token ended every session, this one too: sign this device in again.
            login_user(user, remember=_has_remember_cookie())
            flash(_("Your password is changed. You are signed out on your other devices."),
                  "success")
            return redirect(url_for("accounts.profile"), 303)
        form.current.errors.append(_("That is not your current password."))
    return _profile_again(password_form=form)


def _profile_again(password_form=None, pin_form=None):
    """The profile re-shown with 422, one of its secondary forms as typed."""
    profile_form = ProfileForm(formdata=None, obj=current_user,
                               courtyard=current_user.home_courtyard_id)
    if not _offer_courtyards(profile_form, current_user.home_courtyard or g.courtyard):
        del profile_form.courtyard
    if not is_leader(current_user):
        del profile_form.phone_shown_to_neighbours
    return render("accounts/profile.html", form=profile_form,
                  password_form=password_form or PasswordForm(formdata=None, prefix="pw"),
                  pin_form=pin_form or ProfilePinForm(formdata=None, prefix="pin"),
                  acting_sessions=_acting_sessions_of(current_user),
                  household=_household_of(current_user), status=422)


@bp.post("/profile/pin")
@login_required
def profile_pin():
    """Choose my 6-digit PIN for the service centre's touch screen (with my password)."""
    form = ProfilePinForm(prefix="pin")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not password_matches(user, form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            try:
                set_pin(user, form.pin.data, actor=user)
            except Refused as refused:
                show_on(form, refused, field="pin")
            else:
                flash(_("Your kiosk PIN is set. Use it with your mobile number at the touch "
                        "screen of your service centre."), "success")
                return redirect(url_for("accounts.profile"), 303)
    return _profile_again(pin_form=form)


@bp.post("/profile/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of mine: a lost phone, a shared computer I forgot to sign out of."""
    EmptyForm().validate_on_submit() or abort(400)
    user = current_user._get_current_object()
    user.sign_out_everywhere()
    audit.record("user.sign_out_everywhere", user, actor=user)
    _end_session()
    flash(_("You are signed out on all your devices."), "success")
    return redirect(url_for("main.home"), 303)


# --- the counter: community workers ---

def _worker_places():
    """The places where I am a community worker (or admin); 403 when there are none."""
    places = places_where(current_user, "community_worker")
    require_that(places)
    return places


@bp.get("/work")
@login_required
def work():
    """A community worker's desk: register a resident, find a person, manage roles."""
    places = _worker_places()
    organizations = db.session.scalars(
        db.select(Organization).join(Place, Organization.home_place_id == Place.id)
        .where(scope(current_user, "community_worker", place=Place.path))
        .order_by(Organization.name)
    ).all()
    return render("accounts/work.html", places=places, organizations=organizations)


@bp.route("/counter", methods=["GET", "POST"])
@login_required
def counter():
    """Register a resident at the counter; they get a slip with a one-time code."""
    places = _worker_places()
    form = AssistedRegisterForm()
    form.courtyard.choices = [
        choice for place in places for choice in options(
            ((c.id, c.name) for c in db.session.scalars(descendants(place, "courtyard"))),
            group=place.name)
    ]
    form.building.choices = options([("", _("No building"))]) + [
        choice for place in places for courtyard in db.session.scalars(
            descendants(place, "courtyard"))
        for choice in options(((b.id, b.name) for b in db.session.scalars(
            buildings_of(courtyard))), group=courtyard.name)
    ]
    if form.validate_on_submit():
        courtyard = db.session.get(Place, form.courtyard.data)
        require("community_worker", courtyard)
        user = register_user(form.mobile.data, form.name.data, courtyard,
                             registered_by=current_user)
        try:
            _record_household_at_counter(form, user, courtyard)
        except Refused as refused:
            # 422: the transaction is rolled back, the resident is not registered either.
            show_on(form, refused, field="room")
        else:
            session["slip_code"] = {"user": user.id,
                                    "code": issue_first_login_code(user, current_user)}
            return redirect(url_for("accounts.slip", user_id=user.id), 303)
    return counter_page(places, form, status=422 if form.errors else 200)


def _record_household_at_counter(form, user, courtyard):
    """Record the resident's household when the worker wrote one (it is optional)."""
    if not (form.building.data or form.unit.data or form.room.data):
        return
    building = db.session.get(Place, form.building.data) if form.building.data else None
    record_household(user, courtyard, building, form.unit.data, form.room.data,
                     actor=current_user)


def _manageable_person(user_id):
    return load(User, user_id, allowed=may_manage_person)


@bp.get("/people/<int:user_id>/slip")
@login_required
def slip(user_id):
    """The printable first-login slip; the code is shown once, right after it was made."""
    person = _manageable_person(user_id)
    pending = session.pop("slip_code", None)
    code = pending["code"] if pending and pending.get("user") == person.id else None
    return render("accounts/slip.html", person=person, code=code, form=EmptyForm())


@bp.post("/people/<int:user_id>/code")
@login_required
def new_code(user_id):
    """Print a new first-login code (a forgotten password, a lost slip)."""
    person = _manageable_person(user_id)
    EmptyForm().validate_on_submit() or abort(400)
    person.password_hash = None
    session["slip_code"] = {"user": person.id, "code": issue_first_login_code(person, current_user)}
    return redirect(url_for("accounts.slip", user_id=person.id), 303)


@bp.get("/people")
@login_required
def people():
    """Find residents of my communities by mobile number or name."""
    _worker_places()
    query = request.args.get("q", "").strip()[:40]
    found = None
    if query:
        digits = normalize_mobile(query)
        condition = (User.mobile.endswith(digits) if digits.isdigit() and len(digits) >= 4
                     else User.name.contains(query, autoescape=True))
        found = paginate(
            db.select(User).join(Place, User.home_courtyard_id == Place.id)
            .where(condition, scope(current_user, "community_worker", place=Place.path))
            .order_by(User.name)
            # Each row shows the courtyard, and may_manage_person reads every role the
            # person holds and where: loaded with the page, not one person at a time.
            .options(contains_eager(User.home_courtyard),
                     selectinload(User.grants).options(
                         joinedload(RoleGrant.place),
                         joinedload(RoleGrant.organization).joinedload(Organization.home_place))),
            per_page=PEOPLE_PER_PAGE,
        )
    # Only people the worker may act for get a link to their page.
    manageable = ({p.id for p in found.items if may_manage_person(current_user, p)}
                  if found is not None else set())
    return render("accounts/people.html", block="results", query=query, found=found,
                  manageable=manageable)


@bp.get("/people/<int:user_id>")
@login_required
def person(user_id):
    person = _manageable_person(user_id)
    return render("accounts/person.html", person=person, form=EmptyForm())


# --- roles ---

def _roles_page(target, form=None, status=200):
    """The roles held at ``target``, and the form to grant one; ``target`` was loaded with
    ``may_grant_at``, so there are roles to offer."""
    form = form or GrantForm(formdata=None)
    form.set_roles(grantable_roles(current_user, target))
    column = RoleGrant.organization_id if isinstance(target, Organization) else RoleGrant.place_id
    grants = db.session.scalars(
        db.select(RoleGrant).where(column == target.id).order_by(RoleGrant.role, RoleGrant.id)
    ).all()
    lineage = (target.home_place if isinstance(target, Organization) else target).lineage()
    return render("accounts/roles.html", target=target, grants=grants, form=form,
                  revoke_form=EmptyForm(), lineage=lineage, status=status)


def _grant(target):
    form = GrantForm()
    form.set_roles(grantable_roles(current_user, target))
    if form.validate_on_submit():
        # The form offers only roles the worker may give here; asked again before any work.
        require_that(may_grant(current_user, form.role.data, target))
        person = find_by_mobile(form.mobile.data)
        if person is None:
            form.mobile.errors.append(_("No one is registered with this number."))
        else:
            try:
                grant_role(current_user, person, form.role.data, target)
            except Refused as refused:
                show_on(form, refused)
            else:
                flash(_("%(name)s is now %(role)s.", name=person.name,
                        role=ROLE_LABELS[form.role.data]), "success")
                return redirect(request.path, 303)
    return _roles_page(target, form, status=422)


@bp.route("/roles/place/<int:place_id>", methods=["GET", "POST"])
@login_required
def place_roles(place_id):
    place = load(Place, place_id, allowed=may_grant_at)
    return _grant(place) if request.method == "POST" else _roles_page(place)


@bp.route("/roles/organization/<int:organization_id>", methods=["GET", "POST"])
@login_required
def organization_roles(organization_id):
    organization = load(Organization, organization_id, allowed=may_grant_at)
    return _grant(organization) if request.method == "POST" else _roles_page(organization)


@bp.post("/roles/<int:grant_id>/revoke")
@login_required
def revoke(grant_id):
    grant = load(RoleGrant, grant_id, allowed=may_revoke)
    EmptyForm().validate_on_submit() or abort(400)
    target = grant.target
    try:
        revoke_role(current_user, grant)
    except Refused as refused:
        flash(refused.message, "error")
    else:
        flash(_("The role was taken back."), "success")
    endpoint, key = (("accounts.organization_roles", "organization_id")
                     if isinstance(target, Organization) else ("accounts.place_roles", "place_id"))
    return redirect(url_for(endpoint, **{key: target.id}), 303)


# The counter's search, 代办 and kiosk PINs (and the hook that acts for a resident).
from portal.accounts.counter import counter_page  # noqa: E402
