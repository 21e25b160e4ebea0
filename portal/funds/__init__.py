"""Community funds 社区基金 with public accounts, and a community's three lists 三张清单."""

from flask import Blueprint

bp = Blueprint("funds", __name__, url_prefix="/funds")

from portal.funds import (  # noqa: E402,F401  (imported for what they register)
    refusals,  # its refusals' words, registered once
    views,  # the pages
)
