"""The ledger: double entry in integer minutes.

Every movement is a ``Transfer`` with exactly two ``Entry`` rows that sum to zero. Entries are
never edited or deleted; ``reverse`` is the only undo. Each account's ``balance`` is a cache of
the sum of its entries, changed only here, by conditional ``UPDATE``s: a person's balance
cannot go below zero even when two requests spend the same last hour at once (the second
``UPDATE`` waits for the first to commit, then finds too little and changes nothing). A
transfer with an idempotency ``key`` happens once however often it is asked for. The mechanism
is the portal's one double-entry engine (``portal.ledger.Ledger``), shared with the community
funds; this module keeps the time bank's names and words for it.
"""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.extensions import db
from portal.ledger import Ledger
from portal.refusals import Refused
from portal.timebank.models import Account, Entry, Transfer

# The shared engine (portal/ledger.py) over the time bank's tables: a community's pool is
# where earned hours come from, so it alone may go below zero.
BOOKS = Ledger(Account, Transfer, Entry, may_go_negative=("pool",), refusal_field="hours")

# --- accounts ---


def person_account(user):
    """The user's account, opened on first use."""
    return BOOKS.account("person", user_id=user.id)


def pool_account(community):
    """The community's issuing pool (储蓄所), opened on first use."""
    return BOOKS.account("pool", place_id=community.id)


def balance(user):
    """The user's balance in minutes (0 before their first movement)."""
    return db.session.scalar(select(Account.balance).filter_by(user_id=user.id)) or 0


def storage_cap_minutes():
    return current_app.config["PORTAL"]["TIMEBANK_STORAGE_CAP_HOURS"] * 60


# --- moving minutes ---

def transfer_by_key(key):
    """The transfer made under idempotency ``key``, if any."""
    return BOOKS.transfer_by_key(key)


def move(kind, source, target, minutes, actor=None, key=None, memo="", **links):
    """Move ``minutes`` from ``source`` to ``target``; return the transfer.

    Raises ``Refused("insufficient")`` when ``source`` is a person without enough
    minutes. With a ``key`` already used, returns that earlier transfer and moves nothing.
    """
    return BOOKS.move(kind, source, target, minutes, actor=actor, key=key, memo=memo, **links)


def balance_of(account):
    return BOOKS.balance_of(account)


def reverse(transfer, actor, reason, key=None):
    """Undo ``transfer`` with an opposite one (once only); return the reversal.

    Refused when the minutes have already been spent by the person who received them.
    """
    already = BOOKS.reversal_of(transfer) if transfer.kind != "reversal" else None
    reversal = BOOKS.reverse(transfer, actor, reason, key=key,
                             hour_log_id=transfer.hour_log_id)
    if already is None:
        audit.record("timebank.reverse", transfer, actor=actor, reason=reason,
                     reversal=reversal.id)
    return reversal


def spill_over_cap(user, community, actor, key):
    """Send what a person holds above the storage cap to the community pool."""
    account = person_account(user)
    excess = account.balance - storage_cap_minutes()
    if excess > 0 and community is not None:
        return move("donate", account, pool_account(community), excess, actor=actor, key=key,
                    memo="over the storage cap")
    return None


def check_room(user, minutes):
    """Refuse a gift or grant that would take the receiver over the storage cap."""
    if balance(user) + minutes > storage_cap_minutes():
        raise Refused("over_cap", field="hours", cap=storage_cap_minutes() // 60)


# --- reading ---

def statement(account):
    """Select the account's entries, newest first, with their transfers."""
    return BOOKS.statement(account.id if account else None)


def counterparts(entries):
    """For each entry's transfer, the account on the other side: {transfer id: Account}."""
    others = BOOKS.other_sides(entries, joinedload(Entry.account).joinedload(Account.user),
                               joinedload(Entry.account).joinedload(Account.place))
    return {transfer_id: entry.account for transfer_id, entry in others.items()}


# --- checking ---

def verify():
    """Recompute every balance from the entries; return a list of problems (empty is good)."""
    return BOOKS.verify()
