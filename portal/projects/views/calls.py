"""A call for bids: opening it, its public page (the count of sealed bids before the
deadline; the ranking once it may be seen), bidding, a bid's page where the panel scores it,
declaring a conflict, submitting one's scores, the award and the contract. The call's page
and a bid's page are each built by one function, for the GET and every form sent back with
422."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.permissions import (
    can,
    get_or_404,
    load,
    organizations_where,
    require_that,
)
from portal.councils.decisions import yuan
from portal.extensions import db
from portal.forms import EmptyForm
from portal.organizations.models import ORGANIZATION_KINDS, Organization
from portal.projects import bp, calls
from portal.projects.forms import (
    AwardForm,
    BidForm,
    CallForm,
    ContractForm,
    DeclareForm,
    marks_of,
    score_form,
)
from portal.projects.models import Bid, Call, PanelMember, Project, Score
from portal.publicity import views as publicity_views
from portal.publicity.models import Publication
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, utcnow
from portal.urls import query_id


@bp.route("/<int:project_id>/call", methods=["GET", "POST"])
@login_required
def new_call(project_id):
    project = load(Project, project_id, allowed=calls.may_open)
    form = CallForm()
    if not form.is_submitted():
        form.start(local_today())
        form.title.data = project.title
    if form.validate_on_submit():
        try:
            call = calls.open_call(current_user, project, form.title.data,
                                   form.description.data, form.deadline(), form.kinds.data,
                                   form.statuses.data, form.criteria(), form.mobiles(),
                                   utcnow())
        except Refused as refused:
            show_on(form, refused, field="title")
        else:
            flash(_("The call for bids is open."), "success")
            return redirect(url_for("projects.call", call_id=call.id), 303)
    return render("projects/call_new.html", project=project, form=form,
                  status=422 if form.errors else 200)


def _bidders_of(user, call):
    """The organizations ``user`` is staff of that bid, or may bid, for ``call``."""
    return [o for o in organizations_where(user, "org_staff")
            if calls.eligible(call, o) or calls.bid_of(call, o) is not None]


def _call_page(call, status=200, refused=None, **sent):
    now, user = utcnow(), current_user
    member = calls.member_of(call, user)
    see_scores = calls.may_see_scores(user, call, now)
    ranked = calls.ranking(call) if see_scores else None
    may_keep = calls.may_keep(user, call)
    cancelled = calls.cancelled(call)
    forms = {}
    if (member is not None and member.submitted_at is None and not calls.is_open(call, now)
            and not cancelled):
        conflicts = [b.organization for b in calls.bids(call)
                     if can_staff(user, b.organization)]
        if conflicts:
            forms["declare_form"] = DeclareForm(formdata=None)
            forms["declare_form"].offer(conflicts)
    if may_keep and ranked and call.awarded_at is None and not cancelled:
        forms["award_form"] = AwardForm(formdata=None)
        forms["award_form"].offer(ranked)
        forms["award_form"].start_window(local_today())
    won = calls.winner(call)
    if may_keep and won is not None and call.project.stage == "awarded":
        forms["contract_form"] = ContractForm(formdata=None)
        forms["contract_form"].offer(calls.staff_of(won.organization))
        forms["contract_form"].amount.data = won.price_fen
    forms.update(sent)
    publication = db.session.get(Publication, call.award_publication_id) \
        if call.award_publication_id else None
    waiting, submitted = calls.panel_standing(call)
    mine = [b for b in calls.bids(call) if can_staff(user, b.organization)]
    return render(
        "projects/call.html", call=call, project=call.project, now=now,
        is_open=calls.is_open(call, now), cancelled=cancelled,
        bid_count=calls.bid_count(call), mine=mine,
        may_bid=bool(_bidders_of(user, call)), member=member,
        left=calls.left_to_score(member, call) if member else [],
        scoreable=[b for b in calls.bids(call) if calls.may_see_bid(user, b, now)]
        if not calls.is_open(call, now) else [],
        ranked=ranked, winner=won, reason=calls.award_reason(call) if won else None,
        waiting=waiting, submitted=submitted, may_keep=may_keep,
        kinds=calls.kinds_of(call), statuses=calls.statuses_of(call),
        kind_labels=ORGANIZATION_KINDS,
        status_labels=calls.STATUS_LABELS, role_labels=calls.PANEL_ROLE_LABELS,
        publication=publication, publicity=publicity_views.context(publication, user, now)
        if publication else None, refused=refused, yuan=yuan, status=status, **forms)


def can_staff(user, organization):
    return can(user, "org_staff", organization)


@bp.get("/calls/<int:call_id>")
def call(call_id):
    return _call_page(get_or_404(Call, call_id))


@bp.route("/calls/<int:call_id>/bid", methods=["GET", "POST"])
@login_required
def bid(call_id):
    """Bid for the call, or change one's bid, until the deadline."""
    found = get_or_404(Call, call_id)
    organizations = _bidders_of(current_user, found)
    require_that(bool(organizations))
    form = BidForm()
    form.offer(organizations)
    if not form.is_submitted():
        chosen = query_id("organization")
        organization = next((o for o in organizations if o.id == chosen), organizations[0])
        existing = calls.bid_of(found, organization)
        form.organization.data = organization.id
        if existing is not None:
            form.plan.data, form.team.data = existing.plan, existing.team
            form.price.data, form.timetable.data = existing.price_fen, existing.timetable
    if form.validate_on_submit():
        organization = db.session.get(Organization, form.organization.data)
        existing = calls.bid_of(found, organization)
        try:
            if existing is None:
                calls.submit_bid(current_user, found, organization, form.plan.data,
                                 form.team.data, form.price.data, form.timetable.data,
                                 utcnow())
            else:
                calls.change_bid(current_user, existing, form.plan.data, form.team.data,
                                 form.price.data, form.timetable.data, utcnow())
        except Refused as refused:
            show_on(form, refused, field="plan")
        else:
            flash(_("Your bid is in. Nobody else sees it before the deadline."), "success")
            return redirect(url_for("projects.call", call_id=found.id), 303)
    return render("projects/bid_form.html", call=found, form=form,
                  is_open=calls.is_open(found, utcnow()),
                  status=422 if form.errors else 200)


def _bid_page(found, status=200, form=None, saved=False):
    """The bid's page; for htmx only its scoring block (the scores just kept, or the form
    with its errors)."""
    now, user = utcnow(), current_user
    call = found.call
    member = calls.member_of(call, user)
    mine = None
    if member is not None:
        mine = calls.scores_by(member, found)
        if (form is None and not mine and member.submitted_at is None
                and not calls.is_open(call, now) and not calls.excused(member, found)
                and not calls.cancelled(call)):
            form = score_form(call.criteria, prefix="s")
    see_scores = calls.may_see_scores(user, call, now)
    return render("projects/bid.html", block="score_block", bid=found, call=call,
                  member=member, mine=mine, saved=saved,
                  criteria={c.id: c for c in call.criteria}, form=form,
                  scores=_all_scores(found) if see_scores else None,
                  excused=member is not None and calls.excused(member, found),
                  yuan=yuan, status=status)


def _all_scores(found):
    return db.session.execute(
        select(Score, User.name).join(PanelMember, Score.panel_member_id == PanelMember.id)
        .join(User, PanelMember.user_id == User.id)
        .where(Score.bid_id == found.id).order_by(PanelMember.id, Score.criterion_id)).all()


@bp.get("/bids/<int:bid_id>")
@login_required
def show_bid(bid_id):
    found = load(Bid, bid_id, allowed=lambda user, b: calls.may_see_bid(user, b, utcnow()))
    return _bid_page(found)


@bp.post("/bids/<int:bid_id>/score")
@login_required
def score(bid_id):
    found = load(Bid, bid_id,
                 allowed=lambda user, b: calls.member_of(b.call, user) is not None)
    form = score_form(found.call.criteria, formdata=request.form, prefix="s")
    if form.validate_on_submit():
        try:
            calls.score(current_user, found, marks_of(form, found.call.criteria), utcnow())
        except Refused as refused:
            show_on(form, refused)
        else:
            if request.htmx:  # scored in place: the kept marks replace the form
                return _bid_page(found, saved=True)
            flash(_("Your scores for this bid are kept."), "success")
            return redirect(url_for("projects.call", call_id=found.call_id), 303)
    return _bid_page(found, 422, form)


def _member_write(call_id, act, done_words, name=None, form=None):
    found = load(Call, call_id, allowed=lambda user, c: calls.member_of(c, user) is not None)
    if form is not None and not form.validate_on_submit():
        return _call_page(found, 422, **{name: form})
    try:
        act(found, form, utcnow())
    except Refused as refused:
        if form is None:
            return _call_page(found, 422, refused=refused.message)
        show_on(form, refused)
        return _call_page(found, 422, **{name: form})
    flash(done_words, "success")
    return redirect(url_for("projects.call", call_id=found.id), 303)


@bp.post("/calls/<int:call_id>/declare")
@login_required
def declare(call_id):
    form = DeclareForm()
    found = db.session.get(Call, call_id)
    form.offer([b.organization for b in calls.bids(found)] if found else [])
    return _member_write(call_id, lambda c, f, now: calls.declare(
        current_user, c, db.session.get(Organization, f.organization.data), now),
        _("Your declaration is kept: you will not score that bid."), "declare_form", form)


@bp.post("/calls/<int:call_id>/submit")
@login_required
def submit_scores(call_id):
    found = load(Call, call_id, allowed=lambda user, c: calls.member_of(c, user) is not None)
    if not EmptyForm().validate_on_submit():
        return _call_page(found, 422)
    try:
        calls.submit_scores(current_user, found, utcnow())
    except Refused as refused:
        return _call_page(found, 422, refused=refused.message)
    flash(_("Your scores are submitted. You now see the others' scores."), "success")
    return redirect(url_for("projects.call", call_id=found.id), 303)


def _keeper_write(call_id, form_class, name, act, done_words, fallback):
    found = load(Call, call_id, allowed=calls.may_keep)
    form = form_class()
    if form_class is AwardForm:
        form.offer(calls.ranking(found))
    else:
        won = calls.winner(found)
        form.offer(calls.staff_of(won.organization) if won else [])
    if form.validate_on_submit():
        try:
            act(found, form, utcnow())
        except Refused as refused:
            show_on(form, refused, field=fallback)
        else:
            flash(done_words, "success")
            return redirect(url_for("projects.call", call_id=found.id), 303)
    return _call_page(found, 422, **{name: form})


@bp.post("/calls/<int:call_id>/award")
@login_required
def award(call_id):
    return _keeper_write(call_id, AwardForm, "award_form", lambda c, f, now: calls.award(
        current_user, c, db.session.get(Bid, f.bid.data), f.reason.data, *f.window(), now),
        _("The call is awarded and the result is public."), "bid")


@bp.post("/calls/<int:call_id>/contract")
@login_required
def contract(call_id):
    return _keeper_write(call_id, ContractForm, "contract_form", lambda c, f, now:
                         calls.contract(current_user, c, db.session.get(User, f.manager.data),
                                        f.amount.data, now),
                         _("The contract is signed."), "manager")
