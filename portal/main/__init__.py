"""The home page and the settings every visitor has: language and text size."""

from flask import Blueprint

bp = Blueprint("main", __name__)
