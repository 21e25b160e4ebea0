"""Volunteer time bank 时间银行: activities, hour logs, the ledger, stars, rewards."""

from flask import Blueprint

bp = Blueprint("timebank", __name__, url_prefix="/timebank")
