"""Community funds 社区基金 with public accounts."""

from flask import Blueprint

bp = Blueprint("funds", __name__, url_prefix="/funds")
