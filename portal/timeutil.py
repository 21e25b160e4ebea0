"""Time helpers: store naive UTC, show and reason in the portal's time zone (Asia/Shanghai)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app

DEFAULT_ZONE = "Asia/Shanghai"


def utcnow():
    """Return the current time as a naive UTC datetime, the form stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def zone():
    """Return the portal's display time zone."""
    try:
        return ZoneInfo(current_app.config["PORTAL"]["TIMEZONE"])
    except (RuntimeError, KeyError):
        return ZoneInfo(DEFAULT_ZONE)


def to_local(moment):
    """Convert a stored naive-UTC datetime to an aware datetime in the portal's zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone())


def to_utc(local_moment):
    """Convert a local (naive = portal zone, or aware) datetime to stored naive UTC."""
    if local_moment.tzinfo is None:
        local_moment = local_moment.replace(tzinfo=zone())
    return local_moment.astimezone(UTC).replace(tzinfo=None)


def local_now():
    """Return the current time as an aware datetime in the portal's zone."""
    return datetime.now(zone())


def local_today():
    """Return today's date in the portal's zone (not the server's)."""
    return local_now().date()
