"""Requests 诉求 as residents make them: submitting one (or a leader writing it down for a
neighbour, 代录), 我也遇到, and the open requests like the one being typed.

Invariants:
- a request is raised in the requester's own community; a leader writes one down only for
  a resident of a courtyard they lead, and the timeline names both;
- one RequestSupport row per person and request (the unique key decides under races), and
  ``support_count`` is changed only by the SQL that adds such a row, so it is never counted
  twice for a double tap;
- nothing here changes a request's state: that is ``portal.councils.states``.
"""

import re
import unicodedata

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import audit, photos
from portal.accounts.models import User
from portal.accounts.permissions import can, places_where
from portal.councils import states
from portal.councils.access import community_of
from portal.councils.models import CATEGORIES, Request, RequestPhoto, RequestSupport
from portal.extensions import db
from portal.phones import normalize_mobile
from portal.refusals import Refused

BODY_MAX = 2000
TITLE_MAX = 60  # the column
TITLE_FROM_BODY = 20  # characters of the body that make a title when none is given
SIMILAR_POOL = 200  # the most recent open requests of a courtyard compared with the text

_PAUSES = "，。！？；：、,.!?;:…"
_SPACES = re.compile(r"\s+")


def title_from(body):
    """The first ~20 characters of ``body``, cut at a pause when there is one."""
    text = _SPACES.sub(" ", body).strip()
    if len(text) <= TITLE_FROM_BODY:
        return text.rstrip(_PAUSES)
    head = text[:TITLE_FROM_BODY]
    cut = max(head.rfind(mark) for mark in _PAUSES)
    if cut >= 6:  # a pause this early would leave too little to recognise the matter
        return head[:cut]
    return head + "…"


def _checked_body(body):
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise Refused("request_body_missing", field="body")
    if len(body) > BODY_MAX:
        raise Refused("request_body_too_long", field="body", max=BODY_MAX)
    return body


def may_record(leader):
    """Whether ``leader`` leads any courtyard (or building), so may write down requests."""
    return (leader is not None and leader.is_authenticated
            and bool(places_where(leader, "courtyard_leader")))


def neighbour_by_mobile(leader, mobile):
    """The resident with ``mobile`` living in a courtyard ``leader`` leads; else Refused."""
    number = normalize_mobile(mobile or "")
    neighbour = db.session.scalar(select(User).where(User.mobile == number)) if number else None
    if neighbour is None or not neighbour.active:
        raise Refused("request_neighbour_unknown", field="mobile")
    courtyard = neighbour.home_courtyard
    if courtyard is None or not can(leader, "courtyard_leader", courtyard):
        raise Refused("request_not_your_neighbour", field="mobile")
    return neighbour


def submit(requester, courtyard, category, body, now, building=None, public=True, photo=None,
           title=None, recorded_by=None):
    """Raise a request for ``requester`` about ``courtyard`` (a leader ``recorded_by`` may
    write it down for them); ``photo`` is an uploaded file or None. Return the Request."""
    if courtyard is None or courtyard.kind != "courtyard":
        raise Refused("request_not_a_courtyard", field="courtyard")
    community = community_of(courtyard)
    if recorded_by is None:
        if community is None or not can(requester, "resident", community):
            raise Refused("request_other_community", field="courtyard")
    elif (requester.home_courtyard_id != courtyard.id
          or not can(recorded_by, "courtyard_leader", courtyard)):
        raise Refused("request_not_your_neighbour", field="mobile")
    body = _checked_body(body)
    if category not in CATEGORIES:
        raise Refused("request_category_unknown", field="category")
    if building is not None and (building.kind != "building"
                                 or not courtyard.contains(building)):
        raise Refused("request_building_elsewhere", field="building")
    title = _SPACES.sub(" ", title or "").strip() or title_from(body)
    if len(title) > TITLE_MAX:
        raise Refused("request_title_too_long", field="title", max=TITLE_MAX)
    picture = photos.reencode(photo) if photo is not None else None

    request = Request(courtyard=courtyard, building=building, community_id=community.id,
                      place_path=courtyard.path, category=category, title=title, body=body,
                      public=bool(public), requester=requester, recorded_by=recorded_by,
                      state="submitted", created_at=now, updated_at=now)
    db.session.add(request)
    db.session.flush()
    if picture is not None:
        data, mimetype, width, height = picture
        db.session.add(RequestPhoto(request_id=request.id, data=data, mimetype=mimetype,
                                    width=width, height=height))
    if recorded_by is None:
        states.note(request, "submit", requester, "resident", now)
    else:
        states.note(request, "record", recorded_by, "courtyard_leader", now,
                    requester=requester.id)
    audit.record("councils.request.submit", request, actor=recorded_by or requester,
                 on_behalf_of=requester if recorded_by is not None else None,
                 courtyard=courtyard.id, category=category, public=bool(public),
                 photo=picture is not None)
    return request


# --- 我也遇到 ---

def _why_not_support(request, user):
    if not request.public:
        return "support_not_public"
    if not states.is_open(request):
        return "support_not_open"
    if user is None or not user.is_authenticated or not can(user, "resident",
                                                            request.community):
        return "support_not_neighbour"
    if user.id == request.requester_id:
        return "support_own_request"
    return None


def may_support(user, request):
    """Whether ``user`` may say 我也遇到 on ``request`` (having said it already included)."""
    return _why_not_support(request, user) is None


def has_supported(user, request):
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(select(RequestSupport.id).where(
        RequestSupport.request_id == request.id, RequestSupport.user_id == user.id)) is not None


def support(request, user, now):
    """Say 我也遇到 for ``user``: True when it was added, False when it was already there."""
    reason = _why_not_support(request, user)
    if reason:
        raise Refused(reason)
    if has_supported(user, request):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(RequestSupport(request_id=request.id, user_id=user.id,
                                          created_at=now))
            db.session.flush()
    except IntegrityError:
        return False  # a second tap (or phone) got there first
    db.session.execute(update(Request).where(Request.id == request.id)
                       .values(support_count=Request.support_count + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(request, attribute_names=["support_count"])
    audit.record("councils.request.support", request, actor=user)
    return True


# --- 是这个问题吗？ ---

def bigrams(text):
    """Pairs of neighbouring letters, digits or characters in ``text`` (its words, roughly:
    Chinese has no spaces, and two characters are most of its words)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    pairs = set()
    for run in re.findall(r"\w+", text):
        pairs.update(run[i:i + 2] for i in range(len(run) - 1))
    return pairs


def _open_public(courtyard):
    return select(Request).where(Request.courtyard_id == courtyard.id,
                                 Request.public.is_(True), Request.state.in_(states.OPEN))


def most_supported(courtyard, limit=5):
    """The courtyard's open public requests, most 我也遇到 first."""
    return db.session.scalars(_open_public(courtyard).order_by(
        Request.support_count.desc(), Request.created_at.desc()).limit(limit)).all()


def similar_open(courtyard, text, limit=5):
    """Open public requests of ``courtyard`` sharing the most word pairs with ``text``;
    only its ``SIMILAR_POOL`` most recent are compared, so the cost does not grow."""
    wanted = bigrams(text)
    if not wanted:
        return []
    pool = db.session.execute(
        select(Request.id, Request.title, Request.body, Request.support_count)
        .where(Request.courtyard_id == courtyard.id, Request.public.is_(True),
               Request.state.in_(states.OPEN))
        .order_by(Request.created_at.desc()).limit(SIMILAR_POOL)).all()
    scored = sorted(((len(wanted & bigrams(f"{row.title} {row.body}")), row.support_count,
                      row.id) for row in pool), reverse=True)
    ids = [ident for score, _count, ident in scored[:limit] if score > 0]
    if not ids:
        return []
    found = {r.id: r for r in db.session.scalars(select(Request).where(Request.id.in_(ids)))}
    return [found[i] for i in ids]


def suggestions(courtyard, text, limit=5):
    """What "是这个问题吗？" shows: the requests like ``text``, or before anything is typed
    the courtyard's most supported open ones."""
    if courtyard is None:
        return []
    if bigrams(text):
        return similar_open(courtyard, text, limit)
    return most_supported(courtyard, limit)
