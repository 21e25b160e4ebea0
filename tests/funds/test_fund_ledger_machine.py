"""Any sequence of donations, grants, disbursements, reversals and repeated submissions keeps
a fund's books: every transfer sums to zero, the fund never goes below zero, each cached
balance equals its entries' sum, and a key moves money once."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from portal.extensions import db
from portal.funds import money
from portal.funds.models import FundAccount, FundEntry
from portal.refusals import Refused

KEYS = st.sampled_from([None, "a", "b", "c"])


class FundMachine(RuleBasedStateMachine):
    transfers = Bundle("transfers")

    def __init__(self, fund, projects, worker, now):
        super().__init__()
        self.fund, self.projects, self.worker, self.now = fund, projects, worker, now

    @initialize()
    def fresh_books(self):
        db.session.rollback()  # every example starts with the fund's empty books
        self.held = 0
        self.paid = {p.id: 0 for p in self.projects}
        self.keys = {}

    def _once(self, key, transfer):
        if key is None:
            return True
        if key in self.keys:
            assert transfer.id == self.keys[key]  # a repeat moves nothing
            return False
        self.keys[key] = transfer.id
        return True

    @rule(target=transfers, fen=st.integers(1, 500_000), key=KEYS,
          anonymous=st.booleans())
    def donate(self, fen, key, anonymous):
        key = key and f"donation:{key}"
        transfer = money.donate(self.worker, self.fund, fen, "捐赠人", self.now,
                                anonymous=anonymous, key=key)
        if self._once(key, transfer):
            self.held += fen
        return transfer

    @rule(target=transfers, fen=st.integers(1, 500_000),
          source=st.sampled_from(["street", "foundation", "other"]))
    def grant(self, fen, source):
        transfer = money.grant(self.worker, self.fund, fen, source, "草堂街道办事处", self.now)
        self.held += fen
        return transfer

    @rule(target=transfers, which=st.integers(0, 1), fen=st.integers(1, 800_000), key=KEYS)
    def disburse(self, which, fen, key):
        project = self.projects[which]
        key = key and f"pay:{key}"
        earlier = key in self.keys
        try:
            transfer = money.disburse(self.fund, project, fen, self.worker, key, self.now)
        except Refused as refused:
            assert refused.reason == "fund_insufficient" and not earlier
            assert fen > self.held
            return None
        if self._once(key, transfer):
            assert fen <= self.held
            self.held -= fen
            self.paid[project.id] += fen
        return transfer

    @rule(transfer=transfers)
    def reverse(self, transfer):
        if transfer is None or transfer.kind == "reversal":
            return
        already = money.BOOKS.reversal_of(transfer) is not None
        amount = max(e.amount for e in transfer.entries)
        try:
            money.reverse(self.worker, transfer, "录错了", self.now)
        except Refused as refused:
            assert refused.reason == "fund_spent" and not already
            assert transfer.kind != "disbursement" and self.held < amount
            return
        if already:
            return
        if transfer.kind == "disbursement":
            self.held += amount
            self.paid[transfer.project_id] -= amount
        else:
            self.held -= amount

    @invariant()
    def books_balance(self):
        if not hasattr(self, "held"):
            return
        assert money.balance(self.fund) == self.held >= 0
        projects = dict(db.session.execute(
            select(FundAccount.project_id, FundAccount.balance).filter_by(kind="project")).all())
        assert {k: v for k, v in projects.items()} == {
            k: v for k, v in self.paid.items() if k in projects}
        per_transfer = db.session.execute(
            select(func.sum(FundEntry.amount), func.count(FundEntry.id))
            .group_by(FundEntry.transfer_id)).all()
        assert all(total == 0 and entries == 2 for total, entries in per_transfer)
        assert money.verify() == []


def test_any_sequence_of_operations_keeps_the_fund_books(fund, make_project, worker, now):
    projects = [make_project(title="停车棚"), make_project(title="加装扶手")]

    class Machine(FundMachine):
        def __init__(self):
            super().__init__(fund, projects, worker, now)

    run_state_machine_as_test(Machine, settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow]))
