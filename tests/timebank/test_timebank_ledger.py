"""The ledger: double entry in whole minutes, never negative, never twice, always verifiable."""

import pytest
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
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.refusals import Refused
from portal.timebank import ledger
from portal.timebank.models import Account, Entry, Transfer


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def people(world, make_user):
    return [make_user(name=f"居民{i}") for i in range(3)]


def test_a_movement_is_two_entries_that_sum_to_zero(world, people):
    pool = ledger.pool_account(world["community"])
    alice = ledger.person_account(people[0])
    transfer = ledger.move("earn", pool, alice, 90)
    assert sorted(e.amount for e in transfer.entries) == [-90, 90]
    assert (pool.balance, alice.balance) == (-90, 90)
    assert ledger.balance(people[0]) == 90
    assert ledger.verify() == []


def test_a_person_cannot_spend_more_than_they_have(world, people):
    alice, bob = (ledger.person_account(p) for p in people[:2])
    ledger.move("earn", ledger.pool_account(world["community"]), alice, 60)
    before = count(Transfer), count(Entry)
    with pytest.raises(Refused) as refused:
        ledger.move("gift", alice, bob, 61)
    assert refused.value.reason == "insufficient"
    assert (count(Transfer), count(Entry)) == before
    assert (ledger.balance(people[0]), ledger.balance(people[1])) == (60, 0)
    assert ledger.verify() == []


def test_the_database_refuses_a_negative_person_balance_even_without_the_ledger(people):
    account = ledger.person_account(people[0])
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text("UPDATE ledger_account SET balance = -1 WHERE id = :id"),
                           {"id": account.id})


@pytest.mark.parametrize("minutes", [0, -5, 1.5, "60", True])
def test_only_positive_whole_minutes_move(world, people, minutes):
    with pytest.raises(ValueError):
        ledger.move("earn", ledger.pool_account(world["community"]),
                    ledger.person_account(people[0]), minutes)


def test_the_same_key_moves_once(world, people):
    pool, alice = ledger.pool_account(world["community"]), ledger.person_account(people[0])
    first = ledger.move("earn", pool, alice, 60, key="form-123")
    again = ledger.move("earn", pool, alice, 60, key="form-123")
    assert again.id == first.id
    assert ledger.balance(people[0]) == 60 and count(Transfer) == 1


def test_a_reversal_undoes_once_and_only_while_the_minutes_are_there(world, people):
    pool = ledger.pool_account(world["community"])
    alice, bob = (ledger.person_account(p) for p in people[:2])
    earned = ledger.move("earn", pool, alice, 120)
    reversal = ledger.reverse(earned, actor=None, reason="记错了")
    assert reversal.reverses_id == earned.id and ledger.balance(people[0]) == 0
    assert ledger.reverse(earned, actor=None, reason="again").id == reversal.id
    with pytest.raises(Refused, match="reversal_of_reversal"):
        ledger.reverse(reversal, actor=None, reason="?")
    gift_source = ledger.move("earn", pool, alice, 60)
    ledger.move("gift", alice, bob, 60)
    with pytest.raises(Refused) as refused:
        ledger.reverse(gift_source, actor=None, reason="spent already")
    assert refused.value.reason == "spent"
    assert ledger.verify() == []


def test_hours_above_the_storage_cap_go_to_the_pool(app, world, people, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "TIMEBANK_STORAGE_CAP_HOURS", 2)
    pool, alice = ledger.pool_account(world["community"]), ledger.person_account(people[0])
    ledger.move("earn", pool, alice, 150)
    spilled = ledger.spill_over_cap(people[0], world["community"], None, key="cap:1")
    assert spilled.kind == "donate" and ledger.balance(people[0]) == 120
    with pytest.raises(Refused, match="over_cap"):
        ledger.check_room(people[0], 1)


def test_verify_finds_a_tampered_balance_and_the_command_fails(app, world, people, runner):
    ledger.move("earn", ledger.pool_account(world["community"]),
                ledger.person_account(people[0]), 60)
    db.session.commit()
    assert runner.invoke(args=["timebank", "verify"]).exit_code == 0
    db.session.execute(text("UPDATE ledger_account SET balance = balance + 5 WHERE user_id = :u"),
                       {"u": people[0].id})
    db.session.commit()
    assert any("balance 65 but entries sum to 60" in p for p in ledger.verify())
    result = runner.invoke(args=["timebank", "verify"])
    assert result.exit_code == 1 and "65" in result.output


def test_verify_finds_an_unbalanced_transfer(world, people):
    transfer = ledger.move("earn", ledger.pool_account(world["community"]),
                           ledger.person_account(people[0]), 60)
    db.session.execute(text("UPDATE ledger_entry SET amount = 61 WHERE transfer_id = :t "
                            "AND amount = 60"), {"t": transfer.id})
    assert any(f"transfer {transfer.id}: 2 entries summing to 1" in p for p in ledger.verify())


# --- any sequence of operations keeps the books right ---

class LedgerMachine(RuleBasedStateMachine):
    """Random earnings, gifts, spending, reversals and repeated submissions."""

    transfers = Bundle("transfers")

    def __init__(self, community, users):
        super().__init__()
        self.community, self.users = community, users

    @initialize()
    def fresh_books(self):
        db.session.rollback()  # every example starts with an empty ledger
        self.pool = ledger.pool_account(self.community)
        self.accounts = [ledger.person_account(u) for u in self.users]
        self.expected = {a.id: 0 for a in [self.pool, *self.accounts]}
        self.keys = {}

    def _apply(self, kind, source, target, minutes, key=None):
        try:
            transfer = ledger.move(kind, source, target, minutes, key=key)
        except Refused as refused:
            assert refused.reason == "insufficient"
            assert source.kind == "person" and self.expected[source.id] < minutes
            return None
        if key in self.keys:
            assert transfer.id == self.keys[key]  # a repeat moves nothing
            return transfer
        assert source.kind == "pool" or self.expected[source.id] >= minutes
        self.expected[source.id] -= minutes
        self.expected[target.id] += minutes
        if key:
            self.keys[key] = transfer.id
        return transfer

    @rule(target=transfers, who=st.integers(0, 2), minutes=st.integers(1, 600),
          key=st.sampled_from([None, "a", "b", "c"]))
    def earn(self, who, minutes, key):
        return self._apply("earn", self.pool, self.accounts[who], minutes, key and f"earn-{key}")

    @rule(target=transfers, giver=st.integers(0, 2), receiver=st.integers(0, 2),
          minutes=st.integers(1, 600))
    def gift(self, giver, receiver, minutes):
        if giver == receiver:
            return None
        return self._apply("gift", self.accounts[giver], self.accounts[receiver], minutes)

    @rule(target=transfers, who=st.integers(0, 2), minutes=st.integers(1, 600))
    def redeem(self, who, minutes):
        return self._apply("redeem", self.accounts[who], self.pool, minutes)

    @rule(transfer=transfers)
    def reverse(self, transfer):
        if transfer is None or transfer.kind == "reversal":
            return
        paid = next(e for e in transfer.entries if e.amount > 0)
        charged = next(e for e in transfer.entries if e.amount < 0)
        already = db.session.scalar(select(Transfer).filter_by(reverses_id=transfer.id))
        try:
            ledger.reverse(transfer, actor=None, reason="test")
        except Refused as refused:
            assert refused.reason == "spent"
            assert self.expected[paid.account_id] < paid.amount
            return
        if already is None:
            self.expected[paid.account_id] -= paid.amount
            self.expected[charged.account_id] += paid.amount

    @invariant()
    def books_balance(self):
        if not hasattr(self, "pool"):
            return
        balances = dict(db.session.execute(select(Account.id, Account.balance)).all())
        assert balances == self.expected
        assert all(balances[a.id] >= 0 for a in self.accounts)
        assert ledger.verify() == []


def test_any_sequence_of_operations_keeps_the_books(world, people):
    community = world["community"]

    class Machine(LedgerMachine):
        def __init__(self):
            super().__init__(community, people)

    run_state_machine_as_test(Machine, settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow]))
