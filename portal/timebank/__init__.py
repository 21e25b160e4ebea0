"""Volunteer time bank 时间银行: activities, hour logs, the ledger, stars, rewards."""

from flask import Blueprint

bp = Blueprint("timebank", __name__, url_prefix="/timebank")

from portal.timebank import (  # noqa: E402,F401  (imported for what they register)
    at_points,  # what the time bank shows at a service point
    refusals,  # its refusals' words, registered once
    views,  # the pages, by who uses them
)
