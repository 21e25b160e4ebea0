"""Projects 项目 and calls for bids 比选: from a council's decision to an accepted project."""

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from portal.projects import (  # noqa: E402,F401  (imported for what they register)
    at_home,  # the projects of my courtyard on the home page
    calls,  # the message kind told to bidders, the call's publicity subject
    projects,  # the project's publicity subject
    refusals,  # its refusals' words, registered once
)
