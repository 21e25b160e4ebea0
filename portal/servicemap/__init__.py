"""Service map 服务地图: service points near my courtyard, open now, within 15 minutes."""

from flask import Blueprint

from portal.servicemap import refusals  # noqa: F401  the rules' words, registered once

bp = Blueprint("servicemap", __name__, url_prefix="/services")
