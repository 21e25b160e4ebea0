"""问题解决了吗？ — the requester and supporters answer when a request is closed ("outcome")
and again four weeks later ("followup"); a "no" to the follow-up opens it again for triage.

Invariants: one answer per person and ask (the unique key decides; a second tap is refused
politely, never counted); only the requester and those who said 我也遇到 answer; the state
changes only through ``portal.councils.states``.
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.councils import states
from portal.councils.models import SATISFACTION, Request, RequestSupport, Satisfaction
from portal.councils.telling import tell_request
from portal.extensions import db
from portal.refusals import Refused

WORDS_MAX = 500


def current_ask(request):
    """The question asked of ``request``'s people now: "followup" once the four-week
    follow-up was sent (until it is reopened), "outcome" while it is closed, else None."""
    if request.follow_up_sent_at is not None and request.state in ("closed", "followed_up"):
        return "followup"
    if request.state == "closed":
        return "outcome"
    return None


def is_asked(user, request):
    """Whether ``user`` is one of those asked: the requester or a supporter."""
    if user is None or not user.is_authenticated:
        return False
    if user.id == request.requester_id:
        return True
    return db.session.scalar(select(RequestSupport.id).where(
        RequestSupport.request_id == request.id, RequestSupport.user_id == user.id)) is not None


def answer_of(user, request, ask):
    if user is None or not user.is_authenticated or ask is None:
        return None
    return db.session.scalar(select(Satisfaction).where(
        Satisfaction.request_id == request.id, Satisfaction.user_id == user.id,
        Satisfaction.ask == ask))


def answer(request, user, ask, answer, words, now):
    """Keep ``user``'s answer to ``ask``; a follow-up "no" reopens the request, the first
    follow-up "yes"/"partly" marks it followed up. Return the Satisfaction row."""
    if not is_asked(user, request):
        raise Refused("satisfaction_not_yours", field="answer")
    if ask is None or ask != current_ask(request):
        raise Refused("satisfaction_not_asked", field="answer")
    if answer not in SATISFACTION:
        raise Refused("satisfaction_unknown_answer", field="answer")
    words = (words or "").strip() or None
    if words is not None and len(words) > WORDS_MAX:
        raise Refused("satisfaction_words_too_long", field="words", max=WORDS_MAX)
    if answer_of(user, request, ask) is not None:
        raise Refused("satisfaction_already", field="answer")
    row = Satisfaction(request_id=request.id, user_id=user.id, ask=ask, answer=answer,
                       words=words, answered_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Refused("satisfaction_already", field="answer") from None
    audit.record("councils.satisfaction.answer", request, actor=user, ask=ask, answer=answer)
    if ask == "followup":
        if answer == "no":
            event = states.move(request, "reopen", user, "resident", now, text=words)
            db.session.flush()
            tell_request(request, "request_reopened", f"reopen:{event.id}", now)
        elif request.state == "closed":
            states.move(request, "follow_up", user, "resident", now, text=words,
                        answer=answer)
    return row


def summary(community):
    """{class: {answer: count}} of the answers given about ``community``'s requests (both
    asks; a reopened request, with no class yet, is under None). One grouped query."""
    rows = db.session.execute(
        select(Request.klass, Satisfaction.answer, func.count())
        .join(Request, Satisfaction.request_id == Request.id)
        .where(Request.community_id == community.id, Request.public.is_(True))
        .group_by(Request.klass, Satisfaction.answer)).all()
    counts = {}
    for klass, given, count in rows:
        counts.setdefault(klass, dict.fromkeys(SATISFACTION, 0))[given] = count
    return counts
