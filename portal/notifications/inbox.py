"""Reading 我的消息: how many are unread, one page of the inbox grouped by what the messages
are about, and marking them read. Plain functions: the reader and ``now`` are arguments."""

from dataclasses import dataclass, field

from sqlalchemy import func, select, tuple_, update

from portal.extensions import db
from portal.notifications.models import Message
from portal.urls import paginate

GROUPS_PER_PAGE = 20


def is_mine(user, message):
    return user is not None and user.is_authenticated and message.user_id == user.id


def unread_count(user):
    """How many of ``user``'s messages are unread: one COUNT."""
    return db.session.scalar(
        select(func.count()).select_from(Message)
        .where(Message.user_id == user.id, Message.read_at.is_(None)))


@dataclass
class Group:
    """The messages about one subject, newest first; ``head`` (the newest) is its link."""

    head: Message
    messages: list = field(default_factory=list)

    @property
    def unread(self):
        return sum(1 for message in self.messages if message.read_at is None)


def inbox_page(user, per_page=GROUPS_PER_PAGE):
    """One page of ``user``'s inbox: (pagination, groups). The subjects are paged, newest
    change first; each group holds all of ``user``'s messages about its subject."""
    newest = (select(func.max(Message.id))
              .where(Message.user_id == user.id)
              .group_by(Message.subject_type, Message.subject_id))
    page = paginate(select(Message).where(Message.id.in_(newest))
                    .order_by(Message.created_at.desc(), Message.id.desc()), per_page)
    heads = list(page.items)
    if not heads:
        return page, []
    messages = db.session.scalars(
        select(Message)
        .where(Message.user_id == user.id,
               tuple_(Message.subject_type, Message.subject_id).in_(
                   [(head.subject_type, head.subject_id) for head in heads]))
        .order_by(Message.created_at.desc(), Message.id.desc())).all()
    groups = {(head.subject_type, head.subject_id): Group(head) for head in heads}
    for message in messages:
        groups[(message.subject_type, message.subject_id)].messages.append(message)
    return page, list(groups.values())


def mark_read(message, user, now):
    """``user`` opened ``message``: it and their other unread messages about the same
    subject are read (they have seen the page they lead to)."""
    db.session.execute(
        update(Message)
        .where(Message.user_id == user.id, Message.read_at.is_(None),
               Message.subject_type == message.subject_type,
               Message.subject_id == message.subject_id)
        .values(read_at=now))
    return message


def mark_all_read(user, now):
    """Mark every unread message of ``user`` read; return how many were."""
    result = db.session.execute(
        update(Message).where(Message.user_id == user.id, Message.read_at.is_(None))
        .values(read_at=now))
    return result.rowcount
