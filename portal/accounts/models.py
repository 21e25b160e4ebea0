"""Users and the roles they hold at a place or in an organization."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.organizations.models import Organization
from portal.places.models import Place
from portal.timeutil import utcnow

ROLE_LABELS = {
    "resident": _l("Resident"),
    "volunteer": _l("Volunteer"),
    "courtyard_leader": _l("Courtyard leader"),
    "council_member": _l("Council member"),
    "community_worker": _l("Community worker"),
    "org_staff": _l("Organization staff"),
    "admin": _l("Administrator"),
}
ROLES = tuple(ROLE_LABELS)
# Roles held at an organization; all others are held at a place.
ORGANIZATION_ROLES = ("org_staff", "volunteer")
PLACE_ROLES = tuple(r for r in ROLES if r not in ("org_staff", "resident"))

TEXT_SIZES = ("standard", "large", "xlarge")


def new_session_token():
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    home_courtyard_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    # 户: the flat the person lives in (portal.courtyards.models.Household), if recorded.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    # A courtyard leader may let the residents of their courtyard see their full number.
    phone_shown_to_neighbours: Mapped[bool] = mapped_column(default=False,
                                                            server_default="0")
    locale: Mapped[str | None] = mapped_column(String(8))
    text_size: Mapped[str | None] = mapped_column(String(8))
    # A one-time code printed at the counter for residents registered by a worker.
    first_login_code_hash: Mapped[str | None] = mapped_column(String(255))
    first_login_code_expires_at: Mapped[datetime | None]
    # Wrong codes typed since the code was printed; at FIRST_LOGIN_CODE_TRIES it is void.
    first_login_code_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    # Part of the sign-in identity (``get_id``) kept in the session and remember cookies: a
    # new token signs the user out everywhere. Empty (the server default) matches no cookie.
    session_token: Mapped[str] = mapped_column(String(43), default=new_session_token,
                                               server_default="")
    # The 6-digit PIN for signing in at a kiosk (set in the profile or at the counter).
    kiosk_pin_hash: Mapped[str | None] = mapped_column(String(255))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    home_courtyard: Mapped[Place | None] = relationship()
    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", foreign_keys="RoleGrant.user_id", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<User {self.id} {self.name}>"

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """Flask-Login's identity for the session and remember cookies: id and token."""
        return f"{self.id}:{self.session_token}"

    def sign_out_everywhere(self):
        """Give the user a new session token: every session and remember cookie ends."""
        self.session_token = new_session_token()

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def home_community(self):
        return self.home_courtyard.ancestor("community") if self.home_courtyard else None


class RoleGrant(db.Model):
    __tablename__ = "role_grant"
    __table_args__ = (
        CheckConstraint(
            "(place_id IS NULL) <> (organization_id IS NULL)", name="one_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id"), index=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    place: Mapped[Place | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    @property
    def target(self):
        return self.place or self.organization

    @property
    def role_label(self):
        return ROLE_LABELS[self.role]


class ActingSession(db.Model):
    """代办: a community worker acting for a resident who is present at the counter and
    agrees. Everything done meanwhile is audited with both people (AuditEntry.actor is the
    worker, on_behalf_of the resident, acting_session this row)."""

    __tablename__ = "acting_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    resident_present: Mapped[bool] = mapped_column(default=False)
    resident_agrees: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Ends when the worker ends it, signs out, or after PORTAL_ACTING_MINUTES.
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_how: Mapped[str | None] = mapped_column(String(12))  # ended, timeout, signed_out

    worker: Mapped[User] = relationship(foreign_keys=[worker_id])
    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
