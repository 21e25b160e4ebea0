"""Checking in at a kiosk: a volunteer arriving for today's activity at the kiosk's service
point checks in with their mobile number and PIN. It counts like the organiser's check-in
(``portal.timebank.activities.check_in``; the organiser's "approve everyone checked in" then
approves their hours)."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from portal import audit
from portal.refusals import Refused
from portal.timebank import activities
from portal.timebank.models import Activity
from portal.timeutil import to_local, to_utc

# Volunteers may check in from this long before the start.
EARLY = timedelta(hours=1)


def today_bounds(now):
    """The start and end (naive UTC) of ``now``'s day in the portal's zone."""
    day = to_local(now).date()
    start = to_utc(datetime.combine(day, time()))
    return start, to_utc(datetime.combine(day + timedelta(days=1), time()))


def todays_activities(point, now):
    """The activities held at ``point`` today and not cancelled, by start."""
    start, end = today_bounds(now)
    return (select(Activity)
            .where(Activity.service_point_id == point.id, Activity.cancelled.is_(False),
                   Activity.starts_at < end, Activity.ends_at > start)
            .order_by(Activity.starts_at, Activity.id))


def check_in(kiosk, volunteer, activity, now):
    """Check ``volunteer`` in at ``activity`` (held at ``kiosk``'s point); return the sign-up.
    Checking in twice keeps the first time."""
    if activity.service_point_id != kiosk.service_point_id:
        raise Refused("checkin_elsewhere")
    if activity.cancelled:
        raise Refused("checkin_cancelled")
    if now < activity.starts_at - EARLY:
        raise Refused("checkin_not_today")
    if now >= activity.ends_at:
        raise Refused("checkin_over")
    signup = activities.sign_up_of(volunteer, activity)
    if signup is None or not signup.active:
        raise Refused("checkin_not_signed_up")
    if signup.checked_in_at is None:
        activities.check_in(signup, volunteer, now)
        audit.record("kiosk.check_in", signup, actor=volunteer, kiosk=kiosk.id,
                     activity=activity.id)
    return signup
