"""Demo project (seed reports 000 and 003): 草堂东路133号院's 停车棚 project, from the council's
decision "停车棚翻修和充电桩安装" (portal/councils/demo.py) through a call for bids with three
bids, a panel of four scoring them, the award made public, the contract with 常青树社会服务中心
and 朱红 as project manager (一项目一经理), progress to 100 % with a photo of the new chargers,
50/50 funding (社区保障激励资金 17,600 yuan from 草堂路社区微基金, portal/funds/demo.py, + 居民自筹
17,600 yuan: "1万元办了2万元的事"), paid half after signing — out of the fund, so its public
accounts show the payment — and half after acceptance, the result made public and the
residents' answers.

Everything goes through the rules with the time it happened. Listed after the councils' and
the organizations' demos in portal/demo.py; skipped when the decision is missing or the
project exists.
"""

import io
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.accounts.models import RoleGrant, User
from portal.councils.models import Decision
from portal.extensions import db
from portal.funds.demo import FUND_NAME
from portal.funds.models import Fund
from portal.organizations.models import Organization
from portal.projects import calls, projects
from portal.projects.models import Project
from portal.timeutil import local_today, to_utc, utcnow

TITLE = "133号院停车棚翻修和充电桩安装"
DECISION = "停车棚翻修和充电桩安装"
# The two other bidders and their staff: (name, kind, status, mobile, staff name).
BIDDERS = [("邻里安居社会企业", "social_enterprise", "registered", "13900000021", "马志强"),
           ("草堂巧手服务队", "community_group", "filed", "13900000022", "何秀珍")]
PANEL = ("13900000001", "13900000008", "13900000009", "13900000005")


def _at(day_offset, hour):
    day = local_today() + timedelta(days=day_offset)
    return to_utc(datetime(day.year, day.month, day.day, hour))


def _organization(world, name, kind, status, mobile, staff_name, password):
    organization = db.session.scalar(select(Organization).filter_by(name=name))
    if organization is None:
        organization = Organization(name=name, kind=kind, status=status,
                                    home_place=world["草堂街道"])
        db.session.add(organization)
        db.session.flush()
    user = db.session.scalar(select(User).filter_by(mobile=mobile))
    if user is None:
        user = User(mobile=mobile, name=staff_name)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        db.session.add(RoleGrant(user_id=user.id, role="org_staff",
                                 organization_id=organization.id))
        db.session.flush()
    return organization, user


def _chargers_photo():
    """A drawing of the new shed roof over three of the twelve chargers, sent as a phone's
    upload would be (the rules re-encode it like any photo)."""
    image = Image.new("RGB", (640, 480), (205, 226, 240))  # sky
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 640, 480), fill=(150, 150, 145))  # the yard's concrete
    draw.polygon([(40, 150), (600, 150), (640, 200), (0, 200)], fill=(70, 110, 150))  # roof
    for x in (60, 580):
        draw.rectangle((x - 8, 200, x + 8, 380), fill=(90, 90, 90))  # posts
    for x in (150, 300, 450):
        draw.rectangle((x, 250, x + 60, 380), fill=(40, 150, 90))  # chargers
        draw.rectangle((x + 12, 265, x + 48, 300), fill=(220, 240, 230))  # their screens
    upload = io.BytesIO()
    image.save(upload, "JPEG", quality=80)
    upload.seek(0)
    return FileStorage(upload, filename="chongdianzhuang.jpg", content_type="image/jpeg")


def _person(mobile):
    return db.session.scalar(select(User).filter_by(mobile=mobile))


def seed(world, password):
    """Add this part of the demo world."""
    decision = db.session.scalar(select(Decision).filter_by(title=DECISION))
    if decision is None or decision.decision_publication_id is None or db.session.scalar(
            select(Project.id).filter_by(title=TITLE)):
        return
    now = utcnow()
    worker, zhuhong = _person("13900000001"), _person("13900000004")
    evergreen = db.session.scalar(select(Organization).filter_by(name="常青树社会服务中心"))
    others = [_organization(world, *row, password) for row in BIDDERS]
    east = world["草堂东路133号院"]
    fund = db.session.scalar(select(Fund).filter_by(name=FUND_NAME))

    project = projects.create(
        worker, east, TITLE,
        "原地翻新停车棚顶棚，加装12个智能充电桩，拆除楼上私拉的充电线。",
        3_520_000, now - timedelta(days=45), decision=decision,
        funding=[("community_fund", 1_760_000), ("residents", 1_760_000)], fund=fund)
    statuses = ["filed", "registered"]
    if evergreen.status not in statuses and evergreen.status != "suspended":
        statuses.append(evergreen.status)  # whatever stage the registry demo left it at
    call = calls.open_call(
        worker, project, "133号院停车棚翻修和充电桩安装项目比选公告",
        "承接停车棚顶棚翻新和12个充电桩的安装，含旧线拆除和一年维保。"
        "请提交实施方案、项目团队、报价和工期安排。",
        _at(-40, 17), ["service_agency", "social_enterprise", "community_group"], statuses,
        [("方案", 40), ("经验", 30), ("报价", 30)], list(PANEL), now - timedelta(days=45))
    bids = [
        calls.submit_bid(zhuhong, call, evergreen,
                         "先换顶棚再装桩；施工期间在院坝东侧设临时停车点；装好后组织居民学用充电桩。",
                         "项目经理朱红，电工2名（持证），居民志愿者监督员2名。", 3_520_000,
                         "第1周换顶棚，第2-3周布线装桩，第4周验收。", now - timedelta(days=44)),
        calls.submit_bid(others[0][1], call, others[0][0],
                         "整体更换车棚钢架和顶棚，充电桩由合作厂家安装。",
                         "工程负责人1名，施工队5人。", 3_380_000,
                         "五周完成。", now - timedelta(days=43)),
        calls.submit_bid(others[1][1], call, others[1][0],
                         "院里能人带队修顶棚，充电桩请供电所指导安装。",
                         "队长1名，队员6名（院内居民）。", 3_600_000,
                         "六周完成。", now - timedelta(days=42)),
    ]
    scoring = now - timedelta(days=39)
    table = {  # 方案, 经验, 报价 for each member in PANEL order
        bids[0].id: [(9, 9, 7), (8, 9, 7), (9, 8, 7), (9, 9, 8)],
        bids[1].id: [(7, 7, 8), (7, 6, 8), (6, 7, 8), (7, 7, 8)],
        bids[2].id: [(7, 5, 6), (8, 5, 6), (7, 6, 6), (8, 5, 5)],
    }
    for index, mobile in enumerate(PANEL):
        member = _person(mobile)
        for found in bids:
            values = table[found.id][index]
            calls.score(member, found, {c.id: (v, "方案细、有经验" if v >= 9 else None)
                                        for c, v in zip(call.criteria, values, strict=True)},
                        scoring)
        calls.submit_scores(member, call, scoring)
    ranked = calls.ranking(call)
    calls.award(worker, call, ranked[0].bid, "", now - timedelta(days=38),
                now - timedelta(days=31), now - timedelta(days=38))
    contracted = now - timedelta(days=30)
    calls.contract(worker, call, zhuhong, 3_520_000, contracted)
    projects.pay(worker, project, "签约后支付50%（社区微基金配捐）", 1_760_000, contracted,
                 fund=fund, key="demo:shed:first" if fund else None)
    for days, percent, text in [(25, 40, "旧顶棚已拆除，新钢架和顶棚安装完成。"),
                                (15, 80, "12个充电桩已安装，正在等供电所接电。"),
                                (8, 100, "充电桩已通电，私拉电线全部拆除，居民已学会扫码充电。")]:
        projects.report(zhuhong, project, percent, text, now - timedelta(days=days),
                        photo=_chargers_photo() if percent == 80 else None)
    accepted = now - timedelta(days=6)
    projects.accept(worker, project, [("顶棚不漏雨", True), ("12个充电桩全部通电", True),
                                      ("私拉电线全部拆除", True), ("消防通道畅通", True)],
                    "院落议事会、居民代表和社区一起现场验收，全部合格。", accepted)
    projects.pay(worker, project, "验收后支付50%（居民自筹）", 1_760_000, accepted)
    projects.publish_result(worker, project, accepted, accepted + timedelta(days=7), accepted)
    for mobile, choice, words in [("13900000006", "yes", "下雨天车子不淋了，充电也放心。"),
                                  ("13900000005", "yes", ""),
                                  ("13900000009", "partly", "充电桩再多两个就好了。")]:
        projects.answer(_person(mobile), project, choice, words, now - timedelta(days=3))
    db.session.flush()


def logins():
    """Who to sign in as to see the projects."""
    return [("13900000004", "朱红", "项目经理 of the 133号院停车棚 project (常青树)"),
            ("13900000021", "马志强", "staff of 邻里安居社会企业, a bidder")]
