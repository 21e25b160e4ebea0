"""Opinion collections: answering (residents), opening, editing, paper answers, closing and
results (leaders and workers)."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.people import find_by_mobile
from portal.accounts.permissions import load, require_that, shown_mobile
from portal.courtyards import bp, collections
from portal.courtyards.collection_forms import (
    CollectionForm,
    PaperBase,
    answer_form,
    fill_from,
    show_refusal,
)
from portal.courtyards.models import Collection
from portal.forms import EmptyForm, options
from portal.places.models import Place
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, to_local, utcnow


def _managed(collection_id):
    return load(Collection, collection_id, allowed=collections.may_manage)


def _collection_page(collection, form=None, status=200, recorded=None):
    now = utcnow()
    collections.with_questions(collection)
    mine = collections.answer_of(collection, current_user)
    if form is None:
        form = answer_form(collection, answer=mine)
    return render("courtyards/collection.html", block="answer_panel", status=status,
                  collection=collection, form=form, answer=mine, recorded=recorded,
                  why_not=collections.why_not_eligible(collection, current_user),
                  is_open=collections.is_open(collection, now),
                  is_closed=collections.is_closed(collection, now),
                  manager=collections.may_manage(current_user, collection),
                  results_visible=collections.results_visible(collection, now),
                  last_day=collections.last_day(collection), close_form=EmptyForm())


@bp.route("/collections/<int:collection_id>", methods=["GET", "POST"])
@login_required
def collection(collection_id):
    collection = load(Collection, collection_id, allowed=collections.may_see)
    if request.method == "GET":
        return _collection_page(collection)
    # Only those who live there answer: anyone else is refused before the answer is read.
    require_that(collections.why_not_eligible(collection, current_user)
                 != "collection_not_resident")
    form = answer_form(collection)
    if not form.validate_on_submit():
        return _collection_page(collection, form=form, status=422)
    choices, texts = form.answers(collection)
    try:
        outcome = collections.answer(collection, current_user, choices, texts, utcnow())
    except Refused as refused:
        show_on(form, refused)
        return _collection_page(collection, form=form, status=422)
    if outcome.replaced_user is not None:
        message = _("Your answer is recorded. It replaces the answer %(name)s gave for your "
                    "household.", name=outcome.replaced_user.name)
    else:
        message = _("Your answer is recorded.")
    if request.htmx:
        return _collection_page(collection, recorded=message)
    flash(message, "success")
    return redirect(url_for("courtyards.collection", collection_id=collection.id), 303)


def _collection_form_page(form, place, collection=None, status=200):
    return render("courtyards/collection_new.html", form=form, place=place,
                  collection=collection, status=status,
                  answered=collection is not None and collections.has_answers(collection))


def _more_questions(form):
    """The "another question" button: one more box, nothing saved."""
    if "add_question" in request.form and len(form.questions) < collections.MAX_QUESTIONS:
        form.questions.append_entry()
        return True
    return False


@bp.route("/places/<int:place_id>/collections/new", methods=["GET", "POST"])
@login_required
def collection_new(place_id):
    place = load(Place, place_id, allowed=collections.may_open)
    form = CollectionForm()
    if request.method == "GET":
        form.opens_on.data = local_today()
    if _more_questions(form):
        return _collection_form_page(form, place)
    if not form.validate_on_submit():
        return _collection_form_page(form, place, status=422 if form.errors else 200)
    opens_at, closes_at = form.window()
    try:
        collection = collections.open_collection(
            current_user, place, form.title.data, form.description.data, form.drafts(),
            form.voters.data, opens_at, closes_at, form.live_results.data, utcnow())
    except Refused as refused:
        show_refusal(form, refused)
        return _collection_form_page(form, place, status=422)
    flash(_("The collection is open."), "success")
    return redirect(url_for("courtyards.collection", collection_id=collection.id), 303)


@bp.route("/collections/<int:collection_id>/edit", methods=["GET", "POST"])
@login_required
def collection_edit(collection_id):
    collection = _managed(collection_id)
    form = CollectionForm(obj=collection if request.method == "GET" else None)
    if request.method == "GET":
        form.opens_on.data = to_local(collection.opens_at).date()
        form.closes_on.data = collections.last_day(collection)
        fill_from(form, collection)
    if _more_questions(form):
        return _collection_form_page(form, collection.place, collection)
    if not form.validate_on_submit():
        return _collection_form_page(form, collection.place, collection,
                                     status=422 if form.errors else 200)
    opens_at, closes_at = form.window()
    try:
        collections.edit_collection(
            current_user, collection, form.title.data, form.description.data, form.drafts(),
            form.voters.data, opens_at, closes_at, form.live_results.data, utcnow())
    except Refused as refused:
        show_refusal(form, refused)
        return _collection_form_page(form, collection.place, collection, status=422)
    flash(_("The collection is changed."), "success")
    return redirect(url_for("courtyards.collection", collection_id=collection.id), 303)


@bp.post("/collections/<int:collection_id>/close")
@login_required
def collection_close(collection_id):
    collection = _managed(collection_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        collections.close(collection, current_user, utcnow())
    except Refused as refused:
        flash(refused.message, "error")
        return redirect(url_for("courtyards.collection", collection_id=collection.id), 303)
    flash(_("The collection is closed and its results are written."), "success")
    return redirect(url_for("courtyards.collection_results", collection_id=collection.id), 303)


@bp.get("/collections/<int:collection_id>/results")
@login_required
def collection_results(collection_id):
    collection = load(Collection, collection_id, allowed=collections.may_see)
    now = utcnow()
    visible = collections.results_visible(collection, now)
    outcome = collections.results(collection) if visible else None
    by_courtyard = (collections.results_by_courtyard(collection)
                    if visible and collection.place.kind != "courtyard" else None)
    return render("courtyards/collection_results.html", collection=collection,
                  outcome=outcome, by_courtyard=by_courtyard,
                  last_day=collections.last_day(collection),
                  is_closed=collections.is_closed(collection, now))


def _paper_page(collection, form, residents, status=200, recorded=None):
    return render("courtyards/collection_paper.html", collection=collection, form=form,
                  residents=residents, status=status, recorded=recorded)


def _paper_form(collection, residents):
    form = answer_form(collection, base=PaperBase)
    form.resident.choices = options([("", _("Choose a resident"))] + [
        (person.id, f"{person.name} {shown_mobile(person)}") for person in residents])
    return form


@bp.route("/collections/<int:collection_id>/paper", methods=["GET", "POST"])
@login_required
def collection_paper(collection_id):
    collection = _managed(collection_id)
    residents = collections.residents_for_paper(current_user, collection)
    form = _paper_form(collection, residents)
    if request.method == "GET":
        return _paper_page(collection, form, residents)
    if not form.validate_on_submit():
        return _paper_page(collection, form, residents, status=422)
    resident = None
    if form.mobile.data:
        resident = find_by_mobile(form.mobile.data)
        if resident is None:
            form.mobile.errors = [*form.mobile.errors,
                                  _("No one is registered with this number.")]
            return _paper_page(collection, form, residents, status=422)
    elif form.resident.data:
        resident = next((p for p in residents if p.id == form.resident.data), None)
    if resident is None:
        form.resident.errors = [*form.resident.errors,
                                _("Choose the resident, or enter their mobile number.")]
        return _paper_page(collection, form, residents, status=422)
    choices, texts = form.answers(collection)
    try:
        collections.record_paper_answer(current_user, collection, resident, choices, texts,
                                        utcnow(), channel=form.channel.data)
    except Refused as refused:
        show_on(form, refused, field="resident")
        return _paper_page(collection, form, residents, status=422)
    flash(_("The answer of %(name)s is recorded.", name=resident.name), "success")
    return redirect(url_for("courtyards.collection_paper", collection_id=collection.id), 303)

