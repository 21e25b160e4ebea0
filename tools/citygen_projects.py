"""City-scale projects, calls for bids and community funds for `make bench`.

Per community: 30 projects over three years in every stage (3,000 at full scale), each with
two funding lines; a call with three criteria, a five-member panel and three bids for every
project past "planned", scored by the whole panel once the deadline has passed (~135,000
scores at full scale); progress reports for the ones under way; and one community fund with
~600 donations, a dozen grants and two instalments paid to each of its funded projects
(~130,000 ledger entries at full scale, balances carried as the engine keeps them).

Per-community numbers stay the same at every scale, so the bench shows whether a fund's
accounts, a call with its ranking and the three lists grow with the city. Rows go in with
bulk inserts (COPY on PostgreSQL) and explicit ids (tools/citygen_courtyards.py's ``_Rows``).
"""

import random
from datetime import timedelta

from portal.funds.models import Donation, Fund, FundAccount, FundEntry, FundTransfer
from portal.organizations.models import Organization
from portal.projects.models import (
    Bid,
    Call,
    Criterion,
    FundingLine,
    PanelMember,
    ProgressReport,
    Project,
    Score,
)
from portal.publicity.models import Publication
from portal.timeutil import utcnow
from tools.citygen import commit
from tools.citygen_courtyards import _Rows

PROJECTS = 30  # per community
DONATIONS = 600  # per community fund
GRANTS = 12
DAYS = 3 * 365
# (stage, share): most projects are done; a few wait at each step.
STAGES = (("accepted", 0.45), ("in_progress", 0.2), ("contracted", 0.08), ("awarded", 0.05),
          ("calling", 0.1), ("planned", 0.12))
CRITERIA = (("方案", 40), ("经验", 30), ("报价", 30))
SURNAMES = "张王李赵刘陈杨黄周吴"


class _Books:
    """The fund's accounts with their running balances, and the entries that move them."""

    def __init__(self, session):
        self.accounts = _Rows(session, FundAccount)
        self.transfers = _Rows(session, FundTransfer)
        self.entries = _Rows(session, FundEntry)
        self.balance = {}

    def open(self, kind, fund, project=None, label=""):
        account = self.accounts.add(kind=kind, fund_id=fund, project_id=project, label=label,
                                    balance=0)
        self.balance[account] = 0
        return account

    def move(self, kind, source, target, amount, fund, at, actor, project=None):
        transfer = self.transfers.add(kind=kind, created_at=at, actor_id=actor, key=None,
                                      memo="", reverses_id=None, fund_id=fund,
                                      project_id=project)
        for account, change in ((source, -amount), (target, amount)):
            self.balance[account] += change
            self.entries.add(transfer_id=transfer, account_id=account, amount=change,
                             balance_after=self.balance[account])
        return transfer

    def flush(self):
        for row in self.accounts.rows:
            row["balance"] = self.balance[row["id"]]
        for rows in (self.accounts, self.transfers, self.entries):
            rows.flush()


def generate(session, city, scale=1.0, seed=2029):
    """Insert the projects, calls and funds; return {community id: {"fund", "call",
    "project"}} ids for choosing pages to time."""
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    projects, lines = _Rows(session, Project), _Rows(session, FundingLine)
    calls, criteria = _Rows(session, Call), _Rows(session, Criterion)
    panel, bids, scores = _Rows(session, PanelMember), _Rows(session, Bid), _Rows(session, Score)
    reports, publications = _Rows(session, ProgressReport), _Rows(session, Publication)
    funds, donations = _Rows(session, Fund), _Rows(session, Donation)
    books, groups = _Books(session), _Rows(session, Organization)
    courtyards_of = {}
    for courtyard, community, _lat, _lon in city.courtyards:
        courtyards_of.setdefault(community, []).append(courtyard)
    count = len(city.courtyards)
    weights = [share for _s, share in STAGES]
    chosen = {}
    for c, community in enumerate(city.communities):
        worker = city.worker_ids[community]
        first = city.courtyards.index(next(t for t in city.courtyards if t[1] == community))
        residents = city.user_ids[first::count]
        fund = funds.add(place_id=community, name="社区微基金", description="居民和单位的捐赠。",
                         match_percent=100, match_cap_fen=1_000_000,
                         created_at=now - timedelta(days=DAYS + 30))
        fund_account = books.open("fund", fund)
        outside = {source: books.open("outside", fund, label=source)
                   for source in ("donors", "street", "foundation", "other")}
        # Money in: donations and grants through the years, oldest first.
        gifts = sorted([("donation", n) for n in range(DONATIONS)]
                       + [("grant", n) for n in range(GRANTS)],
                       key=lambda gift: gift[1] / (DONATIONS if gift[0] == "donation"
                                                   else GRANTS))
        money_in = []
        for n, (kind, k) in enumerate(gifts):
            at = now - timedelta(days=DAYS * (len(gifts) - n) / len(gifts), hours=9)
            if kind == "donation":
                amount = rng.choice((5_000, 10_000, 20_000, 50_000, 100_000))
                source, name = outside["donors"], f"{SURNAMES[k % 10]}居民{k}"
                details = {"anonymous": k % 7 == 0, "named": k % 5 == 0, "grant_source": None}
            else:
                amount, source, name = 2_000_000, outside["street"], "第一街道办事处"
                details = {"anonymous": False, "named": False, "grant_source": "street"}
            money_in.append((at, kind, amount, source, name, details))
        # Three 社区社会组织 of the community bid for its projects.
        organizations = [groups.add(name=f"第{c + 1}社区{name}", kind="community_group",
                                    home_place_id=community, status="filed",
                                    service_areas="", created_at=now - timedelta(days=DAYS))
                         for name in ("邻里互助会", "巧手维修队", "银龄服务社")]
        spending = []
        for n in range(PROJECTS):
            stage = rng.choices([s for s, _w in STAGES], weights)[0]
            created = now - timedelta(days=DAYS * (PROJECTS - n) / PROJECTS)
            place = rng.choice(courtyards_of[community])
            budget = rng.randrange(20, 200) * 100_000
            contracted = stage in ("contracted", "in_progress", "accepted")
            winners = [organizations[(n + b) % 3] for b in range(3)]
            project = projects.add(
                place_id=place, title=f"第{n + 1}号微项目：楼道照明改造",
                description="更换楼道灯，加装声控开关。", budget_fen=budget, decision_id=None,
                plan_note="社区年度计划。", stage=stage, created_by_id=worker,
                created_at=created, organization_id=winners[0] if contracted else None,
                manager_id=residents[3] if contracted else None,
                contract_fen=budget if contracted else None,
                contracted_at=created + timedelta(days=40) if contracted else None,
                acceptance_checklist=None, acceptance_note=None,
                accepted_by_id=worker if stage == "accepted" else None,
                accepted_at=created + timedelta(days=100) if stage == "accepted" else None,
                result_publication_id=None, cancelled_reason=None)
            lines.add(project_id=project, source="residents", amount_fen=budget // 2,
                      fund_id=None, note=None)
            lines.add(project_id=project, source="community_fund", amount_fen=budget // 2,
                      fund_id=fund, note=None)
            if contracted:
                spending.append((created + timedelta(days=41), project, budget // 2 * 6 // 10))
                if stage == "accepted":
                    spending.append((created + timedelta(days=101), project,
                                     budget // 2 - budget // 2 * 6 // 10))
                for k in range(3 if stage != "contracted" else 0):
                    reports.add(project_id=project, task_id=None, percent=(k + 1) * 30,
                                text="已完成一半的楼栋。", photo=None, reported_by_id=residents[3],
                                reported_at=created + timedelta(days=50 + 10 * k))
            if stage == "planned":
                continue
            deadline = created + timedelta(days=20)
            awarded = stage not in ("calling",)
            call = calls.add(
                project_id=project, title=f"第{n + 1}号微项目比选公告",
                description="欢迎社区社会组织参加比选。", opens_at=created + timedelta(days=1),
                deadline_at=deadline if stage != "calling" else now + timedelta(days=10),
                eligible_kinds="community_group,social_service,volunteer_team",
                eligible_statuses="filed,registered", created_by_id=worker,
                created_at=created, awarded_at=deadline + timedelta(days=5) if awarded else None,
                award_publication_id=None)
            if awarded:
                calls.rows[-1]["award_publication_id"] = publications.add(
                    subject_type="project_call", subject_id=call, place_id=community,
                    title=f"第{n + 1}号微项目评审结果公示", starts_at=deadline + timedelta(days=5),
                    ends_at=deadline + timedelta(days=12), answer_days=3, posted_by_id=worker,
                    created_at=deadline + timedelta(days=5))
            marks = [criteria.add(call_id=call, position=k, name=name, weight=weight)
                     for k, (name, weight) in enumerate(CRITERIA)]
            members = [panel.add(call_id=call, user_id=user, role=role,
                                 declared_organization_id=None,
                                 submitted_at=deadline + timedelta(days=2)
                                 if stage != "calling" else None)
                       for user, role in ((worker, "worker"), (residents[5], "council"),
                                          (residents[6], "council"), (residents[7], "resident"),
                                          (residents[8], "resident"))]
            for b, organization in enumerate(winners):
                bid = bids.add(call_id=call, organization_id=organization,
                               submitted_by_id=residents[3], plan="分三期施工，先急后缓。",
                               team="项目经理一名，电工两名。", price_fen=budget - b * 50_000,
                               timetable="六周。", submitted_at=created + timedelta(days=10 + b),
                               awarded=awarded and b == 0)
                if stage == "calling":
                    continue
                for member in members:
                    for criterion in marks:
                        scores.add(bid_id=bid, panel_member_id=member, criterion_id=criterion,
                                   score=max(0, 9 - b - rng.randrange(3)), comment=None,
                                   scored_at=deadline + timedelta(days=1))
        # The books in time order: a payment only when the fund holds enough by then.
        events = sorted([(at, 0, item) for at, *item in money_in]
                        + [(at, 1, (project, amount)) for at, project, amount in spending],
                        key=lambda event: (event[0], event[1]))
        project_accounts = {}
        for at, kind, item in events:
            if kind == 0:
                gift, amount, source, name, details = item
                transfer = books.move(gift, source, fund_account, amount, fund, at, worker)
                donations.add(transfer_id=transfer, donor_name=name, donor_user_id=None,
                              **details)
                continue
            project, amount = item
            if books.balance[fund_account] < amount:
                continue
            if project not in project_accounts:
                project_accounts[project] = books.open("project", fund, project=project)
            books.move("disbursement", fund_account, project_accounts[project], amount, fund,
                       at, worker, project=project)
        awarded_calls = [row for row in calls.rows if row["award_publication_id"]]
        chosen[community] = {"fund": fund, "call": awarded_calls[-1]["id"],
                             "project": awarded_calls[-1]["project_id"]}
        # Flushed per community, so the rows held at once stay few.
        for rows in (groups, funds, projects, lines, publications, calls, criteria, panel, bids,
                     scores, reports):
            rows.flush()
        books.flush()
        donations.flush()
    commit(session)
    return chosen


def bench_pages(session, city, scale):
    """Generate the projects and funds; return the pages to time as (label, user, path,
    courtyard)."""
    chosen = generate(session, city, scale)
    community = city.communities[len(city.communities) // 2]
    made = chosen[community]
    worker = city.worker_ids[community]
    return [
        ("fund accounts (anyone)", None, f"/funds/{made['fund']}", None),
        ("fund accounts (community worker)", worker, f"/funds/{made['fund']}", None),
        ("call and ranking (anyone)", None, f"/projects/calls/{made['call']}", None),
        ("project page (anyone)", None, f"/projects/{made['project']}", None),
        ("projects of the community (anyone)", None, f"/projects/?place={community}", None),
        ("three lists (anyone)", None, f"/funds/community/{community}/lists", None),
        ("three lists (community worker)", worker, f"/funds/community/{community}/lists",
         None),
    ]
