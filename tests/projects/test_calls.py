"""The rules of a call for bids: bids (eligibility, deadline, one per organization), sealed
bids and score visibility, scoring, the weighted ranking and its ties, award and contract."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.notifications.models import Message
from portal.projects import calls
from portal.projects.models import Bid, Score
from portal.refusals import Refused
from tests.projects.conftest import bid, marks


@pytest.fixture
def bidders(make_org):
    return {"a": make_org("常青树社会服务中心"), "b": make_org("邻里社会企业", "social_enterprise"),
            "c": make_org("草堂手艺队", "community_group", "filed")}


def score_all(call, panel, table, at):
    """table: {bid: [(m1 marks), (m2 marks), (m3 marks)]}; then everyone submits."""
    for found, rows in table.items():
        for member, values in zip(panel, rows, strict=True):
            calls.score(member, found, marks(call, *values), at)
    for member in panel:
        calls.submit_scores(member, call, at)


# --- bids --------------------------------------------------------------------------------

def test_an_eligible_organization_bids_once_and_may_change_until_the_deadline(
        make_call, bidders, now):
    call = make_call()
    organization, staff = bidders["a"]
    found = bid(call, organization, staff, 3_000_000, now)
    with pytest.raises(Refused) as refused:
        bid(call, organization, staff, 2_000_000, now)
    assert refused.value.reason == "bid_twice"
    calls.change_bid(staff, found, "新方案", "团队", 2_900_000, "三周", now)
    assert found.price_fen == 2_900_000
    with pytest.raises(Refused) as refused:
        calls.change_bid(staff, found, "新方案", "团队", 1, "三周", now + timedelta(days=6))
    assert refused.value.reason == "bid_closed"


@pytest.mark.parametrize(("kind", "status", "reason"), [
    ("volunteer_team", "registered", "bid_not_eligible"),  # a kind the call did not name
    ("service_agency", "incubating", "bid_not_eligible"),
    ("service_agency", "suspended", "bid_not_eligible"),
])
def test_ineligible_organizations_may_not_bid(make_call, make_org, now, kind, status, reason):
    call = make_call()  # filed or registered ones
    organization, staff = make_org("某组织", kind, status)
    with pytest.raises(Refused) as refused:
        bid(call, organization, staff, 100, now)
    assert refused.value.reason == reason
    assert db.session.query(Bid).count() == 0


def test_a_suspended_organization_never_bids_even_when_the_call_names_its_status(
        make_call, make_org, now):
    call = make_call()
    call.eligible_statuses = "registered,suspended"  # forged: suspended is never eligible
    organization, staff = make_org("暂停的机构", status="suspended")
    assert not calls.eligible(call, organization)


def test_no_bid_after_the_deadline_nor_from_someone_not_staff(make_call, bidders, worker,
                                                              now):
    call = make_call(deadline_in=-1)
    organization, staff = bidders["a"]
    with pytest.raises(Refused) as refused:
        bid(call, organization, staff, 100, now)
    assert refused.value.reason == "bid_closed"
    with pytest.raises(Refused) as refused:
        calls.submit_bid(worker, call, organization, "x", "y", 100, "z", now)
    assert refused.value.reason == "bid_not_staff"


@pytest.mark.parametrize("price", [0, -100, 1.5, True])
def test_a_price_must_be_whole_positive_fen(make_call, bidders, now, price):
    organization, staff = bidders["a"]
    with pytest.raises(Refused) as refused:
        bid(make_call(), organization, staff, price, now)
    assert refused.value.reason == "project_amount_bad"


# --- sealed bids and score visibility ----------------------------------------------------

VIEWERS = ["bidder", "other_bidder", "worker", "member_before", "member_after",
           "anonymous", "stranger"]


@pytest.fixture
def scene(make_call, bidders, panel, worker, make_user, world, now):
    """A call whose deadline passes in 5 days with two bids; ``at(after)`` is a moment."""
    call = make_call()
    a = bid(call, *bidders["a"], 3_000_000, now)
    b = bid(call, *bidders["b"], 2_800_000, now)
    db.session.commit()
    from flask_login import AnonymousUserMixin
    people = {"bidder": bidders["a"][1], "other_bidder": bidders["b"][1], "worker": worker,
              "member_before": panel[1], "member_after": panel[0],
              "anonymous": AnonymousUserMixin(),
              "stranger": make_user(name="路人", courtyard=world["other_courtyard"])}
    return {"call": call, "a": a, "b": b, "people": people,
            "after": now + timedelta(days=6)}


# (who, sees bid a before the deadline, after it; sees the scores after, before submitting)
SEES = {
    "bidder": (True, True, False),
    "other_bidder": (False, False, False),
    "worker": (False, True, True),
    "member_before": (False, True, False),
    "member_after": (False, True, True),
    "anonymous": (False, False, False),
    "stranger": (False, False, False),
}


@pytest.mark.parametrize("who", VIEWERS)
def test_who_sees_a_bid_and_the_scores(scene, panel, now, who):
    call, a, b = scene["call"], scene["a"], scene["b"]
    user, after = scene["people"][who], scene["after"]
    before_deadline, after_deadline, scores_after = SEES[who]
    assert calls.may_see_bid(user, a, now) is before_deadline
    assert calls.may_see_bid(user, a, after) is after_deadline
    assert calls.may_see_scores(user, call, now) is False  # nobody before the deadline
    # panel[0] scores both bids and submits; panel[1] has not yet
    for found in (a, b):
        calls.score(panel[0], found, marks(call, 8, 7, 6), after)
    calls.submit_scores(panel[0], call, after)
    assert calls.may_see_scores(user, call, after) is scores_after
    # once awarded, the ranking is public
    call.awarded_at = after
    assert calls.may_see_scores(user, call, after) is True


# --- scoring -----------------------------------------------------------------------------

def test_scoring_is_refused_before_the_deadline_outside_0_10_twice_and_to_strangers(
        scene, panel, make_user, world, now):
    call, a, after = scene["call"], scene["a"], scene["after"]
    with pytest.raises(Refused) as refused:
        calls.score(panel[0], a, marks(call, 8, 7, 6), now)
    assert refused.value.reason == "score_too_early"
    for bad in (11, -1, None, 7.5):
        with pytest.raises(Refused) as refused:
            calls.score(panel[0], a, marks(call, 8, bad, 6), after)
        assert refused.value.reason == "score_bad"
    with pytest.raises(Refused) as refused:
        calls.score(make_user(name="非评委", courtyard=world["courtyard"]), a,
                    marks(call, 8, 7, 6), after)
    assert refused.value.reason == "score_not_member"
    assert db.session.query(Score).count() == 0
    calls.score(panel[0], a, marks(call, 8, 7, 6), after)
    with pytest.raises(Refused) as refused:
        calls.score(panel[0], a, marks(call, 1, 1, 1), after)
    assert refused.value.reason == "score_twice"
    assert db.session.query(Score).count() == 3


def test_a_member_who_is_staff_of_a_bidder_declares_it_and_never_scores_its_bid(
        make_call, bidders, panel, make_user, world, now):
    organization, staff = bidders["a"]
    insider = make_user(name="内部人", courtyard=world["courtyard"],
                        roles=[("org_staff", organization)])
    call = make_call(members=[*panel, insider])
    a = bid(call, organization, staff, 3_000_000, now)
    b = bid(call, *bidders["b"], 2_800_000, now)
    after = now + timedelta(days=6)
    with pytest.raises(Refused) as refused:  # even before declaring
        calls.score(insider, a, marks(call, 10, 10, 10), after)
    assert refused.value.reason == "score_own_bid"
    calls.score(insider, b, marks(call, 5, 5, 5), after)
    with pytest.raises(Refused) as refused:
        calls.submit_scores(insider, call, after)
    assert refused.value.reason == "declare_first"
    calls.declare(insider, call, organization, after)
    calls.submit_scores(insider, call, after)
    assert calls.excused(calls.member_of(call, insider), a)


# --- ranking -----------------------------------------------------------------------------

def test_the_weighted_ranking_by_hand_with_ties_broken_by_price(make_call, bidders, panel,
                                                                 now):
    call = make_call()
    a = bid(call, *bidders["a"], 3_000_000, now)
    b = bid(call, *bidders["b"], 2_900_000, now + timedelta(minutes=1))
    c = bid(call, *bidders["c"], 2_800_000, now + timedelta(minutes=2))
    after = now + timedelta(days=6)
    score_all(call, panel, {
        # 方案 (8+9+9)/3 × 4 = 34.67, 经验 7 × 3 = 21, 报价 6 × 3 = 18: 73.7
        a: [(8, 7, 6), (9, 7, 6), (9, 7, 6)],
        # 6 × 4 + 8 × 3 + 8 × 3 = 72.0
        b: [(6, 8, 8), (6, 8, 8), (6, 8, 8)],
        # 9 × 4 + 6 × 3 + 6 × 3 = 72.0, cheaper than b: before it
        c: [(9, 6, 6), (9, 6, 6), (9, 6, 6)],
    }, after)
    ranked = calls.ranking(call)
    assert [(r.bid.id, r.score_words) for r in ranked] == [
        (a.id, "73.7"), (c.id, "72.0"), (b.id, "72.0")]


def test_at_the_same_score_and_price_the_earlier_bid_comes_first(make_call, bidders, panel,
                                                                  now):
    call = make_call()
    late = bid(call, *bidders["a"], 1_000_000, now + timedelta(hours=2))
    early = bid(call, *bidders["b"], 1_000_000, now)
    score_all(call, panel, {late: [(5, 5, 5)] * 3, early: [(5, 5, 5)] * 3},
              now + timedelta(days=6))
    assert [r.bid.id for r in calls.ranking(call)] == [early.id, late.id]
    assert calls.ranking(call)[0].score_words == "50.0"


# --- award and contract ------------------------------------------------------------------

def test_award_waits_for_every_member_then_publishes_tells_and_contracts(
        make_call, bidders, panel, worker, now):
    call = make_call()
    a = bid(call, *bidders["a"], 3_000_000, now)
    b = bid(call, *bidders["b"], 2_800_000, now)
    after = now + timedelta(days=6)
    window = (after, after + timedelta(days=7))
    for found in (a, b):
        calls.score(panel[0], found, marks(call, 8, 8, 8), after)
    calls.submit_scores(panel[0], call, after)
    with pytest.raises(Refused) as refused:
        calls.award(worker, call, a, "", *window, after)
    assert refused.value.reason == "award_not_scored"
    for member in panel[1:]:
        calls.score(member, a, marks(call, 8, 8, 8), after)
        calls.score(member, b, marks(call, 5, 5, 5), after)
        calls.submit_scores(member, call, after)
    with pytest.raises(Refused) as refused:  # b is second: a reason is needed
        calls.award(worker, call, b, "", *window, after)
    assert refused.value.reason == "award_reason_needed"
    with pytest.raises(Refused) as refused:
        calls.award(worker, call, a, "", after, after + timedelta(days=6), after)
    assert refused.value.reason == "project_window_short"
    publication = calls.award(worker, call, a, "", *window, after)
    assert a.awarded and call.project.stage == "awarded"
    assert call.project.title in publication.title
    told = db.session.query(Message).filter_by(kind="project_call_awarded").all()
    assert sorted(n.user_id for n in told) == sorted([bidders["a"][1].id, bidders["b"][1].id])
    with pytest.raises(Refused) as refused:  # the publicity is still open
        calls.contract(worker, call, bidders["a"][1], 3_000_000, after + timedelta(days=1))
    assert refused.value.reason == "contract_window_open"
    later = after + timedelta(days=8)
    with pytest.raises(Refused) as refused:  # the other bidder's staff
        calls.contract(worker, call, bidders["b"][1], 3_000_000, later)
    assert refused.value.reason == "contract_manager_bad"
    calls.contract(worker, call, bidders["a"][1], 3_000_000, later)
    project = call.project
    assert (project.stage, project.organization_id, project.manager_id,
            project.contract_fen) == ("contracted", bidders["a"][0].id, bidders["a"][1].id,
                                      3_000_000)


def test_award_needs_a_quorum_of_three(make_call, bidders, panel, worker, make_user, world,
                                       now):
    organization, staff = bidders["a"]
    insider = make_user(name="内部人", courtyard=world["courtyard"],
                        roles=[("org_staff", organization)])
    call = make_call(members=[panel[0], panel[1], insider])
    a = bid(call, organization, staff, 3_000_000, now)  # the only bid: insider is excused
    after = now + timedelta(days=6)
    for member in panel[:2]:
        calls.score(member, a, marks(call, 8, 8, 8), after)
        calls.submit_scores(member, call, after)
    with pytest.raises(Refused) as refused:
        calls.award(worker, call, a, "", after, after + timedelta(days=7), after)
    assert refused.value.reason == "award_no_quorum"


def test_a_call_needs_criteria_summing_to_100_a_panel_of_three_and_a_future_deadline(
        make_project, worker, panel, now):
    project = make_project()
    good = dict(title="比选", description="说明", deadline_at=now + timedelta(days=3),
                kinds=["service_agency"], statuses=["registered"],
                criteria=[("方案", 40), ("经验", 30), ("报价", 30)],
                panel_mobiles=[u.mobile for u in panel], now=now)
    for change, reason in [
        ({"criteria": [("方案", 40), ("经验", 30)]}, "call_criteria_bad"),
        ({"criteria": [(f"c{i}", 10) for i in range(10)]}, "call_criteria_bad"),
        ({"criteria": [("方案", 100), ("经验", 0)]}, "call_criteria_bad"),
        ({"panel_mobiles": [u.mobile for u in panel[:2]]}, "call_panel_small"),
        ({"panel_mobiles": ["13000000000", *[u.mobile for u in panel]]},
         "call_panel_unknown"),
        ({"deadline_at": now}, "call_deadline_past"),
        ({"statuses": ["suspended"]}, "call_eligibility_needed"),
        ({"description": "x" * 10_000}, "project_text_too_long"),
    ]:
        with pytest.raises(Refused) as refused:
            calls.open_call(worker, project, **{**good, **change})
        assert refused.value.reason == reason
    assert project.stage == "planned"
