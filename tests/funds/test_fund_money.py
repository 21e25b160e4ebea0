"""The fund's rules without HTTP: setting up, money in, money out, reversals, matching,
verify — on the shared ledger engine."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.audit import AuditEntry
from portal.extensions import db
from portal.funds import money
from portal.funds.models import Donation, Fund, FundAccount, FundEntry, FundTransfer
from portal.refusals import Refused


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_fund_opens_with_its_own_account_and_one_per_source(fund):
    kinds = db.session.execute(select(FundAccount.kind, FundAccount.label)
                               .filter_by(fund_id=fund.id)).all()
    assert sorted(kinds) == [("fund", ""), ("outside", "donors"), ("outside", "foundation"),
                             ("outside", "other"), ("outside", "street")]
    assert money.balance(fund) == 0 and money.verify() == []
    assert db.session.scalar(select(AuditEntry.action).filter_by(subject_id=fund.id)) \
        == "funds.set_up"


def test_a_fund_is_set_up_for_a_community_only(world, worker, now):
    with pytest.raises(Refused, match="fund_not_community"):
        money.set_up(worker, world["courtyard"], "院落基金", "", 100, 0, now)
    with pytest.raises(Refused, match="fund_match_bad"):
        money.set_up(worker, world["community"], "基金", "", 301, 0, now)
    with pytest.raises(Refused, match="fund_name_needed"):
        money.set_up(worker, world["community"], "  ", "", 100, 0, now)
    assert count(Fund) == 0


def test_donations_and_grants_arrive_as_balanced_transfers(fund, worker, make_user, now):
    resident = make_user(name="张桂芳")
    given = money.donate(worker, fund, 50_000, "张桂芳", now, donor_user=resident)
    money.donate(worker, fund, 20_000, "王先生", now, anonymous=True)
    money.grant(worker, fund, 1_000_000, "street", "草堂街道办事处", now)
    assert sorted(e.amount for e in given.entries) == [-50_000, 50_000]
    assert money.balance(fund) == 1_070_000
    donation = db.session.scalar(select(Donation).filter_by(transfer_id=given.id))
    assert donation.donor_user_id == resident.id and not donation.anonymous
    assert money.verify() == []


def test_the_same_form_twice_records_once(fund, worker, now):
    first = money.donate(worker, fund, 10_000, "李四", now, key="donation:abc")
    again = money.donate(worker, fund, 10_000, "李四", now, key="donation:abc")
    assert again.id == first.id
    assert count(Donation) == 1 and money.balance(fund) == 10_000


@pytest.mark.parametrize("amount", [0, -100, 1.5, "100", True, None])
def test_only_positive_whole_fen_are_money(fund, worker, project, now, amount):
    money.donate(worker, fund, 10_000, "李四", now)
    before = count(FundTransfer), count(FundEntry)
    with pytest.raises(Refused) as refused:
        money.donate(worker, fund, amount, "李四", now)
    assert refused.value.reason == "fund_amount_bad" and refused.value.field == "amount"
    with pytest.raises(Refused, match="fund_amount_bad"):
        money.disburse(fund, project, amount, worker, "pay:1", now)
    assert (count(FundTransfer), count(FundEntry)) == before


def test_a_grant_names_its_source(fund, worker, now):
    with pytest.raises(Refused, match="fund_source_bad"):
        money.grant(worker, fund, 100, "bank", "某银行", now)
    with pytest.raises(Refused, match="fund_donor_needed"):
        money.grant(worker, fund, 100, "street", " ", now)


def test_a_disbursement_larger_than_the_balance_is_refused(fund, worker, project, now):
    money.donate(worker, fund, 100_000, "李四", now)
    before = count(FundTransfer), count(FundEntry)
    with pytest.raises(Refused) as refused:
        money.disburse(fund, project, 100_001, worker, "pay:1", now)
    assert refused.value.reason == "fund_insufficient"
    assert refused.value.details == {"balance": "1,000"}
    assert "1,000" in refused.value.message
    assert (count(FundTransfer), count(FundEntry)) == before
    paid = money.disburse(fund, project, 100_000, worker, "pay:2", now)
    assert paid.project_id == project.id and money.balance(fund) == 0
    assert money.disburse(fund, project, 100_000, worker, "pay:2", now).id == paid.id
    assert money.verify() == []


def test_only_projects_of_the_community_are_paid(fund, worker, make_project, world, now):
    money.donate(worker, fund, 100_000, "李四", now)
    elsewhere = make_project(place=world["other_courtyard"])
    with pytest.raises(Refused, match="fund_project_elsewhere"):
        money.disburse(fund, elsewhere, 100, worker, "pay:1", now)
    cancelled = make_project(stage="cancelled")
    with pytest.raises(Refused, match="fund_project_cancelled"):
        money.disburse(fund, cancelled, 100, worker, "pay:2", now)


def test_the_database_refuses_a_negative_fund_even_without_the_rules(fund):
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text("UPDATE fund_account SET balance = -1 WHERE kind = 'fund'"))


def test_a_reversal_undoes_once_and_only_while_the_money_is_there(fund, worker, project, now):
    mistaken = money.donate(worker, fund, 30_000, "李四", now)
    reversal = money.reverse(worker, mistaken, "金额录错", now)
    assert reversal.reverses_id == mistaken.id and money.balance(fund) == 0
    assert money.reverse(worker, mistaken, "again", now).id == reversal.id
    with pytest.raises(Refused, match="fund_reversal_of_reversal"):
        money.reverse(worker, reversal, "?", now)
    with pytest.raises(Refused, match="fund_reason_needed"):
        money.reverse(worker, mistaken, "  ", now)
    kept = money.donate(worker, fund, 30_000, "王五", now)
    paid = money.disburse(fund, project, 30_000, worker, "pay:1", now)
    with pytest.raises(Refused) as refused:
        money.reverse(worker, kept, "spent already", now)
    assert refused.value.reason == "fund_spent"
    back = money.reverse(worker, paid, "付错项目", now)  # the project's money comes back
    assert back.project_id == project.id and money.balance(fund) == 30_000
    assert money.verify() == []
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action == "funds.reverse")).all()
    assert len(actions) == 2


@pytest.mark.parametrize("percent, cap, residents, expected", [
    (100, 2_000_000, 1_760_000, 1_760_000),
    (100, 2_000_000, 3_000_000, 2_000_000),
    (50, 2_000_000, 1_000_001, 500_000),
    (100, 0, 1_000_000, 0),
    (0, 2_000_000, 1_000_000, 0),
    (100, 2_000_000, 0, 0),
])
def test_the_matching_rule(percent, cap, residents, expected):
    assert money.matched(Fund(match_percent=percent, match_cap_fen=cap), residents) == expected


def test_verify_finds_a_tampered_balance_and_the_command_fails(fund, worker, runner, now):
    money.donate(worker, fund, 6_000, "李四", now)
    db.session.commit()
    result = runner.invoke(args=["funds", "verify"])
    assert result.exit_code == 0 and "Every fund balance" in result.output
    db.session.execute(text("UPDATE fund_account SET balance = balance + 5 WHERE kind = 'fund'"))
    db.session.commit()
    assert any("balance 6005 but entries sum to 6000" in p for p in money.verify())
    result = runner.invoke(args=["funds", "verify"])
    assert result.exit_code == 1 and "6005" in result.output


def test_verify_finds_an_unbalanced_transfer_and_a_negative_project(fund, worker, project, now):
    given = money.donate(worker, fund, 6_000, "李四", now)
    db.session.execute(text("UPDATE fund_entry SET amount = 6001 WHERE transfer_id = :t "
                            "AND amount = 6000"), {"t": given.id})
    account = money.project_account(fund, project)
    db.session.execute(text("UPDATE fund_account SET balance = -3 WHERE id = :a"),
                       {"a": account.id})
    problems = money.verify()
    assert any(f"transfer {given.id}: 2 entries summing to 1" in p for p in problems)
    assert any(f"account {account.id}: a project account's balance is negative" in p
               for p in problems)
