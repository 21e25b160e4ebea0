"""Courtyards 院落: the courtyard page, households, notices and 公示, opinion collections,
resident conventions, agreements, and the leaders' desk."""

from flask import Blueprint

bp = Blueprint("courtyards", __name__, url_prefix="/courtyards")

from portal.courtyards import (  # noqa: E402,F401  (imported for what they register)
    at_home,  # the collections waiting for my answer, on the home page
    refusals,  # its refusals' words, registered once
    views,  # the pages, by what they are about
)
