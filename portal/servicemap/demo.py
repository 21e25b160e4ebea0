"""Demo service points around the demo courtyards (seeds 001, 003, 004): meal points with
lunch and supper hours, day care, culture stations, children's stations, clinics, service
centres, an evening point, a round-the-clock repair line, a temporarily closed meal point,
a date with other hours, and a suburban courtyard with no meal point within 30 minutes.

Points are looked up by name first, so seeding twice changes nothing.
"""

from datetime import timedelta

from portal.extensions import db
from portal.places.tree import plant
from portal.servicemap import hours
from portal.servicemap.models import HoursException, ServiceHours, ServicePoint
from portal.timeutil import local_today

# A suburban corner of the district: the 30-minute rule applies, and it has a gap.
SUBURBAN_WORLD = [
    ("street", "文家街道", {}, [
        ("community", "芳草园社区",
         {"phone": "028-87660123", "address": "成都市青羊区文家街道芳草园路1号",
          "latitude": 30.6869, "longitude": 103.9558, "suburban": True}, [
            ("courtyard", "芳草园小区",
             {"address": "芳草园路18号", "latitude": 30.6878, "longitude": 103.9571}, []),
            ("courtyard", "文家场安置小区",
             {"address": "文家场路66号", "latitude": 30.6931, "longitude": 103.9487}, []),
        ]),
    ]),
]


def lines(weekday, saturday=None, sunday=None):
    """Give seven lines: ``weekday`` Monday to Friday, then Saturday and Sunday."""
    return [weekday] * 5 + [weekday if saturday is None else saturday,
                            weekday if sunday is None else sunday]


# (name, category, community, operator or None, address, lat, lon, phone, price, services,
#  directions, (step_free, accessible_toilet, lift, seats), weekly lines, extra)
POINTS = [
    ("草堂路社区党群服务中心", "centre", "草堂路社区", None, "草堂路2号", 30.6628, 104.0385,
     "028-87331234", "free", "政务代办和社保咨询\n居民议事厅\n社区活动室\n自助服务终端",
     "草堂路2号大门进，一楼大厅就是。门口有无障碍坡道。", (True, True, True, True),
     lines("09:00-12:00, 13:30-17:30", "09:00-12:00", "休息"), {}),
    ("草堂社区长者食堂", "meals", "草堂路社区", "常青树社会服务中心", "草堂东路135号", 30.6649,
     104.0412, "028-87335566", "low_cost",
     "老年餐：午餐12元、晚餐10元（60岁以上）\n80岁以上和困难老人有补贴\n行动不便的老人可送餐上门（提前一天预约）",
     "从草堂东路133号院大门出来往东走约100米，蜀绣厂老厂房一楼。", (True, True, False, True),
     lines("11:00-13:00, 17:00-18:30"), {"exception_in_days": 9,
                                        "exception_note": "厨房消毒检查，停餐一天"}),
    ("青华路助餐点", "meals", "草堂路社区", None, "青华路38号", 30.6598, 104.0322,
     "028-87331288", "low_cost", "午餐（60岁以上12元）",
     "青华路36号院隔壁，社区食堂二楼。", (False, False, False, True),
     lines("11:00-12:30", "休息", "休息"),
     {"status": "temporarily_closed", "status_note": "厨房改造，预计下月恢复供餐"}),
    ("草堂日间照料中心", "day_care", "草堂路社区", "常青树社会服务中心", "草堂路8号", 30.6617,
     104.0372, "028-87337788", "low_cost",
     "白天托老、午休床位\n康复训练\n健康讲座（每周二）\n助浴（需预约）",
     "草堂路8号院内，社区综合体二楼，有电梯。", (True, True, True, True),
     lines("08:30-17:30", "休息", "休息"), {}),
    ("草堂社区卫生服务站", "health", "草堂路社区", None, "草堂北路12号", 30.6655, 104.0378,
     "028-87332120", "low_cost",
     "免费量血压、测血糖\n慢性病随访\n家庭医生签约\n预防接种（周三上午）",
     "草堂北路8号院斜对面，绿色十字灯箱。", (True, False, False, True),
     lines("08:00-12:00, 14:00-17:30"), {}),
    ("草堂蜀绣文化驿站", "culture", "草堂路社区", "草堂蜀绣传习社", "浣花北路3号", 30.6636,
     104.0340, None, "free", "蜀绣课（周二、周四下午）\n书画室\n“草堂叙语”居民故事会",
     "浣花北路口，原蜀绣厂门房改建的小楼。", (False, False, False, True),
     ["休息"] + ["09:00-11:30, 14:00-21:00"] * 6, {}),
    ("浣花儿童服务站", "children", "草堂路社区", "草堂路社区志愿服务队", "浣花南路19号",
     30.6590, 104.0355, "028-87331299", "free", "放学后作业辅导\n周末手工课\n亲子阅读",
     "浣花南路21号院旁边，一楼。", (True, True, False, True),
     lines("16:00-19:00", "09:00-17:00"), {}),
    ("草堂书香阅读点", "reading", "草堂路社区", None, "草堂东路128号", 30.6660, 104.0395,
     None, "free", "图书借阅（凭身份证）\n大字版图书\n报刊阅览",
     "草堂东路128号，社区综合体三楼，有电梯。", (True, True, True, True),
     lines("09:00-21:00"), {}),
    ("草堂便民维修点", "home_help", "草堂路社区", None, "草堂东路140号", 30.6612, 104.0408,
     "028-87339110", "paid", "水电维修（24小时应急）\n开锁\n家电清洗\n家政保洁（需预约）",
     "草堂东路140号门面，夜里按门铃。", (True, False, False, False),
     lines("00:00-24:00"), {}),
    ("芳草园文化活动室", "culture", "芳草园社区", None, "芳草园路20号", 30.6883, 103.9566,
     None, "free", "坝坝舞\n棋牌室\n农家书屋", "芳草园小区门口右手边。", (True, False, False, True),
     lines("09:00-12:00, 14:00-20:00"), {}),
    # Neijiang, 市中区 (seed 003): culture station, elderly and children centres, 六朵花花.
    ("桂湖文化驿站", "culture", "桂湖街社区", "桂湖文化驿站服务社", "桂湖街90号", 29.5857,
     105.0578, "0832-2025678", "free", "图书借阅\n书画室\n川剧坐唱（周六晚上）",
     "桂湖街社区居委会旁边的老茶馆改建。", (True, True, False, True),
     ["休息"] + ["09:00-12:00, 14:30-21:00"] * 6,
     {"special_in_days": 12, "special_hours": "09:00-12:00",
      "exception_note": "下午川剧排练，不对外开放"}),
    ("桂湖夕阳悦享中心", "day_care", "桂湖街社区", None, "桂湖街86号", 29.5847, 105.0566,
     "0832-2021288", "low_cost", "喝茶聊天、棋牌\n午餐（12元）\n健康监测",
     "桂湖街社区居委会二楼。", (True, True, True, True),
     lines("08:30-17:30", "08:30-17:30", "休息"), {}),
    ("桂湖街社区助餐点", "meals", "桂湖街社区", None, "桂湖街86号", 29.5850, 105.0573,
     "0832-2021299", "low_cost", "老年午餐10元、晚餐8元", "夕阳悦享中心一楼。",
     (True, True, False, True), lines("11:00-12:30, 17:00-18:00"), {}),
    ("城西儿童服务站", "children", "桂湖街社区", None, "文英街40号", 29.5835, 105.0583,
     "0832-2028866", "low_cost", "书法美术兴趣班（免费或低收费）\n周末手工课、科学小实验\n节日活动",
     "文英街小区斜对面。", (True, False, False, True),
     lines("16:30-19:00", "09:00-17:00"), {}),
    ("六朵花花家政便民服务点", "home_help", "桂湖街社区", None, "桂湖街102号", 29.5866, 105.0589,
     "0832-2026688", "paid", "家政保洁\n照护陪诊\n小家电维修", "桂湖街102号门面。",
     (True, False, False, False), lines("08:00-18:00"), {}),
    # Zhengzhou, 管城区 (seed 004): 楼院, 邻里驿站, the 15-minute convenience circle.
    ("商城路社区党群服务中心", "centre", "商城路社区", None, "商城路56号", 34.7553, 113.6829,
     "0371-66301234", "free", "政务代办\n楼院议事\n时间银行兑换", "商城路56号一楼。",
     (True, True, True, True), lines("08:30-12:00, 14:30-18:00", "09:00-12:00", "休息"), {}),
    ("商城路1号院邻里驿站", "neighbours", "商城路社区", "管城邻里驿站志愿服务队", "商城路1号",
     34.7562, 113.6806, None, "free", "便民工具借用\n爱心雨伞\n歇脚喝水\n楼院议事",
     "商城路1号院大门内左手边的小屋。", (True, False, False, True),
     lines("08:00-20:00"), {}),
    ("星月小区助餐点", "meals", "商城路社区", None, "城东路96号", 34.7535, 113.6850,
     "0371-66305566", "low_cost", "老年餐：午餐12元、晚餐10元\n送餐上门（预约）",
     "星月小区北门对面。", (True, True, False, True), lines("11:00-13:00, 17:00-18:30"), {}),
    ("商城路社区卫生服务站", "health", "商城路社区", None, "商城路60号", 34.7545, 113.6840,
     "0371-66302120", "low_cost", "量血压、测血糖\n家庭医生签约", "商城路60号。",
     (True, True, False, True), lines("08:00-12:00, 14:30-18:00", "08:00-12:00", "休息"), {}),
    ("北三街邻里驿站", "neighbours", "北三街社区", None, "北三街8号", 34.7383, 113.6716,
     "0371-66901288", "free", "歇脚喝水\n便民工具借用\n晚间邻里活动",
     "北三街街心小广场旁。", (True, True, False, True),
     lines("07:00-22:00"), {}),
    ("北三街便民服务点", "home_help", "北三街社区", None, "北三街12号", 34.7378, 113.6720,
     "0371-66909110", "paid", "修鞋配钥匙\n家电维修\n晚上代收快递",
     "北三街12号门面。", (True, False, False, False),
     lines("08:00-11:30, 17:00-次日00:30"), {}),
]


def seed(world, password=None):
    """Add the demo points (and the suburban corner) to ``world``; skip what exists. (The
    service map signs no one up: ``password`` is for the seeds of every domain.)"""
    return seed_services(world)


def seed_services(named):
    """Add the demo points (and the suburban corner) to ``named``; skip what exists."""
    plant(SUBURBAN_WORLD, named["青羊区"], named)
    today = local_today()
    for (name, category, community, operator, address, lat, lon, phone, price, services,
         directions, access, week, extra) in POINTS:
        point = db.session.scalar(db.select(ServicePoint).filter_by(name=name))
        if point is None:
            step_free, toilet, lift, seats = access
            point = ServicePoint(
                name=name, category=category, place=named[community],
                operator=named[operator] if operator else None, address=address,
                latitude=lat, longitude=lon, phone=phone, price=price, services=services,
                directions=directions, step_free=step_free, accessible_toilet=toilet,
                lift=lift, seats=seats, status=extra.get("status", "active"),
                status_note=extra.get("status_note"),
                verified_on=today - timedelta(days=3 + len(name) % 20))
            db.session.add(point)
            db.session.flush()
            for weekday, intervals in hours.parse_week(week).items():
                for opens, closes in intervals:
                    db.session.add(ServiceHours(point_id=point.id, weekday=weekday,
                                                opens=opens, closes=closes))
            if "exception_in_days" in extra:
                db.session.add(HoursException(
                    point_id=point.id, day=today + timedelta(days=extra["exception_in_days"]),
                    closed=True, note=extra["exception_note"]))
            if "special_in_days" in extra:
                for opens, closes in hours.parse_day(extra["special_hours"]):
                    db.session.add(HoursException(
                        point_id=point.id, day=today + timedelta(days=extra["special_in_days"]),
                        closed=False, opens=opens, closes=closes, note=extra["exception_note"]))
        named[name] = point
    db.session.flush()
    return named
