"""Demo time bank: volunteers of 草堂路社区, 桂湖街社区 and 商城路社区, activities past and
coming, a year of approved service for 李志鹏 and yesterday's activity still for him to log,
pending logs, rewards, a grant and a request for help. Safe to run again: everything is
found by its natural key or idempotency key."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.timebank import activities, help, logs, rewards, wallet
from portal.timebank.models import Activity, HelpRequest, HourLog, Reward
from portal.timeutil import local_today, to_utc, utcnow

# (mobile, name, home courtyard); all sign in with the demo password.
VOLUNTEERS = [
    ("13900000011", "王小红", "草堂北路8号院"),
    ("13900000012", "刘洋", "浣花南路21号院"),
    ("13900000013", "赵丽", "桂湖街12号院"),
    ("13900000014", "孙建军", "星月小区"),
]

# (title, organiser (organization name, or None for the community), place, days from
#  today, start, end, slots, hours, what volunteers do, service point or None)
ACTIVITIES = [
    ("草堂东路133号院 院落大扫除", None, "草堂东路133号院", -6, "09:00", "11:00", 12, 2,
     "清理楼道堆放的杂物，打扫院坝，给花台除草。请穿方便干活的衣服，手套和工具由社区准备。", None),
    ("“草堂叙语” 陪独居老人聊天", "常青树社会服务中心", "草堂北路8号院", -3, "14:30", "16:30",
     8, 2, "两人一组上门陪独居老人聊天、读报，顺便看看家里水电气是否安全。", None),
    ("楼道扶手消毒", None, "草堂东路133号院", -1, "15:00", "16:30", 4, 1.5,
     "给 1—3 栋楼道扶手、电梯按钮和单元门把手消毒。消毒液和手套由社区准备。", None),
    ("周末助老理发", "草堂路社区志愿服务队", "草堂路社区", 4, "09:00", "11:30", 6, 2.5,
     "在社区党群服务中心为 70 岁以上老人义务理发，会理发的志愿者优先。", "草堂路社区党群服务中心"),
    ("楼道应急灯检查", None, "草堂东路133号院", 9, "19:00", "20:30", 4, 1.5,
     "和院长一起检查 1—3 栋楼道应急灯和灭火器，记下需要更换的。", None),
    ("文化驿站读书会志愿者", "桂湖文化驿站服务社", "桂湖街12号院", 5, "15:00", "17:00", 5, 2,
     "帮忙布置场地、给老人读报、整理图书。", "桂湖文化驿站"),
    ("楼院清洁日", "管城邻里驿站志愿服务队", "商城路1号院", 2, "08:30", "10:30", 15, 2,
     "清扫楼院公共区域，清理小广告。", "商城路1号院邻里驿站"),
]

# (community, name, kind, hours, stock, description)
REWARDS = [
    ("草堂路社区", "社区食堂午餐券", "item", 1, 50, "在社区长者食堂吃一顿午饭。"),
    ("草堂路社区", "义务理发一次", "service", 2, 20, "每周六上午在社区党群服务中心。"),
    ("草堂路社区", "大米一袋（5 公斤）", "item", 10, 8, "爱心企业捐赠。"),
    ("草堂路社区", "小家电上门维修", "service", 3, 5, "电饭锅、电风扇等，材料费另计。"),
    ("商城路社区", "邻里驿站洗衣服务", "service", 1, 30, "在邻里驿站，一次一筐。"),
]


def _local(day, clock):
    return to_utc(datetime.combine(day, time.fromisoformat(clock)))


def _user(mobile, name, courtyard, password):
    user = db.session.scalar(select(User).filter_by(mobile=mobile))
    if user is None:
        user = User(mobile=mobile, name=name, home_courtyard=courtyard)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    return user


def _activity(named, title, organiser, place_name, days, starts, ends, slots, hours, what,
              point):
    place = named[place_name]
    existing = db.session.scalar(select(Activity).filter_by(title=title, place_id=place.id))
    if existing is not None:
        return existing
    day = local_today() + timedelta(days=days)
    activity = Activity(
        title=title, description=what, place=place,
        community=place if place.kind == "community" else place.ancestor("community"),
        organization=named[organiser] if organiser else None,
        service_point=named.get(point) if point else None, starts_at=_local(day, starts),
        ends_at=_local(day, ends), slots=slots, minutes=int(hours * 60),
        created_by=named["13900000001"])
    db.session.add(activity)
    db.session.flush()
    return activity


def _sign_up(user, activity):
    if activities.sign_up_of(user, activity) is None:
        # Past activities took sign-ups before they began.
        activities.sign_up(user, activity, min(utcnow(), activity.starts_at - timedelta(days=1)))


def _approved_log(token, approver, **fields):
    log = db.session.scalar(select(HourLog).filter_by(token=token))
    if log is None:
        # Decided the day after the service, as organisers do (and never in the future).
        decided_at = min(utcnow(), _local(fields["service_date"] + timedelta(days=1), "10:00"))
        log = HourLog(token=token, status="approved", decided_by=approver,
                      decided_at=decided_at, **fields)
        db.session.add(log)
        db.session.flush()
        logs.credit(log, approver)
    return log


def _activity_log(volunteer, activity, minutes, token, approver):
    return _approved_log(token, approver, volunteer=volunteer, activity=activity,
                         community=activity.community, minutes=minutes,
                         service_date=activities.local_days(activity)[0])


def seed(world, password):
    """The time bank's demo seed (``portal.demo`` calls each domain's ``seed``)."""
    return seed_timebank(world, password)


def logins():
    """(mobile, name, what they are) of the demo volunteers, for the console."""
    return [(mobile, name, "time-bank volunteer") for mobile, name, _home in VOLUNTEERS]


def seed_timebank(named, password):
    """Add the demo time bank to the world ``named`` (places, organizations, people)."""
    for mobile, name, courtyard in VOLUNTEERS:
        named[mobile] = _user(mobile, name, named[courtyard], password)
    for mobile in ("13900000002", *(m for m, _n, _c in VOLUNTEERS)):
        activities.join(named[mobile])
    activities.join(named["13900000005"], skills="修电器、陪老人聊天",
                    availability="周末全天、工作日晚上")
    made = {}
    for row in ACTIVITIES:
        made[row[0]] = _activity(named, *row)
    worker, staff = named["13900000001"], named["13900000004"]
    zhipeng, xiaohong, liuyang = (named[m] for m in ("13900000005", "13900000011",
                                                     "13900000012"))
    cleanup = made["草堂东路133号院 院落大扫除"]
    chat = made["“草堂叙语” 陪独居老人聊天"]
    for person in (zhipeng, xiaohong, liuyang, named["13900000002"]):
        _sign_up(person, cleanup)
    for person in (zhipeng, xiaohong):
        _sign_up(person, chat)
    _sign_up(zhipeng, made["周末助老理发"])
    # Yesterday's disinfection: done, not logged yet — what 李志鹏 logs in three taps.
    _sign_up(zhipeng, made["楼道扶手消毒"])
    _sign_up(named["13900000013"], made["文化驿站读书会志愿者"])
    _sign_up(named["13900000014"], made["楼院清洁日"])
    for person in (zhipeng, named["13900000002"]):
        activities.check_in(activities.sign_up_of(person, cleanup), worker, cleanup.starts_at)
    _activity_log(zhipeng, cleanup, 120, "demo:cleanup:zhipeng", worker)
    _activity_log(named["13900000002"], cleanup, 120, "demo:cleanup:hu", worker)
    _activity_log(zhipeng, chat, 120, "demo:chat:zhipeng", staff)
    grandma = named["13900000006"]
    # Most of a year of weekly visits to 张桂芳 before: 李志鹏's way to his first star.
    for week in range(1, 41):
        _approved_log(f"demo:visit:{week}", grandma, volunteer=zhipeng, neighbour=grandma,
                      community=named["草堂路社区"], minutes=120 if week % 3 else 180,
                      service_date=local_today() - timedelta(days=7 * week),
                      note="每周上门看望，帮忙买菜")
    # Waiting for approval: 王小红 after the clean-up, 刘洋 after the chat.
    for volunteer, activity, minutes, token in ((xiaohong, cleanup, 120, "demo:pending:1"),
                                                (xiaohong, chat, 90, "demo:pending:2")):
        if db.session.scalar(select(HourLog).filter_by(token=token)) is None:
            logs.submit(volunteer, minutes, activity=activity, token=token, now=utcnow(),
                        today=local_today())
    for community, name, kind, hours, stock, description in REWARDS:
        if db.session.scalar(select(Reward).filter_by(community_id=named[community].id,
                                                      name=name)) is None:
            db.session.add(Reward(community=named[community], name=name, kind=kind,
                                  price_minutes=hours * 60, stock=stock,
                                  description=description))
    db.session.flush()
    wallet.grant(worker, named["草堂路社区"], grandma, 10 * 60, "独居老人，腿脚不便",
                 token="demo-guifang")
    if db.session.scalar(select(HelpRequest).filter_by(requester_id=grandma.id)) is None:
        help.ask(grandma, "帮忙把一袋米扛上五楼", 60, details="米在楼下小卖部，已经付过钱。",
                 when_text="这周六上午")
    haircut = db.session.scalar(select(Reward).filter_by(name="义务理发一次"))
    rewards.redeem(zhipeng, haircut, token="demo-haircut")
    db.session.flush()
    named.update(made)
    return named

