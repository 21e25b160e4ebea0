"""A community's three lists 三张清单 — needs, resources and projects side by side, so a worker
can match what residents ask for with who and what could answer it, and see what is already
under way. Every list is a count or the most recent few rows, read in a fixed number of
queries whatever the size of the community."""

from importlib import import_module
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select, union

from portal.councils.models import Request
from portal.councils.states import OPEN
from portal.councils.words import CATEGORY_LABELS
from portal.courtyards.models import Collection
from portal.extensions import db
from portal.funds.models import Fund, FundAccount
from portal.organizations.models import Organization, ServedCommunity
from portal.places.models import Place, within
from portal.projects.models import ProgressReport, Project
from portal.servicemap.models import CATEGORIES as POINT_CATEGORIES
from portal.servicemap.models import ServicePoint

RECENT = 8  # rows of each list shown; the counts cover the rest


class Counted(NamedTuple):
    key: str
    label: str
    count: int


def _counted(rows, labels):
    return [Counted(key, str(labels.get(key, key)), count) for key, count in rows]


# --- needs ---

def open_requests(community):
    """Open public requests of the community: counts by category (largest first) and the
    most recent few."""
    where = (Request.community_id == community.id, Request.public.is_(True),
             Request.state.in_(OPEN))
    counts = db.session.execute(
        select(Request.category, func.count(Request.id)).where(*where)
        .group_by(Request.category).order_by(func.count(Request.id).desc(), Request.category))
    recent = db.session.scalars(select(Request).where(*where)
                                .order_by(Request.created_at.desc(), Request.id.desc())
                                .limit(RECENT)).all()
    return _counted(counts, CATEGORY_LABELS), recent


def closed_collections(community, now):
    """Opinion collections of the community's places that have closed, newest first."""
    closed = or_(Collection.closed_at.is_not(None), Collection.closes_at <= now)
    return db.session.scalars(
        select(Collection).join(Place, Place.id == Collection.place_id)
        .where(within(community), closed)
        .order_by(func.coalesce(Collection.closed_at, Collection.closes_at).desc(),
                  Collection.id.desc())
        .limit(RECENT)).all()


# --- resources ---

def organizations(community):
    """Organizations serving the community or based in it: (volunteer teams, the others)."""
    # Two indexed lookups joined, not one OR that reads every organization of the city.
    serving = select(ServedCommunity.organization_id).where(
        ServedCommunity.place_id == community.id)
    based = (select(Organization.id).join(Place, Place.id == Organization.home_place_id)
             .where(within(community)))
    rows = db.session.scalars(
        select(Organization).where(Organization.id.in_(union(serving, based)),
                                   Organization.status != "suspended")
        .order_by(Organization.name).limit(4 * RECENT)).all()
    teams = [o for o in rows if o.kind == "volunteer_team"]
    return teams, [o for o in rows if o.kind != "volunteer_team"]


def service_points(community):
    """The community's service points counted by category."""
    rows = db.session.execute(
        select(ServicePoint.category, func.count(ServicePoint.id))
        .join(Place, Place.id == ServicePoint.place_id)
        .where(within(community), ServicePoint.status != "closed")
        .group_by(ServicePoint.category).order_by(ServicePoint.category))
    return _counted(rows, POINT_CATEGORIES)


def funds(community):
    """The community's funds with their balances: [(Fund, balance in fen)]."""
    return db.session.execute(
        select(Fund, func.coalesce(FundAccount.balance, 0))
        .outerjoin(FundAccount, and_(FundAccount.fund_id == Fund.id, FundAccount.kind == "fund"))
        .where(Fund.place_id == community.id).order_by(Fund.id)).all()


# --- projects ---

def stage_label(stage):
    """The projects domain's words for a stage (the key until it has them)."""
    try:
        labels = import_module("portal.projects.projects").STAGE_LABELS
    except (ImportError, AttributeError):
        return stage
    return str(labels.get(stage, stage))


def projects(community):
    """The community's most recent projects with their latest reported progress (percent, or
    None before any report): [(Project, percent)]. The reports are read for those projects
    only, so the city's other projects cost nothing."""
    places = select(Place.id).where(within(community))
    rows = db.session.scalars(
        select(Project).where(Project.place_id.in_(places))
        .order_by(Project.id.desc()).limit(RECENT)).all()
    if not rows:
        return []
    newest = (select(func.max(ProgressReport.id))
              .where(ProgressReport.project_id.in_([p.id for p in rows]))
              .group_by(ProgressReport.project_id))
    latest = dict(db.session.execute(select(ProgressReport.project_id, ProgressReport.percent)
                                     .where(ProgressReport.id.in_(newest))).all())
    return [(project, latest.get(project.id)) for project in rows]


def project_count(community):
    return db.session.scalar(select(func.count(Project.id))
                             .join(Place, Place.id == Project.place_id)
                             .where(within(community)))
