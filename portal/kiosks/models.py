"""Kiosks 自助终端: a touch screen in a service centre, enrolled by a worker and bound to
that service point by a signed, long-lived cookie carrying its ``token``. A revoked kiosk's
cookie (or a forged one) makes an ordinary browser."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.servicemap.models import ServicePoint
from portal.timeutil import utcnow


class Kiosk(db.Model):
    __tablename__ = "kiosk"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_point.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))  # "大厅入口左侧"
    token: Mapped[str] = mapped_column(String(43), unique=True)
    enrolled_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    service_point: Mapped[ServicePoint] = relationship()
    enrolled_by: Mapped[User] = relationship(foreign_keys=[enrolled_by_id])
