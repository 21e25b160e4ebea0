"""Service points (HSDS service + location), their weekly hours and exceptions."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.organizations.models import Organization
from portal.places.models import Place
from portal.servicemap.hours import DayException, Schedule
from portal.timeutil import utcnow

# The official names residents know (seeds 001, 003, 004), in this order everywhere.
CATEGORIES = {
    "centre": _l("Party-masses service centre / community complex"),  # 党群服务中心/社区综合体
    "meals": _l("Meal-assistance point"),  # 助餐点
    "day_care": _l("Day care centre"),  # 日间照料中心
    "health": _l("Health service station"),  # 卫生服务站
    "culture": _l("Culture station"),  # 文化驿站
    "children": _l("Children's service station"),  # 儿童服务站
    "reading": _l("Reading point"),  # 阅读点
    "neighbours": _l("Neighbourhood station"),  # 邻里驿站
    "home_help": _l("Housekeeping / repair services"),  # 家政/维修 便民服务
}
# Short names for the columns of the coverage table.
CATEGORY_SHORT = {
    "centre": _l("Centre"),
    "meals": _l("Meals"),
    "day_care": _l("Day care"),
    "health": _l("Health"),
    "culture": _l("Culture"),
    "children": _l("Children"),
    "reading": _l("Reading"),
    "neighbours": _l("Station"),
    "home_help": _l("Home help"),
}
PRICES = {
    "free": _l("Free"),
    "low_cost": _l("Low cost"),
    "paid": _l("Paid"),
}
# HSDS service status: active, temporarily closed, defunct (kept for the record, not listed).
STATUSES = {
    "active": _l("Open as usual"),
    "temporarily_closed": _l("Temporarily closed"),
    "defunct": _l("Closed for good"),
}
ACCESSIBILITY = {
    "step_free": _l("Step-free entrance"),
    "accessible_toilet": _l("Accessible toilet"),
    "lift": _l("Lift"),
    "seats": _l("Seats to rest"),
}


class ServicePoint(db.Model):
    __tablename__ = "service_point"
    __table_args__ = (
        # "Near me" asks for a latitude band first, then longitude.
        Index("ix_service_point_latitude_longitude", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20), index=True)
    # The community (or a place under it) the point belongs to: its workers manage it.
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    # The organization running it: its staff manage it too.
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float]  # WGS-84
    longitude: Mapped[float]
    phone: Mapped[str | None] = mapped_column(String(20))
    price: Mapped[str] = mapped_column(String(10), default="free")
    # What is offered, one item a line.
    services: Mapped[str] = mapped_column(String(500), default="")
    # How to get there, in words (landmarks, floor, entrance).
    directions: Mapped[str | None] = mapped_column(String(300))
    step_free: Mapped[bool] = mapped_column(default=False)
    accessible_toilet: Mapped[bool] = mapped_column(default=False)
    lift: Mapped[bool] = mapped_column(default=False)
    seats: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_note: Mapped[str | None] = mapped_column(String(200))
    # When someone last checked the details; shown to residents.
    verified_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    place: Mapped[Place] = relationship()
    operator: Mapped[Organization | None] = relationship()
    hours: Mapped[list["ServiceHours"]] = relationship(
        back_populates="point", cascade="all, delete-orphan",
        order_by="(ServiceHours.weekday, ServiceHours.opens)",
    )
    exceptions: Mapped[list["HoursException"]] = relationship(
        back_populates="point", cascade="all, delete-orphan",
        order_by="(HoursException.day, HoursException.opens)",
    )

    def __repr__(self):
        return f"<ServicePoint {self.id} {self.category} {self.name}>"

    @property
    def category_label(self):
        return CATEGORIES[self.category]

    @property
    def price_label(self):
        return PRICES[self.price]

    @property
    def status_label(self):
        return STATUSES[self.status]

    @property
    def service_list(self):
        return [line.strip() for line in (self.services or "").splitlines() if line.strip()]

    @property
    def accessibility(self):
        """Return (code, label, offered) for each accessibility feature."""
        return [(code, label, getattr(self, code)) for code, label in ACCESSIBILITY.items()]

    def schedule(self, exceptions=None):
        """Build the point's Schedule from its rows (``exceptions`` if loaded apart)."""
        return build_schedule(self.hours, self.exceptions if exceptions is None else exceptions)


class ServiceHours(db.Model):
    """A weekly opening interval (HSDS schedule, freq WEEKLY)."""

    __tablename__ = "service_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("service_point.id", ondelete="CASCADE"))
    weekday: Mapped[int]  # 0 = Monday
    opens: Mapped[int]  # minutes after midnight
    closes: Mapped[int]  # minutes after midnight of the day it opens; > 1440 = next day

    point: Mapped[ServicePoint] = relationship(back_populates="hours")

    __table_args__ = (Index("ix_service_hours_point_weekday", "point_id", "weekday"),)


class HoursException(db.Model):
    """A date with other hours: closed (one row), or one row per special interval."""

    __tablename__ = "service_hours_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("service_point.id", ondelete="CASCADE"))
    day: Mapped[date]
    closed: Mapped[bool] = mapped_column(default=True)
    opens: Mapped[int | None]
    closes: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(200))

    point: Mapped[ServicePoint] = relationship(back_populates="exceptions")

    __table_args__ = (Index("ix_service_hours_exception_point_day", "point_id", "day"),)


def build_schedule(hours_rows, exception_rows):
    """Build an hours.Schedule from ServiceHours and HoursException rows."""
    weekly = {}
    for row in hours_rows:
        weekly.setdefault(row.weekday, []).append((row.opens, row.closes))
    grouped = {}
    for row in exception_rows:
        grouped.setdefault(row.day, []).append(row)
    exceptions = {}
    for day, rows in grouped.items():
        closed = any(row.closed for row in rows)
        intervals = () if closed else tuple(sorted((r.opens, r.closes) for r in rows))
        exceptions[day] = DayException(closed, intervals, rows[0].note or "")
    return Schedule({k: sorted(v) for k, v in weekly.items()}, exceptions)
