"""A fund's public accounts: its balance, totals in and out, and every movement with its date,
amount, direction, counterparty and the project the money went to — as the viewer may see
them: a donor's name is masked (张**) to the public unless they chose to be named, an
anonymous donor is "anonymous donation", and the community's workers see every name. The
page and the CSV read the same rows, in a fixed number of queries per page."""

from decimal import Decimal
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from portal.accounts.permissions import mask_name
from portal.extensions import db
from portal.funds import money
from portal.funds.models import Donation, FundAccount, FundEntry, FundTransfer
from portal.funds.words import GRANT_SOURCE_LABELS, MOVEMENT_LABELS
from portal.projects.models import Project
from portal.timeutil import to_local

PER_PAGE = 20


class Movement(NamedTuple):
    transfer: FundTransfer
    amount_fen: int  # always positive; ``incoming`` says which way
    incoming: bool
    balance_after: int
    counterparty: str
    project: Project | None
    reverses: FundTransfer | None

    @property
    def label(self):
        return MOVEMENT_LABELS.get(self.transfer.kind, self.transfer.kind)


def _fund_account_id(fund):
    return db.session.scalar(select(FundAccount.id).filter_by(kind="fund", fund_id=fund.id))


def movements(fund):
    """Select the fund's entries, newest first, with their transfers (page it)."""
    return money.BOOKS.statement(_fund_account_id(fund))


def totals(fund):
    """(money in, money out) of the fund's account, in fen, reversals included."""
    amount = FundEntry.amount
    row = db.session.execute(
        select(func.coalesce(func.sum(case((amount > 0, amount), else_=0)), 0),
               func.coalesce(func.sum(case((amount < 0, -amount), else_=0)), 0))
        .where(FundEntry.account_id == _fund_account_id(fund))).one()
    return int(row[0]), int(row[1])


def donor_shown(donation, sees_names):
    """The donor as the viewer sees them: an anonymous donor's name only for the workers."""
    if donation.grant_source:
        return f"{donation.donor_name}（{GRANT_SOURCE_LABELS[donation.grant_source]}）"
    if donation.anonymous:
        return (_("%(name)s (anonymous to the public)", name=donation.donor_name)
                if sees_names else _("Anonymous donation"))
    if donation.named or sees_names:
        return donation.donor_name
    return mask_name(donation.donor_name)  # an individual not asking to be named: 张**


def describe(entries, sees_names):
    """Each entry of the fund's account as a ``Movement``: three queries for any number."""
    transfers = [entry.transfer for entry in entries]
    reversed_ids = {t.reverses_id for t in transfers if t.reverses_id}
    originals = {t.id: t for t in db.session.scalars(
        select(FundTransfer).where(FundTransfer.id.in_(reversed_ids)))} if reversed_ids else {}
    transfer_ids = {t.id for t in transfers} | set(originals)
    donations = {d.transfer_id: d for d in db.session.scalars(
        select(Donation).where(Donation.transfer_id.in_(transfer_ids)))} if transfer_ids else {}
    project_ids = {t.project_id for t in [*transfers, *originals.values()] if t.project_id}
    projects = {p.id: p for p in db.session.scalars(
        select(Project).where(Project.id.in_(project_ids)))} if project_ids else {}

    def counterparty(transfer):
        if transfer.id in donations:
            return donor_shown(donations[transfer.id], sees_names)
        if transfer.project_id in projects:
            return projects[transfer.project_id].title
        return ""

    rows = []
    for entry in entries:
        transfer = entry.transfer
        original = originals.get(transfer.reverses_id)
        rows.append(Movement(
            transfer=transfer, amount_fen=abs(entry.amount), incoming=entry.amount > 0,
            balance_after=entry.balance_after,
            counterparty=counterparty(original or transfer),
            project=projects.get(transfer.project_id), reverses=original))
    return rows


def reversed_ids(movement_rows):
    """The ids of the transfers on this page that were reversed already (one query)."""
    ids = [m.transfer.id for m in movement_rows if m.transfer.kind != "reversal"]
    if not ids:
        return set()
    return set(db.session.scalars(select(FundTransfer.reverses_id)
                                  .where(FundTransfer.reverses_id.in_(ids))))


def spreadsheet_rows(fund, sees_names):
    """Every movement as a CSV row, newest first: what the page shows, for the ledger book."""
    entries = db.session.scalars(movements(fund)).all()
    header = [_("No."), _("Date"), _("Kind"), _("Direction"), _("Amount (yuan)"),
              _("Counterparty"), _("For the project"), _("Balance after (yuan)"), _("Note")]
    rows = []
    for movement in describe(entries, sees_names):
        transfer = movement.transfer
        note = transfer.memo
        if movement.reverses is not None:
            note = _("Reverses No. %(number)d: %(reason)s", number=movement.reverses.id,
                     reason=transfer.memo)
        local = to_local(transfer.created_at).replace(tzinfo=None)
        rows.append([transfer.id, local, str(movement.label),
                     _("Money in") if movement.incoming else _("Money out"),
                     Decimal(movement.amount_fen).scaleb(-2), movement.counterparty,
                     movement.project.title if movement.project else "",
                     Decimal(movement.balance_after).scaleb(-2), note])
    return header, rows
