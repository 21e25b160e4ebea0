"""A fund's public accounts (anyone), its CSV, and its keeping by the community's workers:
setting a fund up, donations, grants, payments to projects and reversals. Each keeping page
is one GET (an empty form) and one POST (303 to the accounts, or the form again with 422)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.accounts.people import find_by_mobile
from portal.accounts.permissions import get_or_404, load
from portal.councils.decisions import yuan
from portal.extensions import db
from portal.funds import bp, money, public
from portal.funds.forms import DisburseForm, DonationForm, FundForm, GrantForm, ReverseForm
from portal.funds.models import Fund, FundTransfer
from portal.places.models import Place, within
from portal.projects.models import Project
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.spreadsheet import CSV_MIMETYPE, csv_text, download
from portal.timeutil import utcnow
from portal.urls import paginate


def _kept(fund_id):
    """A fund the current user keeps (404, then 403)."""
    return load(Fund, fund_id, allowed=money.may_keep)


def project_link(project):
    """The project's page (None for a movement without a project)."""
    return url_for("projects.project", project_id=project.id) if project is not None else None


@bp.get("/<int:fund_id>")
def fund(fund_id):
    fund = get_or_404(Fund, fund_id)
    keeper = money.may_keep(current_user, fund)
    entries = paginate(public.movements(fund), per_page=public.PER_PAGE)
    rows = public.describe(entries.items, sees_names=keeper)
    money_in, money_out = public.totals(fund)
    return render("funds/fund.html", fund=fund, keeper=keeper, entries=entries, rows=rows,
                  balance=money.balance(fund), money_in=money_in, money_out=money_out,
                  reversed_ids=public.reversed_ids(rows) if keeper else set(),
                  project_link=project_link, yuan=yuan)


@bp.get("/<int:fund_id>/accounts.csv")
def export(fund_id):
    fund = get_or_404(Fund, fund_id)
    header, rows = public.spreadsheet_rows(fund, sees_names=money.may_keep(current_user, fund))
    return download(csv_text(header, rows), f"fund-{fund.id}.csv", CSV_MIMETYPE)


@bp.route("/community/<int:place_id>/new", methods=["GET", "POST"])
@login_required
def new_fund(place_id):
    community = load(Place, place_id, allowed=money.may_set_up)
    form = FundForm()
    if form.validate_on_submit():
        try:
            created = money.set_up(current_user, community, form.name.data,
                                   form.description.data, form.match_percent.data,
                                   form.match_cap.data, utcnow())
        except Refused as refused:
            show_on(form, refused, field="name")
        else:
            flash(_("The fund is set up. Its accounts are public from now on."), "success")
            return redirect(url_for("funds.fund", fund_id=created.id), 303)
    return render("funds/new.html", community=community, form=form,
                  status=422 if form.errors else 200)


def _keeping(template, fund, form, act, done_words, fallback, **context):
    """A keeping page: on a valid POST, ``act(form)`` then 303 to the accounts; otherwise the
    page, with 422 and everything typed when something was wrong."""
    if form.validate_on_submit():
        try:
            act(form)
        except Refused as refused:
            show_on(form, refused, field=fallback)
        else:
            flash(done_words, "success")
            return redirect(url_for("funds.fund", fund_id=fund.id), 303)
    return render(template, fund=fund, form=form, balance=money.balance(fund),
                  yuan=yuan, status=422 if form.errors else 200, **context)


def _donor(mobile):
    if not mobile:
        return None
    user = find_by_mobile(mobile)
    if user is None:
        raise Refused("fund_donor_unknown", field="mobile")
    return user


@bp.route("/<int:fund_id>/donations/new", methods=["GET", "POST"])
@login_required
def donate(fund_id):
    fund = _kept(fund_id)

    def act(form):
        money.donate(current_user, fund, form.amount.data, form.donor_name.data, utcnow(),
                     anonymous=form.anonymous.data, named=form.named.data,
                     donor_user=_donor(form.mobile.data),
                     key=f"donation:{form.token.data}")

    return _keeping("funds/donate.html", fund, DonationForm(), act,
                    _("The donation is recorded."), "amount")


@bp.route("/<int:fund_id>/grants/new", methods=["GET", "POST"])
@login_required
def grant(fund_id):
    fund = _kept(fund_id)

    def act(form):
        money.grant(current_user, fund, form.amount.data, form.source.data,
                    form.grantor_name.data, utcnow(), key=f"grant:{form.token.data}")

    return _keeping("funds/grant.html", fund, GrantForm(), act, _("The grant is recorded."),
                    "amount")


def payable_projects(fund):
    """The projects of the fund's community that may be paid (newest first, at most 100)."""
    return db.session.scalars(
        select(Project).join(Place, Place.id == Project.place_id)
        .where(within(fund.place), Project.stage != "cancelled")
        .order_by(Project.id.desc()).limit(100)).all()


@bp.route("/<int:fund_id>/disbursements/new", methods=["GET", "POST"])
@login_required
def disburse(fund_id):
    fund = _kept(fund_id)
    form = DisburseForm()
    form.offer(payable_projects(fund))

    def act(form):
        project = db.session.get(Project, form.project.data)
        money.disburse(fund, project, form.amount.data, current_user,
                       f"disbursement:{form.token.data}", utcnow(), memo=form.memo.data or "")

    return _keeping("funds/disburse.html", fund, form, act, _("The payment is recorded."),
                    "amount")


@bp.route("/<int:fund_id>/transfers/<int:transfer_id>/reverse", methods=["GET", "POST"])
@login_required
def reverse(fund_id, transfer_id):
    transfer = db.get_or_404(FundTransfer, transfer_id)  # both ids: 404 before any 403
    if transfer.fund_id != fund_id:
        abort(404)
    fund = _kept(fund_id)
    row = public.describe([e for e in transfer.entries if e.account.kind == "fund"],
                          sees_names=True)

    def act(form):
        money.reverse(current_user, transfer, form.reason.data, utcnow())

    return _keeping("funds/reverse.html", fund, ReverseForm(), act,
                    _("The entry is reversed."), "reason", transfer=transfer,
                    movement=row[0] if row else None)
