"""The kiosks' pages: enrolment and revoking (community workers), and on an enrolled kiosk its
home screen, signing in with the number pad, today's activities and check-in, and the reset.

Kiosk mode itself is set before every request by ``enter_kiosk_mode``: ``g.kiosk``, no
downloads, the ordinary sign-in page replaced by the pad, and a signed-in kiosk left alone for
longer than the idle warning allows signed out on the server too (without script)."""

import time

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts.people import find_by_mobile
from portal.accounts.permissions import load, mask_name, places_where, require_that
from portal.errors import error_page
from portal.extensions import db, limiter
from portal.forms import EmptyForm
from portal.kiosks import bp, checkin, enrolment
from portal.kiosks.forms import EnrolForm, PadForm
from portal.kiosks.models import Kiosk
from portal.kiosks.pad import KEYS, Pad, digits
from portal.kiosks.pins import pin_matches
from portal.refusals import Refused
from portal.rendering import render
from portal.servicemap.models import ServicePoint
from portal.timebank.models import Activity
from portal.timeutil import utcnow
from portal.urls import paginate, safe_next

IDLE_KEY = "kiosk_touched"  # when this kiosk session last sent a request (epoch seconds)
DOWNLOAD_SUFFIXES = (".csv", ".ics", ".xlsx")
DOWNLOAD_ENDPOINTS = frozenset({"timebank.export_records"})
KIOSKS_PER_PAGE = 30


# --- kiosk mode, before every request ---

def _settings():
    return current_app.config["PORTAL"]


def is_download():
    endpoint = request.endpoint or ""
    return (request.path.endswith(DOWNLOAD_SUFFIXES) or endpoint in DOWNLOAD_ENDPOINTS
            or endpoint.endswith(("_csv", "_ics", "_xlsx", "_calendar")))


def clear_kiosk_session():
    """Sign out and forget everything this kiosk's session held."""
    logout_user()
    session.clear()


def enter_kiosk_mode():
    if request.endpoint == "static":
        return None
    kiosk = enrolment.current_kiosk()
    if kiosk is None:
        return None
    g.kiosk = kiosk
    enrolment.seen(kiosk, utcnow())
    if is_download():
        return error_page(403, _("Nothing can be downloaded at this screen. Scan the code "
                                 "under “Continue on your phone” to get it on your phone."))
    if current_user.is_authenticated:
        touched = session.get(IDLE_KEY)
        allowed = _settings()["KIOSK_IDLE_SECONDS"] + _settings()["KIOSK_WARNING_SECONDS"]
        if not isinstance(touched, int | float) or time.time() - touched > allowed:
            clear_kiosk_session()
            flash(_("The screen was left alone, so it signed out and cleared everything."),
                  "info")
            return redirect(url_for("kiosks.home"), 303)
        session[IDLE_KEY] = int(time.time())
    if request.endpoint == "accounts.login":
        # No keyboard here: the number pad instead of the password form.
        return redirect(url_for("kiosks.sign_in", next=request.args.get("next")), 303)
    return None


def no_store_on_kiosks(response):
    """Nothing a kiosk shows is kept in its cache: the back button after a reset shows
    nothing (signed-in pages already say so; the pad's pages hold typed digits)."""
    if g.get("kiosk") is not None and request.endpoint != "static":
        response.cache_control.no_store = True
        response.cache_control.private = True
        response.cache_control.public = None
        response.cache_control.max_age = None
    return response


bp.before_app_request(enter_kiosk_mode)
bp.after_app_request(no_store_on_kiosks)


def _kiosk_here():
    """This kiosk, or 404 on an ordinary browser."""
    kiosk = g.get("kiosk")
    if kiosk is None:
        abort(404)
    return kiosk


# --- enrolment (a worker of the point's community) ---

def _manage_page(form, status=200):
    form.set_points(enrolment.enrollable_points(current_user))
    return render("kiosks/manage.html", form=form, revoke_form=EmptyForm(),
                  kiosks=paginate(enrolment.kept_by(current_user), KIOSKS_PER_PAGE),
                  this_kiosk=g.get("kiosk"), status=status)


@bp.get("/manage")
@login_required
def manage():
    """The kiosks of my communities, and enrolling the screen in front of me as one."""
    require_that(places_where(current_user, "community_worker"))
    return _manage_page(EnrolForm(formdata=None))


@bp.post("/enrol")
@login_required
def enrol():
    require_that(places_where(current_user, "community_worker"))
    form = EnrolForm()
    form.set_points(enrolment.enrollable_points(current_user))
    if form.validate_on_submit():
        point = load(ServicePoint, form.point.data, allowed=enrolment.may_enrol_at)
        kiosk = enrolment.enrol(current_user, point, form.name.data, utcnow())
        # The worker leaves the screen ready for residents: signed out, a kiosk now.
        clear_kiosk_session()
        flash(_("This screen is now the kiosk “%(name)s” at %(point)s.", name=kiosk.name,
                point=point.name), "success")
        return enrolment.set_cookie(redirect(url_for("kiosks.home"), 303), kiosk)
    return _manage_page(form, status=422)


@bp.post("/<int:kiosk_id>/revoke")
@login_required
def revoke(kiosk_id):
    kiosk = load(Kiosk, kiosk_id, allowed=enrolment.may_keep)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        enrolment.revoke(current_user, kiosk, utcnow())
    except Refused as refused:
        flash(refused.message, "error")
    else:
        flash(_("The kiosk “%(name)s” is taken out of use.", name=kiosk.name), "success")
    return redirect(url_for("kiosks.manage"), 303)


# --- on a kiosk ---

@bp.get("/")
def home():
    kiosk = g.get("kiosk")
    if kiosk is None:
        return redirect(url_for("main.home"))
    return render("kiosks/home.html", kiosk=kiosk, point=kiosk.service_point)


@bp.get("/today")
def today():
    kiosk = g.get("kiosk")
    if kiosk is None:
        return redirect(url_for("main.home"))
    activities = db.session.scalars(
        checkin.todays_activities(kiosk.service_point, utcnow())).all()
    return render("kiosks/today.html", kiosk=kiosk, activities=activities,
                  form=EmptyForm())


@bp.post("/reset")
def reset():
    """Sign out and clear everything (the idle countdown's end, or 退出)."""
    _kiosk_here()
    EmptyForm().validate_on_submit() or abort(400)
    clear_kiosk_session()
    return redirect(url_for("kiosks.home"), 303)


# --- the number pad: signing in, checking in ---
#
# Wrong PINs are counted per mobile number (from every kiosk) and per kiosk by Flask-Limiter,
# only when the view marks the request as one (``g.wrong_pin``).

def _limit(name):
    return lambda: _settings()[name]


def _per_number():
    return f"kiosk-pin:{digits(request.form.get('mobile'), 11)}"


def _per_kiosk():
    kiosk = enrolment.current_kiosk()
    return f"kiosk-pin-at:{kiosk.id if kiosk else get_remote_address()}"


def _was_wrong(_response):
    return g.get("wrong_pin", False)


def _wait(limit):
    from datetime import timedelta

    return format_timedelta(timedelta(seconds=max(1, round(limit.reset_at - time.time()))))


def _pad_page(pad, refusal=None, activity=None, status=200):
    return render("kiosks/pad.html", pad=pad, form=PadForm(formdata=None), keys=KEYS,
                  refusal=refusal, activity=activity, next=request.values.get("next", ""),
                  status=status)


def _typed_pad():
    return Pad.read(request.form.get("mobile"), request.form.get("pin"), request.form.get("step"))


def _refused(message):
    def answer(limit):
        if "courtyard" not in g:
            from portal.layout import load_place_context

            load_place_context()
        activity_id = (request.view_args or {}).get("activity_id")
        activity = db.session.get(Activity, activity_id) if activity_id else None
        return _pad_page(_typed_pad().wrong(), refusal=message(_wait(limit)), activity=activity,
                         status=429)

    return answer


def _number_locked(wait):
    return _("Too many wrong PINs for this number. Try again in %(wait)s, sign in on your "
             "phone with your password, or ask at the counter.", wait=wait)


def _kiosk_locked(wait):
    return _("Too many wrong PINs at this screen. Try again in %(wait)s or ask at the "
             "counter.", wait=wait)


def _pin_limits(view):
    view = limiter.limit(_limit("KIOSK_PIN_LIMIT_PER_KIOSK"), methods=["POST"],
                         key_func=_per_kiosk, deduct_when=_was_wrong,
                         on_breach=_refused(_kiosk_locked))(view)
    return limiter.limit(_limit("KIOSK_PIN_LIMIT_PER_ACCOUNT"), methods=["POST"],
                         key_func=_per_number, deduct_when=_was_wrong,
                         on_breach=_refused(_number_locked))(view)


def _wrong_pin(pad):
    g.wrong_pin = True
    pad.wrong()
    return _("The mobile number or the PIN is not right. No PIN yet? Choose one in “My "
             "account” on your phone, or at the counter.")


def _pressed(form):
    """The pad after this request's key (a GET starts empty)."""
    pad = _typed_pad()
    if form.validate_on_submit():
        pad.press(form.key.data or "")
    elif request.method == "POST":
        abort(400)
    return pad


@bp.route("/sign-in", methods=["GET", "POST"])
@_pin_limits
def sign_in():
    if g.get("kiosk") is None:
        if request.method == "POST":
            abort(404)
        return redirect(url_for("accounts.login", next=request.args.get("next")))
    if current_user.is_authenticated:
        return redirect(safe_next("kiosks.home"), 303)
    pad = _pressed(PadForm())
    if not pad.ready:
        return _pad_page(pad)
    user = find_by_mobile(pad.mobile)
    if not pin_matches(user, pad.pin):
        return _pad_page(pad, refusal=_wrong_pin(pad), status=422)
    session.clear()  # a fresh session for the person, nothing of the one before
    login_user(user, remember=False)
    session[IDLE_KEY] = int(time.time())
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    return redirect(safe_next("kiosks.home"), 303)


@bp.route("/activities/<int:activity_id>/check-in", methods=["GET", "POST"])
@_pin_limits
def check_in(activity_id):
    """A volunteer arriving for today's activity here checks in: mobile number and PIN (or
    one button when they are signed in at this kiosk)."""
    kiosk = _kiosk_here()
    activity = load(Activity, activity_id,
                    allowed=lambda _user, a: a.service_point_id == kiosk.service_point_id)
    pad = _pressed(PadForm())
    volunteer = None
    if current_user.is_authenticated and request.form.get("key") == "me":
        volunteer = current_user
    elif pad.ready:
        volunteer = find_by_mobile(pad.mobile)
        if not pin_matches(volunteer, pad.pin):
            return _pad_page(pad, refusal=_wrong_pin(pad), activity=activity, status=422)
    if volunteer is None:
        return _pad_page(pad, activity=activity)
    try:
        checkin.check_in(kiosk, volunteer, activity, utcnow())
    except Refused as refused:
        return _pad_page(pad.wrong(), refusal=refused.message, activity=activity, status=422)
    flash(_("%(name)s, you are checked in for %(activity)s. Thank you!",
            name=mask_name(volunteer.name), activity=activity.title), "success")
    return redirect(url_for("kiosks.today"), 303)
