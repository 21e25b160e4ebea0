"""Organizations: social organizations, volunteer teams, foundations …"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.places.models import Place
from portal.timeutil import utcnow

ORGANIZATION_KINDS = {
    "social_group": _l("Social group"),  # 社会团体
    "service_agency": _l("Social service agency"),  # 社会服务机构
    "foundation": _l("Foundation"),  # 基金会
    "social_enterprise": _l("Social enterprise"),  # 社会企业
    "community_group": _l("Community social organization"),  # 社区社会组织 (filed 备案)
    "volunteer_team": _l("Volunteer team"),  # 志愿服务队
}


# 培育中 → 备案 (filed with the street) → 登记 (registered with 民政) → 暂停 (suspended).
ORGANIZATION_STATUSES = ("incubating", "filed", "registered", "suspended")
# 孵化: 能人发现 → 骨干抱团 → 社区社会组织备案 → 承接微项目 → 登记注册.
INCUBATION_STAGES = ("talent", "core_group", "filed", "micro_project", "registered")


class Organization(db.Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    home_place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="incubating",
                                        server_default="incubating")
    # 统一社会信用代码 (GB 32100-2015), for registered organizations; checked on entry.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    address: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(40))
    # What it works on (keys of portal.organizations' SERVICE_AREAS, comma-separated).
    service_areas: Mapped[str] = mapped_column(String(200), default="", server_default="")
    filed_on: Mapped[date | None]
    registered_on: Mapped[date | None]
    suspended_reason: Mapped[str | None] = mapped_column(Text)

    home_place: Mapped[Place] = relationship()
    communities: Mapped[list["ServedCommunity"]] = relationship(
        back_populates="organization", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Organization {self.id} {self.name}>"

    @property
    def kind_label(self):
        return ORGANIZATION_KINDS[self.kind]


class ServedCommunity(db.Model):
    """A community an organization serves."""

    __tablename__ = "organization_community"
    __table_args__ = (UniqueConstraint("organization_id", "place_id",
                                       name="uq_organization_community"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)

    organization: Mapped[Organization] = relationship(back_populates="communities")
    place: Mapped[Place] = relationship()


class IncubationStep(db.Model):
    """A stage of incubation 孵化 an organization reached, on a day, with its mentor."""

    __tablename__ = "incubation_step"
    __table_args__ = (UniqueConstraint("organization_id", "stage", name="uq_incubation_stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    reached_on: Mapped[date]
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    mentor: Mapped[Organization | None] = relationship(foreign_keys=[mentor_id])
