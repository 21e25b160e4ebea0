"""The rules of a community fund's money: setting a fund up, donations, grants, disbursements
to projects and reversals — all on the portal's one double-entry engine (``portal.ledger``),
in integer 分.

The accounts of a fund:

- ``fund``: the fund's money. It never goes below zero: a disbursement larger than what it
  holds is refused, and of two disbursements of the last yuan at once only one succeeds
  (the engine's conditional ``UPDATE``).
- ``outside``: where money comes from, one account per source — ``donors`` for every
  donation, and one each for grants from the street, a foundation or another body. They go
  below zero as money arrives (what the fund was given). One account per source rather than
  per donor: the donor's name lives only on the ``Donation`` row beside its "anonymous" mark,
  not copied onto an account label shown in listings; a mistyped name does not split the
  books; and the accounts are opened with the fund, so no two requests can race to open the
  same one (``fund_account`` has no unique index on its owner columns).
- ``project``: what the fund paid to one project (one account per fund and project). It only
  receives; its money leaves only when a disbursement is reversed.

For the projects domain: ``disburse(fund, project, amount_fen, actor, key, now)`` pays an
instalment from the fund to the project and returns the ``FundTransfer`` (store its id on the
``Payment``). ``key`` names the payment (e.g. ``f"payment:{payment_token}"``): asked twice with
the same key, it pays once and returns the same transfer. It raises ``Refused`` —
"fund_insufficient" (field "amount"), "fund_amount_bad", "fund_project_elsewhere",
"fund_project_cancelled" — and writes nothing then. ``matched(fund, residents_fen)`` is the
fund's matching rule for a project's own contributions.
"""

from sqlalchemy import select

from portal import audit
from portal.accounts.permissions import can
from portal.councils.decisions import yuan
from portal.extensions import db
from portal.funds.models import (
    GRANT_SOURCES,
    Donation,
    Fund,
    FundAccount,
    FundEntry,
    FundTransfer,
)
from portal.ledger import Ledger
from portal.refusals import Refused

BOOKS = Ledger(FundAccount, FundTransfer, FundEntry, may_go_negative=("outside",),
               refusal_field="amount",
               reasons={"insufficient": "fund_insufficient", "same_account": "fund_same_account",
                        "spent": "fund_spent", "reversal_of_reversal": "fund_reversal_of_reversal"})

DONORS = "donors"  # the outside account every donation comes from
OUTSIDE_SOURCES = (DONORS, *GRANT_SOURCES)
NAME_MAX, DESCRIPTION_MAX, DONOR_MAX, REASON_MAX = 80, 5000, 100, 200
MOST_MATCH_PERCENT = 300


# --- who ---

def may_keep(user, fund):
    """A community worker of the fund's community (or an admin over it) keeps its books."""
    return can(user, "community_worker", fund.place)


def may_set_up(user, place):
    return place.kind == "community" and can(user, "community_worker", place)


# --- accounts ---

def _locked_account(kind, row, **owner):
    """The account, opened on first use while ``row`` (its owner's row) is locked: the
    table has no unique index on its owner columns, so opening is serialised by the lock."""
    account = db.session.scalar(select(FundAccount).filter_by(kind=kind, **owner))
    if account is None:
        model = type(row)
        db.session.execute(select(model.id).where(model.id == row.id).with_for_update())
        account = BOOKS.account(kind, **owner)
    return account


def fund_account(fund):
    return _locked_account("fund", fund, fund_id=fund.id, project_id=None, label="")


def outside_account(fund, source):
    return _locked_account("outside", fund, fund_id=fund.id, project_id=None, label=source)


def project_account(fund, project):
    return _locked_account("project", project, fund_id=fund.id, project_id=project.id,
                           label="")


def balance(fund):
    """What the fund holds now, in fen."""
    return db.session.scalar(select(FundAccount.balance).filter_by(
        kind="fund", fund_id=fund.id)) or 0


# --- the matching rule ---

def matched(fund, residents_fen):
    """What the fund adds to ``residents_fen`` of residents' own money for one project:
    ``match_percent`` % of it, at most ``match_cap_fen`` (a cap of 0: no matching)."""
    if residents_fen <= 0 or fund.match_cap_fen <= 0:
        return 0
    return min(residents_fen * fund.match_percent // 100, fund.match_cap_fen)


# --- setting up ---

def set_up(worker, community, name, description, match_percent, match_cap_fen, now):
    """Set up a fund for ``community``, with its own account and its sources' accounts."""
    if community.kind != "community":
        raise Refused("fund_not_community")
    name = (name or "").strip()
    if not name:
        raise Refused("fund_name_needed", field="name")
    if len(name) > NAME_MAX:
        raise Refused("fund_text_too_long", field="name", limit=NAME_MAX)
    if len(description or "") > DESCRIPTION_MAX:
        raise Refused("fund_text_too_long", field="description", limit=DESCRIPTION_MAX)
    if not isinstance(match_percent, int) or not 0 <= match_percent <= MOST_MATCH_PERCENT:
        raise Refused("fund_match_bad", field="match_percent")
    if not isinstance(match_cap_fen, int) or match_cap_fen < 0:
        raise Refused("fund_amount_bad", field="match_cap")
    fund = Fund(place=community, name=name, description=(description or "").strip(),
                match_percent=match_percent, match_cap_fen=match_cap_fen, created_at=now)
    db.session.add(fund)
    db.session.flush()
    fund_account(fund)
    for source in OUTSIDE_SOURCES:
        outside_account(fund, source)
    audit.record("funds.set_up", fund, actor=worker, name=name, place=community.id,
                 match_percent=match_percent, match_cap_fen=match_cap_fen)
    return fund


# --- money in ---

def _check_amount(amount_fen):
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise Refused("fund_amount_bad", field="amount")


def _receive(kind, worker, fund, amount_fen, source, donor_name, now, key, anonymous=False,
             donor_user=None, grant_source=None, named=False):
    _check_amount(amount_fen)
    donor_name = (donor_name or "").strip()
    if not donor_name:
        raise Refused("fund_donor_needed", field="donor_name")
    if len(donor_name) > DONOR_MAX:
        raise Refused("fund_text_too_long", field="donor_name", limit=DONOR_MAX)
    transfer = BOOKS.move(kind, outside_account(fund, source), fund_account(fund), amount_fen,
                          actor=worker, key=key, fund_id=fund.id, created_at=now)
    if db.session.scalar(select(Donation.id).filter_by(transfer_id=transfer.id)):
        return transfer  # the same form sent twice: received once
    db.session.add(Donation(transfer=transfer, donor_name=donor_name, anonymous=anonymous,
                            named=named and not anonymous,
                            donor_user_id=getattr(donor_user, "id", None),
                            grant_source=grant_source))
    audit.record(f"funds.{kind}", fund, actor=worker, transfer=transfer.id,
                 amount_fen=amount_fen, donor=donor_name, anonymous=anonymous,
                 grant_source=grant_source)
    return transfer


def donate(worker, fund, amount_fen, donor_name, now, anonymous=False, donor_user=None,
           key=None, named=False):
    """Record a donation to the fund: shown to the public masked (张**), in full when the
    donor chose to be ``named``, or as anonymous (the community's workers still see who gave
    it). ``donor_user``: the resident who gave, if known."""
    return _receive("donation", worker, fund, amount_fen, DONORS, donor_name, now, key,
                    anonymous=anonymous, donor_user=donor_user, named=named)


def grant(worker, fund, amount_fen, source, grantor_name, now, key=None):
    """Record a grant from the street, a foundation or another body ("某街道办事处")."""
    if source not in GRANT_SOURCES:
        raise Refused("fund_source_bad", field="source")
    return _receive("grant", worker, fund, amount_fen, source, grantor_name, now, key,
                    grant_source=source)


# --- money out ---

def disburse(fund, project, amount_fen, actor, key, now, memo=""):
    """Pay ``amount_fen`` from the fund to ``project`` (of the fund's community); once per
    ``key``. Refused when the fund holds less (see the module's docstring)."""
    _check_amount(amount_fen)
    if not fund.place.contains(project.place):
        raise Refused("fund_project_elsewhere", field="project")
    if project.stage == "cancelled":
        raise Refused("fund_project_cancelled", field="project")
    earlier = BOOKS.transfer_by_key(key)
    if earlier is not None:
        return earlier  # this payment was made already
    try:
        transfer = BOOKS.move("disbursement", fund_account(fund), project_account(fund, project),
                              amount_fen, actor=actor, key=key, memo=memo, fund_id=fund.id,
                              project_id=project.id, created_at=now)
    except Refused as refused:
        if refused.reason == "fund_insufficient":
            raise Refused("fund_insufficient", field="amount",
                          balance=yuan(refused.details["balance"])) from refused
        raise
    audit.record("funds.disburse", fund, actor=actor, transfer=transfer.id, project=project.id,
                 amount_fen=amount_fen)
    return transfer


def reverse(worker, transfer, reason, now):
    """Undo a mistaken entry with an opposite one, once, with the published ``reason``."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("fund_reason_needed", field="reason")
    if len(reason) > REASON_MAX:
        raise Refused("fund_text_too_long", field="reason", limit=REASON_MAX)
    if transfer.kind != "reversal" and BOOKS.reversal_of(transfer) is not None:
        return BOOKS.reversal_of(transfer)
    reversal = BOOKS.reverse(transfer, worker, reason, fund_id=transfer.fund_id,
                             project_id=transfer.project_id, created_at=now)
    audit.record("funds.reverse", transfer, actor=worker, reason=reason, reversal=reversal.id,
                 fund=transfer.fund_id)
    return reversal


# --- checking ---

def verify():
    """Every account's balance equals its entries' sum, every transfer is two entries summing
    to zero, and no fund or project account is below zero: a list of problems."""
    return BOOKS.verify()

