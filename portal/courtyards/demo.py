"""Demo courtyards: 草堂东路133号院 with its leader, households, a current 公示 with an
answered question, a couple of notices and its co-building agreement with the new estate
across the road (seed report 000); 商城路1号院 in Zhengzhou with its 楼院议事会 notices.
Safe to run again: every row is looked up first."""

from datetime import timedelta

from sqlalchemy import select

from portal.courtyards import agreements, households, notices
from portal.courtyards.models import Agreement, Notice
from portal.extensions import db
from portal.places.models import Place
from portal.publicity import rules as publicity
from portal.timeutil import local_today, utcnow

# (mobile, building name or None, unit, room) in 草堂东路133号院
HOUSEHOLDS = [
    ("13900000002", "1栋", "1", "101"),
    ("13900000005", "3栋", "2", "401"),
    ("13900000006", "2栋", "1", "201"),
]

# (place, poster's mobile, title, body, days ago, publicity days or None, pinned days or None)
NOTICES = [
    ("草堂东路133号院", "13900000002", "停水通知",
     "因自来水管网检修，本周六上午 8:00—12:00 院内停水。\n\n"
     "请提前储水，有困难的老人可以找院长帮忙。",
     3, None, None),
    ("草堂东路133号院", "13900000002", "车棚翻修和院坝改造方案公示",
     "经院落议事会商议，利用共建协议的资金翻修停车棚、平整院坝：\n\n"
     "- 停车棚换新顶棚，加装充电插座\n- 院坝铺透水砖，留出晾晒区\n- 工期约 20 天\n\n"
     "有意见或疑问，请在公示期内在网上留言，或告诉院长胡国强。",
     2, 7, None),
    ("草堂路社区", "13900000001", "社区党群服务中心开放时间调整",
     "自下周一起，社区党群服务中心周六上午也开放，办理居住证明、老年证等业务。", 1, None, 10),
    ("商城路1号院", "13900000007", "楼院议事会：加装电梯意见征集会",
     "本周四晚 7:30 在邻里驿站召开楼院议事会，商议 2 号楼加装电梯和费用分摊。\n\n"
     "每户请派一位代表参加；不能来的可以告诉楼长。", 2, None, 7),
    ("商城路1号院", "13900000007", "楼院议事会决定：楼道杂物清理",
     "楼院议事会决定：本月底前清理楼道堆放的杂物。\n\n"
     "- 自行车请停到车棚\n- 纸箱请及时卖掉或扔掉\n\n"
     "月底由楼长和志愿者一起检查。", 6, None, None),
]

AGREEMENT = {
    "title": "草堂东路133号院与对面新建小区共建协议",
    "other_party": "草堂东路新建楼盘建设方",
    "text": ("院子对面修建新楼盘期间，居民小组长代表院落与建设方协商，达成共建协议：\n\n"
             "- 建设方出资修缮133号院外墙和大门\n- 拓宽院门口道路\n- 免费翻修院内停车棚\n\n"
             "新小区建成后，两个小区的居民共用院坝和活动场地，一起维护环境。"),
}


def _place(world, name):
    return world.get(name) or db.session.scalar(select(Place).filter_by(name=name))


def seed(world, password):
    """Add this part of the demo world."""
    now, today = utcnow(), local_today()
    east = _place(world, "草堂东路133号院")
    leader = world["13900000002"]
    leader.phone_shown_to_neighbours = True
    for mobile, building_name, unit, room in HOUSEHOLDS:
        person = world[mobile]
        if person.household_id is None:
            building = db.session.scalar(select(Place).filter_by(
                name=building_name, parent_id=east.id, kind="building"))
            households.record_household(person, east, building, unit, room, person)
    for place_name, mobile, title, body, days_ago, window, pinned in NOTICES:
        place = _place(world, place_name)
        if db.session.scalar(select(Notice).filter_by(place_id=place.id, title=title)):
            continue
        posted = now - timedelta(days=days_ago)
        first_day = today - timedelta(days=days_ago)
        notice = notices.post_notice(
            world[mobile], place, title, body, posted, first_day,
            window=(first_day, first_day + timedelta(days=window - 1)) if window else None,
            pinned_until=first_day + timedelta(days=pinned) if pinned else None)
        if window:
            _answered_question(notice, world, now)
    if not db.session.scalar(select(Agreement).filter_by(place_id=east.id,
                                                         title=AGREEMENT["title"])):
        agreements.add_agreement(leader, east, AGREEMENT["title"], AGREEMENT["other_party"],
                                 today.replace(year=today.year - 1, day=1), AGREEMENT["text"],
                                 today)
    db.session.flush()


def _answered_question(notice, world, now):
    """张桂芳 asks a question about the 公示 and the leader answers it the next day."""
    publication = publicity.publication_of(notice)
    asked = now - timedelta(days=1)
    question = publicity.raise_objection(
        publication, world["13900000006"], "question",
        "新车棚的充电插座按什么标准收电费？会不会比外面贵？", asked)
    publicity.answer(question, world["13900000002"],
                     "按居民用电价格收，只收电费，不加服务费。电表装在车棚里，每月在院里公布。",
                     asked + timedelta(hours=20))


def logins():
    """Who to sign in as to see the courtyards."""
    return [("13900000002", "胡国强", "院长 of 草堂东路133号院 (courtyards desk)")]
