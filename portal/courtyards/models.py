"""Courtyards 院落: households, notices (with 公示 through portal.publicity), who has seen a
notice, opinion collections and their answers, resident conventions with versions, and
co-building agreements."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.places.models import Place
from portal.timeutil import utcnow

ANSWER_CHANNELS = ("online", "paper", "door")  # 网上 / 纸质 / 上门
COLLECTION_VOTERS = ("resident", "household")  # one answer per resident / per household
CONVENTION_STATES = ("draft", "consulting", "adopted", "rejected")


class Household(db.Model):
    """户: a flat in a courtyard (3栋2单元401). Residents who live there point at it."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("courtyard_id", "building_id", "unit", "room",
                                       name="uq_household_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    courtyard_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    unit: Mapped[str] = mapped_column(String(10), default="")
    room: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    courtyard: Mapped[Place] = relationship(foreign_keys=[courtyard_id])
    building: Mapped[Place | None] = relationship(foreign_keys=[building_id])


class Notice(db.Model):
    """通知 or 公示 in a courtyard, or for a whole community (shown in each of its courtyards).
    A 公示 is a notice with a publication (portal.publicity) for its window."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)  # plain text: paragraphs and "- " lists
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    pinned_until: Mapped[date | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    place: Mapped[Place] = relationship()
    posted_by: Mapped[User] = relationship()


class NoticeView(db.Model):
    """The first time a resident opened a notice: leaders count households that have seen it
    (residents never see who has read what)."""

    __tablename__ = "notice_view"
    __table_args__ = (UniqueConstraint("notice_id", "user_id", name="uq_notice_view"),
                      # "has this household seen that notice": the desk's door list.
                      Index("ix_notice_view_notice_household", "notice_id", "household_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Collection(db.Model):
    """意见征集: questions put to the residents (or households) of a place for a window."""

    __tablename__ = "collection"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A courtyard, or a community or street for a survey of all its courtyards.
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    voters: Mapped[str] = mapped_column(String(12), default="resident")
    opens_at: Mapped[datetime] = mapped_column(index=True)
    closes_at: Mapped[datetime] = mapped_column(index=True)
    live_results: Mapped[bool] = mapped_column(default=False)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]  # closed early by hand (else at closes_at)
    summary: Mapped[str | None] = mapped_column(Text)  # written at close, for a council

    place: Mapped[Place] = relationship()
    opened_by: Mapped[User] = relationship()
    questions: Mapped[list["Question"]] = relationship(
        back_populates="collection", order_by="Question.position")


class Question(db.Model):
    __tablename__ = "collection_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collection.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(300))
    multiple: Mapped[bool] = mapped_column(default=False)  # several options may be chosen
    free_text: Mapped[bool] = mapped_column(default=False)  # a box for the answerer's words

    collection: Mapped[Collection] = relationship(back_populates="questions")
    options: Mapped[list["Option"]] = relationship(
        back_populates="question", order_by="Option.position")


class Option(db.Model):
    __tablename__ = "collection_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("collection_question.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(100))

    question: Mapped[Question] = relationship(back_populates="options")


class Answer(db.Model):
    """One resident's (or household's) answer; changed in place until the collection closes.

    ``voter`` is "user:<id>" or "household:<id>": unique per collection, so two answers sent
    at once (two taps, two phones of one household) can never both be stored.
    """

    __tablename__ = "collection_answer"
    __table_args__ = (UniqueConstraint("collection_id", "voter", name="uq_answer_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collection.id"), index=True)
    voter: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)  # answered for
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    # The courtyard the answerer lived in, for results per courtyard of a community survey.
    courtyard_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    channel: Mapped[str] = mapped_column(String(8), default="online")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # paper, door
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    collection: Mapped[Collection] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    items: Mapped[list["AnswerItem"]] = relationship(
        back_populates="answer", cascade="all, delete-orphan")


class AnswerItem(db.Model):
    """A chosen option, or the words written for a question."""

    __tablename__ = "collection_answer_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("collection_answer.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("collection_question.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("collection_option.id"),
                                                  index=True)
    text: Mapped[str | None] = mapped_column(Text)

    answer: Mapped[Answer] = relationship(back_populates="items")


class ConventionVersion(db.Model):
    """A version of a courtyard's resident convention (居民公约): drafted, put to residents as
    a collection, adopted with its date of effect (or not). Every version stays readable."""

    __tablename__ = "convention_version"
    __table_args__ = (UniqueConstraint("place_id", "number", name="uq_convention_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    written_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collection.id"))
    effective_on: Mapped[date | None]
    decided_at: Mapped[datetime | None]

    place: Mapped[Place] = relationship()
    written_by: Mapped[User] = relationship()
    collection: Mapped[Collection | None] = relationship()


class Agreement(db.Model):
    """共建协议: an agreement of the courtyard with another party (a new development, a unit)."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    other_party: Mapped[str] = mapped_column(String(100))
    signed_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    place: Mapped[Place] = relationship()
