"""Time bank 时间银行: volunteers, activities, service records, a double-entry ledger in
integer minutes, rewards, help between neighbours and certificates."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.organizations.models import Organization
from portal.places.models import Place
from portal.servicemap.models import ServicePoint
from portal.timeutil import utcnow

MAX_LOG_MINUTES = 12 * 60

# Star levels (星级) from lifetime approved service hours, as the national volunteer rules set.
STAR_HOURS = (100, 300, 600, 1000, 1500)

LOG_STATUS_LABELS = {
    "pending": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "rejected": _l("Not approved"),
    "corrected": _l("Corrected"),
    # Approved by the neighbour helped, then taken back by a worker of the community.
    "reversed": _l("Reversed by the community"),
}

TRANSFER_KINDS = {
    "earn": _l("Earned for service"),
    "exchange": _l("Paid for help"),
    "gift": _l("Gift"),
    "redeem": _l("Reward"),
    "grant": _l("Granted by the community"),
    "donate": _l("Donated to the community pool"),
    "reversal": _l("Reversal"),
}

REWARD_KINDS = {"item": _l("Item"), "service": _l("Service")}

HELP_STATUS_LABELS = {
    "open": _l("Looking for a volunteer"),
    "taken": _l("A volunteer is coming"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
# A volunteer offered, and the resident has not accepted them yet.
HELP_OFFERED_LABEL = _l("A volunteer offered to help")

# Why a community worker lets someone spend hours on services (when the rule asks for it).
SPENDING_REASONS = {
    "age": _l("Aged 60 or over"),
    "hardship": _l("Family in hardship"),
    "disability": _l("Disability"),
    "other": _l("Other need, noted by a worker"),
}


class Volunteer(db.Model):
    """A resident who has joined the time bank and agreed to its service-record rules."""

    __tablename__ = "volunteer"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    # The community the volunteer belonged to when joining: branch pages count by it.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    skills: Mapped[str] = mapped_column(String(200), default="")
    availability: Mapped[str] = mapped_column(String(200), default="")
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Lifetime approved service minutes, kept with every approval and reversal (stars).
    service_minutes: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()
    community: Mapped[Place | None] = relationship()


class Activity(db.Model):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("slots > 0", name="slots_positive"),
        CheckConstraint("signed_up <= slots", name="not_overbooked"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_activity_community_starts", "community_id", "starts_at"),
        Index("ix_activity_community_ends", "community_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    # Where it happens (a courtyard or the community itself) and, in words, how to find it.
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    # The community whose pool issues the hours and whose workers may approve them.
    community_id: Mapped[int] = mapped_column(ForeignKey("place.id"))
    # Set when an organization (a volunteer team, a social organization) runs it.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    # Set when it takes place at a service point (a culture station, a meal point …).
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"),
                                                         index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    slots: Mapped[int]
    signed_up: Mapped[int] = mapped_column(default=0)
    # Hours the activity is worth, in minutes: what the log form offers first.
    minutes: Mapped[int]
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Approved minutes logged for it, kept with each approval ("most active activities").
    approved_minutes: Mapped[int] = mapped_column(default=0)

    place: Mapped[Place] = relationship(foreign_keys=[place_id])
    community: Mapped[Place] = relationship(foreign_keys=[community_id])
    organization: Mapped[Organization | None] = relationship()
    service_point: Mapped["ServicePoint | None"] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def organiser_name(self):
        return self.organization.name if self.organization else self.community.name

    @property
    def slots_left(self):
        return max(0, self.slots - self.signed_up)


class SignUp(db.Model):
    __tablename__ = "activity_signup"
    __table_args__ = (UniqueConstraint("activity_id", "user_id", name="uq_activity_signup_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    activity: Mapped[Activity] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def active(self):
        return self.cancelled_at is None


class HourLog(db.Model):
    """A service record (服务记录): time given, waiting for approval or decided."""

    __tablename__ = "hour_log"
    __table_args__ = (
        CheckConstraint(f"minutes > 0 AND minutes <= {MAX_LOG_MINUTES}", name="minutes_range"),
        # One log per activity and day; a rejected one may be sent again, corrected.
        Index("uq_hour_log_activity_day", "volunteer_id", "activity_id", "service_date",
              unique=True, sqlite_where=text("status IN ('pending', 'approved')"),
              postgresql_where=text("status IN ('pending', 'approved')")),
        Index("ix_hour_log_volunteer_status", "volunteer_id", "status"),
        # Approval queues read only the few pending logs.
        Index("ix_hour_log_pending", "community_id", "created_at",
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
        # … and of the activities a worker organises: without it, all of each activity's
        # logs (≈ 95 at city scale) are read to find the pending few.
        Index("ix_hour_log_pending_activity", "activity_id",
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
        Index("ix_hour_log_community_status", "community_id", "status", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), index=True)
    # Help given directly to a neighbour (who approves it) …
    neighbour_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # … or through a help request, paid by the person helped.
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("place.id"))
    service_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int]
    note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # A random token from the form: the same submission sent twice is stored once.
    token: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(200), default="")
    # A worker of the community checked a record the neighbour approved (and kept it, or
    # reversed it: then the status is "reversed").
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    neighbour: Mapped[User | None] = relationship(foreign_keys=[neighbour_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    activity: Mapped[Activity | None] = relationship()
    community: Mapped[Place] = relationship()
    help_request: Mapped["HelpRequest | None"] = relationship(foreign_keys=[help_request_id])

    @property
    def status_label(self):
        return LOG_STATUS_LABELS[self.status]

    @property
    def approved_by_neighbour(self):
        """Help to a neighbour that the neighbour approved alone (workers review these)."""
        return (self.neighbour_id is not None and self.activity_id is None
                and self.help_request_id is None and self.decided_by_id == self.neighbour_id
                and self.status in ("approved", "reversed"))

    @property
    def issuer_name(self):
        """Whoever organised the service certifies it: the organization, else the community."""
        if self.activity and self.activity.organization:
            return self.activity.organization.name
        return self.community.name


class MonthlyHours(db.Model):
    """Approved service minutes per community and month, kept with each approval so branch
    totals (储蓄所 / 分行 / 总行) never sum millions of logs."""

    __tablename__ = "monthly_hours"

    community_id: Mapped[int] = mapped_column(ForeignKey("place.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the month's first day
    minutes: Mapped[int] = mapped_column(default=0)
    logs: Mapped[int] = mapped_column(default=0)


class Account(db.Model):
    """A ledger account: a person's, or a community's issuing pool (which may go below zero:
    it is where earned hours come from)."""

    __tablename__ = "ledger_account"
    __table_args__ = (
        CheckConstraint("kind = 'pool' OR balance >= 0", name="person_not_negative"),
        CheckConstraint("(user_id IS NULL) <> (place_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "person" or "pool"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), unique=True)
    # Always equal to the sum of the account's entries (`flask timebank verify` checks).
    balance: Mapped[int] = mapped_column(default=0)

    user: Mapped[User | None] = relationship()
    place: Mapped[Place | None] = relationship()

    @property
    def owner_name(self):
        return self.user.name if self.user else self.place.name


class Transfer(db.Model):
    """One movement of minutes: exactly two entries that sum to zero. Never edited or
    deleted; a mistake is undone by a reversal."""

    __tablename__ = "ledger_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The idempotency key: one transfer per approval, per form submission …
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    memo: Mapped[str] = mapped_column(String(200), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"), unique=True)
    hour_log_id: Mapped[int | None] = mapped_column(ForeignKey("hour_log.id"), index=True)

    entries: Mapped[list["Entry"]] = relationship(back_populates="transfer",
                                                  order_by="Entry.amount")
    actor: Mapped[User | None] = relationship()
    reverses: Mapped["Transfer | None"] = relationship(remote_side=[id])
    hour_log: Mapped[HourLog | None] = relationship()

    @property
    def kind_label(self):
        return TRANSFER_KINDS[self.kind]


class Entry(db.Model):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="not_zero"),
        Index("ix_ledger_entry_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfer.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    amount: Mapped[int]  # minutes; negative leaves the account, positive arrives
    balance_after: Mapped[int]

    transfer: Mapped[Transfer] = relationship(back_populates="entries")
    account: Mapped[Account] = relationship()


class Reward(db.Model):
    __tablename__ = "reward"
    __table_args__ = (
        CheckConstraint("price_minutes > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(8), default="item")
    price_minutes: Mapped[int]
    stock: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Place] = relationship()

    @property
    def kind_label(self):
        return REWARD_KINDS[self.kind]


class Redemption(db.Model):
    __tablename__ = "redemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("reward.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    minutes: Mapped[int]
    pickup_code: Mapped[str] = mapped_column(String(8))
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfer.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handed_over_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    reward: Mapped[Reward] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    transfer: Mapped[Transfer] = relationship()


class HelpRequest(db.Model):
    """A resident asks for help and offers hours; a volunteer takes it; both confirm."""

    __tablename__ = "help_request"
    __table_args__ = (CheckConstraint(f"minutes > 0 AND minutes <= {MAX_LOG_MINUTES}",
                                      name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    details: Mapped[str] = mapped_column(String(500), default="")
    wanted_on: Mapped[date | None] = mapped_column(Date)
    when_text: Mapped[str] = mapped_column(String(80), default="")
    minutes: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="open")
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    taken_at: Mapped[datetime | None]
    # The resident accepted the volunteer who offered: only then do they see each other's
    # full name and mobile number, and can the help be confirmed.
    accepted_at: Mapped[datetime | None]
    requester_confirmed_at: Mapped[datetime | None]
    helper_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    helper: Mapped[User | None] = relationship(foreign_keys=[helper_id])
    community: Mapped[Place] = relationship()

    @property
    def status_label(self):
        if self.status == "taken" and self.accepted_at is None:
            return HELP_OFFERED_LABEL
        return HELP_STATUS_LABELS[self.status]


class Certificate(db.Model):
    """A 志愿服务证明: the approved records one issuer kept for one volunteer, numbered."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    verify_token: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    issuer_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    issuer_place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    total_minutes: Mapped[int]
    records: Mapped[int]
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    issuer_organization: Mapped[Organization | None] = relationship()
    issuer_place: Mapped[Place | None] = relationship()

    @property
    def issuer_name(self):
        return (self.issuer_organization or self.issuer_place).name


class CorrectionRequest(db.Model):
    """A volunteer's request to correct a service record, with the answer, kept for good."""

    __tablename__ = "correction_request"
    __table_args__ = (CheckConstraint(f"wanted_minutes >= 0 AND wanted_minutes <= "
                                      f"{MAX_LOG_MINUTES}", name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hour_log_id: Mapped[int] = mapped_column(ForeignKey("hour_log.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    wanted_minutes: Mapped[int]  # 0 asks for the record to be removed
    explanation: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, accepted, refused
    answer: Mapped[str] = mapped_column(String(500), default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What accepting it did: the reversal of the old earning and the corrected record.
    reversal_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"))
    new_log_id: Mapped[int | None] = mapped_column(ForeignKey("hour_log.id"))

    hour_log: Mapped[HourLog] = relationship(foreign_keys=[hour_log_id])
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    new_log: Mapped[HourLog | None] = relationship(foreign_keys=[new_log_id])


class SpendingRight(db.Model):
    """A worker's note that someone may spend hours on services when the rule asks for it."""

    __tablename__ = "spending_right"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(12))
    noted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    noted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def reason_label(self):
        return SPENDING_REASONS[self.reason]
