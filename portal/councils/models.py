"""Councils 议事会 and 三事分流: residents' requests (诉求) with their timeline, the departments
大事 are referred to, councils at building, group and community level with members, their
meetings (agenda, attendance, motions, roll-call votes, minutes), decisions carried through
一征三议两公开, and residents' answers to "问题解决了吗？".

A request's state moves only through ``portal.councils.states``; every move is a
``RequestEvent`` on its public timeline.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.organizations.models import Organization
from portal.places.models import PathType, Place
from portal.timeutil import utcnow

# Keys stored in the database; the words people read are in portal.councils.words.
CATEGORIES = ("environment", "transport", "safety", "amenities", "neighbours", "other")
CLASSES = ("major", "minor", "private")  # 大事 / 小事 / 私事
OUTCOMES = ("done", "partly_done", "not_possible", "duplicate", "withdrawn")
POSITIONS = ("convener", "deputy", "recorder", "member")  # 召集人 副召集人 记录员 成员
REPRESENTS = ("residents", "organization")
MEETING_STATES = ("called", "open", "closed", "cancelled")
AGENDA_KINDS = ("request", "collection", "other")
ATTENDANCE = ("present", "absent", "leave")
CHOICES = ("for", "against", "abstain")
SATISFACTION = ("yes", "partly", "no")
ASKS = ("outcome", "followup")  # asked at closing; asked again four weeks later


class Department(db.Model):
    """A government department 大事 are referred to (城管, 住建 …), kept per district."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("district_id", "name", name="uq_department_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)

    district: Mapped[Place] = relationship()


class ReplyTemplate(db.Model):
    """Wording kept by workers for a class of request, at a community (or above)."""

    __tablename__ = "reply_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    klass: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)

    place: Mapped[Place] = relationship()


class Council(db.Model):
    """议事会 of a building, a residents' group or a community (one per place)."""

    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    place: Mapped[Place] = relationship()
    members: Mapped[list["CouncilMember"]] = relationship(
        back_populates="council", order_by="CouncilMember.id")


class CouncilMember(db.Model):
    """A seat on a council for a term: a resident, or an organization's representative."""

    __tablename__ = "council_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    position: Mapped[str] = mapped_column(String(10), default="member")
    represents: Mapped[str] = mapped_column(String(12), default="residents")
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    council: Mapped[Council] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
    organization: Mapped[Organization | None] = relationship()


class Request(db.Model):
    """诉求: what a resident says is wrong, where, and everything that became of it."""

    __tablename__ = "council_request"
    __table_args__ = (
        # The 三事清单 and the triage queue: a community's requests by state, newest first.
        Index("ix_request_community_state", "community_id", "state", "created_at"),
        Index("ix_request_community_created", "community_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    courtyard_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    # The courtyard's community and path, kept so lists filter without joining the tree.
    community_id: Mapped[int] = mapped_column(ForeignKey("place.id"))
    place_path: Mapped[str] = mapped_column(PathType, index=True)
    category: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(default=True)
    # Whose matter it is; who wrote it down when a leader recorded it for them (代录).
    requester_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    state: Mapped[str] = mapped_column(String(14), default="submitted")
    klass: Mapped[str | None] = mapped_column(String(8))
    outcome: Mapped[str | None] = mapped_column(String(14))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    # 大事: the department, when it must answer by, and its answer.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    due_on: Mapped[date | None]
    department_reply: Mapped[str | None] = mapped_column(Text)
    # 小事: the council that takes it up.
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("council_request.id"),
                                                        index=True)
    # 我也遇到: a running total kept by the writes (the rows are RequestSupport).
    support_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    triaged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Four weeks after closing, the requester and supporters are asked again.
    follow_up_at: Mapped[datetime | None] = mapped_column(index=True)
    follow_up_sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    courtyard: Mapped[Place] = relationship(foreign_keys=[courtyard_id])
    building: Mapped[Place | None] = relationship(foreign_keys=[building_id])
    community: Mapped[Place] = relationship(foreign_keys=[community_id])
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    department: Mapped[Department | None] = relationship()
    council: Mapped[Council | None] = relationship()
    duplicate_of: Mapped["Request | None"] = relationship(remote_side=[id])
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", order_by="RequestEvent.id")

    @property
    def number(self):
        """The public number residents quote: 诉求 No. 000123."""
        return f"{self.id:06d}"


class RequestPhoto(db.Model):
    """The request's photo, re-encoded on upload (no location metadata, ≤ 200 KB)."""

    __tablename__ = "council_request_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("council_request.id"), unique=True)
    mimetype: Mapped[str] = mapped_column(String(20), default="image/jpeg")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int]
    height: Mapped[int]


class RequestSupport(db.Model):
    """我也遇到: one per resident and request (moved to the original when merged)."""

    __tablename__ = "council_request_support"
    __table_args__ = (UniqueConstraint("request_id", "user_id", name="uq_request_support"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("council_request.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RequestEvent(db.Model):
    """A step on a request's public timeline: a state change, an answer, a note."""

    __tablename__ = "council_request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("council_request.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who did it, and in what role (a key of portal.accounts.models.ROLE_LABELS).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(24))  # a transition's name, or "note"
    from_state: Mapped[str | None] = mapped_column(String(14))
    to_state: Mapped[str | None] = mapped_column(String(14))
    text: Mapped[str | None] = mapped_column(Text)  # the answer given, in the giver's words
    details: Mapped[str | None] = mapped_column(Text)  # JSON: department, class, outcome …

    request: Mapped[Request] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Meeting(db.Model):
    """A council meeting: called with an agenda, opened, attendance and votes, minutes."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_council_starts", "council_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    title: Mapped[str] = mapped_column(String(80))
    starts_at: Mapped[datetime]  # naive UTC
    minutes_long: Mapped[int] = mapped_column(default=90)
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"))
    place_text: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(10), default="called")
    called_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # iCalendar SEQUENCE: one more each time the meeting is moved or cancelled.
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    minutes_approved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    council: Mapped[Council] = relationship()
    called_by: Mapped[User] = relationship(foreign_keys=[called_by_id])
    minutes_approved_by: Mapped[User | None] = relationship(
        foreign_keys=[minutes_approved_by_id])
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position")


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10), default="other")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("council_request.id"),
                                                   index=True)
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collection.id"))
    title: Mapped[str] = mapped_column(String(100))
    minutes_long: Mapped[int] = mapped_column(default=15)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    request: Mapped[Request | None] = relationship()


class Attendance(db.Model):
    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_attendance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id"))
    status: Mapped[str] = mapped_column(String(8))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[CouncilMember] = relationship()


class Motion(db.Model):
    """A motion put to the vote at a meeting (roll call of the members present)."""

    __tablename__ = "motion"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    passed: Mapped[bool | None]

    meeting: Mapped[Meeting] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    votes: Mapped[list["Vote"]] = relationship(back_populates="motion")


class Vote(db.Model):
    __tablename__ = "motion_vote"
    __table_args__ = (UniqueConstraint("motion_id", "member_id", name="uq_vote_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id"))
    choice: Mapped[str] = mapped_column(String(8))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    motion: Mapped[Motion] = relationship(back_populates="votes")
    member: Mapped[CouncilMember] = relationship()


class Decision(db.Model):
    """A matter that spends money or binds residents, carried through 一征三议两公开:
    征 (the request, collection results) → 党组织提议 → 议事会商议 (a passed motion) →
    居民（代表）会议决议 (with its counts) → 决议公开 → 实施 → 结果公开 (with the cost)."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("council_request.id"),
                                                   index=True)
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collection.id"))
    title: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 党组织提议
    proposal: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    proposed_at: Mapped[datetime | None]
    # 议事会商议: the motion the council passed
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id"))
    deliberated_at: Mapped[datetime | None]
    # 居民（代表）会议决议
    resolution: Mapped[str | None] = mapped_column(Text)
    resolution_for: Mapped[int | None]
    resolution_against: Mapped[int | None]
    resolution_abstain: Mapped[int | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None]
    # 决议公开, 实施, 结果公开 (publications through portal.publicity)
    decision_publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))
    carried_out_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(Text)
    cost_fen: Mapped[int | None]
    result_publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))

    council: Mapped[Council] = relationship()
    request: Mapped[Request | None] = relationship()
    motion: Mapped[Motion | None] = relationship()


class Satisfaction(db.Model):
    """问题解决了吗？ asked of the requester and supporters at closing ("outcome") and four
    weeks later ("followup"); one answer per person and ask."""

    __tablename__ = "council_satisfaction"
    __table_args__ = (UniqueConstraint("request_id", "user_id", "ask",
                                       name="uq_satisfaction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("council_request.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    ask: Mapped[str] = mapped_column(String(8))
    answer: Mapped[str] = mapped_column(String(8))
    words: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
