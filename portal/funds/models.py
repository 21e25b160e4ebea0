"""Community funds 社区基金 / 微基金 with public accounts: donations, grants from the street or
a foundation, disbursements to projects. Money is integer 分 in a double-entry ledger of the
same shape as the time bank's (one engine: portal/ledger.py): every movement is a transfer of
two entries summing to zero; a fund's balance is a cache of its entries and never negative;
"outside" accounts (donors, the street, foundations) are where money comes from."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.places.models import Place
from portal.timeutil import utcnow

# fund: a community fund's money (never below zero); outside: where money comes from
# (donors, street, foundation — may go negative); project: money paid for a project.
FUND_ACCOUNT_KINDS = ("fund", "outside", "project")
FUND_TRANSFER_KINDS = ("donation", "grant", "disbursement", "reversal")
GRANT_SOURCES = ("street", "foundation", "other")


class Fund(db.Model):
    """A community's fund. Its matching rule: it adds ``match_percent`` % of residents' own
    contributions to a project, at most ``match_cap_fen`` a project (0: no matching)."""

    __tablename__ = "fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    match_percent: Mapped[int] = mapped_column(default=100)
    match_cap_fen: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    place: Mapped[Place] = relationship()


class FundAccount(db.Model):
    __tablename__ = "fund_account"
    __table_args__ = (
        CheckConstraint("kind <> 'fund' OR balance >= 0", name="fund_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("fund.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    # For an outside account: whose (a donor's name as they gave it, "某街道办事处" …).
    label: Mapped[str] = mapped_column(String(100), default="")
    # Always equal to the sum of the account's entries (`flask funds verify` checks).
    balance: Mapped[int] = mapped_column(default=0)


class FundTransfer(db.Model):
    """One movement of money: exactly two entries summing to zero; never edited."""

    __tablename__ = "fund_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    memo: Mapped[str] = mapped_column(String(200), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("fund_transfer.id"),
                                                    unique=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)

    entries: Mapped[list["FundEntry"]] = relationship(back_populates="transfer",
                                                      order_by="FundEntry.amount")
    actor: Mapped[User | None] = relationship()


class FundEntry(db.Model):
    __tablename__ = "fund_entry"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="fund_entry_not_zero"),
        Index("ix_fund_entry_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("fund_transfer.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fund_account.id"))
    amount: Mapped[int]  # 分; negative leaves the account, positive arrives
    balance_after: Mapped[int]

    transfer: Mapped[FundTransfer] = relationship(back_populates="entries")
    account: Mapped[FundAccount] = relationship()


class Donation(db.Model):
    """Who gave a donation or grant. The public sees an individual donor's name masked (张**)
    unless they chose to be ``named``; an ``anonymous`` donation is "匿名捐赠" to the public.
    The community's workers always see ``donor_name``."""

    __tablename__ = "fund_donation"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("fund_transfer.id"), unique=True)
    donor_name: Mapped[str] = mapped_column(String(100))
    donor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    anonymous: Mapped[bool] = mapped_column(default=False)
    named: Mapped[bool] = mapped_column(default=False)  # chose to have the full name shown
    # For a grant: "street", "foundation" or "other"; None for a donation.
    grant_source: Mapped[str | None] = mapped_column(String(12))

    transfer: Mapped[FundTransfer] = relationship()
