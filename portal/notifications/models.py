"""我的消息: one message per change for one person, and its SMS delivery when a gateway is
set. A message stores no words: its kind's message (registered by the domain that sends it)
is rendered at read time in the reader's language from the stored parameters."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.timeutil import utcnow


class Message(db.Model):
    __tablename__ = "message"
    # The inbox groups one person's messages by what they are about.
    __table_args__ = (Index("ix_message_user_subject", "user_id", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)  # the recipient
    kind: Mapped[str] = mapped_column(String(40))  # "objection_answered" …
    # What it is about (a ``__tablename__`` and an id): the link goes there.
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    # One message per change: "objection_answered:12:34" (the change, then the recipient).
    key: Mapped[str] = mapped_column(String(120), unique=True)
    # The parameters of the kind's words, as JSON (a title …): plain text, escaped when shown.
    params: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def values(self):
        """The parameters as a dict."""
        try:
            values = json.loads(self.params or "{}")
        except ValueError:
            return {}
        return values if isinstance(values, dict) else {}


class SmsDelivery(db.Model):
    """A message waiting to go out by SMS (only when ``PORTAL_SMS_WEBHOOK_URL`` is set).

    ``next_attempt_at`` is when it is due; None once it is delivered or given up."""

    __tablename__ = "sms_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))

    message: Mapped[Message] = relationship()
