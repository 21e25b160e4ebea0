"""Two requests at the same moment, on PostgreSQL with two real connections: the second waits
for the first's row lock, then finds the hour gone. CI runs these on PostgreSQL."""

import threading
import time

import pytest
from sqlalchemy import text

from portal.accounts.models import User
from portal.extensions import db
from portal.refusals import Refused
from portal.timebank import ledger, rewards
from portal.timebank.models import Redemption, Reward, Transfer

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def needs_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks between two connections are tested on PostgreSQL")


def _someone_waits_for_a_lock():
    with db.engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")).scalar() > 0


def race(app, first, second):
    """Run ``first`` in one connection and hold its transaction open until ``second``, in
    another, is blocked on a lock; then commit both. Return what each returned or the
    reason it was refused."""
    results, holding, release = {}, threading.Event(), threading.Event()

    def run(name, action, hold):
        with app.app_context():
            try:
                outcome = action()
                if hold:
                    holding.set()
                    release.wait(20)
                db.session.commit()
                results[name] = outcome
            except Refused as refused:
                db.session.rollback()
                results[name] = refused.reason
            finally:
                holding.set()
                db.session.remove()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    holding.wait(20)
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    deadline = time.monotonic() + 20
    while not _someone_waits_for_a_lock():
        assert time.monotonic() < deadline, "the second connection never waited for a lock"
        time.sleep(0.02)
    release.set()
    one.join(20)
    two.join(20)
    return results


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

    def redeem(user_id, key):
        return lambda: rewards.redeem(db.session.get(User, user_id),
                                      db.session.get(Reward, ids[2]), key=key).id

    results = race(app, redeem(ids[0], "r1"), redeem(ids[1], "r2"))
    assert isinstance(results["first"], int) and results["second"] == "out_of_stock"
    db.session.expire_all()
    assert db.session.get(Reward, ids[2]).stock == 0
    assert db.session.query(Redemption).count() == 1
    assert sorted(ledger.balance(db.session.get(User, i)) for i in ids[:2]) == [60, 120]
    assert ledger.verify() == []
