"""The funds' demo: the community fund with its donations, grants and the shed payment."""

from sqlalchemy import select

from portal.demo import seed_world
from portal.extensions import db
from portal.funds import demo, money
from portal.funds.models import Donation, Fund
from portal.projects.models import Project


def test_the_demo_fund_pays_the_shed_and_seeds_once(client):
    world = seed_world()
    shed = Project(place=world["草堂东路133号院"], title=demo.SHED_TITLE, description="车棚",
                   budget_fen=3_520_000, created_by=world["13900000001"])
    db.session.add(shed)
    demo.seed(world, "x")
    demo.seed(world, "x")
    db.session.commit()
    fund = db.session.scalar(select(Fund))
    assert money.balance(fund) == 3_850_000 - 1_760_000
    assert db.session.query(Donation).filter_by(anonymous=True).count() == 1
    assert money.verify() == []
    page = client.get(f"/funds/{fund.id}").get_data(as_text=True)
    assert "王建民" not in page and "匿名捐赠" in page and demo.SHED_TITLE in page
