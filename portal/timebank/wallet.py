"""What people do with their hours: give them to family, donate them, and what a worker
grants from the community pool to a resident in need."""

from flask import current_app

from portal import audit
from portal.accounts.permissions import can
from portal.extensions import db
from portal.timebank import ledger
from portal.timebank.models import SpendingRight
from portal.timebank.refusals import Refused


def gift(giver, receiver, minutes, key):
    """Give hours to a family member (found by mobile number)."""
    if ledger.transfer_by_key(key):
        return ledger.transfer_by_key(key)
    if receiver is None:
        raise Refused("unknown_mobile")
    if receiver.id == giver.id:
        raise Refused("gift_to_self")
    ledger.check_room(receiver, minutes)
    transfer = ledger.move("gift", ledger.person_account(giver), ledger.person_account(receiver),
                           minutes, actor=giver, key=key)
    audit.record("timebank.gift", transfer, actor=giver, to=receiver.id, minutes=minutes)
    return transfer


def donate(user, minutes, key):
    """Give hours back to one's community pool (above the storage cap, say)."""
    community = user.home_community
    if community is None:
        raise Refused("no_place")
    transfer = ledger.move("donate", ledger.person_account(user), ledger.pool_account(community),
                           minutes, actor=user, key=key)
    audit.record("timebank.donate", transfer, actor=user, minutes=minutes)
    return transfer


def grant(worker, community, receiver, minutes, reason, key):
    """A community worker gives pool hours to a resident in need, saying why."""
    if ledger.transfer_by_key(key):
        return ledger.transfer_by_key(key)
    if not can(worker, "community_worker", community):
        raise Refused("not_yours_to_decide")
    if receiver is None:
        raise Refused("unknown_mobile")
    if receiver.id == worker.id:
        raise Refused("gift_to_self")
    if not (reason or "").strip():
        raise Refused("reason_needed")
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
    if person.home_courtyard is None or not can(worker, "community_worker",
                                                person.home_courtyard):
        raise Refused("not_yours_to_decide")
    right = db.session.get(SpendingRight, person.id) or SpendingRight(user_id=person.id)
    right.reason = reason
    right.noted_by_id = worker.id
    db.session.add(right)
    audit.record("timebank.spending_right", person, actor=worker, reason=reason)
    return right
