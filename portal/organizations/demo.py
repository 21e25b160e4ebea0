"""Demo registry: 常青树社会服务中心 registered with civil affairs (a made-up code that passes
the check), serving 草堂路社区; two community organizations it helps incubate — 草堂邻里互助队
(filed, running a micro-project) and 浣花书画社 (its core group formed). Safe to run again:
every row is looked up first."""

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.organizations import incubation, registry
from portal.organizations.models import IncubationStep, Organization
from portal.places.models import Place
from portal.timeutil import local_today, utcnow

# Made up, with both check characters computed: 52 (民政, 社会服务机构), 510105 (青羊区).
EVERGREEN_CODE = "52510105MJ2026CQX9"
ADMIN = "13900000000"

# (name, kind, community, summary, areas, [(stage, days ago, mentored)])
INCUBATED = [
    ("草堂邻里互助队", "community_group", "草堂路社区",
     "院里的退休职工和年轻住户结对：帮独居老人买菜、修水管、陪同就医。",
     ["mutual_aid", "elderly"],
     [("talent", 200, False), ("core_group", 150, True), ("filed", 100, True),
      ("micro_project", 30, True)]),
    ("浣花书画社", "community_group", "草堂路社区",
     "每周六上午在社区活动室写字画画，给院里的孩子上书法课。",
     ["culture_sports", "children"],
     [("talent", 90, False), ("core_group", 40, True)]),
]


def _named(world, name, model=Place):
    return world.get(name) or db.session.scalar(select(model).filter_by(name=name))


def seed(world, password):
    """Add this part of the demo world."""
    now, today = utcnow(), local_today()
    admin = world[ADMIN]
    community = _named(world, "草堂路社区")
    evergreen = _named(world, "常青树社会服务中心", Organization)
    if evergreen.status != "registered":
        registry.record_registration(admin, evergreen, now, today, code=EVERGREEN_CODE,
                                     kind="service_agency", day=today - timedelta(days=3 * 365))
        registry.update_profile(
            admin, evergreen, now, summary=evergreen.summary, address="成都市青羊区草堂路12号",
            contact_name="朱红", phone=evergreen.phone,
            service_areas=["elderly", "children", "mutual_aid", "culture_sports"],
            communities=[community])
    for name, kind, home, summary, areas, stages in INCUBATED:
        organization = _named(world, name, Organization)
        if organization is None:
            organization = registry.register_organization(
                admin, _named(world, home), now, today, name=name, kind=kind,
                status="incubating", communities=[community], service_areas=areas,
                summary=summary)
        world[name] = organization
        for stage, days_ago, mentored in stages:
            if db.session.scalar(select(IncubationStep).filter_by(
                    organization_id=organization.id, stage=stage)):
                continue
            day = today - timedelta(days=days_ago)
            if stage == "filed" and organization.status == "incubating":
                registry.file_organization(admin, organization, now, today, day)
            incubation.record_stage(admin, organization, stage, day, now, today,
                                    mentor=evergreen if mentored else None)
    db.session.flush()


def logins():
    return []
