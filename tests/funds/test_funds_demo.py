"""The funds' demo: the community fund with its donations and grants, seeded once; the
projects' demo pays the shed's first instalment out of it (tests/projects/)."""

from sqlalchemy import select

from portal.demo import seed_world
from portal.extensions import db
from portal.funds import demo, money
from portal.funds.models import Donation, Fund


def test_the_demo_fund_is_seeded_once_with_its_donations_and_grants(client):
    world = seed_world()
    demo.seed(world, "x")
    demo.seed(world, "x")
    db.session.commit()
    fund = db.session.scalar(select(Fund))
    assert db.session.query(Fund).count() == 1
    assert money.balance(fund) == 3_850_000  # 30,000 + 500 + 2,000 + 1,000 + 5,000 yuan
    assert db.session.query(Donation).filter_by(anonymous=True).count() == 1
    assert money.verify() == []
    page = client.get(f"/funds/{fund.id}").get_data(as_text=True)
    assert "王建民" not in page and "匿名捐赠" in page
