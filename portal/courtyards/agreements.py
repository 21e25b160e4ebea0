"""Co-building agreements 共建协议 of a courtyard with another party (a new development next
door, a unit): kept for every resident to read. Leaders and workers add them."""

from sqlalchemy import select

from portal import audit
from portal.accounts.permissions import can
from portal.courtyards.models import Agreement
from portal.extensions import db
from portal.refusals import Refused

TITLE_MAX = 100
PARTY_MAX = 100
TEXT_MAX = 5000


def may_add(user, courtyard):
    """The courtyard's leaders and the community's workers."""
    return courtyard is not None and courtyard.kind == "courtyard" and can(
        user, ("courtyard_leader", "community_worker"), courtyard)


def add_agreement(user, courtyard, title, other_party, signed_on, text, today):
    """Record an agreement ``courtyard`` signed with ``other_party`` on ``signed_on``."""
    if courtyard is None or courtyard.kind != "courtyard":
        raise Refused("not_a_courtyard")
    if not may_add(user, courtyard):
        raise Refused("not_yours_to_post")
    fields = {"title": ((title or "").strip(), TITLE_MAX),
              "other_party": ((other_party or "").strip(), PARTY_MAX),
              "text": ((text or "").strip(), TEXT_MAX)}
    for field, (value, most) in fields.items():
        if not value:
            raise Refused("notice_empty", field=field)
        if len(value) > most:
            raise Refused("text_too_long", field=field, max=most)
    if signed_on > today:
        raise Refused("signed_in_future", field="signed_on")
    agreement = Agreement(place_id=courtyard.id, title=fields["title"][0],
                          other_party=fields["other_party"][0], signed_on=signed_on,
                          text=fields["text"][0], posted_by_id=user.id)
    db.session.add(agreement)
    db.session.flush()
    audit.record("courtyards.agreement.add", agreement, actor=user, place=courtyard.id)
    return agreement


def of_courtyard(courtyard):
    """Select the agreements of ``courtyard``, the latest signed first."""
    return (select(Agreement).where(Agreement.place_id == courtyard.id)
            .order_by(Agreement.signed_on.desc(), Agreement.id.desc()))
