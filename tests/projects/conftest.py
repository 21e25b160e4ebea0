"""Fixtures of the projects' tests (places and people: ../conftest.py): organizations with
their staff, a project made by the community worker, and a call for bids, all through the
rules with times in the past so the deadline can be before or after the real now."""

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape

from portal.extensions import db
from portal.organizations.models import Organization
from portal.projects import calls, projects


@pytest.fixture
def make_org(world, make_user):
    """make_org(name, kind="service_agency", status="registered") -> (organization, staff)."""

    def make(name, kind="service_agency", status="registered"):
        organization = Organization(name=name, kind=kind, status=status,
                                    home_place=world["street"])
        db.session.add(organization)
        db.session.flush()
        staff = make_user(name=f"{name[:3]}员工", courtyard=world["other_courtyard"],
                          roles=[("org_staff", organization)])
        return organization, staff

    return make


@pytest.fixture
def panel(make_user, world):
    """Three residents of 草堂路社区 on the review panel."""
    return [make_user(name=f"评委{i}", courtyard=world["courtyard"]) for i in range(1, 4)]


@pytest.fixture
def make_project(worker, world, now):
    def make(place=None, funding=(("community_fund", 1_760_000), ("residents", 1_760_000)),
             **kwargs):
        project = projects.create(worker, place or world["courtyard"], "停车棚翻修",
                                  "翻修顶棚，安装12个充电桩。", 3_520_000, now - timedelta(days=30),
                                  plan_note="社区2026年度计划第3项", funding=funding, **kwargs)
        db.session.commit()
        return project

    return make


@pytest.fixture
def make_call(worker, panel, make_project, now):
    """make_call(deadline_in=days from now (negative: passed)) -> a Call opened 30 days ago."""

    def make(deadline_in=5, project=None, kinds=("service_agency", "social_enterprise",
                                                  "community_group"),
             statuses=("filed", "registered"), members=None):
        project = project or make_project()
        call = calls.open_call(
            worker, project, "停车棚翻修比选", "请提交方案、团队、报价和工期。",
            now + timedelta(days=deadline_in), list(kinds), list(statuses),
            [("方案", 40), ("经验", 30), ("报价", 30)],
            [u.mobile for u in (members or panel)], now - timedelta(days=30))
        db.session.commit()
        return call

    return make


def bid(call, organization, staff, price_fen, at):
    return calls.submit_bid(staff, call, organization, "方案", "团队", price_fen, "四周", at)


def marks(call, *values):
    return {c.id: (v, "") for c, v in zip(call.criteria, values, strict=True)}


@pytest.fixture
def scene(make_call, make_org, now):
    """A call past its deadline (12 days ago) with one bid (its project "calling")."""
    call = make_call(deadline_in=-12)
    organization, staff = make_org("常青树社会服务中心")
    found = calls.submit_bid(staff, call, organization, "方案", "团队", 100_000, "四周",
                             now - timedelta(days=20))
    db.session.commit()
    return {"call": call, "project": call.project, "bid": found}


@pytest.fixture
def contracted(scene, panel, worker, now):
    """The scene's project, scored, awarded and contracted for 1,000 yuan (stage
    "contracted")."""
    call = scene["call"]
    members = panel
    for member in members:
        calls.score(member, scene["bid"], marks(call, 8, 8, 8), now - timedelta(days=10))
        calls.submit_scores(member, call, now - timedelta(days=10))
    calls.award(worker, call, scene["bid"], "", now - timedelta(days=10),
                now - timedelta(days=3), now - timedelta(days=10))
    staff = calls.staff_of(scene["bid"].organization)[0]
    calls.contract(worker, call, staff, 100_000, now - timedelta(days=2))
    db.session.commit()
    return scene["project"]


@pytest.fixture
def zh(app):
    """zh(msgid) -> the words as a Chinese page shows them (escaped), from the catalogue."""

    def say(msgid, **values):
        with app.test_request_context(), force_locale("zh_Hans"):
            return str(escape(gettext(msgid, **values)))

    return say


ROLES = ["resident_here", "resident_elsewhere", "leader_here", "leader_elsewhere",
         "worker_here", "worker_elsewhere", "admin", "anonymous"]


@pytest.fixture
def sign_in(make_user, login, world):
    def sign(role):
        here, there = world["courtyard"], world["other_courtyard"]
        grants = {
            "resident_here": (here, []), "resident_elsewhere": (there, []),
            "leader_here": (here, [("courtyard_leader", here)]),
            "leader_elsewhere": (there, [("courtyard_leader", there)]),
            "worker_here": (there, [("community_worker", world["community"])]),
            "worker_elsewhere": (there, [("community_worker", world["other_community"])]),
            "admin": (there, [("admin", world["city"])]),
        }
        if role == "anonymous":
            return None
        courtyard, roles = grants[role]
        return login(make_user(name=role, courtyard=courtyard, roles=roles))

    return sign
