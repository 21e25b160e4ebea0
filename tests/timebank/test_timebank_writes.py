"""Time-bank writes over HTTP that change what a worker keeps: who may, and bad input kept."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.refusals import Refused
from portal.timebank import activities, ledger, logs, rewards
from portal.timebank.models import CorrectionRequest, Reward, SpendingRight
from portal.timeutil import local_today, utcnow
from tests.helpers import text


def test_a_worker_notes_who_may_spend_hours(client, login, worker, world, make_user):
    grandma = make_user(name="王奶奶", courtyard=world["courtyard"])
    login(worker)
    desk = f"/timebank/community/{world['community'].id}"
    response = client.submit(f"{desk}/spending-right",
                             {"mobile": grandma.mobile, "reason": "age"}, token_from=desk)
    assert response.status_code == 303
    assert db.session.get(SpendingRight, grandma.id).noted_by_id == worker.id


def test_an_unknown_number_is_kept_beside_its_message(client, login, worker, world):
    login(worker)
    desk = f"/timebank/community/{world['community'].id}"
    response = client.submit(f"{desk}/spending-right",
                             {"mobile": "13900001111", "reason": "age"}, token_from=desk)
    assert response.status_code == 422
    assert "这个号码还没有注册" in text(response) and "13900001111" in text(response)
    assert db.session.scalar(select(func.count()).select_from(SpendingRight)) == 0


def test_a_worker_of_another_community_may_not_note_spending(client, login, make_user, world):
    grandma = make_user(courtyard=world["courtyard"])
    login(make_user(roles=[("community_worker", world["other_community"])]))
    response = client.submit(f"/timebank/community/{world['community'].id}/spending-right",
                             {"mobile": grandma.mobile, "reason": "age"})
    assert response.status_code == 403
    assert db.session.get(SpendingRight, grandma.id) is None


def _reward(world):
    reward = Reward(community=world["community"], name="大米一袋", price_minutes=60, stock=3)
    db.session.add(reward)
    db.session.commit()
    return reward


def test_a_worker_restocks_a_reward_with_an_audit_entry(client, login, worker, world):
    reward = _reward(world)
    login(worker)
    page = f"/timebank/community/{world['community'].id}/rewards"
    response = client.submit(f"/timebank/rewards/{reward.id}/stock",
                             {"stock": "12", "active": "1"}, token_from=page)
    assert response.status_code == 303
    db.session.refresh(reward)
    assert (reward.stock, reward.active) == (12, True)
    entry = db.session.scalar(select(AuditEntry).filter_by(action="timebank.reward.restock"))
    assert (entry.actor_id, entry.subject_id, entry.details["stock"]) == (
        worker.id, reward.id, 12)


def test_a_bad_stock_is_kept_beside_its_message(client, login, worker, world):
    reward = _reward(world)
    login(worker)
    page = f"/timebank/community/{world['community'].id}/rewards"
    response = client.submit(f"/timebank/rewards/{reward.id}/stock", {"stock": "三十"},
                             token_from=page)
    assert response.status_code == 422
    assert "请填整数" in text(response) and 'value="三十"' in text(response)
    db.session.refresh(reward)
    assert reward.stock == 3


def test_another_communitys_worker_may_not_restock(client, login, make_user, world):
    reward = _reward(world)
    login(make_user(roles=[("community_worker", world["other_community"])]))
    response = client.submit(f"/timebank/rewards/{reward.id}/stock", {"stock": "0"})
    assert response.status_code == 403
    db.session.refresh(reward)
    assert reward.stock == 3


def test_create_reward_and_restock_are_rules_with_audit(worker, world, make_user):
    reward = rewards.create_reward(worker, world["community"], "理发券", 90, 5, kind="service")
    rewards.restock(worker, reward, 0, active=False)
    assert (reward.stock, reward.active, reward.community_id) == (0, False, world["community"].id)
    actions = db.session.scalars(select(AuditEntry.action).filter_by(subject_id=reward.id)
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["timebank.reward.create", "timebank.reward.restock"]
    stranger = make_user(roles=[("community_worker", world["other_community"])])
    with pytest.raises(Refused, match="not_yours_to_decide"):
        rewards.restock(stranger, reward, 9)


def test_donating_bad_hours_moves_nothing(client, login, volunteer, world):
    ledger.move("grant", ledger.pool_account(world["community"]),
                ledger.person_account(volunteer), 60)
    db.session.commit()
    login(volunteer)
    response = client.submit("/timebank/donate", {"hours": "abc", "token": "d-1"},
                             token_from="/timebank/donate")
    assert response.status_code == 422 and "请用数字写小时数" in text(response)
    response = client.submit("/timebank/donate", {"hours": "5", "token": "d-2"},
                             token_from="/timebank/donate")
    assert response.status_code == 422 and "您的时间余额不够" in text(response)
    assert ledger.balance(volunteer) == 60


def test_someone_elses_redemption_is_refused(client, login, volunteer, world, make_user):
    reward = _reward(world)
    ledger.move("grant", ledger.pool_account(world["community"]),
                ledger.person_account(volunteer), 60)
    redemption = rewards.redeem(volunteer, reward, token="mine")
    db.session.commit()
    login(make_user(name="邻居", courtyard=world["courtyard"]))
    assert client.get(f"/timebank/redemptions/{redemption.id}").status_code == 403
    login(volunteer)
    assert redemption.pickup_code in text(client.get(f"/timebank/redemptions/{redemption.id}"))


def test_a_bad_correction_answer_keeps_what_was_typed(client, login, worker, volunteer,
                                                      make_activity, world):
    activity = make_activity(organization=world["organization"])
    activities.sign_up(volunteer, activity, utcnow() - timedelta(hours=3))
    log = logs.submit(volunteer, 120, activity=activity, now=utcnow(), today=local_today())
    logs.approve(log, worker, utcnow())
    correction = logs.request_correction(log, volunteer, 90, "只做了一个半小时")
    db.session.commit()
    login(worker)
    response = client.submit(f"/timebank/corrections/{correction.id}",
                             {f"c{correction.id}-answer": "我核对一下签到表"},
                             token_from="/timebank/approvals")
    assert response.status_code == 422
    assert "请选择您的答复" in text(response) and "我核对一下签到表" in text(response)
    db.session.refresh(correction)
    assert correction.status == "open"
    assert db.session.get(CorrectionRequest, correction.id).answer in (None, "")
