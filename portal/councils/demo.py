"""Demo councils in 草堂路社区 (seed reports 000, 002, 004): the community council and 草堂东路
133号院's own council with their members; the district's departments; requests in every class
and state — a 大事 overdue at 住建, a 小事 on the next meeting's agenda, a 私事 guided to the
repair point, neighbours saying 我也遇到, a duplicate joined to its original — and the
parking-shed matter (停车棚) carried through 一征三议两公开: the courtyard's collection, the
Party organization's proposal, the council's meeting with attendance, a roll-call vote and
minutes, the residents' representatives' resolution, the decision published (with a question
answered), the work done, and the result published with its cost.

Everything is done through the rules with the time it happened, so the timelines, messages
and publications are what real use would leave. Seeded once: skipped when the community
council exists.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.councils import (
    bodies,
    decisions,
    departments,
    meetings,
    requests,
    satisfaction,
    triage,
)
from portal.councils.access import council_for
from portal.councils.meetings import Topic
from portal.councils.models import CouncilMember
from portal.courtyards.demo_collections import SHED
from portal.courtyards.models import Collection
from portal.extensions import db
from portal.publicity import rules as publicity
from portal.servicemap.models import ServicePoint
from portal.timeutil import local_today, to_utc, utcnow

DEPARTMENTS = [("区住建局", "028-86250000"), ("区城管局", "028-86260000"),
               ("公安青羊分局草堂派出所", "028-87320110"), ("国网青羊供电中心", "95598"),
               ("区水务局", "028-86270000")]
# Residents who sit on the councils besides the demo people of portal/demo.py.
MORE_PEOPLE = [("13900000008", "刘德明", "草堂北路8号院"),
               ("13900000009", "周秀兰", "草堂东路133号院")]


def _at(day_offset, hour):
    """Naive UTC for ``hour`` o'clock local time, ``day_offset`` days from today."""
    day = local_today() + timedelta(days=day_offset)
    return to_utc(datetime(day.year, day.month, day.day, hour))


def _person(world, mobile, name, courtyard, password):
    user = db.session.scalar(select(User).filter_by(mobile=mobile))
    if user is None:
        user = User(mobile=mobile, name=name, home_courtyard=world[courtyard])
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    world[mobile] = user
    return user


def _council(worker, place, name, seats, now):
    council = bodies.create_council(worker, place, name, now)
    starts, ends = local_today() - timedelta(days=400), date(local_today().year + 2, 12, 31)
    for user, position in seats:
        bodies.add_member(worker, council, user, position, starts, ends, now)
    return council


def _seat(council, user):
    return db.session.scalar(select(CouncilMember).filter_by(council_id=council.id,
                                                             user_id=user.id))


def seed(world, password):
    """Add this part of the demo world."""
    community = world["草堂路社区"]
    if council_for(community) is not None:
        return
    now = utcnow()
    worker, head = world["13900000001"], world["13900000002"]
    shufen, zhipeng, guifang = world["13900000003"], world["13900000005"], world["13900000006"]
    deming = _person(world, *MORE_PEOPLE[0], password)
    xiulan = _person(world, *MORE_PEOPLE[1], password)
    east = world["草堂东路133号院"]
    long_ago = now - timedelta(days=90)

    district = world["青羊区"]
    kept = {}
    for name, phone in DEPARTMENTS:
        kept[name] = departments.add(worker, district, name, phone)

    caotang = _council(worker, community, "草堂路社区居民议事会",
                       [(shufen, "convener"), (deming, "recorder"), (head, "member"),
                        (zhipeng, "member"), (xiulan, "member")], long_ago)
    courtyard = _council(worker, east, "草堂东路133号院院落议事会",
                         [(head, "convener"), (xiulan, "recorder"), (guifang, "member"),
                          (zhipeng, "member")], long_ago)

    _shed_matter(world, worker, head, guifang, xiulan, zhipeng, courtyard, now)
    _everyday_requests(world, worker, kept, caotang, now)
    db.session.flush()


def _shed_matter(world, worker, head, guifang, xiulan, zhipeng, council, now):
    """停车棚: from 张桂芳's request to the result published, over ten weeks."""
    east = world["草堂东路133号院"]
    shed = requests.submit(guifang, east, "amenities",
                           "院里停车棚顶棚漏雨，下雨天电瓶车都淋湿了。好多人从楼上拉电线给电瓶车充电，"
                           "晚上看着就怕，怕出事。希望把车棚修一修，装上正规的充电桩。",
                           now - timedelta(days=75), title="停车棚漏雨，充电线乱拉")
    requests.support(shed, zhipeng, now - timedelta(days=75, hours=-3))
    requests.support(shed, xiulan, now - timedelta(days=74))
    triage.to_council(shed, worker, council,
                      "车棚属于院落公共设施，交133号院院落议事会一事一议；院里会先征求各户意见。",
                      now - timedelta(days=74))
    again = requests.submit(world["13900000008"], east, "amenities", "车棚下雨漏水，电瓶车淋湿了。",
                            now - timedelta(days=74, hours=-2), title="车棚漏水")
    triage.mark_duplicate(again, shed, worker, now - timedelta(days=73))
    collection = db.session.scalar(select(Collection).filter_by(title=SHED))
    decision = decisions.start(worker, council, "停车棚翻修和充电桩安装", now - timedelta(days=55),
                               request=shed, collection=collection)
    decisions.propose(worker, decision,
                      "社区党委提议：按院里意见征集多数户的选择，原地翻新停车棚顶棚，加装12个智能充电桩；"
                      "费用由社区保障激励资金和居民自筹各出一半。",
                      now - timedelta(days=54))
    meeting = meetings.call_meeting(
        head, council, "停车棚翻修方案商议", _at(-50, 19), 90, place_text="133号院院坝凉亭",
        agenda=[Topic("request", shed, 40), Topic("collection", collection, 20),
                Topic("other", "院坝晾晒区怎么划", 20)],
        now=now - timedelta(days=53))
    started = _at(-50, 19)
    meetings.open_meeting(head, meeting, started)
    members = {seat.user_id: seat for seat in meeting.council.members}
    for user, status in ((head, "present"), (xiulan, "present"), (guifang, "present"),
                         (zhipeng, "leave")):
        meetings.record_attendance(xiulan, meeting, members[user.id], status, started)
    shed_item = meeting.agenda[0]
    motion = meetings.add_motion(
        xiulan, meeting, "原地翻新停车棚顶棚，加装12个智能充电桩，费用社区和居民各出一半，"
        "报居民代表会议表决。", started + timedelta(minutes=30), agenda_item=shed_item)
    for user, choice in ((head, "for"), (xiulan, "for"), (guifang, "for")):
        meetings.record_vote(xiulan, motion, members[user.id], choice,
                             started + timedelta(minutes=35))
    meetings.close_motion(xiulan, motion, started + timedelta(minutes=36))
    meetings.write_minutes(
        xiulan, meeting,
        "时间：晚上7点；地点：院坝凉亭。应到4人，实到3人，李志鹏请假。\n\n"
        "一、停车棚：大家看了意见征集结果，多数户选方案一。张桂芳说充电桩要装在亮处。"
        "表决：赞成3票，通过，报居民代表会议。\n\n"
        "二、晾晒区：先在院坝东侧试划，下次会议再议。",
        started + timedelta(minutes=90))
    meetings.approve_minutes(head, meeting, started + timedelta(minutes=95))
    meetings.close_meeting(head, meeting, started + timedelta(minutes=96))

    decisions.deliberate(head, decision, motion, now - timedelta(days=49))
    decisions.resolve(worker, decision,
                      "133号院居民代表会议表决通过：原地翻新停车棚、加装12个充电桩，预算3.6万元，"
                      "社区保障激励资金和居民自筹各1.8万元。",
                      41, 3, 2, now - timedelta(days=47))
    decisions.publish_decision(worker, decision, now - timedelta(days=46),
                               now - timedelta(days=39), now - timedelta(days=46))
    publication = publicity.publication_of(decision)
    question = publicity.raise_objection(publication, zhipeng, "question",
                                         "居民自筹的钱怎么收？按户还是按车？",
                                         now - timedelta(days=44))
    publicity.answer(question, worker, "按电瓶车数量分摊，每辆车约150元，没有车的户不用出。"
                     "收支在院里公布。", now - timedelta(days=43))
    decisions.carry_out(worker, decision, now - timedelta(days=30))
    decisions.publish_result(worker, decision,
                             "停车棚顶棚已换新，12个充电桩已装好并通电，旧电线全部拆除。"
                             "实际花费3.52万元：社区保障激励资金1.76万元，居民自筹1.76万元。",
                             3_520_000, now - timedelta(days=5), now + timedelta(days=2),
                             now - timedelta(days=5))
    triage.close(shed, worker, "done", "车棚翻修完成，充电桩已投入使用。", now - timedelta(days=4))
    satisfaction.answer(shed, guifang, "outcome", "yes", "下雨天车子不淋了，充电也放心。",
                        now - timedelta(days=3))


def _everyday_requests(world, worker, kept, caotang, now):
    east, north = world["草堂东路133号院"], world["草堂北路8号院"]
    guifang, zhipeng, xiulan = world["13900000006"], world["13900000005"], world["13900000009"]
    deming, head = world["13900000008"], world["13900000002"]

    wall = requests.submit(guifang, east, "safety",
                           "3栋西头的院墙裂了一条大缝，下雨后往外鼓，怕倒下来砸到人。",
                           now - timedelta(days=40), title="3栋西头院墙开裂")
    requests.support(wall, xiulan, now - timedelta(days=39))
    triage.refer(wall, worker, kept["区住建局"], local_today() - timedelta(days=20),
                 "院墙属于危房隐患，已报区住建局现场查看，请住建局在期限内答复。",
                 now - timedelta(days=38))

    lamp = requests.submit(deming, north, "safety", "8号院门口的路灯坏了半个月，晚上进出看不清。",
                           now - timedelta(days=30), title="院门口路灯不亮")
    triage.refer(lamp, worker, kept["国网青羊供电中心"], local_today() - timedelta(days=15),
                 "路灯线路归供电中心维护，已转交。", now - timedelta(days=29))
    triage.record_reply(lamp, worker, "供电中心回复：线路老化，已更换灯头和线路，当晚恢复照明。",
                        now - timedelta(days=25))
    triage.close(lamp, worker, "done", "路灯已修好。", now - timedelta(days=24))
    satisfaction.answer(lamp, deming, "outcome", "yes", "", now - timedelta(days=23))

    cover = requests.submit(zhipeng, east, "transport",
                            "院门口的井盖踩上去会响，有点松，怕小孩踩翻。",
                            now - timedelta(days=3), title="院门口井盖松动")
    triage.refer(cover, worker, kept["区城管局"], local_today() + timedelta(days=12),
                 "井盖属于市政设施，已转区城管局。", now - timedelta(days=2))

    stairs = requests.submit(xiulan, east, "environment",
                             "1栋楼道里堆了很多纸箱和旧家具，挡路，也怕着火。",
                             now - timedelta(days=12), title="1栋楼道堆放杂物")
    requests.support(stairs, guifang, now - timedelta(days=11))
    triage.to_council(stairs, worker, caotang,
                      "楼道清理涉及多个楼院，交社区居民议事会商量统一的清理办法。",
                      now - timedelta(days=10))
    centre = db.session.scalar(select(ServicePoint).filter_by(name="草堂路社区党群服务中心"))
    meetings.call_meeting(world["13900000003"], caotang, "楼道清理和电瓶车管理", _at(5, 15), 90,
                          service_point=centre,
                          agenda=[Topic("request", stairs, 30),
                                  Topic("other", "电瓶车进楼道怎么管", 30)],
                          now=now - timedelta(days=2))

    pipe = requests.submit(xiulan, east, "amenities",
                           "家里厨房水管漏水，想找人上门修，不知道找谁。",
                           now - timedelta(days=6), title="厨房水管漏水，想找人修")
    repair = db.session.scalar(select(ServicePoint).filter_by(name="草堂便民维修点"))
    triage.guide(pipe, worker,
                 "这是家里的私事，可以找草堂便民维修点上门维修，老人和困难家庭只收材料费；"
                 "也可以打社区热线请志愿者帮忙联系。", [repair] if repair else [],
                 now - timedelta(days=5))

    bikes = requests.submit(deming, north, "transport",
                            "院门口共享单车越停越多，轮椅和婴儿车都过不去。",
                            now - timedelta(days=1), title="院门口共享单车乱停")
    requests.support(bikes, head, now - timedelta(hours=20))

    noise = requests.submit(guifang, east, "neighbours", "楼上邻居每天夜里十二点以后还在装修敲打。",
                            now - timedelta(days=20), title="楼上夜里装修吵", public=False)
    triage.guide(noise, worker, "已请院长胡国强上门和邻居沟通，按居民公约装修时间施工。",
                 [], now - timedelta(days=19))
    triage.close(noise, worker, "done", "邻居已答应晚上八点后不再施工。", now - timedelta(days=15))


def logins():
    """Who to sign in as to see the councils."""
    return [("13900000003", "陈淑芬", "召集人 of 草堂路社区居民议事会 (meetings, votes)"),
            ("13900000009", "周秀兰", "记录员 of 草堂东路133号院院落议事会")]
