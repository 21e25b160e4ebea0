from portal.accounts.models import RoleGrant, User
from portal.accounts.permissions import can
from portal.demo import DEMO_PASSWORD, PEOPLE, demo_logins, domain_demos, seed_demo
from portal.extensions import db
from portal.places.models import Place
from portal.timebank import ledger
from portal.timebank.models import (
    Activity,
    HelpRequest,
    HourLog,
    Redemption,
    Reward,
    SignUp,
    Transfer,
    Volunteer,
)
from portal.timebank.stars import star_progress


def counts():
    return [db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (Place, User, RoleGrant, Activity, SignUp, HourLog, Transfer, Reward,
                          Redemption, HelpRequest)]


def test_seed_demo_is_idempotent_and_has_one_account_per_role(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "13900000001" in result.output and DEMO_PASSWORD in result.output
    first = counts()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert counts() == first
    roles = {role for _m, _n, held, _h, _p in PEOPLE for role, _t in held}
    assert roles == {"admin", "community_worker", "courtyard_leader", "council_member",
                     "org_staff", "volunteer"}


def test_seed_demo_if_empty_leaves_existing_data_alone(runner, world):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    assert db.session.scalar(db.select(User).filter_by(mobile="13900000001")) is None


def test_demo_world_holds_together():
    world = seed_demo()
    worker = world["13900000001"]
    assert worker.check_password(DEMO_PASSWORD)
    assert can(worker, "community_worker", world["草堂东路133号院"])
    assert world["草堂东路133号院"].ancestor("community").name == "草堂路社区"
    assert all(p.latitude for p in db.session.scalars(
        db.select(Place).filter_by(kind="courtyard")))


def test_demo_time_bank_is_believable_and_its_books_balance():
    world = seed_demo()
    zhipeng = world["13900000005"]
    progress = star_progress(db.session.get(Volunteer, zhipeng.id).service_minutes)
    assert progress["stars"] == 0 and 0 < progress["minutes_to_next"] <= 10 * 60
    assert ledger.balance(zhipeng) > 0 and ledger.balance(world["13900000006"]) == 600
    assert db.session.scalar(db.select(db.func.count()).select_from(HourLog)
                             .filter_by(status="pending")) == 2
    assert ledger.verify() == []


def test_each_domain_seeds_itself_and_names_its_logins():
    demos = domain_demos()
    assert [d.__name__ for d in demos] == [
        "portal.servicemap.demo", "portal.timebank.demo", "portal.courtyards.demo",
        "portal.courtyards.demo_collections", "portal.councils.demo",
        "portal.organizations.demo", "portal.funds.demo", "portal.projects.demo"]
    assert all(callable(d.seed) for d in demos)
    lines = demo_logins()
    assert any("13900000001" in line and "community_worker" in line for line in lines)
    assert any("13900000011" in line and "time-bank volunteer" in line for line in lines)
