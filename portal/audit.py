"""The audit log: who did what to what, and for whom, kept for review."""

import json
from datetime import datetime

from flask import g, has_app_context
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Set when a community worker acts for a resident (代办): the resident's id.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The 代办 session it was done in (portal.accounts.models.ActingSession), if any.
    acting_session_id: Mapped[int | None] = mapped_column(ForeignKey("acting_session.id"),
                                                          index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    detail: Mapped[str] = mapped_column(Text, default="{}")

    actor = relationship("User", foreign_keys=[actor_id])

    @property
    def details(self):
        return json.loads(self.detail or "{}")


def record(action, subject, actor=None, on_behalf_of=None, **detail):
    """Add an audit entry for ``action`` on ``subject`` (a model instance) to the session.

    While a community worker acts for a resident (代办, ``g.acting``: see
    portal.accounts.acting), the rules are called with the resident as the user; the entry
    then names the worker as the one who did it, the resident as the one it was for, and
    the session it was done in.
    """
    acting = g.get("acting") if has_app_context() else None
    acting_session_id = None
    if acting is not None:
        actor, on_behalf_of, acting_session_id = acting.worker, acting.resident, acting.id
        g.setdefault("acting_recorded", []).append(subject)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        on_behalf_of_id=getattr(on_behalf_of, "id", None),
        acting_session_id=acting_session_id,
        action=action,
        subject_type=type(subject).__name__,
        subject_id=getattr(subject, "id", None),
        detail=json.dumps(detail, ensure_ascii=False, default=str),
    )
    db.session.add(entry)
    return entry
