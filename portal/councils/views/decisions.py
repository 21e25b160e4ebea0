"""Decisions through 一征三议两公开: a decision's page with its seven steps, starting one for
a council, and one POST route for each later step (each refused until the one before it is
done). The page is built by one function, for the GET and for every step sent back with 422.
"""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.models import ROLE_LABELS
from portal.accounts.permissions import get_or_404, load
from portal.councils import (  # noqa: F401  (at_council, at_request, followups register)
    access,
    at_council,
    at_request,
    bp,
    decisions,
    followups,
)
from portal.councils.decision_forms import (
    CarryOutForm,
    DeliberateForm,
    NewDecisionForm,
    ProposeForm,
    PublishForm,
    ResolveForm,
    ResultForm,
)
from portal.councils.models import Council, Decision, Motion, Request
from portal.courtyards.models import Collection
from portal.extensions import db
from portal.publicity import views as publicity_views
from portal.publicity.models import Publication
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, utcnow

FORMS = {"propose": ProposeForm, "deliberate": DeliberateForm, "resolve": ResolveForm,
         "publish": PublishForm, "carry_out": CarryOutForm, "result": ResultForm}
ENDPOINTS = {"propose": "councils.propose_decision", "deliberate": "councils.deliberate_decision",
             "resolve": "councils.resolve_decision", "publish": "councils.publish_decision",
             "carry_out": "councils.carry_out_decision", "result": "councils.decision_result"}
# Where a refusal that names no field of the form is shown.
FALLBACK = {"propose": "proposal", "deliberate": "motion", "resolve": "resolution",
            "publish": "ends_on", "result": "result"}


def _step_form(step, decision, sent=False):
    """The form of ``step``: the one just sent (read from the request), or an empty one."""
    form = FORMS[step]() if sent else FORMS[step](formdata=None)
    if step == "deliberate":
        form.offer(decisions.choosable_motions(decision))
    if not sent and step in ("publish", "result"):
        form.start_window(local_today())
    return form


def _publicity(publication_id, now):
    publication = db.session.get(Publication, publication_id) if publication_id else None
    if publication is None:
        return None
    return {"publication": publication,
            "publicity": publicity_views.context(publication, current_user, now)}


def _page(decision, status=200, step=None, form=None, refused=None):
    """The decision's page; with the step's form just sent (its errors and what was typed)."""
    now = utcnow()
    upcoming, rows = decisions.step_of(decision)
    request = decision.request
    if step is None and upcoming is not None and decisions.may_act(current_user, decision,
                                                                   upcoming):
        step, form = upcoming, _step_form(upcoming, decision)
    return render(
        "councils/decision.html", decision=decision, council=decision.council, rows=rows,
        upcoming=upcoming, stopped=decisions.stopped(decision),
        carried=decisions.carried(decision),
        request=request if request is not None and access.may_see(current_user, request)
        else None,
        collection=db.session.get(Collection, decision.collection_id)
        if decision.collection_id else None,
        shown=_publicity(decision.decision_publication_id, now),
        result_shown=_publicity(decision.result_publication_id, now),
        cost=decisions.yuan(decision.cost_fen) if decision.cost_fen is not None else None,
        step=step, form=form, action=url_for(ENDPOINTS[step], decision_id=decision.id)
        if step else None, refused=refused, labels=decisions.STEP_LABELS, role_labels=ROLE_LABELS,
        status=status)


@bp.get("/decisions/<int:decision_id>")
def decision(decision_id):
    return _page(get_or_404(Decision, decision_id))


@bp.route("/<int:council_id>/decisions/new", methods=["GET", "POST"])
@login_required
def new_decision(council_id):
    council = load(Council, council_id, allowed=decisions.may_start)
    now = utcnow()
    form = NewDecisionForm()
    form.offer(decisions.choosable_requests(council),
               decisions.choosable_collections(council, now))
    if form.validate_on_submit():
        try:
            decision = decisions.start(
                current_user, council, form.title.data, now,
                request=db.session.get(Request, form.request.data)
                if form.request.data else None,
                collection=db.session.get(Collection, form.collection.data)
                if form.collection.data else None)
        except Refused as refused:
            show_on(form, refused, field="title")
        else:
            flash(_("The decision is started. Next: the Party organization's proposal."),
                  "success")
            return redirect(url_for("councils.decision", decision_id=decision.id), 303)
    return render("councils/decision_new.html", council=council, form=form,
                  status=422 if form.errors else 200)


def _step(decision_id, step, act, done_words):
    """Record ``step`` of the decision with ``act(form, decision, now)``: 303 to its page, or
    the page again with 422 and the form as sent."""
    decision = load(Decision, decision_id,
                    allowed=lambda user, d: decisions.may_act(user, d, step))
    form = _step_form(step, decision, sent=True)
    if form.validate_on_submit():
        try:
            act(form, decision, utcnow())
        except Refused as refused:
            if step == "carry_out":  # a button: the words go above it
                return _page(decision, 422, step, form, refused=refused.message)
            show_on(form, refused, field=FALLBACK[step])
        else:
            flash(done_words, "success")
            return redirect(url_for("councils.decision", decision_id=decision.id), 303)
    return _page(decision, 422, step, form)


@bp.post("/decisions/<int:decision_id>/propose")
@login_required
def propose_decision(decision_id):
    return _step(decision_id, "propose", lambda form, decision, now: decisions.propose(
        current_user, decision, form.proposal.data, now),
        _("The proposal is recorded."))


@bp.post("/decisions/<int:decision_id>/deliberate")
@login_required
def deliberate_decision(decision_id):
    def act(form, decision, now):
        decisions.deliberate(current_user, decision,
                             db.session.get(Motion, form.motion.data), now)
    return _step(decision_id, "deliberate", act, _("The council's deliberation is recorded."))


@bp.post("/decisions/<int:decision_id>/resolve")
@login_required
def resolve_decision(decision_id):
    def act(form, decision, now):
        decisions.resolve(current_user, decision, form.resolution.data, form.votes_for.data,
                          form.votes_against.data, form.votes_abstain.data, now)
    return _step(decision_id, "resolve", act, _("The resolution is recorded."))


@bp.post("/decisions/<int:decision_id>/publish")
@login_required
def publish_decision(decision_id):
    def act(form, decision, now):
        decisions.publish_decision(current_user, decision, *form.window(), now)
    return _step(decision_id, "publish", act,
                 _("The decision is public. Residents may object or ask questions."))


@bp.post("/decisions/<int:decision_id>/carry-out")
@login_required
def carry_out_decision(decision_id):
    return _step(decision_id, "carry_out", lambda form, decision, now: decisions.carry_out(
        current_user, decision, now), _("The decision is being carried out."))


@bp.post("/decisions/<int:decision_id>/result")
@login_required
def decision_result(decision_id):
    def act(form, decision, now):
        decisions.publish_result(current_user, decision, form.result.data, form.cost.data,
                                 *form.window(), now)
    return _step(decision_id, "result", act, _("The result is public, with its cost."))
