"""Rewards: each community's catalogue; redeeming takes stock and hours together or neither."""

import secrets

from sqlalchemy import select, update

from portal import audit
from portal.accounts.permissions import can
from portal.extensions import db
from portal.refusals import Refused
from portal.timebank import ledger
from portal.timebank.models import Redemption, Reward, Transfer
from portal.timebank.wallet import may_spend_on_services


class _AlreadyDone(Exception):
    """The same redemption was made by an identical request a moment ago."""


def catalogue(community):
    return (select(Reward).where(Reward.community_id == community.id, Reward.active.is_(True))
            .order_by(Reward.price_minutes, Reward.name))


def create_reward(worker, community, name, price_minutes, stock, kind="item", description=""):
    """A worker of ``community`` adds a reward to its catalogue."""
    if not can(worker, "community_worker", community):
        raise Refused("not_yours_to_decide")
    reward = Reward(community=community, name=name.strip(), description=(description or "")
                    .strip(), kind=kind, price_minutes=price_minutes, stock=stock)
    db.session.add(reward)
    db.session.flush()
    audit.record("timebank.reward.create", reward, actor=worker, price=price_minutes,
                 stock=stock)
    return reward


def restock(worker, reward, stock, active=True):
    """A worker of the reward's community says how many are left, and whether it is offered."""
    if not can(worker, "community_worker", reward.community):
        raise Refused("not_yours_to_decide")
    before = (reward.stock, reward.active)
    reward.stock = stock
    reward.active = active
    audit.record("timebank.reward.restock", reward, actor=worker, stock=stock, active=active,
                 was_stock=before[0], was_active=before[1])
    return reward


def redeem(user, reward, token):
    """Take one of ``reward`` for its price in hours; return the redemption with its code.
    The form's one-time ``token`` makes a second identical request return the first one."""
    key = f"redeem:{token}"
    if not reward.active:
        raise Refused("reward_closed")
    if reward.kind == "service" and not may_spend_on_services(user):
        raise Refused("not_eligible")
    earlier = _earlier(key)
    if earlier is not None:
        return earlier
    try:
        with db.session.begin_nested():
            taken = db.session.execute(
                update(Reward).where(Reward.id == reward.id, Reward.stock > 0,
                                     Reward.active.is_(True))
                .values(stock=Reward.stock - 1).execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                raise Refused("out_of_stock")
            transfer = ledger.move("redeem", ledger.person_account(user),
                                   ledger.pool_account(reward.community), reward.price_minutes,
                                   actor=user, key=key, memo=reward.name)
            if _earlier(key) is not None:
                raise _AlreadyDone  # undo our stock change: the first request took it
            redemption = Redemption(reward=reward, user=user, minutes=reward.price_minutes,
                                    pickup_code=_pickup_code(), transfer=transfer)
            db.session.add(redemption)
            db.session.flush()
    except _AlreadyDone:
        return _earlier(key)
    finally:
        db.session.refresh(reward, ["stock"])
    audit.record("timebank.redeem", redemption, actor=user, reward=reward.id,
                 minutes=reward.price_minutes)
    return redemption


def _earlier(key):
    return db.session.scalar(select(Redemption).join(Transfer).where(Transfer.key == key))


def _pickup_code():
    return "".join(secrets.choice("0123456789") for _ in range(6))


def hand_over(redemption, worker, now):
    """A worker of the reward's community marks the reward as given."""
    if not can(worker, "community_worker", redemption.reward.community):
        raise Refused("not_yours_to_decide")
    if redemption.handed_over_at is not None:
        raise Refused("already_handed_over")
    redemption.handed_over_at = now
    redemption.handed_over_by_id = worker.id
    audit.record("timebank.hand_over", redemption, actor=worker)
    return redemption
