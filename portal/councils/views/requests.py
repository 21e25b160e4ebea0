"""What residents do with requests: raise one (or a leader writes one down for a neighbour),
read its page and timeline, say 我也遇到, see their own, answer 问题解决了吗？."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, union
from sqlalchemy.orm import selectinload

from portal.accounts.models import ROLE_LABELS
from portal.accounts.permissions import load, require_that
from portal.councils import (  # noqa: F401  (at_home registers the home section)
    access,
    at_home,
    bp,
    listing,
    requests,
    satisfaction,
    states,
    words,
)
from portal.councils.models import Request, RequestEvent, RequestPhoto, RequestSupport
from portal.councils.request_forms import RecordForm, RequestForm, SatisfactionForm
from portal.councils.words import SATISFACTION_LABELS
from portal.extensions import db
from portal.forms import EmptyForm
from portal.photos import photo_response
from portal.places.models import Place, within
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.sections import sections_for
from portal.timeutil import local_today, utcnow
from portal.urls import paginate, takes_uploads

PER_PAGE = 20
# The photo never changes once kept; only those who may see the request get it.


def _visible(request_id):
    """The request, if the current user may see it. A private request is a 404 to anyone
    else (not a 403): saying it exists would already tell a neighbour that someone in the
    courtyard complained privately."""
    row = load(Request, request_id)
    if not access.may_see(current_user, row):
        abort(404)
    return row


def _buildings(courtyard):
    return db.session.scalars(select(Place).where(
        Place.kind == "building", within(courtyard)).order_by(Place.name)).all()


# --- raising a request ---

def _form_page(template, form, courtyard, typed="", status=200, **context):
    """The form page with "是这个问题吗？" (the block alone for htmx, refreshed as one types)."""
    similar = requests.suggestions(courtyard, typed)
    return render(template, block="similar", form=form, courtyard=courtyard, similar=similar,
                  typed=typed, support_form=EmptyForm(formdata=None), status=status,
                  **context)


def _chosen_building(form):
    if "building" not in form or form.building.data is None:
        return None
    return db.session.get(Place, form.building.data)


def _submitted(request_row, recorded=False):
    message = (_("Request No. %(number)s is written down for your neighbour. A community "
                 "worker will sort it, and they will be told at each step.",
                 number=request_row.number) if recorded else
               _("Thank you. Your request is No. %(number)s. A community worker will sort it "
                 "within a few working days; you will be told at each step in My messages.",
                 number=request_row.number))
    flash(message, "success")
    return redirect(url_for("councils.request", request_id=request_row.id), 303)


@bp.route("/requests/new", methods=["GET", "POST"])
@takes_uploads
@login_required
def new_request():
    courtyard = current_user.home_courtyard
    require_that(courtyard is not None)
    form = RequestForm()
    form.offer_buildings(_buildings(courtyard))
    if form.validate_on_submit():
        try:
            row = requests.submit(current_user, courtyard, form.category.data, form.body.data,
                                  utcnow(), building=_chosen_building(form),
                                  public=form.public.data == "yes",
                                  photo=form.uploaded_photo())
        except Refused as refused:
            show_on(form, refused, field="body")
        else:
            return _submitted(row)
    # With JavaScript, typing refreshes "是这个问题吗？" (this page's "similar" block).
    form.body.render_kw = {**form.body.render_kw, "hx-get": url_for("councils.new_request"),
                           "hx-trigger": "keyup changed delay:500ms",
                           "hx-target": "#similar", "hx-swap": "outerHTML"}
    typed = form.body.data if form.is_submitted() else request.args.get("body", "")[:200]
    return _form_page("councils/request_new.html", form, courtyard, typed=typed or "",
                      status=422 if form.errors else 200)


@bp.route("/requests/record", methods=["GET", "POST"])
@takes_uploads
@login_required
def record_request():
    require_that(requests.may_record(current_user))
    form = RecordForm()
    del form.building  # the neighbour's courtyard is known only from their number
    if form.validate_on_submit():
        try:
            neighbour = requests.neighbour_by_mobile(current_user, form.mobile.data)
            row = requests.submit(neighbour, neighbour.home_courtyard, form.category.data,
                                  form.body.data, utcnow(), public=form.public.data == "yes",
                                  photo=form.uploaded_photo(), recorded_by=current_user)
        except Refused as refused:
            show_on(form, refused, field="body")
        else:
            return _submitted(row, recorded=True)
    return render("councils/request_record.html", form=form,
                  status=422 if form.errors else 200)


# --- the request's page ---

def _request_page(row, answer_form=None, status=200):
    today = local_today()
    ask = satisfaction.current_ask(row)
    asked = ask is not None and satisfaction.is_asked(current_user, row)
    given = satisfaction.answer_of(current_user, row, ask) if asked else None
    events = db.session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == row.id)
        .options(selectinload(RequestEvent.actor)).order_by(RequestEvent.id)).all()
    has_photo = db.session.scalar(
        select(RequestPhoto.id).where(RequestPhoto.request_id == row.id)) is not None
    return render(
        "councils/request.html", req=row, words=words, role_labels=ROLE_LABELS,
        events=events, has_photo=has_photo,
        today=today, age=listing.age_days(row, today),
        overdue=states.is_overdue(row, today),
        may_support=requests.may_support(current_user, row),
        supported=requests.has_supported(current_user, row),
        ask=ask if asked and given is None else None, given=given,
        answer_form=answer_form or SatisfactionForm(formdata=None),
        answer_labels=SATISFACTION_LABELS, support_form=EmptyForm(formdata=None),
        sections=sections_for("request", row), status=status)


@bp.get("/requests/<int:request_id>", endpoint="request")  # what messages link to
def show_request(request_id):
    return _request_page(_visible(request_id))


@bp.get("/requests/<int:request_id>/photo")
def request_photo(request_id):
    row = _visible(request_id)
    photo = db.session.scalar(select(RequestPhoto).where(RequestPhoto.request_id == row.id))
    if photo is None:
        abort(404)
    return photo_response(photo.data, photo.mimetype)


@bp.post("/requests/<int:request_id>/support")
@login_required
def support_request(request_id):
    row = _visible(request_id)
    require_that(requests.may_support(current_user, row))
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        added = requests.support(row, current_user, utcnow())
    except Refused as refused:  # the request changed between the check and now
        flash(refused.message, "error")
        return redirect(url_for("councils.request", request_id=row.id), 303)
    flash(_("Thank you. You will be told at each step of this request.") if added
          else _("You have already said you have this problem."), "success")
    return redirect(url_for("councils.request", request_id=row.id), 303)


@bp.post("/requests/<int:request_id>/answer")
@login_required
def answer_request(request_id):
    row = _visible(request_id)
    require_that(satisfaction.is_asked(current_user, row))
    form = SatisfactionForm()
    if form.validate_on_submit():
        try:
            satisfaction.answer(row, current_user, satisfaction.current_ask(row),
                                form.answer.data, form.words.data, utcnow())
        except Refused as refused:
            show_on(form, refused, field="answer")
        else:
            flash(_("Thank you for your answer."), "success")
            return redirect(url_for("councils.request", request_id=row.id), 303)
    return _request_page(row, answer_form=form, status=422)


# --- mine ---

@bp.get("/requests/mine")
@login_required
def my_requests():
    # Two indexed lookups joined, not one OR: PostgreSQL answers an OR across a column and a
    # subquery by reading every request of the city (130 ms at full scale).
    mine = union(select(Request.id).where(Request.requester_id == current_user.id),
                 select(RequestSupport.request_id).where(
                     RequestSupport.user_id == current_user.id))
    page = paginate(select(Request).where(Request.id.in_(mine))
                    .order_by(Request.updated_at.desc(), Request.id.desc()), PER_PAGE)
    return render("councils/mine.html", page=page, today=local_today(), words=words,
                  may_record=requests.may_record(current_user))
