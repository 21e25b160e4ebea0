"""Projects 项目 and calls for bids 比选: from a council's decision to an accepted project."""

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")
