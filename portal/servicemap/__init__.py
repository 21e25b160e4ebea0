"""Service map 服务地图: service points near my courtyard, open now, within 15 minutes."""

from flask import Blueprint

bp = Blueprint("servicemap", __name__, url_prefix="/services")
