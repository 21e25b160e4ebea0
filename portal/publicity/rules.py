"""Publicity 公示: publish any object for a window, take objections and questions from the
residents in scope while it is open, answer them publicly within a deadline, withdraw with a
reason. Nothing is deleted.

Who may publish is the publishing domain's rule (a courtyard leader for a notice, a council
for its decision); this module checks everything after that. Times are naive UTC; a window
is open from ``starts_at`` (included) to ``ends_at`` (excluded).
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from flask_babel import gettext
from sqlalchemy import false, select, union
from sqlalchemy.sql.elements import False_

from portal import audit
from portal.accounts.permissions import can, scope
from portal.extensions import db
from portal.notifications.sender import notify
from portal.places.models import Place
from portal.publicity.models import OBJECTION_KINDS, Objection, Publication
from portal.refusals import Refused
from portal.timeutil import utcnow

__all__ = [
    "ANSWER_DAYS", "BODY_MAX", "MIN_DAYS", "OBJECTION_KINDS", "PUBLICITY_DAYS", "REASON_MAX",
    "PublicityState", "answer", "may_answer", "may_object", "may_withdraw", "publication_of",
    "publish", "raise_objection", "register_subject", "state", "subject_url",
    "unanswered_for", "withdraw",
]

# The usual window. The seed reports (/work/shared/seeds) name no period for 公示 ("两公开"
# in 004 says results are made public, not for how long), so the default is DESIGN.md's 7
# days and the shortest window a rule accepts is one whole day.
PUBLICITY_DAYS = 7
MIN_DAYS = 1
# Days a poster or a worker has to answer an objection publicly (DESIGN.md: 3).
ANSWER_DAYS = 3
# Longest objection or answer (the portal's limit for bodies), and withdrawal reason.
BODY_MAX = 5000
REASON_MAX = 500
TITLE_MAX = 200  # the column

_DAY = timedelta(days=1)


# --- what is published, and where its page is -------------------------------------------

_SUBJECT_URLS = {}


def register_subject(subject_type, url_for_id):
    """Say where the page of a ``subject_type`` (a ``__tablename__``) is: ``url_for_id(id)``
    returns its URL. A domain calls this once, at import."""
    _SUBJECT_URLS[subject_type] = url_for_id


def subject_url(publication):
    """Return the URL of the published object's page (the publication's own page when its
    domain registered none)."""
    url_for_id = _SUBJECT_URLS.get(publication.subject_type)
    if url_for_id is None:
        return url_for("publicity.publication", publication_id=publication.id)
    return url_for_id(publication.subject_id)


def _subject_type(subject):
    return type(subject).__tablename__


def publication_of(subject):
    """Return the latest publication of ``subject`` (any model instance), or None."""
    return db.session.scalar(
        select(Publication)
        .where(Publication.subject_type == _subject_type(subject),
               Publication.subject_id == subject.id)
        .order_by(Publication.created_at.desc(), Publication.id.desc())
        .limit(1))


# --- who may do what ---------------------------------------------------------------------

def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def may_object(user, publication):
    """A signed-in resident of the publication's place (a courtyard, or a community)."""
    return _signed_in(user) and can(user, "resident", publication.place)


def may_answer(user, publication):
    """The poster, or a community worker (or admin) over the publication's place."""
    return _signed_in(user) and (
        publication.posted_by_id == user.id
        or can(user, "community_worker", publication.place))


def may_withdraw(user, publication):
    """The same people who answer: the poster, or a community worker over the place."""
    return may_answer(user, publication)


# --- the rules ---------------------------------------------------------------------------

def publish(subject, place, title, posted_by, starts_at, ends_at, answer_days=ANSWER_DAYS,
            now=None):
    """Publish ``subject`` (a model instance with an id) to the residents of ``place`` from
    ``starts_at`` to ``ends_at`` (naive UTC); return the publication."""
    now = utcnow() if now is None else now
    title = (title or "").strip()
    if not title:
        raise Refused("publication_title_needed", field="title")
    if len(title) > TITLE_MAX:
        raise Refused("publication_title_too_long", field="title", limit=TITLE_MAX)
    if ends_at <= starts_at:
        raise Refused("window_order", field="ends_on")
    if ends_at - starts_at < MIN_DAYS * _DAY:
        raise Refused("window_too_short", field="ends_on", days=MIN_DAYS)
    if not isinstance(answer_days, int) or answer_days < 1:
        raise Refused("answer_days_too_few", field="answer_days")
    if subject.id is None:
        db.session.flush()  # the subject was just added: give it its id
    publication = Publication(
        subject_type=_subject_type(subject), subject_id=subject.id, place=place, title=title,
        starts_at=starts_at, ends_at=ends_at, answer_days=answer_days,
        posted_by_id=posted_by.id, created_at=now)
    db.session.add(publication)
    db.session.flush()
    audit.record("publicity.publish", publication, actor=posted_by,
                 published=f"{publication.subject_type}:{publication.subject_id}",
                 place=place.id, starts_at=starts_at, ends_at=ends_at,
                 answer_days=answer_days)
    return publication


def _written(text, field, missing, most):
    """``text`` stripped, or Refused(``missing``) when empty, or too long past ``most``."""
    text = (text or "").strip()
    if not text:
        raise Refused(missing, field=field)
    if len(text) > most:
        raise Refused("publicity_text_too_long", field=field, limit=most)
    return text


def withdraw(publication, actor, reason, now):
    """Withdraw ``publication`` with a reason everyone will read; it stays on the page."""
    if not may_withdraw(actor, publication):
        raise Refused("publicity_not_yours")
    if publication.withdrawn_at is not None:
        raise Refused("already_withdrawn")
    reason = _written(reason, "reason", "withdrawal_reason_needed", REASON_MAX)
    publication.withdrawn_at = now
    publication.withdrawn_by_id = actor.id
    publication.withdrawal_reason = reason
    audit.record("publicity.withdraw", publication, actor=actor, reason=reason)
    return publication


def raise_objection(publication, user, kind, body, now):
    """A resident in scope raises an objection or a question while the window is open; it
    must be answered within the publication's ``answer_days``."""
    if not may_object(user, publication):
        raise Refused("publicity_not_resident")
    if kind not in OBJECTION_KINDS:
        raise Refused("objection_kind_unknown", field="kind")
    phase = _phase(publication, now)
    if phase == "withdrawn":
        raise Refused("publication_withdrawn", field="body")
    if phase == "upcoming":
        raise Refused("window_not_open", field="body")
    if phase == "ended":
        raise Refused("window_over", field="body")
    body = _written(body, "body", "objection_body_needed", BODY_MAX)
    objection = Objection(publication=publication, kind=kind, body=body, raised_by_id=user.id,
                          raised_at=now, due_at=now + publication.answer_days * _DAY)
    db.session.add(objection)
    db.session.flush()
    audit.record("publicity.object", objection, actor=user, publication=publication.id,
                 kind=kind)
    return objection


def answer(objection, actor, text, now):
    """The poster or a worker answers ``objection`` publicly (after the window too)."""
    if not may_answer(actor, objection.publication):
        raise Refused("publicity_not_yours")
    if objection.answered_at is not None:
        raise Refused("already_answered")
    text = _written(text, "answer", "objection_answer_needed", BODY_MAX)
    objection.answer = text
    objection.answered_by_id = actor.id
    objection.answered_at = now
    audit.record("publicity.answer", objection, actor=actor,
                 publication=objection.publication_id, late=now > objection.due_at)
    if objection.raised_by_id != actor.id:  # tell the one who asked (我的消息)
        notify(objection.raised_by, "objection_answered", objection.publication,
               f"objection_answered:{objection.id}", now=now,
               title=objection.publication.title)
    return objection


# --- where a publication stands ----------------------------------------------------------

def _phase(publication, now):
    if publication.withdrawn_at is not None:
        return "withdrawn"
    if now < publication.starts_at:
        return "upcoming"
    if now < publication.ends_at:
        return "open"
    return "ended"


def is_overdue(objection, now):
    """Unanswered and past its due time."""
    return objection.answered_at is None and now > objection.due_at


@dataclass(frozen=True)
class PublicityState:
    """Where a publication stands at one moment, in numbers and in plain words."""

    phase: str  # "upcoming", "open", "ended" or "withdrawn"
    days_left: int  # whole days until the end, a part day counted as a day; 0 once ended
    objections: int  # objections and questions raised
    answered: int
    overdue: int  # unanswered past their due time
    questions: int = 0  # of ``objections``, how many were questions

    @property
    def is_open(self):
        return self.phase == "open"

    @property
    def phase_words(self):
        """"公示期还剩 3 天", "公示已结束", …: the window, said plainly."""
        if self.phase == "open":
            return gettext("%(days)d days left in the publicity period.", days=self.days_left)
        if self.phase == "upcoming":
            return gettext("The publicity period has not started yet.")
        if self.phase == "withdrawn":
            return gettext("This publicity was withdrawn.")
        return gettext("The publicity period is over.")

    @property
    def summary(self):
        """The archive words: "公示期满，无异议", or how many were raised and answered."""
        if self.phase == "withdrawn":
            return gettext("This publicity was withdrawn.")
        if self.objections:
            return gettext("%(raised)d objections or questions received, %(answered)d "
                           "answered.", raised=self.objections, answered=self.answered)
        if self.phase == "ended":
            return gettext("Publicity period over, no objections.")
        return gettext("No objections so far.")


def state(publication, now):
    """Return where ``publication`` stands at ``now``."""
    phase = _phase(publication, now)
    raised = publication.objections
    if phase in ("upcoming", "open"):
        days_left = math.ceil((publication.ends_at - now) / _DAY)
    else:
        days_left = 0
    return PublicityState(
        phase=phase,
        days_left=days_left,
        objections=len(raised),
        answered=sum(1 for o in raised if o.answered_at is not None),
        overdue=sum(1 for o in raised if is_overdue(o, now)),
        questions=sum(1 for o in raised if o.kind == "question"),
    )


def unanswered_for(user, now, subject_type=None):
    """A select of the objections ``user`` may answer that wait for an answer, overdue first
    (for desks), on publications of ``subject_type`` ("notice" …) if given. ``now`` is
    accepted for callers that mark the overdue ones.

    Those under the user's places and those on what the user posted are two indexed lookups
    joined with UNION: one OR across the joined tables read every publication of the city.
    The kind of publication is chosen inside them too: asked of the outer select, SQLite read
    every notice's publication of the city to find the few in the UNION."""
    if not _signed_in(user):
        return select(Objection).where(false())
    waiting = (select(Objection.id).join(Publication, Objection.publication_id == Publication.id)
               .where(Objection.answered_at.is_(None)))
    if subject_type is not None:
        # Checked on each waiting objection's publication, not looked up by its index (every
        # notice of the city): the waiting objections are the few to start from.
        waiting = waiting.where(Publication.subject_type + "" == subject_type)
    in_reach = scope(user, "community_worker", place=Place.path)
    ways = [waiting.where(Publication.posted_by_id == user.id)]
    if not isinstance(in_reach, False_):  # a worker nowhere: no lookup at all
        ways.append(waiting.join(Place, Publication.place_id == Place.id).where(in_reach))
    return (
        select(Objection)
        .join(Publication, Objection.publication_id == Publication.id)
        .where(Objection.id.in_(union(*ways)))
        # The earliest due come first, so every overdue one is above every one still in time.
        .order_by(Objection.due_at, Objection.id)
    )
