"""Publicity over HTTP: the page, who may object, answer and withdraw (status and database),
bad input answered 422 with what was typed kept and nothing written, and the way back to the
published object's page."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.publicity import rules
from portal.publicity.models import Objection
from portal.timeutil import utcnow
from tests.helpers import audit_page, text


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _raise(publication, resident, body="电梯装在哪一侧？", kind="question"):
    objection = rules.raise_objection(publication, resident, kind, body, utcnow())
    db.session.commit()
    return objection


@pytest.fixture
def resident(make_user, world):
    return make_user(name="王淑兰", courtyard=world["courtyard"])


@pytest.fixture
def people(make_user, world, poster, worker, resident):
    """Everyone of the permission matrix, by name (None: nobody signed in)."""
    return {
        "resident here": resident,
        "resident elsewhere": make_user(courtyard=world["other_courtyard"]),
        "poster": poster,
        "leader elsewhere": make_user(courtyard=world["other_courtyard"],
                                      roles=[("courtyard_leader", world["other_courtyard"])]),
        "worker here": worker,
        "worker elsewhere": make_user(roles=[("community_worker", world["other_community"])],
                                      courtyard=world["other_courtyard"]),
        "admin": make_user(roles=[("admin", world["city"])],
                           courtyard=world["other_courtyard"]),
        "anonymous": None,
    }


# --- the page -----------------------------------------------------------------------------

def test_the_page_says_how_many_days_are_left(client, publish):
    publication = publish(days=3)
    response = client.get(f"/publicity/{publication.id}")
    assert response.status_code == 200
    audit_page(response)
    assert "加装电梯意见公示" in text(response)
    assert "公示期还剩 3 天" in text(response) and "公示期：" in text(response)
    assert "登录后可以提异议或询问" in text(response)


def test_an_ended_publication_says_it_is_over(client, publish):
    publication = publish(starts=utcnow() - timedelta(days=10))
    page = text(client.get(f"/publicity/{publication.id}"))
    assert "公示期满，无异议" in page and "公示期还剩" not in page


def test_a_resident_sees_the_form_a_stranger_does_not(client, login, publish, resident,
                                                     people):
    publication = publish()
    login(resident)
    page = text(client.get(f"/publicity/{publication.id}"))
    assert f"/publicity/{publication.id}/objections" in page
    assert f"/publicity/{publication.id}/withdraw" not in page
    login(people["resident elsewhere"])
    page = text(client.get(f"/publicity/{publication.id}"))
    assert f"/publicity/{publication.id}/objections" not in page
    assert "草堂东路133号院的居民可以在这里提异议或询问" in page


def test_objections_are_shown_masked_escaped_and_overdue_marked(client, login, publish,
                                                               resident, worker):
    publication = publish(starts=utcnow() - timedelta(days=3), answer_days=1)
    late = rules.raise_objection(publication, resident, "objection",
                                 "<script>alert(1)</script>\n\n第二段",
                                 utcnow() - timedelta(days=2))
    db.session.commit()
    login(worker)
    response = client.get(f"/publicity/{publication.id}")
    page = text(response)
    audit_page(response)
    assert "<script>alert(1)</script>" not in page
    assert html.escape("<script>alert(1)</script>", quote=False) in page
    assert "王**" in page and "王淑兰" not in page
    assert "已逾期未答复" in page and "1 条未按时答复" in page
    assert f"/publicity/objections/{late.id}/answer" in page  # the worker's answer form


def test_a_withdrawn_publication_stays_readable_with_its_reason(client, publish, poster):
    publication = publish()
    rules.withdraw(publication, poster, "方案要重新讨论", utcnow())
    db.session.commit()
    response = client.get(f"/publicity/{publication.id}")
    assert response.status_code == 200
    assert "这项公示已撤回" in text(response) and "方案要重新讨论" in text(response)


def test_a_missing_publication_is_404(client):
    assert client.get("/publicity/999999").status_code == 404


# --- who may do what ------------------------------------------------------------------------

OBJECT = {"resident here": 303, "resident elsewhere": 403, "poster": 303,
          "leader elsewhere": 403, "worker here": 403, "worker elsewhere": 403, "admin": 303,
          "anonymous": 302}
ANSWER = {"resident here": 403, "resident elsewhere": 403, "poster": 303,
          "leader elsewhere": 403, "worker here": 303, "worker elsewhere": 403, "admin": 303,
          "anonymous": 302}


@pytest.mark.parametrize("who", OBJECT)
def test_who_may_object(client, login, publish, people, who, subject_page):
    publication = publish()
    if people[who]:
        login(people[who])
    response = client.submit(f"/publicity/{publication.id}/objections",
                             {"kind": "objection", "body": "反对把电梯装在北侧"})
    assert response.status_code == OBJECT[who]
    assert _count(Objection) == (1 if OBJECT[who] == 303 else 0)


@pytest.mark.parametrize("who", ANSWER)
def test_who_may_answer(client, login, publish, people, who, resident, subject_page):
    publication = publish()
    objection = _raise(publication, resident)
    if people[who]:
        login(people[who])
    response = client.submit(f"/publicity/objections/{objection.id}/answer",
                             {"answer": "装在南侧，不挡光。"})
    assert response.status_code == ANSWER[who]
    db.session.refresh(objection)
    answered = ANSWER[who] == 303
    assert (objection.answer is not None) == answered
    if answered:
        assert objection.answered_by_id == people[who].id


@pytest.mark.parametrize("who", ANSWER)
def test_who_may_withdraw(client, login, publish, people, who, subject_page):
    publication = publish()
    if people[who]:
        login(people[who])
    response = client.submit(f"/publicity/{publication.id}/withdraw",
                             {"reason": "方案有误"})
    assert response.status_code == ANSWER[who]
    db.session.refresh(publication)
    assert (publication.withdrawn_at is not None) == (ANSWER[who] == 303)


# --- after the work: back to the published object's page -----------------------------------

def test_a_registered_subject_gets_the_redirect(client, login, publish, resident, world,
                                                subject_page):
    publication = publish()
    login(resident)
    response = client.submit(f"/publicity/{publication.id}/objections",
                             {"kind": "question", "body": "几月开工？"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(subject_page.format(world["courtyard"].id))
    objection = db.session.scalar(select(Objection))
    assert (objection.kind, objection.body, objection.raised_by_id) == (
        "question", "几月开工？", resident.id)


def test_an_unregistered_subject_comes_back_to_the_publication(client, login, publish,
                                                               resident):
    publication = publish()
    login(resident)
    response = client.submit(f"/publicity/{publication.id}/objections",
                             {"kind": "question", "body": "几月开工？"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/publicity/{publication.id}")


# --- bad input: 422, the words beside the field, what was typed kept, nothing written -------

@pytest.mark.parametrize("body, words", [
    ("", "请写下您的异议或问题"),
    ("   ", "请写下您的异议或问题"),
    ("长" * 10000, "5000"),
])
def test_a_bad_objection_is_kept_beside_its_message(client, login, publish, resident, body,
                                                   words):
    publication = publish()
    login(resident)
    page = f"/publicity/{publication.id}"
    response = client.submit(f"{page}/objections", {"kind": "objection", "body": body},
                             token_from=page)
    assert response.status_code == 422
    assert words in text(response)
    if body.strip():
        assert body in text(response)
    assert _count(Objection) == 0


def test_a_forged_kind_is_refused(client, login, publish, resident):
    publication = publish()
    login(resident)
    response = client.submit(f"/publicity/{publication.id}/objections",
                             {"kind": "complaint", "body": "反对"})
    assert response.status_code == 422 and _count(Objection) == 0


@pytest.mark.parametrize("starts, words", [
    (utcnow() + timedelta(days=1), "公示期还没有开始"),
    (utcnow() - timedelta(days=8), "公示期已结束，不能再提异议或询问"),
])
def test_an_objection_outside_the_window_is_kept(client, login, publish, resident, starts,
                                                 words):
    publication = publish(starts=starts)
    login(resident)
    response = client.submit(f"/publicity/{publication.id}/objections",
                             {"kind": "objection", "body": "我反对这个方案"})
    assert response.status_code == 422
    assert words in text(response) and "我反对这个方案" in text(response)
    assert _count(Objection) == 0


def test_markup_in_an_objection_is_stored_and_shown_as_text(client, login, publish, resident):
    publication = publish()
    login(resident)
    body = '<b onclick="x()">反对</b>'
    client.submit(f"/publicity/{publication.id}/objections", {"kind": "objection", "body": body})
    assert db.session.scalar(select(Objection.body)) == body
    page = text(client.get(f"/publicity/{publication.id}"))
    assert body not in page and "&lt;b onclick=" in page


def test_withdrawing_without_a_reason_is_refused(client, login, publish, poster):
    publication = publish()
    login(poster)
    response = client.submit(f"/publicity/{publication.id}/withdraw", {"reason": "  "})
    assert response.status_code == 422
    assert "请写明撤回公示的原因" in text(response)
    db.session.refresh(publication)
    assert publication.withdrawn_at is None


def test_withdrawing_twice_keeps_the_first_reason(client, login, publish, poster, worker):
    publication = publish()
    rules.withdraw(publication, poster, "第一次", utcnow())
    db.session.commit()
    login(worker)
    response = client.submit(f"/publicity/{publication.id}/withdraw", {"reason": "第二次"})
    assert response.status_code == 422
    assert "这项公示已经撤回了" in text(response) and "第二次" in text(response)
    db.session.refresh(publication)
    assert (publication.withdrawal_reason, publication.withdrawn_by_id) == ("第一次", poster.id)


def test_a_blank_answer_is_refused(client, login, publish, resident, worker):
    publication = publish()
    objection = _raise(publication, resident)
    login(worker)
    response = client.submit(f"/publicity/objections/{objection.id}/answer", {"answer": ""})
    assert response.status_code == 422 and "请写下答复" in text(response)
    db.session.refresh(objection)
    assert objection.answered_at is None


def test_a_second_answer_is_refused_and_kept(client, login, publish, resident, poster, worker):
    publication = publish()
    objection = _raise(publication, resident)
    rules.answer(objection, poster, "第一次答复", utcnow())
    db.session.commit()
    login(worker)
    response = client.submit(f"/publicity/objections/{objection.id}/answer",
                             {"answer": "第二次答复"})
    assert response.status_code == 422
    assert "这一条已经答复过了" in text(response) and "第二次答复" in text(response)
    db.session.refresh(objection)
    assert objection.answer == "第一次答复"


def test_an_answer_after_the_window_is_accepted(client, login, publish, resident, worker):
    publication = publish(starts=utcnow() - timedelta(days=2), days=1)
    objection = rules.raise_objection(publication, resident, "question", "问",
                                      utcnow() - timedelta(days=2))
    db.session.commit()
    login(worker)
    response = client.submit(f"/publicity/objections/{objection.id}/answer", {"answer": "答"})
    assert response.status_code == 303
    db.session.refresh(objection)
    assert objection.answer == "答"



def test_every_form_on_the_page_has_its_own_ids(client, login, publish, resident, poster):
    import re

    publication = publish()
    _raise(publication, resident)
    _raise(publication, resident, body="第二个问题")
    login(poster)  # the poster lives here: every form at once (raise, two answers, withdraw)
    page = text(client.get(f"/publicity/{publication.id}"))
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for target in re.findall(r' for="([^"]+)"', page):
        assert target in ids
    assert page.count('name="answer"') == 2 and 'name="reason"' in page
    assert 'name="body"' in page
