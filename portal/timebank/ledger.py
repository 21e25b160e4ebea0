"""The ledger: double entry in integer minutes.

Every movement is a ``Transfer`` with exactly two ``Entry`` rows that sum to zero. Entries are
never edited or deleted; ``reverse`` is the only undo. Each account's ``balance`` is a cache of
the sum of its entries, changed only here, by conditional ``UPDATE``s: a person's balance
cannot go below zero even when two requests spend the same last hour at once (the second
``UPDATE`` waits for the first to commit, then finds too little and changes nothing). A
transfer with an idempotency ``key`` happens once however often it is asked for.
"""

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal import audit
from portal.extensions import db
from portal.refusals import Refused
from portal.timebank.models import Account, Entry, Transfer

# --- accounts ---

def _account(kind, **owner):
    account = db.session.scalar(select(Account).filter_by(**owner))
    if account is not None:
        return account
    try:
        with db.session.begin_nested():
            account = Account(kind=kind, balance=0, **owner)
            db.session.add(account)
    except IntegrityError:  # opened at the same moment by another request
        account = db.session.scalar(select(Account).filter_by(**owner))
    return account


def person_account(user):
    """The user's account, opened on first use."""
    return _account("person", user_id=user.id)


def pool_account(community):
    """The community's issuing pool (储蓄所), opened on first use."""
    return _account("pool", place_id=community.id)


def balance(user):
    """The user's balance in minutes (0 before their first movement)."""
    return db.session.scalar(select(Account.balance).filter_by(user_id=user.id)) or 0


def storage_cap_minutes():
    return current_app.config["PORTAL"]["TIMEBANK_STORAGE_CAP_HOURS"] * 60


# --- moving minutes ---

def transfer_by_key(key):
    """The transfer made under idempotency ``key``, if any."""
    return db.session.scalar(select(Transfer).filter_by(key=key)) if key else None


def _change(account, amount):
    """Add ``amount`` to the account's balance in one statement; return the new balance, or
    None when a person's balance would go below zero."""
    condition = [Account.id == account.id]
    if amount < 0:
        condition.append(or_(Account.kind == "pool", Account.balance >= -amount))
    new_balance = db.session.execute(
        update(Account).where(*condition).values(balance=Account.balance + amount)
        .returning(Account.balance).execution_options(synchronize_session=False)
    ).scalar()
    if new_balance is not None:
        set_committed_value(account, "balance", new_balance)
    return new_balance


def move(kind, source, target, minutes, actor=None, key=None, memo="", **links):
    """Move ``minutes`` from ``source`` to ``target``; return the transfer.

    Raises ``Refused("insufficient")`` when ``source`` is a person without enough
    minutes. With a ``key`` already used, returns that earlier transfer and moves nothing.
    """
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValueError(f"minutes must be a positive whole number, not {minutes!r}")
    if source.id == target.id:
        raise Refused("same_account")
    earlier = transfer_by_key(key)
    if earlier is not None:
        return earlier
    try:
        with db.session.begin_nested():
            transfer = Transfer(kind=kind, key=key, memo=memo[:200],
                                actor_id=getattr(actor, "id", None), **links)
            db.session.add(transfer)
            db.session.flush()  # a key used at the same moment fails here
            # Lock accounts in id order so opposite transfers cannot deadlock.
            after = {}
            for account, amount in sorted(((source, -minutes), (target, minutes)),
                                          key=lambda pair: pair[0].id):
                after[account.id] = _change(account, amount)
                if after[account.id] is None:
                    raise Refused("insufficient", field="hours", balance=balance_of(account))
            db.session.add_all([
                Entry(transfer=transfer, account_id=source.id, amount=-minutes,
                      balance_after=after[source.id]),
                Entry(transfer=transfer, account_id=target.id, amount=minutes,
                      balance_after=after[target.id]),
            ])
            db.session.flush()
    except Refused:
        # The savepoint undid any balance already changed; forget the cached values.
        db.session.expire(source, ["balance"])
        db.session.expire(target, ["balance"])
        raise
    except IntegrityError:
        earlier = transfer_by_key(key)
        if earlier is None:
            raise
        return earlier
    return transfer


def balance_of(account):
    return db.session.scalar(select(Account.balance).where(Account.id == account.id))


def reverse(transfer, actor, reason, key=None):
    """Undo ``transfer`` with an opposite one (once only); return the reversal.

    Refused when the minutes have already been spent by the person who received them.
    """
    if transfer.kind == "reversal":
        raise Refused("reversal_of_reversal")
    existing = db.session.scalar(select(Transfer).filter_by(reverses_id=transfer.id))
    if existing is not None:
        return existing
    paid = next(e for e in transfer.entries if e.amount > 0)
    charged = next(e for e in transfer.entries if e.amount < 0)
    try:
        reversal = move("reversal", paid.account, charged.account, paid.amount, actor=actor,
                        key=key or f"reverse:{transfer.id}", memo=reason,
                        reverses_id=transfer.id, hour_log_id=transfer.hour_log_id)
    except Refused as refused:
        if refused.reason == "insufficient":
            raise Refused("spent") from refused
        raise
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
    return (select(Entry).where(Entry.account_id == (account.id if account else None))
            .options(joinedload(Entry.transfer)).order_by(Entry.id.desc()))


def counterparts(entries):
    """For each entry's transfer, the account on the other side: {transfer id: Account}."""
    if not entries:
        return {}
    others = db.session.scalars(
        select(Entry).where(Entry.transfer_id.in_([e.transfer_id for e in entries]),
                            Entry.id.not_in([e.id for e in entries]))
        .options(joinedload(Entry.account).joinedload(Account.user),
                 joinedload(Entry.account).joinedload(Account.place)))
    return {entry.transfer_id: entry.account for entry in others}


# --- checking ---

def verify():
    """Recompute every balance from the entries; return a list of problems (empty is good)."""
    problems = []
    sums = (select(Entry.account_id, func.sum(Entry.amount).label("total"))
            .group_by(Entry.account_id).subquery())
    rows = db.session.execute(
        select(Account.id, Account.kind, Account.balance, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.account_id == Account.id)
    )
    for account_id, kind, cached, total in rows:
        if cached != total:
            problems.append(f"account {account_id}: balance {cached} but entries sum to {total}")
        if kind == "person" and total < 0:
            problems.append(f"account {account_id}: a person's balance is negative ({total})")
    unbalanced = db.session.execute(
        select(Transfer.id, func.count(Entry.id), func.coalesce(func.sum(Entry.amount), 0))
        .outerjoin(Entry, Entry.transfer_id == Transfer.id).group_by(Transfer.id)
        .having(or_(func.count(Entry.id) != 2, func.coalesce(func.sum(Entry.amount), 0) != 0))
    )
    for transfer_id, count, total in unbalanced:
        problems.append(f"transfer {transfer_id}: {count} entries summing to {total}")
    return problems
