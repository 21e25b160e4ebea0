"""What the councils tell people in 我的消息, and to whom: the resident who raised a request
(and everyone who said 我也遇到) at each step; a council's members when a meeting is called,
moved or cancelled. One message per change: each key names the change.

Rules call ``tell_request(...)`` / ``tell_members(...)`` inside their transaction, after
the change; the words are registered here once, rendered in the reader's language."""

from flask import url_for
from sqlalchemy import select

from portal.accounts.models import User
from portal.councils.models import CouncilMember, RequestSupport
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.notifications.kinds import register_kind
from portal.notifications.sender import notify


def _request_url(request_id):
    return url_for("councils.request", request_id=request_id)


def _meeting_url(meeting_id):
    return url_for("councils.meeting", meeting_id=meeting_id)


def _decision_url(decision_id):
    return url_for("councils.decision", decision_id=decision_id)


REQUEST_KINDS = {
    "request_referred": _l("Your request “%(title)s” is a major matter: it was referred to "
                           "%(department)s, to answer by %(due)s."),
    "request_to_council": _l("Your request “%(title)s” is a minor matter: %(council)s will "
                             "take it up."),
    "request_guided": _l("Your request “%(title)s” is a private matter: guidance was given."),
    "request_replied": _l("%(department)s answered your request “%(title)s”."),
    "request_on_agenda": _l("Your request “%(title)s” is on the agenda of the meeting on "
                            "%(day)s."),
    "request_deliberated": _l("The council discussed your request “%(title)s”."),
    "request_resolved": _l("The council decided on your request “%(title)s”."),
    "request_carrying_out": _l("What was decided on your request “%(title)s” is being "
                               "carried out."),
    "request_closed": _l("Your request “%(title)s” was closed. Was the problem solved? "
                         "Tell us."),
    "request_duplicate": _l("Your request “%(title)s” is the same as request No. "
                            "%(number)s; follow that one."),
    "request_reopened": _l("Your request “%(title)s” was opened again."),
    "request_withdrawn": _l("Your request “%(title)s” was withdrawn by the person who made "
                            "it."),
    "follow_up_due": _l("Four weeks ago your request “%(title)s” was closed. Has the "
                        "problem stayed solved?"),
}
MEETING_KINDS = {
    "meeting_called": _l("%(council)s meets on %(when)s: %(title)s."),
    "meeting_moved": _l("The meeting “%(title)s” of %(council)s was moved to %(when)s."),
    "meeting_cancelled": _l("The meeting “%(title)s” of %(council)s on %(when)s was "
                            "cancelled."),
}
DECISION_KINDS = {
    "decision_published": _l("The decision “%(title)s” is published: read it and say what "
                             "you think by %(day)s."),
    "result_published": _l("What was done for “%(title)s” is published, with its cost."),
}

for _kind, _words in REQUEST_KINDS.items():
    register_kind(_kind, _words, _request_url)
for _kind, _words in MEETING_KINDS.items():
    register_kind(_kind, _words, _meeting_url)
for _kind, _words in DECISION_KINDS.items():
    register_kind(_kind, _words, _decision_url)


def followers(request):
    """The requester and everyone who said 我也遇到, each once."""
    supporters = db.session.scalars(
        select(RequestSupport.user_id).where(RequestSupport.request_id == request.id)).all()
    ids = [request.requester_id] + [i for i in supporters if i != request.requester_id]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [users[i] for i in ids if i in users]


def tell_request(request, kind, key, now, but=None, **params):
    """Tell the requester and supporters of ``request`` about a change (``key`` names it,
    e.g. f"referred:{event.id}"), all ``but`` the one who made it; ``title`` is added to
    the words' values."""
    assert kind in REQUEST_KINDS, kind
    params.setdefault("title", request.title)
    for user in followers(request):
        if but is None or user.id != but.id:
            notify(user, kind, request, f"{kind}:{key}", now=now, **params)


def tell_members(meeting, kind, key, now, **params):
    """Tell the current members of ``meeting``'s council (``key`` names the change)."""
    assert kind in MEETING_KINDS, kind
    params.setdefault("title", meeting.title)
    params.setdefault("council", meeting.council.name)
    today = now.date()
    members = db.session.scalars(
        select(CouncilMember).where(CouncilMember.council_id == meeting.council_id,
                                    CouncilMember.starts_on <= today,
                                    CouncilMember.ends_on >= today)).all()
    for user in {m.user_id: m.user for m in members}.values():
        notify(user, kind, meeting, f"{kind}:{key}", now=now, **params)


def tell_residents(decision, users, kind, key, now, **params):
    """Tell ``users`` about a step of ``decision``."""
    assert kind in DECISION_KINDS, kind
    params.setdefault("title", decision.title)
    for user in users:
        notify(user, kind, decision, f"{kind}:{key}", now=now, **params)


__all__ = ["DECISION_KINDS", "MEETING_KINDS", "REQUEST_KINDS", "followers",
           "tell_members", "tell_request", "tell_residents"]
