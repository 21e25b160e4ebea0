"""Rewards: the catalogue and redeeming for residents; the catalogue, stock and hand-over for
workers of the community."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.accounts.permissions import can, get_or_404, load
from portal.extensions import db
from portal.forms import EmptyForm, TokenForm
from portal.places.models import Place
from portal.refusals import Refused
from portal.rendering import render
from portal.timebank import bp, ledger, rewards
from portal.timebank.forms import RewardForm, StockForm
from portal.timebank.models import Redemption, Reward
from portal.timebank.views.loaders import PER_PAGE, worked_community
from portal.timeutil import utcnow
from portal.urls import paginate, query_id

# --- for residents ---


def _community_for_rewards():
    chosen = query_id("community")
    if chosen:
        place = get_or_404(Place, chosen)
        return place if place.kind == "community" else abort(404)
    return g.community


def _catalogue_page(community, refusal=None, status=200):
    items = db.session.scalars(rewards.catalogue(community)).all() if community else []
    mine = (db.session.scalars(select(Redemption).filter_by(user_id=current_user.id)
                               .order_by(Redemption.created_at.desc()).limit(5)).all()
            if current_user.is_authenticated else [])
    return render("timebank/rewards.html", community=community, items=items, mine=mine,
                  form=TokenForm(formdata=None), refusal=refusal, status=status,
                  balance=ledger.balance(current_user)
                  if current_user.is_authenticated else None)


@bp.get("/rewards")
def rewards_index():
    return _catalogue_page(_community_for_rewards())


@bp.post("/rewards/<int:reward_id>/redeem")
@login_required
def redeem(reward_id):
    reward = get_or_404(Reward, reward_id)
    form = TokenForm()
    form.validate_on_submit() or abort(400)
    try:
        redemption = rewards.redeem(current_user, reward, token=form.token.data)
    except Refused as refused:
        return _catalogue_page(reward.community, refusal=refused.message, status=422)
    return redirect(url_for("timebank.redemption", redemption_id=redemption.id), 303)


def _owner_or_worker(user, redemption):
    """The resident who redeemed it, or a worker of the reward's community."""
    return redemption.user_id == user.id or can(user, "community_worker",
                                                redemption.reward.community)


@bp.get("/redemptions/<int:redemption_id>")
@login_required
def redemption(redemption_id):
    redemption = load(Redemption, redemption_id, allowed=_owner_or_worker)
    return render("timebank/redemption.html", redemption=redemption,
                  worker=can(current_user, "community_worker", redemption.reward.community),
                  form=EmptyForm())


# --- for workers of the community ---

def _rewards_page(community, form=None, stock_forms=None, status=200):
    items = db.session.scalars(select(Reward).filter_by(community_id=community.id)
                               .order_by(Reward.active.desc(), Reward.name)).all()
    sent = stock_forms or {}
    # Each reward's own form: the one just sent (its errors, what was typed), else its stock.
    stock_forms = {item.id: sent.get(item.id) or StockForm(
        formdata=None, data={"stock": item.stock, "active": "1" if item.active else "0"})
        for item in items}
    return render("timebank/rewards_manage.html", community=community, items=items,
                  form=form or RewardForm(formdata=None), stock_forms=stock_forms,
                  status=status)


@bp.route("/community/<int:place_id>/rewards", methods=["GET", "POST"])
@login_required
def manage_rewards(place_id):
    community = worked_community(place_id)
    if request.method == "GET":
        return _rewards_page(community)
    form = RewardForm()
    if not form.validate_on_submit():
        return _rewards_page(community, form, status=422)
    rewards.create_reward(current_user, community, form.name.data, form.hours.data,
                          form.stock.data, kind=form.kind.data,
                          description=form.description.data)
    flash(_("%(name)s is added to the catalogue.", name=form.name.data), "success")
    return redirect(url_for("timebank.manage_rewards", place_id=community.id), 303)


def _keeps_reward(user, reward):
    return can(user, "community_worker", reward.community)


@bp.post("/rewards/<int:reward_id>/stock")
@login_required
def update_stock(reward_id):
    reward = load(Reward, reward_id, allowed=_keeps_reward)
    form = StockForm()
    if not form.validate_on_submit():
        return _rewards_page(reward.community, stock_forms={reward.id: form}, status=422)
    rewards.restock(current_user, reward, form.stock.data, active=form.offered)
    flash(_("%(name)s is updated.", name=reward.name), "success")
    return redirect(url_for("timebank.manage_rewards", place_id=reward.community_id), 303)


@bp.get("/community/<int:place_id>/redemptions")
@login_required
def redemptions(place_id):
    community = worked_community(place_id)
    code = "".join(ch for ch in request.args.get("code", "") if ch.isdigit())[:6]
    query = (select(Redemption).join(Reward).where(Reward.community_id == community.id)
             .order_by(Redemption.handed_over_at.is_not(None), Redemption.created_at.desc()))
    if code:
        query = query.where(Redemption.pickup_code == code)
    page = paginate(query, per_page=PER_PAGE)
    return render("timebank/redemptions.html", community=community, page=page, code=code,
                  form=EmptyForm())


@bp.post("/redemptions/<int:redemption_id>/hand-over")
@login_required
def hand_over(redemption_id):
    redemption = load(Redemption, redemption_id,
                      allowed=lambda user, r: _keeps_reward(user, r.reward))
    EmptyForm().validate_on_submit() or abort(400)
    try:
        rewards.hand_over(redemption, current_user, utcnow())
    except Refused as refused:
        flash(refused.message, "info")
    else:
        flash(_("%(reward)s handed over to %(name)s.", reward=redemption.reward.name,
                name=redemption.user.name), "success")
    return redirect(url_for("timebank.redemptions", place_id=redemption.reward.community_id),
                    303)
