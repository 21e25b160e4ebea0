"""Help between neighbours: asking, offering, accepting, confirming."""

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import get_or_404, load
from portal.extensions import db
from portal.forms import EmptyForm
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timebank import bp, help, ledger
from portal.timebank.forms import HelpForm
from portal.timebank.models import HelpRequest
from portal.timebank.views.loaders import PER_PAGE
from portal.timeutil import local_today, utcnow
from portal.urls import paginate


@bp.get("/help")
def help_index():
    requests = paginate(help.open_near(g.courtyard), per_page=PER_PAGE)
    mine = (db.session.scalars(help.mine(current_user).limit(10)).all()
            if current_user.is_authenticated else [])
    return render("timebank/help_index.html", requests=requests, mine=mine)


@bp.route("/help/new", methods=["GET", "POST"])
@login_required
def help_new():
    form = HelpForm()
    if form.validate_on_submit():
        try:
            request_ = help.ask(current_user, form.title.data, form.hours.data,
                                details=form.details.data, wanted_on=form.wanted_on.data,
                                when_text=form.when_text.data)
        except Refused as refused:
            show_on(form, refused, field="title")
        else:
            flash(_("Your request is posted. Volunteers nearby can now offer to help."),
                  "success")
            return redirect(url_for("timebank.help_show", request_id=request_.id), 303)
    return render("timebank/help_new.html", form=form, balance=ledger.balance(current_user),
                  status=422 if form.errors else 200)


def _help_page(request_, refusal=None, status=200):
    return render("timebank/help_show.html", help_request=request_, form=EmptyForm(),
                  # Who may offer (one who has not joined yet is asked to join first).
                  may_take=current_user.is_authenticated
                  and current_user.id != request_.requester_id
                  and help.helps_in(current_user, request_.community), refusal=refusal,
                  status=status)


@bp.get("/help/<int:request_id>")
def help_show(request_id):
    return _help_page(get_or_404(HelpRequest, request_id))


def _help_action(request_id, action, done_message, allowed=None):
    """Load the request (403 unless ``allowed``), check the form, call the rule ``action``."""
    request_ = load(HelpRequest, request_id, allowed=allowed)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        action(request_)
    except Refused as refused:
        if refused.reason == "not_volunteer":
            return redirect(url_for("timebank.join"), 303)
        return _help_page(request_, refusal=refused.message, status=422)
    flash(done_message(request_), "success")
    return redirect(url_for("timebank.help_show", request_id=request_.id), 303)


@bp.post("/help/<int:request_id>/take")
@login_required
def help_take(request_id):
    # The asker's name and number show only once they accept this volunteer.
    return _help_action(request_id, lambda r: help.take(r, current_user, utcnow()),
                        lambda r: _("Thank you for offering to help."))


@bp.post("/help/<int:request_id>/accept")
@login_required
def help_accept(request_id):
    return _help_action(request_id, lambda r: help.accept(r, current_user, utcnow()),
                        lambda r: _("You accepted the volunteer. Call them to agree on a "
                                    "time."), allowed=help.is_asker)


@bp.post("/help/<int:request_id>/release")
@login_required
def help_release(request_id):
    return _help_action(request_id, lambda r: help.release(r, current_user),
                        lambda r: _("The volunteer is released. Your request is open again "
                                    "for other volunteers."), allowed=help.is_asker)


@bp.post("/help/<int:request_id>/confirm")
@login_required
def help_confirm(request_id):
    return _help_action(request_id,
                        lambda r: help.confirm(r, current_user, utcnow(), local_today()),
                        lambda r: _("Done: the hours have moved. Thank you both.")
                        if r.status == "done" else _("Thank you. Waiting for the other "
                                                     "person to confirm too."),
                        allowed=help.is_part_of)


@bp.post("/help/<int:request_id>/cancel")
@login_required
def help_cancel(request_id):
    return _help_action(request_id, lambda r: help.cancel(r, current_user),
                        lambda r: _("Your request is withdrawn."), allowed=help.is_asker)
