"""Social organizations 社会组织: the registry (minimal for now) and their public pages."""

from flask import Blueprint

bp = Blueprint("organizations", __name__, url_prefix="/organizations")
