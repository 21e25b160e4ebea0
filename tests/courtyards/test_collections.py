"""Opinion collections: the rules without HTTP (eligibility, one answer per voter, households,
changes until close, turnout, results per courtyard, no edits after answers) and the pages
over HTTP (happy path, bad input kept with 422, who may write)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.courtyards import collections
from portal.courtyards.models import Answer, AnswerItem, Collection, Household
from portal.extensions import db
from portal.refusals import Refused
from portal.timeutil import utcnow
from tests.helpers import text

DAY = timedelta(days=1)


def said(response, *words):
    """One of ``words`` (the Chinese, or the English before the catalogue is compiled)."""
    body = text(response)
    return any(word in body for word in words)


@pytest.fixture
def head(make_user, world):
    """胡国强, 院长 of 草堂东路133号院."""
    return make_user(name="胡国强", courtyard=world["courtyard"],
                     roles=[("courtyard_leader", world["courtyard"])])


@pytest.fixture
def shed(head, world):
    """An open single-choice collection about the parking shed, plus a free-text question."""
    now = utcnow()
    collection = collections.open_collection(
        head, world["courtyard"], "停车棚改造意见", "车棚漏雨，是否改造？",
        [("是否同意改造停车棚？", False, False, ["同意", "不同意"]),
         ("还有什么建议？", False, True, [])],
        "resident", now - DAY, now + 7 * DAY, False, now - DAY)
    db.session.commit()
    return collection


def options_of(collection, position=0):
    return [o.id for o in collection.questions[position].options]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- rules ---

def test_opening_refuses_bad_questions_naming_the_box(head, world):
    now = utcnow()
    args = dict(actor=head, place=world["courtyard"], title="t", description="",
                voters="resident", opens_at=now, closes_at=now + DAY, live_results=False,
                now=now)
    cases = [([], "no_questions"),
             ([("q", False, False, [])], "no_options"),
             ([("q", False, False, ["只有一个"])], "too_few_options"),
             ([("q", False, False, ["Ａ 栋", "a栋"])], "duplicate_option"),
             ([("q", False, False, ["同意", "x" * 101])], "option_too_long"),
             ([("", False, False, ["a", "b"])], "question_text_missing")]
    for questions, reason in cases:
        with pytest.raises(Refused) as refused:
            collections.open_collection(questions=questions, **args)
        assert refused.value.reason == reason
    with pytest.raises(Refused) as refused:
        collections.open_collection(**{**args, "closes_at": now - DAY,
                                       "questions": [("q", False, False, ["a", "b"])]})
    assert (refused.value.reason, refused.value.field) == ("collection_window_order", "closes_on")
    assert count(Collection) == 0


def test_only_leaders_here_and_workers_open(make_user, world, worker):
    now = utcnow()
    q = [("q", False, False, ["a", "b"])]
    stranger = make_user(roles=[("courtyard_leader", world["other_courtyard"])])
    resident = make_user(courtyard=world["courtyard"])
    for who, place in [(stranger, world["courtyard"]), (resident, world["courtyard"]),
                       (stranger, world["community"])]:
        with pytest.raises(Refused, match="collection_not_yours"):
            collections.open_collection(who, place, "t", "", q, "resident", now,
                                        now + DAY, False, now)
    survey = collections.open_collection(worker, world["community"], "万人问卷", "", q,
                                         "resident", now, now + DAY, False, now)
    assert survey.place_id == world["community"].id


def test_an_answer_replaces_the_earlier_one_until_close(shed, make_user, world):
    grandma = make_user(name="王奶奶", courtyard=world["courtyard"])
    agree, disagree = options_of(shed)
    now = utcnow()
    collections.answer(shed, grandma, {shed.questions[0].id: [agree]}, {}, now)
    collections.answer(shed, grandma, {shed.questions[0].id: [disagree]},
                       {shed.questions[1].id: "多装几盏灯"}, now + timedelta(hours=1))
    db.session.commit()
    assert count(Answer) == 1
    outcome = collections.results(shed)
    assert [n for _o, n in outcome["questions"][0]["options"]] == [0, 1]
    assert outcome["questions"][1]["texts"] == ["多装几盏灯"]
    with pytest.raises(Refused, match="collection_closed"):
        collections.answer(shed, grandma, {shed.questions[0].id: [agree]}, {},
                           shed.closes_at)
    with pytest.raises(Refused, match="collection_not_open"):
        collections.answer(shed, grandma, {shed.questions[0].id: [agree]}, {},
                           shed.opens_at - DAY)


def test_forged_and_doubled_options_are_refused(shed, make_user, world):
    grandma = make_user(courtyard=world["courtyard"])
    agree, disagree = options_of(shed)
    q = shed.questions[0].id
    for choices, reason in [({q: [agree, disagree]}, "one_option_only"),
                            ({q: [999_999]}, "collection_not_an_option"),
                            ({q: []}, "choose_an_answer"),
                            ({123456: [agree]}, "collection_not_an_option")]:
        with pytest.raises(Refused) as refused:
            collections.answer(shed, grandma, choices, {}, utcnow())
        assert refused.value.reason == reason
    assert count(Answer) == 0


def test_residents_elsewhere_may_not_answer(shed, make_user, world):
    neighbour = make_user(courtyard=world["courtyard2"])
    with pytest.raises(Refused, match="collection_not_resident"):
        collections.answer(shed, neighbour, {shed.questions[0].id: options_of(shed)[:1]}, {},
                           utcnow())
    assert not collections.eligible(shed, neighbour)


def test_a_household_answers_once_and_the_second_phone_replaces_it(head, make_user, world):
    now = utcnow()
    flat = Household(courtyard_id=world["courtyard"].id, room="401")
    db.session.add(flat)
    db.session.flush()
    wife = make_user(name="张桂芳", courtyard=world["courtyard"], household_id=flat.id)
    husband = make_user(name="刘建国", courtyard=world["courtyard"], household_id=flat.id)
    alone = make_user(name="没登记", courtyard=world["courtyard"])
    vote = collections.open_collection(head, world["courtyard"], "加装电梯", "",
                                       [("是否同意？", False, False, ["同意", "不同意"])],
                                       "household", now - DAY, now + DAY, False, now - DAY)
    q, (agree, disagree) = vote.questions[0].id, options_of(vote)
    first = collections.answer(vote, wife, {q: [agree]}, {}, now)
    assert first.replaced_user is None
    second = collections.answer(vote, husband, {q: [disagree]}, {}, now)
    assert second.replaced_user.id == wife.id
    assert count(Answer) == 1
    assert collections.answer_of(vote, wife).user_id == husband.id
    assert collections.why_not_eligible(vote, alone) == "collection_no_household"
    with pytest.raises(Refused, match="collection_no_household"):
        collections.answer(vote, alone, {q: [agree]}, {}, now)


def test_the_unique_voter_wins_a_simultaneous_insert(shed, make_user, world):
    # What the loser of a race meets: the row exists although it found none a moment ago.
    grandma = make_user(courtyard=world["courtyard"])
    now = utcnow()
    collections.answer(shed, grandma, {shed.questions[0].id: options_of(shed)[:1]}, {}, now)
    row, created = collections._insert_or_load(shed, f"user:{grandma.id}", grandma, now)
    assert not created and row.voter == f"user:{grandma.id}"
    db.session.commit()
    assert count(Answer) == 1


def test_edits_are_refused_after_the_first_answer(shed, head, make_user, world):
    now = utcnow()
    questions = [("是否同意改造停车棚？", False, False, ["同意", "不同意", "无所谓"])]
    collections.edit_collection(head, shed, "停车棚", "", questions, "resident", shed.opens_at,
                                shed.closes_at, False, now)
    assert [o.label for o in shed.questions[0].options] == ["同意", "不同意", "无所谓"]
    grandma = make_user(courtyard=world["courtyard"])
    collections.answer(shed, grandma, {shed.questions[0].id: options_of(shed)[:1]}, {}, now)
    with pytest.raises(Refused, match="answers_exist"):
        collections.edit_collection(head, shed, "停车棚", "", questions[:1], "resident",
                                    shed.opens_at, shed.closes_at, False, now)


def test_turnout_paper_answers_and_the_summary(shed, head, make_user, world):
    now = utcnow()
    people = [make_user(courtyard=world["courtyard"]) for _ in range(3)]  # + head: 4 eligible
    agree, _disagree = options_of(shed)
    collections.answer(shed, people[0], {shed.questions[0].id: [agree]}, {}, now)
    collections.record_paper_answer(head, shed, people[1], {shed.questions[0].id: [agree]}, {},
                                    now, channel="door")
    outside = make_user(courtyard=world["other_courtyard"])
    with pytest.raises(Refused, match="paper_not_your_resident"):
        collections.record_paper_answer(head, shed, outside, {shed.questions[0].id: [agree]},
                                        {}, now)
    outcome = collections.results(shed)
    assert (outcome["answered"], outcome["eligible"], outcome["turnout"]) == (2, 4, 50)
    assert outcome["channels"] == {"online": 1, "door": 1}
    collections.close(shed, head, now)
    assert shed.closed_at == now and "2" in shed.summary and "同意" in shed.summary
    with pytest.raises(Refused, match="collection_closed"):
        collections.close(shed, head, now)
    entry = db.session.scalar(select(AuditEntry).filter_by(action="collection.answer",
                                                           on_behalf_of_id=people[1].id))
    assert entry.actor_id == head.id


def test_a_community_survey_counts_per_courtyard(worker, make_user, world):
    now = utcnow()
    survey = collections.open_collection(
        worker, world["community"], "万人问卷", "",
        [("对社区服务满意吗？", False, False, ["满意", "一般", "不满意"]),
         ("最需要哪些服务？", True, True, ["助餐", "理发", "维修"])],
        "resident", now - DAY, now + DAY, False, now - DAY)
    east = [make_user(courtyard=world["courtyard"]) for _ in range(2)]
    north = make_user(courtyard=world["courtyard2"])
    q1, q2 = (q.id for q in survey.questions)
    satisfied, _so_so, unhappy = options_of(survey, 0)
    meals, haircut, _repair = options_of(survey, 1)
    collections.answer(survey, east[0], {q1: [satisfied], q2: [meals, haircut]}, {}, now)
    collections.answer(survey, north, {q1: [unhappy], q2: [meals]}, {q2: "希望有理发"}, now)
    rows = {row["courtyard"].name: row for row in collections.results_by_courtyard(survey)}
    assert (rows["草堂东路133号院"]["answered"], rows["草堂东路133号院"]["eligible"]) == (1, 2)
    assert rows["草堂北路8号院"]["counts"] == {unhappy: 1, meals: 1}
    assert rows["草堂东路133号院"]["counts"][haircut] == 1
    total = collections.results(survey)
    assert total["eligible"] == 4  # two in 133号院, the worker and one in 8号院
    assert dict((o.id, n) for o, n in total["questions"][1]["options"])[meals] == 2
    # the desk of the worker, and the courtyard page's list
    assert [(c.id, a) for c, a, _e in collections.open_for_desk(worker, now)] == [(survey.id, 2)]
    listed = collections.for_courtyard(world["courtyard"], east[0], now)["open_collections"]
    assert [(e["collection"].id, e["answer"] is not None) for e in listed] == [(survey.id, True)]


def test_the_desk_counts_who_may_answer_as_each_collection_does(shed, worker, make_user,
                                                                 world):
    now = utcnow()
    survey = collections.open_collection(
        worker, world["community"], "社区问卷", "", [("满意吗？", False, False, ["是", "否"])],
        "resident", now - DAY, now + DAY, False, now - DAY)
    by_household = collections.open_collection(
        worker, world["courtyard2"], "每户一票", "", [("同意吗？", False, False, ["是", "否"])],
        "household", now - DAY, now + DAY, False, now - DAY)
    for courtyard, people in ((world["courtyard"], 3), (world["courtyard2"], 2),
                              (world["other_courtyard"], 4)):
        for _ in range(people):
            make_user(courtyard=courtyard)
    make_user(courtyard=world["courtyard"], active=False)  # moved away: not counted
    db.session.add_all([Household(courtyard=world["courtyard2"], unit="1", room="101"),
                        Household(courtyard=world["courtyard2"], unit="1", room="102"),
                        Household(courtyard=world["courtyard"], unit="2", room="201")])
    db.session.commit()
    desk = {c.id: eligible for c, _answered, eligible in collections.open_for_desk(worker, now)}
    # 133号院: its leader and 3; the community adds the worker and 2 in 8号院, not 浣花.
    assert desk == {shed.id: 4, survey.id: 7, by_household.id: 2}
    assert desk[survey.id] == collections.count_eligible(world["community"], "resident")
    assert desk[by_household.id] == collections.count_eligible(world["courtyard2"],
                                                                "household")


# --- pages ---

def test_a_resident_answers_and_sees_until_when(client, login, shed, make_user, world):
    grandma = login(make_user(name="王奶奶", courtyard=world["courtyard"]))
    path = f"/courtyards/collections/{shed.id}"
    assert shed.title in text(client.get(path))
    agree = options_of(shed)[0]
    response = client.submit(path, {f"q{shed.questions[0].id}": str(agree)}, token_from=path)
    assert response.status_code == 303
    page = client.get(path)
    assert said(page, "您的回答已记录", "Your answer is recorded")
    answer = db.session.scalar(select(Answer))
    assert (answer.user_id, answer.channel) == (grandma.id, "online")
    # htmx: the panel alone comes back
    response = client.submit(path, {f"q{shed.questions[0].id}": str(agree)}, token_from=path,
                             headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in text(response)
    assert 'id="answer-panel"' in text(response)
    assert count(Answer) == 1


def test_bad_answers_are_422_with_words_kept(client, login, shed, make_user, world):
    login(make_user(courtyard=world["courtyard"]))
    path = f"/courtyards/collections/{shed.id}"
    q1, q2 = (q.id for q in shed.questions)
    words = "<script>alert(1)</script>车棚太暗"
    response = client.submit(path, {f"q{q1}": "999999", f"t{q2}": words}, token_from=path)
    assert response.status_code == 422
    assert "&lt;script&gt;alert(1)&lt;/script&gt;车棚太暗" in text(response)
    assert "<script>alert(1)" not in text(response)
    response = client.submit(path, {f"t{q2}": "只写意见"}, token_from=path)
    assert response.status_code == 422 and "只写意见" in text(response)
    assert count(Answer) == 0 and count(AnswerItem) == 0


def test_a_closed_collection_takes_no_answer(client, login, shed, head, make_user, world):
    collections.close(shed, head, utcnow())
    db.session.commit()
    login(make_user(courtyard=world["courtyard"]))
    path = f"/courtyards/collections/{shed.id}"
    response = client.submit(path, {f"q{shed.questions[0].id}": str(options_of(shed)[0])},
                             token_from=path)
    assert response.status_code == 422
    assert count(Answer) == 0


def _form(**extra):
    data = {"title": "楼道灯改造", "description": "换成声控灯", "voters": "resident",
            "opens_on": (utcnow() + timedelta(hours=8)).date().isoformat(),
            "closes_on": (utcnow() + 10 * DAY).date().isoformat(),
            "questions-0-text": "换哪种灯？", "questions-0-options": "声控灯\n感应灯"}
    data.update(extra)
    return data


def test_a_leader_opens_a_collection(client, login, head, world):
    login(head)
    path = f"/courtyards/places/{world['courtyard'].id}/collections/new"
    response = client.submit(path, _form(), token_from=path)
    assert response.status_code == 303
    collection = db.session.scalar(select(Collection))
    assert [o.label for o in collection.questions[0].options] == ["声控灯", "感应灯"]


@pytest.mark.parametrize("changes, kept", [
    ({"questions-0-options": "同意\n 同意 "}, "同意"),
    ({"questions-0-options": ""}, "换哪种灯"),
    ({"title": "长" * 10_000}, "换哪种灯"),
    ({"closes_on": "2020-01-01"}, "换哪种灯"),
    ({"title": "<b>灯</b>"}, "&lt;b&gt;灯&lt;/b&gt;"),
])
def test_a_bad_collection_is_422_and_nothing_is_written(client, login, head, world, changes,
                                                        kept):
    login(head)
    path = f"/courtyards/places/{world['courtyard'].id}/collections/new"
    data = _form(**changes)
    if "<b>" in data["title"]:
        data["questions-0-options"] = "一样\n一样"
    response = client.submit(path, data, token_from=path)
    assert response.status_code == 422
    assert kept in text(response)
    assert count(Collection) == 0


def test_another_question_box_is_added_without_saving(client, login, head, world):
    login(head)
    path = f"/courtyards/places/{world['courtyard'].id}/collections/new"
    response = client.submit(path, _form(add_question="1"), token_from=path)
    assert response.status_code == 200 and 'name="questions-1-text"' in text(response)
    assert "换哪种灯" in text(response) and count(Collection) == 0


def test_editing_after_answers_is_422(client, login, shed, head, make_user, world):
    collections.answer(shed, make_user(courtyard=world["courtyard"]),
                       {shed.questions[0].id: options_of(shed)[:1]}, {}, utcnow())
    db.session.commit()
    login(head)
    path = f"/courtyards/collections/{shed.id}/edit"
    assert client.get(path).status_code == 200
    response = client.submit(path, _form(), token_from=path)
    assert response.status_code == 422
    assert [o.label for o in db.session.get(Collection, shed.id).questions[0].options] == [
        "同意", "不同意"]


def test_a_leader_records_a_paper_answer_by_mobile(client, login, shed, head, make_user, world):
    grandpa = make_user(name="赵大爷", courtyard=world["courtyard"], mobile="13900002222")
    login(head)
    path = f"/courtyards/collections/{shed.id}/paper"
    agree = options_of(shed)[0]
    response = client.submit(path, {"mobile": "13900003333", "channel": "paper",
                                    f"q{shed.questions[0].id}": str(agree)}, token_from=path)
    assert response.status_code == 422 and "13900003333" in text(response)
    response = client.submit(path, {"mobile": "139 0000 2222", "channel": "paper",
                                    f"q{shed.questions[0].id}": str(agree)}, token_from=path)
    assert response.status_code == 303
    answer = db.session.scalar(select(Answer))
    assert (answer.user_id, answer.channel, answer.recorded_by_id) == (
        grandpa.id, "paper", head.id)


def test_close_writes_the_summary_and_results_show(client, login, shed, head, make_user, world):
    collections.answer(shed, make_user(courtyard=world["courtyard"]),
                       {shed.questions[0].id: options_of(shed)[:1]}, {}, utcnow())
    db.session.commit()
    login(head)
    page = f"/courtyards/collections/{shed.id}"
    response = client.submit(f"{page}/close", {}, token_from=page)
    assert response.status_code == 303
    assert db.session.get(Collection, shed.id).summary
    results = client.get(f"{page}/results")
    assert results.status_code == 200 and "同意" in text(results)


WHO = ["resident here", "resident elsewhere", "leader here", "leader elsewhere",
       "worker here", "worker elsewhere", "admin", "anonymous"]


def _person(who, make_user, world):
    here, there = world["courtyard"], world["other_courtyard"]
    return {
        "resident here": lambda: make_user(courtyard=here),
        "resident elsewhere": lambda: make_user(courtyard=there),
        "leader here": lambda: make_user(courtyard=here, roles=[("courtyard_leader", here)]),
        "leader elsewhere": lambda: make_user(courtyard=there,
                                              roles=[("courtyard_leader", there)]),
        "worker here": lambda: make_user(courtyard=world["courtyard2"],
                                         roles=[("community_worker", world["community"])]),
        "worker elsewhere": lambda: make_user(courtyard=there, roles=[
            ("community_worker", world["other_community"])]),
        "admin": lambda: make_user(courtyard=there, roles=[("admin", world["city"])]),
        "anonymous": lambda: None,
    }[who]()


@pytest.mark.parametrize("who", WHO)
def test_who_may_write(client, login, shed, make_user, world, who):
    person = _person(who, make_user, world)
    if person is not None:
        login(person)
    base = f"/courtyards/collections/{shed.id}"
    agree = str(options_of(shed)[0])
    token = client.csrf_token("/")
    answer = client.post(base, data={"csrf_token": token, f"q{shed.questions[0].id}": agree})
    manages = who in ("leader here", "worker here", "admin")
    answers = who in ("resident here", "leader here")
    if who == "anonymous":
        assert answer.status_code == 302
    else:
        assert answer.status_code == (303 if answers else 403)
    assert count(Answer) == (1 if answers else 0)
    opened = client.post(f"/courtyards/places/{world['courtyard'].id}/collections/new",
                         data={"csrf_token": token, **_form()})
    paper = client.get(f"{base}/paper")
    close = client.post(f"{base}/close", data={"csrf_token": token})
    if who == "anonymous":
        assert {opened.status_code, paper.status_code, close.status_code} == {302}
    elif manages:
        assert (opened.status_code, paper.status_code, close.status_code) == (303, 200, 303)
    else:
        assert (opened.status_code, paper.status_code, close.status_code) == (403, 403, 403)
        assert count(Collection) == 1 and db.session.get(Collection, shed.id).closed_at is None


def test_pages_fit_the_budget(client, login, shed, head):
    from tests.helpers import audit_page

    login(head)
    for path in (f"/courtyards/collections/{shed.id}", f"/courtyards/collections/{shed.id}/paper",
                 f"/courtyards/collections/{shed.id}/results",
                 f"/courtyards/places/{shed.place_id}/collections/new"):
        audit_page(client.get(path))


def test_the_demo_has_the_parking_shed_and_two_conventions():
    from portal.courtyards.demo_collections import SHED
    from portal.courtyards.models import ConventionVersion
    from portal.demo import seed_demo

    seed_demo()
    world = seed_demo()  # twice: nothing doubles
    shed = db.session.scalar(select(Collection).filter_by(title=SHED))
    channels = sorted(a.channel for a in db.session.scalars(
        select(Answer).filter_by(collection_id=shed.id)))
    assert channels == ["online", "online", "paper"]
    numbers = db.session.scalars(select(ConventionVersion.number).filter_by(
        place_id=world["草堂东路133号院"].id)).all()
    assert sorted(numbers) == [1, 2]
    assert db.session.scalar(select(ConventionVersion).filter_by(
        place_id=world["商城路1号院"].id, state="adopted")) is not None
