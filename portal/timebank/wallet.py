"""What people do with their hours: give them to family, donate them, and what a worker
grants from the community pool to a resident in need.

Each write takes the one-time ``token`` of the form that asked for it and builds its own
idempotency key from it ("gift:<token>"): the same form sent twice moves the hours once.
"""

from flask import current_app

from portal import audit
from portal.accounts.permissions import can, works_for
from portal.extensions import db
from portal.refusals import Refused
from portal.timebank import ledger
from portal.timebank.models import SpendingRight


def gift_key(token):
    return f"gift:{token}"


def check_gift(giver, receiver, minutes):
    """Refuse a gift to nobody, to oneself, or of more than the giver has; asked before the
    giver confirms and again when the hours move."""
    if receiver is None:
        raise Refused("unknown_mobile", field="mobile")
    if receiver.id == giver.id:
        raise Refused("gift_to_self", field="mobile")
    if minutes > ledger.balance(giver):
        raise Refused("insufficient", field="hours")
    ledger.check_room(receiver, minutes)


def gift(giver, receiver, minutes, token):
    """Give hours to a family member (found by mobile number)."""
    earlier = ledger.transfer_by_key(gift_key(token))
    if earlier:
        return earlier
    check_gift(giver, receiver, minutes)
    transfer = ledger.move("gift", ledger.person_account(giver), ledger.person_account(receiver),
                           minutes, actor=giver, key=gift_key(token))
    audit.record("timebank.gift", transfer, actor=giver, to=receiver.id, minutes=minutes)
    return transfer


def donate(user, minutes, token):
    """Give hours back to one's community pool (above the storage cap, say)."""
    community = user.home_community
    if community is None:
        raise Refused("no_place")
    transfer = ledger.move("donate", ledger.person_account(user), ledger.pool_account(community),
                           minutes, actor=user, key=f"donate:{token}")
    audit.record("timebank.donate", transfer, actor=user, minutes=minutes)
    return transfer


def grant(worker, community, receiver, minutes, reason, token):
    """A community worker gives pool hours to a resident in need, saying why. The form's
    one-time ``token`` makes a second identical request return the first grant."""
    key = f"grant:{token}"
    earlier = ledger.transfer_by_key(key)
    if earlier:
        return earlier
    if not can(worker, "community_worker", community):
        raise Refused("not_yours_to_decide")
    if receiver is None:
        raise Refused("unknown_mobile", field="mobile")
    if receiver.id == worker.id:
        raise Refused("gift_to_self", field="mobile")
    if not (reason or "").strip():
        raise Refused("reason_needed", field="reason")
    ledger.check_room(receiver, minutes)
    transfer = ledger.move("grant", ledger.pool_account(community),
                           ledger.person_account(receiver), minutes, actor=worker, key=key,
                           memo=reason.strip())
    audit.record("timebank.grant", transfer, actor=worker, to=receiver.id, minutes=minutes,
                 reason=reason.strip())
    return transfer


def may_spend_on_services(user):
    """The deposit rule: anyone, or only people a worker marked as eligible."""
    if current_app.config["PORTAL"]["TIMEBANK_SPENDERS"] != "eligible":
        return True
    return db.session.get(SpendingRight, user.id) is not None


def note_spending_right(worker, person, reason):
    """Record that ``person`` may spend hours on services (a worker of their community)."""
    if person is None:
        raise Refused("unknown_mobile", field="mobile")
    if not works_for(worker, person):
        raise Refused("not_yours_to_decide", field="mobile")
    right = db.session.get(SpendingRight, person.id) or SpendingRight(user_id=person.id)
    right.reason = reason
    right.noted_by_id = worker.id
    db.session.add(right)
    audit.record("timebank.spending_right", person, actor=worker, reason=reason)
    return right
