"""Demo community fund (seed reports 000 and 002): 草堂路社区微基金 — "基金支持一点、街镇投入
一点、居民集资一点、社会捐赠一点" — matching residents' own money 1:1 up to 20,000 yuan, with
named and anonymous donations and grants from 草堂街道 and a foundation. The projects' demo
(listed after this one in portal/demo.py) pays the 133号院 parking shed's first instalment,
17,600 yuan, out of it.

Everything goes through the rules with the time it happened, so the public accounts are what
real use would leave. Seeded once: skipped when the fund exists.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.funds import money
from portal.funds.models import Fund
from portal.timeutil import local_today, to_utc

FUND_NAME = "草堂路社区微基金"


def _at(day_offset, hour):
    """Naive UTC for ``hour`` o'clock local time, ``day_offset`` days from today."""
    day = local_today() + timedelta(days=day_offset)
    return to_utc(datetime(day.year, day.month, day.day, hour))


def seed(world, password):
    """Add this part of the demo world."""
    community, worker = world["草堂路社区"], world["13900000001"]  # 李晓梅
    if db.session.scalar(select(Fund.id).filter_by(place_id=community.id, name=FUND_NAME)):
        return
    fund = money.set_up(worker, community, FUND_NAME,
                        "基金支持一点、街镇投入一点、居民集资一点、社会捐赠一点。\n\n"
                        "用于院落微更新和居民自治项目：居民自筹的钱，基金按 1:1 配捐，"
                        "每个项目最多 2 万元。账目全部公开。",
                        100, 2_000_000, _at(-60, 10))
    money.grant(worker, fund, 3_000_000, "street", "草堂街道办事处", _at(-58, 15),
                key="demo:fund:street-grant")
    money.donate(worker, fund, 50_000, "张桂芳", _at(-50, 9), donor_user=world["13900000006"],
                 key="demo:fund:zhang")
    money.donate(worker, fund, 200_000, "草堂路口李记面馆", _at(-45, 11), named=True,
                 key="demo:fund:noodles")
    money.donate(worker, fund, 100_000, "王建民", _at(-40, 16), anonymous=True,
                 key="demo:fund:anonymous")
    money.grant(worker, fund, 500_000, "foundation", "民泰社区基金会", _at(-30, 10),
                key="demo:fund:foundation")
    db.session.flush()
