"""Projects 项目 and their calls for bids 比选: a project comes from a council's decision or a
community plan, is funded by several lines, is put out to a call where organizations bid,
a review panel scores the bids against weighted criteria, the award is published (公示), the
winner is contracted with a named project manager (一项目一经理), reports progress, is paid in
instalments, and is accepted (验收) with the residents' satisfaction. Money is integer 分."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.organizations.models import Organization
from portal.places.models import Place
from portal.timeutil import utcnow

# 社区保障激励资金, 居民自筹, 社会捐赠, 基金会, 街道投入
FUNDING_SOURCES = ("community_fund", "residents", "donations", "foundation", "street")
# planned → calling → awarded → contracted → in_progress → accepted (or cancelled)
PROJECT_STAGES = ("planned", "calling", "awarded", "contracted", "in_progress", "accepted",
                  "cancelled")
PANEL_ROLES = ("worker", "council", "resident")
SATISFACTION = ("yes", "partly", "no")


class Project(db.Model):
    __tablename__ = "project"
    __table_args__ = (CheckConstraint("budget_fen >= 0", name="budget_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A courtyard or a community: whose residents see it and may answer for it.
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)  # what it will do
    budget_fen: Mapped[int] = mapped_column(default=0)
    # Where it came from: a council's decision (一征三议两公开), or a community plan.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    plan_note: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(12), default="planned")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The contract: the winning organization and its named project manager.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"),
                                                        index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    contract_fen: Mapped[int | None]
    contracted_at: Mapped[datetime | None]
    # 验收
    acceptance_checklist: Mapped[str | None] = mapped_column(Text)  # JSON: item → passed
    acceptance_note: Mapped[str | None] = mapped_column(Text)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    accepted_at: Mapped[datetime | None]
    result_publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))
    cancelled_reason: Mapped[str | None] = mapped_column(Text)

    place: Mapped[Place] = relationship()
    organization: Mapped[Organization | None] = relationship()
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    funding: Mapped[list["FundingLine"]] = relationship(
        back_populates="project", order_by="FundingLine.id", cascade="all, delete-orphan")
    tasks: Mapped[list["ProjectTask"]] = relationship(
        back_populates="project", order_by="ProjectTask.position")


class FundingLine(db.Model):
    """Money a source puts into a project; ``matched_fen`` is what a fund's matching rule
    added (e.g. the community fund matches residents' own money 1:1 up to a cap)."""

    __tablename__ = "project_funding"
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int]
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("fund.id"))
    note: Mapped[str | None] = mapped_column(String(200))

    project: Mapped[Project] = relationship(back_populates="funding")


class ProjectTask(db.Model):
    """A sub-task; a project with tasks reports the average of their progress."""

    __tablename__ = "project_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(100))
    percent: Mapped[int] = mapped_column(default=0)

    project: Mapped[Project] = relationship(back_populates="tasks")


class ProgressReport(db.Model):
    __tablename__ = "project_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("project_task.id"))
    percent: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    photo: Mapped[bytes | None]  # re-encoded JPEG, like a request's photo
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)

    reported_by: Mapped[User] = relationship()
    project: Mapped[Project] = relationship()


class Payment(db.Model):
    """An instalment paid to the contracted organization (e.g. 60 % at contract, the rest
    after acceptance); from a community fund it is a transfer in the fund's ledger."""

    __tablename__ = "project_payment"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="payment_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    amount_fen: Mapped[int]
    paid_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    fund_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("fund_transfer.id"))


class ProjectSatisfaction(db.Model):
    """问题解决了吗？ asked of the place's residents at acceptance; one answer per person."""

    __tablename__ = "project_satisfaction"
    __table_args__ = (UniqueConstraint("project_id", "user_id", name="uq_project_satisfaction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    answer: Mapped[str] = mapped_column(String(8))
    words: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Call(db.Model):
    """比选公告: a call for bids for a project, with a deadline; bids are sealed until then."""

    __tablename__ = "project_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    opens_at: Mapped[datetime]
    deadline_at: Mapped[datetime] = mapped_column(index=True)
    # Who may bid: organization kinds and statuses (comma-separated keys).
    eligible_kinds: Mapped[str] = mapped_column(String(200))
    eligible_statuses: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    awarded_at: Mapped[datetime | None]  # the winning bid is the one marked ``awarded``
    award_publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))

    project: Mapped[Project] = relationship()
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="call", order_by="Criterion.position")
    panel: Mapped[list["PanelMember"]] = relationship(back_populates="call",
                                                      order_by="PanelMember.id")


class Criterion(db.Model):
    """评审标准, e.g. 方案 40, 经验 30, 报价 30 (weights sum to 100)."""

    __tablename__ = "call_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("project_call.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(40))
    weight: Mapped[int]

    call: Mapped[Call] = relationship(back_populates="criteria")


class PanelMember(db.Model):
    """A member of a call's review panel; ``submitted_at`` once all their scores are in
    (only then do they see others' scores). A member who is staff of a bidder declares it
    (``declared_organization_id``) and does not score that bid."""

    __tablename__ = "call_panel_member"
    __table_args__ = (UniqueConstraint("call_id", "user_id", name="uq_panel_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("project_call.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    declared_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    submitted_at: Mapped[datetime | None]

    call: Mapped[Call] = relationship(back_populates="panel")
    user: Mapped[User] = relationship()


class Bid(db.Model):
    """An organization's bid: sealed — nobody but the bidder sees it before the deadline."""

    __tablename__ = "project_bid"
    __table_args__ = (
        UniqueConstraint("call_id", "organization_id", name="uq_bid_organization"),
        CheckConstraint("price_fen > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("project_call.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    plan: Mapped[str] = mapped_column(Text)
    team: Mapped[str] = mapped_column(Text)
    price_fen: Mapped[int]
    timetable: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    awarded: Mapped[bool] = mapped_column(default=False)

    call: Mapped[Call] = relationship(foreign_keys=[call_id])
    organization: Mapped[Organization] = relationship()


class Score(db.Model):
    """One panel member's score (0–10) of one bid on one criterion, with a comment."""

    __tablename__ = "bid_score"
    __table_args__ = (
        UniqueConstraint("bid_id", "panel_member_id", "criterion_id", name="uq_bid_score"),
        CheckConstraint("score >= 0 AND score <= 10", name="score_range"),
        Index("ix_bid_score_member", "panel_member_id", "bid_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("project_bid.id"), index=True)
    panel_member_id: Mapped[int] = mapped_column(ForeignKey("call_panel_member.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("call_criterion.id"))
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)
