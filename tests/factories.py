"""Factories for rows that tests build by hand, shared by every domain's tests (people and
places are the fixtures in conftest.py).
"""

from portal.extensions import db
from portal.servicemap.hours import parse_day
from portal.servicemap.models import HoursException, ServiceHours, ServicePoint

ALWAYS = {day: "00:00-24:00" for day in range(7)}
NEVER = {}


def make_point(place, name="草堂社区长者食堂", category="meals", lat=30.6649, lon=104.0412,
               week=None, exceptions=(), operator=None, commit=True, **fields):
    """A point at ``place``; ``week`` is {weekday: "08:00-11:30, …"}, ``exceptions`` is
    [(date, closed, "hours", note)]."""
    fields.setdefault("address", "草堂东路135号")
    fields.setdefault("price", "free")
    point = ServicePoint(name=name, category=category, place=place, operator=operator,
                         latitude=lat, longitude=lon, **fields)
    db.session.add(point)
    db.session.flush()
    for weekday, text in (ALWAYS if week is None else week).items():
        for opens, closes in parse_day(text):
            db.session.add(ServiceHours(point_id=point.id, weekday=weekday, opens=opens,
                                        closes=closes))
    for day, closed, text, note in exceptions:
        if closed:
            db.session.add(HoursException(point_id=point.id, day=day, closed=True, note=note))
        for opens, closes in ([] if closed else parse_day(text)):
            db.session.add(HoursException(point_id=point.id, day=day, closed=False,
                                          opens=opens, closes=closes, note=note))
    if commit:
        db.session.commit()
    return point


def offset(lat, lon, north_m=0.0, east_m=0.0):
    """The point ``north_m`` metres north and ``east_m`` east of (lat, lon), near enough."""
    import math

    return (lat + north_m / 111_195,
            lon + east_m / (111_195 * math.cos(math.radians(lat))))
