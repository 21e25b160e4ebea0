"""Places: browse the tree down to a courtyard and choose "my courtyard"."""

from flask import Blueprint

bp = Blueprint("places", __name__, url_prefix="/places")
