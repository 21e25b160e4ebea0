"""Organizations: social organizations, volunteer teams, foundations …"""

from datetime import datetime

from sqlalchemy import ForeignKey, String
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


class Organization(db.Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    home_place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    home_place: Mapped[Place] = relationship()

    def __repr__(self):
        return f"<Organization {self.id} {self.name}>"

    @property
    def kind_label(self):
        return ORGANIZATION_KINDS[self.kind]
