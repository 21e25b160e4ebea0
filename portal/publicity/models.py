"""Publicity 公示: any object published for a window, with objections and questions from the
residents in scope, each answered publicly within a deadline. Nothing here is ever deleted:
a publication is withdrawn with a reason."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.places.models import Place
from portal.timeutil import utcnow

OBJECTION_KINDS = ("objection", "question")  # 异议 / 询问


class Publication(db.Model):
    __tablename__ = "publication"
    __table_args__ = (Index("ix_publication_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What is published: a notice, a council decision, an award … (type name and id).
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    # Whose residents may object: a courtyard, or a community (every courtyard of it).
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    # Days a poster or worker has to answer an objection publicly.
    answer_days: Mapped[int] = mapped_column(default=3)
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    place: Mapped[Place] = relationship()
    posted_by: Mapped[User] = relationship(foreign_keys=[posted_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    objections: Mapped[list["Objection"]] = relationship(
        back_populates="publication", order_by="Objection.raised_at")


class Objection(db.Model):
    """An objection (异议) or a question (询问) raised during the window, and its answer."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(index=True)

    publication: Mapped[Publication] = relationship(back_populates="objections")
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
