"""Councils 议事会 and 三事分流: residents' requests, triage, the public 三事清单, councils and
their meetings, decisions through 一征三议两公开, and the resident told at every step."""

from flask import Blueprint

bp = Blueprint("councils", __name__, url_prefix="/councils")

from portal.councils import (  # noqa: E402,F401  (imported for what they register)
    refusals,  # its refusals' words, registered once
    views,  # the pages, by what they are about
)
