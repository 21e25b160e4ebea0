"""Two disbursements of the fund's last yuan at the same moment, on PostgreSQL with two real
connections: the second waits for the first's row lock, then finds the money gone."""

import pytest

from portal.accounts.models import User
from portal.extensions import db
from portal.funds import money
from portal.funds.models import Fund, FundAccount, FundTransfer
from portal.projects.models import Project
from portal.timeutil import utcnow
from tests.races import postgresql_only, race  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgresql_only")]


def _pay(fund_id, project_id, worker_id, fen, key):
    def action():
        fund, project = db.session.get(Fund, fund_id), db.session.get(Project, project_id)
        return money.disburse(fund, project, fen, db.session.get(User, worker_id), key,
                              utcnow()).id
    return action


def test_two_disbursements_of_the_last_yuan_cannot_both_succeed(app, fund, worker, make_project,
                                                                now):
    shed, rails = make_project(title="停车棚"), make_project(title="扶手")
    money.donate(worker, fund, 100, "张桂芳", now)
    for project in (shed, rails):
        money.project_account(fund, project)
    db.session.commit()
    results = race(app, _pay(fund.id, shed.id, worker.id, 100, "pay:a"),
                   _pay(fund.id, rails.id, worker.id, 100, "pay:b"))
    assert isinstance(results["first"], int)
    assert results["second"] == "fund_insufficient"
    db.session.expire_all()
    assert money.balance(db.session.get(Fund, fund.id)) == 0
    assert db.session.query(FundTransfer).filter_by(kind="disbursement").count() == 1
    assert money.verify() == []


def test_paying_a_new_project_twice_at_once_opens_one_account(app, fund, worker, make_project,
                                                               now):
    shed = make_project(title="停车棚")
    money.donate(worker, fund, 1_000, "张桂芳", now)
    db.session.commit()
    results = race(app, _pay(fund.id, shed.id, worker.id, 300, "pay:a"),
                   _pay(fund.id, shed.id, worker.id, 300, "pay:b"))
    assert isinstance(results["first"], int) and isinstance(results["second"], int)
    db.session.expire_all()
    assert money.balance(db.session.get(Fund, fund.id)) == 400
    assert money.verify() == []
    assert db.session.query(FundAccount).filter_by(kind="project").count() == 1
