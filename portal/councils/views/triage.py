"""Triage 三事分流 for workers and conveners: the queue, the handling page of a request and
the moves its forms post to (each its own route); the requester's withdraw; reply templates
of a community."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from portal.accounts.permissions import load, places_where, require_that
from portal.councils import access, bp, handling, listing, triage
from portal.councils.models import Council, Department, ReplyTemplate, Request
from portal.councils.triage_forms import QueueForm, TemplateForm, handling_forms
from portal.councils.words import (
    CATEGORY_LABELS,
    CLASS_LABELS,
    CLASS_SHORT,
    OUTCOME_LABELS,
    STATE_LABELS,
)
from portal.extensions import db
from portal.forms import EmptyForm, options
from portal.places.models import Place, within
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.servicemap.models import ServicePoint
from portal.timeutil import local_today, utcnow
from portal.urls import paginate, safe_next

PER_PAGE = 20


# --- the queue ---

def _queue_courtyards(user):
    """The courtyards of the communities the user works at, for the filter."""
    communities = [p for p in places_where(user, "community_worker") if p.kind == "community"]
    if not communities:
        return []
    return db.session.scalars(select(Place).where(
        Place.kind == "courtyard", or_(*[within(c) for c in communities]))
        .order_by(Place.name)).all()


@bp.get("/triage", endpoint="triage")
@login_required
def triage_queue():
    today = local_today()
    require_that(triage.may_use_queue(current_user, today))
    courtyards = _queue_courtyards(current_user)
    form = QueueForm(formdata=request.args)
    form.courtyard.choices = options([("", _("Any"))] + [(c.id, c.name) for c in courtyards])
    form.validate()
    courtyard = next((c for c in courtyards if c.id == form.chosen("courtyard")), None)
    page = paginate(triage.queue(current_user, today, state=form.chosen("state"),
                                 klass=form.chosen("klass"), category=form.chosen("category"),
                                 courtyard=courtyard), PER_PAGE)
    communities = [p for p in places_where(current_user, "community_worker")
                   if p.kind == "community"][:3]
    districts = {c.ancestor("district") for c in communities} - {None}
    return render("councils/triage.html", form=form, page=page, today=today,
                  overdue=triage.overdue_count(current_user, today),
                  times=[(c, listing.response_times(c, utcnow(), public_only=False))
                         for c in communities],
                  districts=sorted(districts, key=lambda d: d.name),
                  state_labels=STATE_LABELS, class_labels=CLASS_SHORT,
                  category_labels=CATEGORY_LABELS)


# --- handling one request ---

def _sorted_by_me(request_id):
    """A request the current user sorts: 404 when there is none, else 403 unless they may."""
    return load(Request, request_id, allowed=lambda user, item: access.may_triage(user, item))


def _handle_page(item, forms=None, opened=None, status=200):
    return render("councils/triage_request.html", item=item, status=status,
                  c=handling.context(item, forms, opened), state_labels=STATE_LABELS,
                  class_labels=CLASS_LABELS, outcome_labels=OUTCOME_LABELS,
                  category_labels=CATEGORY_LABELS)


@bp.get("/requests/<int:request_id>/handle")
@login_required
def handle(request_id):
    return _handle_page(_sorted_by_me(request_id))


def _back_to(item):
    """Where the form was sent from (the request's page or the handling page)."""
    if request.form.get("next"):
        return safe_next()
    return url_for("councils.handle", request_id=item.id)


def _template_words(form, item):
    """The chosen template's words, if it is one of those offered (else None)."""
    offered = {choice.value for choice in form.template.choices or []}
    if form.template.data not in offered or form.template.data is None:
        return None
    template = db.session.get(ReplyTemplate, form.template.data)
    return template.text if template is not None else None


def _move(item, name, act, done):
    """Take the handling move ``name`` with its posted form: re-render with what was
    typed (422) when it is refused, else flash ``done`` and go back."""
    forms = handling.offer(handling_forms(posted=name), item, utcnow())
    form = forms[name]
    if getattr(form, "use_template", None) is not None and form.use_template.data:
        words = _template_words(form, item)
        target = form.reason if name == "close" else form.text
        if words is not None:
            target.data = words
        return _handle_page(item, forms, opened=name)
    if not form.validate_on_submit():
        return _handle_page(item, forms, opened=name, status=422)
    try:
        act(form)
    except Refused as refused:
        show_on(form, refused)
        return _handle_page(item, forms, opened=name, status=422)
    flash(done, "success")
    return redirect(_back_to(item), 303)


@bp.post("/requests/<int:request_id>/refer")
@login_required
def refer(request_id):
    item = _sorted_by_me(request_id)
    return _move(item, "refer", lambda form: triage.refer(
        item, current_user, db.session.get(Department, form.department.data)
        if form.department.data else None, form.due_on.data, form.text.data, utcnow()),
        _("Referred to the department. The residents are told."))


@bp.post("/requests/<int:request_id>/to-council")
@login_required
def to_council(request_id):
    item = _sorted_by_me(request_id)
    return _move(item, "to_council", lambda form: triage.to_council(
        item, current_user, db.session.get(Council, form.council.data)
        if form.council.data else None, form.text.data, utcnow()),
        _("Put to the council. The residents are told."))


@bp.post("/requests/<int:request_id>/guide")
@login_required
def guide(request_id):
    item = _sorted_by_me(request_id)

    def act(form):
        points = db.session.scalars(select(ServicePoint).where(
            ServicePoint.id.in_(form.points.data or []))).all()
        triage.guide(item, current_user, form.text.data, points, utcnow())

    return _move(item, "guide", act, _("Guidance given. The residents are told."))


@bp.post("/requests/<int:request_id>/reply")
@login_required
def reply(request_id):
    item = _sorted_by_me(request_id)
    return _move(item, "reply", lambda form: triage.record_reply(
        item, current_user, form.text.data, utcnow()),
        _("The department's answer is recorded. The residents are told."))


@bp.post("/requests/<int:request_id>/close")
@login_required
def close(request_id):
    item = _sorted_by_me(request_id)
    return _move(item, "close", lambda form: triage.close(
        item, current_user, form.outcome.data, form.reason.data, utcnow()),
        _("The request is closed. The residents are asked whether it was solved."))


@bp.post("/requests/<int:request_id>/duplicate")
@login_required
def duplicate(request_id):
    item = _sorted_by_me(request_id)
    return _move(item, "duplicate", lambda form: triage.mark_duplicate(
        item, triage.find_original(item, form.original.data), current_user, utcnow()),
        _("Closed as the same as the other request; its supporters were moved there."))


def _button(item, act, done):
    """A move without words (a button): flash what happened or why not, and go back."""
    EmptyForm().validate_on_submit() or abort(400)
    try:
        act()
    except Refused as refused:
        flash(refused.message, "error")
    else:
        flash(done, "success")
    return redirect(_back_to(item), 303)


@bp.post("/requests/<int:request_id>/carry-out")
@login_required
def carry_out(request_id):
    item = _sorted_by_me(request_id)
    return _button(item, lambda: triage.carry_out(item, current_user, utcnow()),
                   _("Marked as being carried out. The residents are told."))


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id):
    item = load(Request, request_id,
                allowed=lambda user, row: user.id == row.requester_id)
    return _button(item, lambda: triage.withdraw(item, current_user, utcnow()),
                   _("Your request is withdrawn."))


# --- reply templates ---

def _kept_community(place_id):
    community = load(Place, place_id)
    if community.kind != "community":
        abort(404)
    require_that(triage.may_keep_templates(current_user, community))
    return community


def _templates_page(community, form=None, status=200):
    rows = db.session.scalars(select(ReplyTemplate).where(
        ReplyTemplate.place_id.in_(community.lineage_ids))
        .order_by(ReplyTemplate.klass, ReplyTemplate.title)).all()
    return render("councils/reply_templates.html", community=community, rows=rows,
                  form=form or TemplateForm(formdata=None), remove=EmptyForm(),
                  class_labels=CLASS_LABELS, status=status)


@bp.route("/communities/<int:place_id>/reply-templates", methods=["GET", "POST"])
@login_required
def reply_templates(place_id):
    community = _kept_community(place_id)
    if request.method == "GET":
        return _templates_page(community)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _templates_page(community, form, status=422)
    try:
        triage.add_template(current_user, community, form.klass.data, form.title.data,
                            form.text.data)
    except Refused as refused:
        show_on(form, refused)
        return _templates_page(community, form, status=422)
    flash(_("The template is kept."), "success")
    return redirect(url_for("councils.reply_templates", place_id=community.id), 303)


@bp.post("/reply-templates/<int:template_id>/remove")
@login_required
def reply_template_remove(template_id):
    template = load(ReplyTemplate, template_id,
                    allowed=lambda user, row: triage.may_keep_templates(user, row.place))
    EmptyForm().validate_on_submit() or abort(400)
    community = template.place if template.place.kind == "community" else None
    triage.remove_template(current_user, template)
    flash(_("The template is removed."), "success")
    if community is None:
        return redirect(url_for("councils.triage"), 303)
    return redirect(url_for("councils.reply_templates", place_id=community.id), 303)

