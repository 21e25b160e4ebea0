"""The projects' section on the home page (the resident's courtyard): the projects of the
courtyard and of its community from the call for bids to acceptance, each a tap from the
page where its money, progress and result are.

Shown on the courtyard's own page too, so its residents follow a project there from the
call to acceptance.
"""

from sqlalchemy import select

from portal import sections
from portal.extensions import db
from portal.projects.models import Project
from portal.projects.projects import STAGE_LABELS, community_of, percent

SHOWN = 3
VISIBLE = ("calling", "awarded", "contracted", "in_progress", "accepted")


def projects_at(courtyard):
    """The courtyard's and its community's visible projects, newest first; None if none."""
    if courtyard is None:
        return None
    community = community_of(courtyard)
    places = [courtyard.id] + ([community.id] if community is not None else [])
    rows = db.session.scalars(
        select(Project).where(Project.place_id.in_(places), Project.stage.in_(VISIBLE))
        .order_by((Project.place_id == courtyard.id).desc(), Project.created_at.desc(),
                  Project.id.desc()).limit(SHOWN)).all()
    if not rows:
        return None
    return {"projects": [(p, percent(p)) for p in rows], "labels": STAGE_LABELS,
            "community": community}


sections.register("home", "projects/_at_home.html", projects_at)
sections.register("courtyard", "projects/_at_home.html", projects_at)
