"""Demo opinion collections and conventions: 草堂东路133号院 asked about its parking shed
(停车棚) ten weeks ago, with answers online and one on paper, asks now about its stair
lights (one answer per household), and keeps a convention with two versions;
商城路1号院 in Zhengzhou has its 居民公约. Running it twice changes nothing."""

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.courtyards import collections, conventions
from portal.courtyards.models import Collection, ConventionVersion
from portal.extensions import db
from portal.timeutil import local_today, utcnow

SHED = "停车棚改造，听听大家的意见"
SHED_TEXT = ("院里的停车棚顶棚漏雨，电瓶车充电线乱拉，存在安全隐患。社区和院委会商量了两个方案，"
             "请每户看一看、选一选。\n\n方案一：原地翻新顶棚，加装智能充电桩（约12个）。\n"
             "方案二：拆除旧棚，在3栋西侧空地新建车棚，原址改作休闲小广场。")
LIGHTS = "楼道灯换成哪一种？"
LIGHTS_TEXT = ("1栋、2栋的楼道灯坏了好几盏，院委会准备统一更换。老人们说声控灯要拍手、喊一声才亮，"
               "不方便。请每户选一种。")
# One who answered on paper: no phone of her own, her answer taken by the courtyard head.
PAPER_RESIDENT = ("13900000131", "赵秀英")

CAOTANG_V1 = """草堂东路133号院居民公约

一、爱护院内公共设施，不损坏花草树木。
二、垃圾分类投放，不乱扔杂物。
三、晚上十点以后不大声喧哗，装修在规定时间内进行。
四、邻里之间互相关照，有事多商量。"""

CAOTANG_V2 = """草堂东路133号院居民公约

一、爱护院内公共设施，不损坏花草树木。
二、垃圾分类，定时定点投放，不乱扔杂物。
三、晚上十点以后不大声喧哗，装修在规定时间内进行。
四、电瓶车不进楼道，不私拉电线充电。
五、邻里之间互相关照，有事多商量，院里的事大家议。"""

SHANGCHENG = """商城路1号院居民公约

一、楼院是我家，清洁靠大家：楼道不堆放杂物，门前三包。
二、文明养犬，出门牵绳，及时清理粪便。
三、车辆按线停放，不占用消防通道。
四、关心院里的老人和孩子，邻里守望，互帮互助。
五、院里的大事由居民议事会商量决定，楼长、院长及时公开。"""


def _adopt(writer, courtyard, text, effective_on, decided):
    """A version drafted, put to the residents and adopted, as it happened in the past."""
    version = conventions.draft(writer, courtyard, text, decided - timedelta(days=20))
    conventions.put_to_residents(writer, version, decided - timedelta(days=18),
                                 decided - timedelta(days=4), decided - timedelta(days=18))
    conventions.decide(writer, version, True, effective_on, decided)
    return version


def _seed_shed(named, head, now):
    courtyard = named["草堂东路133号院"]
    if db.session.scalar(select(Collection).filter_by(title=SHED)) is not None:
        return
    shed = collections.open_collection(
        head, courtyard, SHED, SHED_TEXT,
        [("您支持哪个方案？", False, False, ["方案一：原地翻新，加装充电桩",
                                     "方案二：新建车棚，原址改小广场", "都不支持，维持现状"]),
         ("您家有几辆电瓶车？", False, False, ["没有", "1辆", "2辆及以上"]),
         ("还有什么想法，请写下来", False, True, [])],
        # Asked ten weeks ago: the councils' demo carries the matter on through 一征三议两公开.
        "resident", now - timedelta(days=70), now - timedelta(days=56), False,
        now - timedelta(days=70))
    first, second, third = shed.questions
    mobile, name = PAPER_RESIDENT
    grandma = db.session.scalar(select(User).filter_by(mobile=mobile))
    if grandma is None:
        grandma = User(mobile=mobile, name=name, home_courtyard=courtyard)
        db.session.add(grandma)
        db.session.flush()
    answers = [
        (named["13900000006"], [0, 1], "充电桩要装在看得见的地方，晚上要有灯。", "online", None),
        (named["13900000005"], [1, 2], "", "online", None),
        (grandma, [0, 0], "我腿脚不好，车棚别离太远。", "paper", head),
    ]
    for person, (plan, bikes), words, channel, by in answers:
        choices = {first.id: [first.options[plan].id], second.id: [second.options[bikes].id]}
        texts = {third.id: words} if words else {}
        when = now - timedelta(days=68)
        if by is None:
            collections.answer(shed, person, choices, texts, when)
        else:
            collections.record_paper_answer(by, shed, person, choices, texts, when, channel)
    collections.close(shed, head, now - timedelta(days=56))


def _seed_stair_lights(named, head, now):
    """The question open now, waiting on 张桂芳's home page."""
    courtyard = named["草堂东路133号院"]
    if db.session.scalar(select(Collection).filter_by(title=LIGHTS)) is not None:
        return
    lights = collections.open_collection(
        head, courtyard, LIGHTS, LIGHTS_TEXT,
        [("楼道灯换成哪一种？", False, False, ["声控灯，省电", "感应灯，不用出声",
                                      "夜里常亮的小灯"])],
        "household", now - timedelta(days=2), now + timedelta(days=8), True,
        now - timedelta(days=2))
    question = lights.questions[0]
    collections.answer(lights, named["13900000005"], {question.id: [question.options[1].id]},
                       {}, now - timedelta(days=1))


def seed(world, password):
    """Add the parking-shed collection and the two courtyards' conventions."""
    now, today = utcnow(), local_today()
    head, worker = world["13900000002"], world["13900000007"]
    _seed_shed(world, head, now)
    _seed_stair_lights(world, head, now)
    caotang = world["草堂东路133号院"]
    if db.session.scalar(select(ConventionVersion).filter_by(place_id=caotang.id)) is None:
        _adopt(head, caotang, CAOTANG_V1, today - timedelta(days=690), now - timedelta(days=700))
        _adopt(head, caotang, CAOTANG_V2, today - timedelta(days=50), now - timedelta(days=60))
    shangcheng = world["商城路1号院"]
    if db.session.scalar(select(ConventionVersion).filter_by(place_id=shangcheng.id)) is None:
        _adopt(worker, shangcheng, SHANGCHENG, today - timedelta(days=190),
               now - timedelta(days=200))
    db.session.commit()
