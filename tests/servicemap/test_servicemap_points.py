"""The rules of keeping points, without HTTP: who may edit (one answer for a point and for the
list), and the rules that refuse with ``Refused``."""

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.refusals import Refused
from portal.servicemap import points
from portal.servicemap.models import ServicePoint
from tests.factories import make_point

TODAY = date(2026, 3, 2)


def test_the_list_of_editable_points_agrees_with_may_edit(world, meal, people):
    others = [make_point(world["other_community"], "别处的点", operator=None),
              make_point(world["community"], "社区自己的点", operator=None),
              make_point(world["other_community"], "别的组织的点",
                         operator=world["other_organization"])]
    every = [meal, *others]
    for who, user in people.items():
        listed = set(db.session.scalars(points.editable_points(user)))
        assert listed == {p for p in every if points.may_edit(user, p)}, who
        assert points.keeps_points(user) == (who not in ("resident",)), who


@pytest.mark.parametrize("day, reason", [
    (TODAY - timedelta(days=1), "exception_day_passed"),
    (TODAY + timedelta(days=points.EXCEPTION_DAYS_AHEAD + 1), "exception_day_too_far"),
])
def test_an_exception_day_out_of_range_is_refused(day, reason):
    with pytest.raises(Refused) as refused:
        points.check_exception_day(day, TODAY)
    assert (refused.value.reason, refused.value.field) == (reason, "day")
    points.check_exception_day(TODAY, TODAY)  # today is fine


def test_a_spot_far_from_its_community_is_refused_and_nothing_is_written(world, people):
    values = {"name": "远处的点", "category": "meals", "address": "某路1号",
              "latitude": 31.6649, "longitude": 104.0412, "phone": None, "price": "free",
              "services": "", "status": "active", "verified_on": None}
    with pytest.raises(Refused) as refused:
        points.save_point(ServicePoint(), values, people["worker"], TODAY,
                          place=world["community"])
    assert (refused.value.reason, refused.value.field) == ("spot_too_far", "latitude")
    assert refused.value.details["km"] == 111
    assert db.session.scalar(db.select(ServicePoint).filter_by(name="远处的点")) is None


def test_a_checked_day_to_come_is_refused(world, meal, people):
    with pytest.raises(Refused) as refused:
        points.check_verified_on(TODAY + timedelta(days=1), TODAY)
    assert (refused.value.reason, refused.value.field) == ("checked_in_future", "verified_on")
    points.check_verified_on(None, TODAY)
