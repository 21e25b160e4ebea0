"""The registry's demo: valid codes, the incubation paths, and a second run changes nothing."""

from sqlalchemy import func, select

from portal.demo import DEMO_PASSWORD, seed_world
from portal.extensions import db
from portal.organizations import credit_code, demo, incubation
from portal.organizations.models import IncubationStep, Organization


def test_the_demo_seeds_twice_to_the_same_world(app):
    world = seed_world()
    demo.seed(world, DEMO_PASSWORD)
    db.session.commit()
    steps = db.session.scalar(select(func.count()).select_from(IncubationStep))
    demo.seed(world, DEMO_PASSWORD)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(IncubationStep)) == steps
    evergreen = db.session.scalar(select(Organization).filter_by(name="常青树社会服务中心"))
    assert evergreen.status == "registered"
    assert credit_code.check(evergreen.credit_code) == demo.EVERGREEN_CODE
    group = db.session.scalar(select(Organization).filter_by(name="草堂邻里互助队"))
    assert group.status == "filed"
    assert incubation.next_stage(group) == "registered"
    assert incubation.path(group)[-1].mentor_id == evergreen.id
    painters = db.session.scalar(select(Organization).filter_by(name="浣花书画社"))
    assert [s.stage for s in incubation.path(painters)] == ["talent", "core_group"]
