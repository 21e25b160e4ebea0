"""The demo's service points: believable, seeded once, with the cases the tour shows."""

from portal.demo import seed_demo
from portal.extensions import db
from portal.servicemap import coverage, geo, search
from portal.servicemap.models import HoursException, ServiceHours, ServicePoint


def counts():
    return [db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (ServicePoint, ServiceHours, HoursException)]


def test_demo_points_are_seeded_once_and_hold_together():
    world = seed_demo()
    first = counts()
    seed_demo()
    assert counts() == first and first[0] >= 20
    meals = world["草堂社区长者食堂"]
    courtyard = world["草堂东路133号院"]
    metres = geo.distance_m(courtyard.latitude, courtyard.longitude, meals.latitude,
                            meals.longitude)
    assert geo.walking_minutes(metres) <= 15 and meals.category == "meals"
    assert [(h.opens, h.closes) for h in meals.hours if h.weekday == 0] == [(660, 780),
                                                                            (1020, 1110)]
    assert meals.exceptions  # a date with other hours
    assert world["青华路助餐点"].status == "temporarily_closed"
    assert any(h.closes > 24 * 60 for h in world["北三街便民服务点"].hours)  # past midnight
    assert {h.closes - h.opens for h in world["草堂便民维修点"].hours} == {24 * 60}
    for name in ("草堂路社区", "桂湖街社区", "商城路社区", "北三街社区"):
        place = world[name]
        assert db.session.scalar(db.select(ServicePoint).where(ServicePoint.place == place))


def test_the_suburban_corner_has_a_meal_gap_measured_against_30_minutes():
    world = seed_demo()
    report = coverage.coverage(world["芳草园社区"])
    assert report.has_suburban and all(c.limit == 30 for c in report.courtyards)
    assert report.gap_count("meals") == len(report.courtyards) == 2
    assert report.gap_count("culture") < 2
    assert search.Origin.of(world["芳草园小区"]).limit == 30
