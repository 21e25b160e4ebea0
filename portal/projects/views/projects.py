"""A project's public page (its origin, funding and leverage, call, progress, payments,
acceptance and satisfaction), the list of a community's projects, making one, the POST
routes of its later steps (a payment perhaps out of a community fund) and a progress report's
photo. The page is built by one function, for the GET and for every form
sent back with 422."""

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.accounts.permissions import get_or_404, load, require_that
from portal.councils.decisions import yuan
from portal.councils.models import Decision
from portal.extensions import db
from portal.forms import EmptyForm
from portal.funds.models import Fund
from portal.photos import photo_response
from portal.places.models import Place
from portal.projects import bp, calls, projects
from portal.projects.forms import (
    AcceptForm,
    CancelForm,
    PaymentForm,
    ProgressForm,
    ProjectForm,
    ResultForm,
    SatisfactionForm,
)
from portal.projects.models import ProgressReport, Project, ProjectTask
from portal.publicity import views as publicity_views
from portal.publicity.models import Publication
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, utcnow
from portal.urls import paginate, query_id, takes_uploads

PER_PAGE = 20
REPORTS_SHOWN = 5
# A progress photo never changes once kept (as a request's photo: no shared caches).


def _forms_for(project, sent):
    """The forms the current user may use on the project's page: those just sent (with
    their errors), else empty ones."""
    user, forms = current_user, {}
    if projects.may_report(user, project) and projects.allowed(project, "report"):
        forms["progress_form"] = ProgressForm(formdata=None)
        forms["progress_form"].offer(project.tasks)
    if projects.may_keep(user, project):
        if projects.allowed(project, "pay"):
            forms["payment_form"] = PaymentForm(formdata=None)
            forms["payment_form"].offer(projects.payable_funds(project))
            forms["payment_form"].start()
        if projects.allowed(project, "accept"):
            forms["accept_form"] = AcceptForm(formdata=None)
        if projects.allowed(project, "cancel"):
            forms["cancel_form"] = CancelForm(formdata=None)
        if project.stage == "accepted" and project.result_publication_id is None:
            forms["result_form"] = ResultForm(formdata=None)
            forms["result_form"].start_window(local_today())
    if (project.stage == "accepted" and projects.may_answer(user, project)
            and projects.answer_of(user, project) is None):
        forms["satisfaction_form"] = SatisfactionForm(formdata=None)
    forms.update(sent)
    return forms


def _project_page(project, status=200, **sent):
    now = utcnow()
    call = calls.call_of(project)
    decision = db.session.get(Decision, project.decision_id) if project.decision_id else None
    result = db.session.get(Publication, project.result_publication_id) \
        if project.result_publication_id else None
    leverage = projects.leverage(project)
    return render(
        "projects/project.html", project=project, decision=decision, call=call,
        bid_count=calls.bid_count(call) if call else 0,
        call_open=calls.is_open(call, now) if call else False,
        total=projects.funding_total(project), leverage=leverage,
        match=projects.match_line(project), percent=projects.percent(project),
        reports=projects.reports(project, most=REPORTS_SHOWN),
        photographed=projects.photographed(project), payments=projects.payments(project),
        payment_funds=projects.payment_funds(project),
        paid=projects.paid_fen(project), checklist=projects.checklist(project),
        counts=projects.satisfaction_counts(project) if project.stage == "accepted" else None,
        my_answer=projects.answer_of(current_user, project),
        result=result, result_publicity=publicity_views.context(result, current_user, now)
        if result else None,
        may_keep=projects.may_keep(current_user, project),
        labels=projects.STAGE_LABELS, sources=projects.SOURCE_LABELS,
        answers=projects.SATISFACTION_LABELS, yuan=yuan, status=status,
        **_forms_for(project, sent))


@bp.get("/<int:project_id>")
def project(project_id):
    return _project_page(get_or_404(Project, project_id))


@bp.get("/")
def index():
    place_id = query_id("place")
    place = db.session.get(Place, place_id) if place_id else g.get("community")
    page = paginate(projects.of_place(place), PER_PAGE) if place is not None else None
    return render("projects/index.html", place=place, page=page, labels=projects.STAGE_LABELS,
                  may_create=place is not None and projects.may_create(current_user, place))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_project():
    place = db.session.get(Place, query_id("place") or 0) or g.get("community")
    community = projects.community_of(place) if place is not None else None
    require_that(community is not None and projects.may_create(current_user, community))
    places = [community] + db.session.scalars(
        select(Place).where(Place.parent_id == community.id, Place.kind == "courtyard")
        .order_by(Place.name)).all()
    form = ProjectForm()
    form.offer(places, projects.choosable_decisions(community),
               projects.choosable_funds(community))
    if not form.is_submitted() and place.kind == "courtyard":
        form.place.data = place.id
    if form.validate_on_submit():
        try:
            made = projects.create(
                current_user, db.session.get(Place, form.place.data), form.title.data,
                form.description.data, form.budget.data, utcnow(),
                decision=db.session.get(Decision, form.decision.data)
                if form.decision.data else None,
                plan_note=form.plan_note.data, funding=form.funding(),
                fund=db.session.get(Fund, form.fund.data) if form.fund.data else None,
                tasks=form.task_titles())
        except Refused as refused:
            show_on(form, refused, field="title")
        else:
            flash(_("The project is made. Next: open a call for bids."), "success")
            return redirect(url_for("projects.project", project_id=made.id), 303)
    return render("projects/project_new.html", community=community, form=form,
                  status=422 if form.errors else 200)


def _write(project_id, allowed, form_class, name, act, done_words, fallback):
    """Load the project (404, then 403 unless ``allowed``), read ``form_class``, call
    ``act(form, project, now)``: 303 to the page, or the page again with 422."""
    found = load(Project, project_id, allowed=allowed)
    form = form_class()
    if form_class is ProgressForm:
        form.offer(found.tasks)
    elif form_class is PaymentForm:
        form.offer(projects.payable_funds(found))
    if form.validate_on_submit():
        try:
            act(form, found, utcnow())
        except Refused as refused:
            show_on(form, refused, field=fallback)
        else:
            flash(done_words, "success")
            return redirect(url_for("projects.project", project_id=found.id), 303)
    return _project_page(found, 422, **{name: form})


@bp.post("/<int:project_id>/progress")
@takes_uploads
@login_required
def report(project_id):
    def act(form, found, now):
        task = db.session.get(ProjectTask, form.task.data) if form.task.data else None
        projects.report(current_user, found, form.percent.data, form.text.data, now,
                        task=task, photo=form.uploaded_photo())
    return _write(project_id, projects.may_report, ProgressForm, "progress_form", act,
                  _("The progress is reported."), "percent")


@bp.get("/progress/<int:report_id>/photo")
def progress_photo(report_id):
    """The photo of a progress report, as public as the project's page it is shown on."""
    row = get_or_404(ProgressReport, report_id)
    if row.photo is None:
        abort(404)
    return photo_response(row.photo)


@bp.post("/progress/<int:report_id>/photo/remove")
@login_required
def remove_photo(report_id):
    report = load(ProgressReport, report_id, allowed=projects.may_remove_photo)
    EmptyForm().validate_on_submit() or abort(400)
    projects.remove_photo(current_user, report, utcnow())
    flash(_("The photo is taken down."), "success")
    return redirect(url_for("projects.project", project_id=report.project_id), 303)


@bp.post("/<int:project_id>/payments")
@login_required
def pay(project_id):
    def act(form, found, now):
        fund_id = form.chosen_fund_id()
        projects.pay(current_user, found, form.label.data, form.amount.data, now,
                     fund=db.session.get(Fund, fund_id) if fund_id else None,
                     key=form.token.data)
    return _write(project_id, projects.may_keep, PaymentForm, "payment_form", act,
                  _("The payment is recorded."), "amount")


@bp.post("/<int:project_id>/cancel")
@login_required
def cancel(project_id):
    return _write(project_id, projects.may_keep, CancelForm, "cancel_form",
                  lambda form, found, now: projects.cancel(current_user, found,
                                                           form.reason.data, now),
                  _("The project is cancelled."), "reason")


@bp.post("/<int:project_id>/accept")
@login_required
def accept(project_id):
    return _write(project_id, projects.may_keep, AcceptForm, "accept_form",
                  lambda form, found, now: projects.accept(current_user, found, form.items(),
                                                           form.note.data, now),
                  _("The project is accepted."), "item_1")


@bp.post("/<int:project_id>/result")
@login_required
def publish_result(project_id):
    return _write(project_id, projects.may_keep, ResultForm, "result_form",
                  lambda form, found, now: projects.publish_result(current_user, found,
                                                                   *form.window(), now),
                  _("The result is public."), "ends_on")


@bp.post("/<int:project_id>/answer")
@login_required
def answer(project_id):
    return _write(project_id, projects.may_answer, SatisfactionForm, "satisfaction_form",
                  lambda form, found, now: projects.answer(current_user, found,
                                                           form.answer.data, form.words.data,
                                                           now),
                  _("Thank you for your answer."), "answer")
