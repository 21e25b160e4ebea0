"""One double-entry engine for every ledger of the portal: the time bank's minutes and the
community funds' fen.

A ``Ledger`` is made once per domain from its three tables (account, transfer, entry) and the
kinds of account that may go below zero. Its invariants, whatever the domain:

- every movement is a transfer of exactly two entries that sum to zero; entries are never
  edited or deleted, and ``reverse`` (an opposite transfer, once) is the only undo;
- an account's ``balance`` is a cache of the sum of its entries, changed only here, by one
  conditional ``UPDATE … RETURNING`` per account: an account of a kind that must not go
  negative cannot, even when two requests spend the same last unit at once (the second
  ``UPDATE`` waits for the first to commit, then finds too little and changes nothing);
- accounts are changed in id order, so two opposite transfers cannot deadlock;
- a transfer with an idempotency ``key`` happens once however often it is asked for;
- ``verify()`` recomputes all of this from the entries.

The domain's tables need: account ``id``, ``kind``, ``balance``; transfer ``id``, ``kind``,
``key`` (unique), ``memo``, ``actor_id``, ``reverses_id`` (unique), ``entries``; entry
``transfer``/``transfer_id``, ``account``/``account_id``, ``amount``, ``balance_after``.
Amounts are positive whole numbers of the domain's unit; the engine never rounds.
"""

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.refusals import Refused

# The refusal reasons the engine raises, by what happened; a domain may name its own.
REASONS = {"insufficient": "insufficient", "same_account": "same_account",
           "spent": "spent", "reversal_of_reversal": "reversal_of_reversal"}


class Ledger:
    """The books of one domain: ``Ledger(Account, Transfer, Entry, may_go_negative=("pool",),
    refusal_field="hours")``."""

    def __init__(self, account, transfer, entry, *, may_go_negative, refusal_field,
                 reasons=None):
        self.Account, self.Transfer, self.Entry = account, transfer, entry
        self.may_go_negative = tuple(may_go_negative)
        self.refusal_field = refusal_field
        self.reasons = {**REASONS, **(reasons or {})}

    # --- accounts ---

    def account(self, kind, **owner):
        """The account of ``kind`` owned by ``owner`` (column values), opened on first use.

        Two requests opening the same account at once: the table's unique owner columns
        make the second insert fail, and it reads the first one's row instead.
        """
        found = select(self.Account).filter_by(kind=kind, **owner)
        account = db.session.scalar(found)
        if account is not None:
            return account
        try:
            with db.session.begin_nested():
                account = self.Account(kind=kind, balance=0, **owner)
                db.session.add(account)
        except IntegrityError:  # opened at the same moment by another request
            account = db.session.scalar(found)
        return account

    def balance_of(self, account):
        """The account's balance as stored now (not as this session remembers it)."""
        return db.session.scalar(select(self.Account.balance)
                                 .where(self.Account.id == account.id))

    def transfer_by_key(self, key):
        """The transfer made under idempotency ``key``, if any."""
        return db.session.scalar(select(self.Transfer).filter_by(key=key)) if key else None

    # --- moving ---

    def _change(self, account, amount):
        """Add ``amount`` to the account's balance in one statement; return the new balance,
        or None when an account that must not go negative would."""
        Account = self.Account
        condition = [Account.id == account.id]
        if amount < 0:
            condition.append(or_(Account.kind.in_(self.may_go_negative),
                                 Account.balance >= -amount))
        new_balance = db.session.execute(
            update(Account).where(*condition).values(balance=Account.balance + amount)
            .returning(Account.balance).execution_options(synchronize_session=False)
        ).scalar()
        if new_balance is not None:
            set_committed_value(account, "balance", new_balance)
        return new_balance

    def move(self, kind, source, target, amount, actor=None, key=None, memo="", **links):
        """Move ``amount`` from ``source`` to ``target``; return the transfer.

        Raises ``ValueError`` for anything but a positive whole number (the domain's rules
        refuse bad amounts in words before they get here), ``Refused`` (the "insufficient"
        reason) when ``source`` must not go negative and holds too little. With a ``key``
        already used, returns that earlier transfer and moves nothing. ``links`` are the
        transfer's other columns (``hour_log_id``, ``fund_id`` …).
        """
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ValueError(f"amount must be a positive whole number, not {amount!r}")
        if source.id == target.id:
            raise Refused(self.reasons["same_account"])
        earlier = self.transfer_by_key(key)
        if earlier is not None:
            return earlier
        try:
            with db.session.begin_nested():
                transfer = self.Transfer(kind=kind, key=key, memo=memo[:200],
                                         actor_id=getattr(actor, "id", None), **links)
                db.session.add(transfer)
                db.session.flush()  # a key used at the same moment fails here
                # Lock accounts in id order so opposite transfers cannot deadlock.
                after = {}
                for account, change in sorted(((source, -amount), (target, amount)),
                                              key=lambda pair: pair[0].id):
                    after[account.id] = self._change(account, change)
                    if after[account.id] is None:
                        raise Refused(self.reasons["insufficient"], field=self.refusal_field,
                                      balance=self.balance_of(account))
                db.session.add_all([
                    self.Entry(transfer=transfer, account_id=source.id, amount=-amount,
                               balance_after=after[source.id]),
                    self.Entry(transfer=transfer, account_id=target.id, amount=amount,
                               balance_after=after[target.id]),
                ])
                db.session.flush()
        except Refused:
            # The savepoint undid any balance already changed; forget the cached values.
            db.session.expire(source, ["balance"])
            db.session.expire(target, ["balance"])
            raise
        except IntegrityError:
            earlier = self.transfer_by_key(key)
            if earlier is None:
                raise
            return earlier
        return transfer

    def reversal_of(self, transfer):
        """The transfer that reversed ``transfer``, if any."""
        return db.session.scalar(select(self.Transfer).filter_by(reverses_id=transfer.id))

    def reverse(self, transfer, actor, reason, key=None, **links):
        """Undo ``transfer`` with an opposite one (once only); return the reversal.

        Refused ("spent") when the account that received the amount no longer holds it and
        must not go negative; a reversal is never reversed. The caller writes the audit
        entry, in its own domain's words.
        """
        if transfer.kind == "reversal":
            raise Refused(self.reasons["reversal_of_reversal"])
        existing = self.reversal_of(transfer)
        if existing is not None:
            return existing
        paid = next(e for e in transfer.entries if e.amount > 0)
        charged = next(e for e in transfer.entries if e.amount < 0)
        try:
            return self.move("reversal", paid.account, charged.account, paid.amount,
                             actor=actor, key=key or f"reverse:{transfer.id}", memo=reason,
                             reverses_id=transfer.id, **links)
        except Refused as refused:
            if refused.reason == self.reasons["insufficient"]:
                raise Refused(self.reasons["spent"], field=self.refusal_field) from refused
            raise

    # --- reading ---

    def statement(self, account_id):
        """Select the account's entries, newest first, with their transfers."""
        Entry = self.Entry
        return (select(Entry).where(Entry.account_id == account_id)
                .options(joinedload(Entry.transfer)).order_by(Entry.id.desc()))

    def other_sides(self, entries, *options):
        """For each entry's transfer, the entry on the other side: {transfer id: Entry}, in
        one query (``options`` load what the page shows of their accounts)."""
        if not entries:
            return {}
        Entry = self.Entry
        others = db.session.scalars(
            select(Entry).where(Entry.transfer_id.in_([e.transfer_id for e in entries]),
                                Entry.id.not_in([e.id for e in entries]))
            .options(*options))
        return {entry.transfer_id: entry for entry in others}

    # --- checking ---

    def verify(self):
        """Recompute every balance from the entries; return a list of problems (empty is
        good)."""
        Account, Transfer, Entry = self.Account, self.Transfer, self.Entry
        problems = []
        sums = (select(Entry.account_id, func.sum(Entry.amount).label("total"))
                .group_by(Entry.account_id).subquery())
        accounts = (select(Account.id, Account.kind, Account.balance,
                           func.coalesce(sums.c.total, 0))
                    .outerjoin(sums, sums.c.account_id == Account.id).order_by(Account.id))
        for account_id, kind, cached, total in db.session.execute(accounts):
            if cached != total:
                problems.append(f"account {account_id}: balance {cached} but entries sum to "
                                f"{total}")
            if kind not in self.may_go_negative and min(cached, total) < 0:
                problems.append(f"account {account_id}: a {kind} account's balance is "
                                f"negative ({min(cached, total)})")
        total = func.coalesce(func.sum(Entry.amount), 0)
        unbalanced = db.session.execute(
            select(Transfer.id, func.count(Entry.id), total)
            .outerjoin(Entry, Entry.transfer_id == Transfer.id).group_by(Transfer.id)
            .having(or_(func.count(Entry.id) != 2, total != 0)).order_by(Transfer.id))
        for transfer_id, count, summed in unbalanced:
            problems.append(f"transfer {transfer_id}: {count} entries summing to {summed}")
        return problems
