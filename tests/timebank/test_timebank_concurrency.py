"""Two requests at the same moment, on PostgreSQL with two real connections: the second waits
for the first's row lock, then finds the hour gone. CI runs these on PostgreSQL."""


import pytest

from portal.accounts.models import User
from portal.extensions import db
from portal.timebank import ledger, rewards
from portal.timebank.models import Redemption, Reward, Transfer
from tests.races import postgresql_only, race  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgresql_only")]


def _with_hours(world, make_user, minutes):
    owner, first, second = (make_user(name=name) for name in ("王奶奶", "儿子", "女儿"))
    ledger.move("earn", ledger.pool_account(world["community"]), ledger.person_account(owner),
                minutes)
    for person in (first, second):
        ledger.person_account(person)
    db.session.commit()
    return owner.id, first.id, second.id


def _gift(giver_id, receiver_id, minutes, key=None):
    def action():
        giver, receiver = db.session.get(User, giver_id), db.session.get(User, receiver_id)
        return ledger.move("gift", ledger.person_account(giver), ledger.person_account(receiver),
                           minutes, key=key).id
    return action


def test_two_concurrent_spends_of_the_last_hour_cannot_both_succeed(app, world, make_user):
    owner, son, daughter = _with_hours(world, make_user, 60)
    results = race(app, _gift(owner, son, 60), _gift(owner, daughter, 60))
    assert isinstance(results["first"], int)
    assert results["second"] == "insufficient"
    db.session.expire_all()
    assert [ledger.balance(db.session.get(User, i)) for i in (owner, son, daughter)] == [0, 60, 0]
    assert ledger.verify() == []


def test_the_same_submission_twice_at_once_moves_once(app, world, make_user):
    owner, son, _ = _with_hours(world, make_user, 120)
    results = race(app, _gift(owner, son, 60, key="double-click"),
                   _gift(owner, son, 60, key="double-click"))
    assert results["first"] == results["second"]
    db.session.expire_all()
    assert ledger.balance(db.session.get(User, owner)) == 60
    assert db.session.query(Transfer).filter_by(kind="gift").count() == 1
    assert ledger.verify() == []


def test_two_people_redeeming_the_last_reward_at_once(app, world, make_user):
    first, second = make_user(name="甲"), make_user(name="乙")
    pool = ledger.pool_account(world["community"])
    for person in (first, second):
        ledger.move("earn", pool, ledger.person_account(person), 120)
    reward = Reward(community=world["community"], name="米一袋", price_minutes=60, stock=1)
    db.session.add(reward)
    db.session.commit()
    ids = (first.id, second.id, reward.id)

    def redeem(user_id, token):
        return lambda: rewards.redeem(db.session.get(User, user_id),
                                      db.session.get(Reward, ids[2]), token=token).id

    results = race(app, redeem(ids[0], "r1"), redeem(ids[1], "r2"))
    assert isinstance(results["first"], int) and results["second"] == "out_of_stock"
    db.session.expire_all()
    assert db.session.get(Reward, ids[2]).stock == 0
    assert db.session.query(Redemption).count() == 1
    assert sorted(ledger.balance(db.session.get(User, i)) for i in ids[:2]) == [60, 120]
    assert ledger.verify() == []
