"""The inbox over HTTP: only my messages, grouped by subject, newest first; a message's link
marks it read and leads to its page (another's is 403); marking all read; the unread count
in the header; and the first sender, publicity's answer to an objection."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.notifications.models import Message, SmsDelivery
from portal.publicity import rules
from portal.timeutil import utcnow
from tests.helpers import audit_page, text


@pytest.fixture
def resident(make_user, world):
    return make_user(name="王淑兰", courtyard=world["courtyard"])


def _unread(user):
    return db.session.scalar(select(func.count()).select_from(Message)
                             .where(Message.user_id == user.id, Message.read_at.is_(None)))


def test_the_inbox_shows_only_my_messages_grouped_newest_first(client, login, tell, resident,
                                                               make_user, world):
    now = utcnow()
    tell(resident, world["courtyard"], "1", now=now - timedelta(hours=3))
    tell(resident, world["courtyard2"], "1", now=now - timedelta(hours=2))
    tell(resident, world["courtyard"], "2", now=now - timedelta(hours=1))
    tell(make_user(courtyard=world["other_courtyard"]), world["other_courtyard"])
    login(resident)
    response = client.get("/messages")
    assert response.status_code == 200
    audit_page(response)
    page = text(response)
    assert world["other_courtyard"].name not in page
    groups = re.findall(r'<li class="inbox-group[^"]*">(.*?)</ul>\s*</li>', page, re.S)
    assert len(groups) == 2
    # The courtyard with the newest change comes first, its two messages together.
    assert groups[0].count(world["courtyard"].name) == 2
    assert groups[1].count(world["courtyard2"].name) == 1
    # Unread is said in words (未读) beside each unread message; one link per subject.
    assert groups[0].count('<strong class="tag">') == 2 and groups[0].count("/messages/") == 1


def test_the_inbox_pages_by_subject(client, login, tell, resident, make_user, world):
    from portal.places.tree import add_place

    for n in range(22):
        tell(resident, add_place("courtyard", f"院{n:02d}", world["community"]))
    login(resident)
    first, second = text(client.get("/messages")), text(client.get("/messages?page=2"))
    assert "院21" in first and "院02" in first and "院01" not in first
    assert "院01" in second and "院00" in second and "院21" not in second


def test_signed_out_visitors_are_sent_to_sign_in(client, tell, resident, world):
    message = tell(resident, world["courtyard"])
    assert client.get("/messages").status_code == 302
    assert client.get(f"/messages/{message.id}").status_code == 302
    assert _unread(resident) == 1


def test_opening_a_message_marks_its_subject_read_and_leads_there(client, login, tell,
                                                                 resident, world):
    message = tell(resident, world["courtyard"], "1")
    tell(resident, world["courtyard"], "2")
    other = tell(resident, world["courtyard2"])
    login(resident)
    response = client.get(f"/messages/{message.id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/places/{world['courtyard'].id}"
    assert _unread(resident) == 1  # the other courtyard's message is still unread
    assert db.session.get(Message, other.id).read_at is None


def test_anothers_message_is_forbidden(client, login, tell, resident, make_user, world):
    message = tell(resident, world["courtyard"])
    login(make_user(courtyard=world["courtyard"]))
    assert client.get(f"/messages/{message.id}").status_code == 403
    assert client.get("/messages/999999").status_code == 404
    assert _unread(resident) == 1


def test_mark_all_read(client, login, tell, resident, make_user, world):
    tell(resident, world["courtyard"])
    tell(resident, world["courtyard2"])
    neighbour = make_user(courtyard=world["courtyard"])
    tell(neighbour, world["courtyard"])
    login(resident)
    response = client.submit("/messages/read", token_from="/messages")
    assert response.status_code == 303 and response.headers["Location"] == "/messages"
    assert _unread(resident) == 0 and _unread(neighbour) == 1
    assert '<strong class="tag">' not in text(client.get("/messages"))


def test_mark_all_read_needs_the_token(client, login, tell, resident, world):
    tell(resident, world["courtyard"])
    login(resident)
    assert client.post("/messages/read").status_code == 400
    assert _unread(resident) == 1


def test_the_header_shows_the_unread_count(client, login, tell, resident, world):
    login(resident)
    page = text(client.get("/"))
    assert 'href="/messages"' in page and "visually-hidden" not in _menu_link(page)
    tell(resident, world["courtyard"])
    tell(resident, world["courtyard2"])
    page = text(client.get("/"))
    menu_link = _menu_link(page)
    assert '<span class="count" aria-hidden="true">2</span>' in menu_link
    assert re.search(r'<span class="visually-hidden">[^<]*2[^<]*</span>', menu_link)
    assert re.search(r'<a href="/messages">[^<]+ <span aria-hidden="true">\(2\)</span>', page)


def _menu_link(page):
    return re.search(r'<a class="menu-link"[^>]*>(.*?)</a>', page, re.S).group(1)


def test_visitors_see_no_messages_link(client):
    page = text(client.get("/"))
    assert 'href="/messages"' not in page


# --- the first sender: an answer to an objection ------------------------------------------

@pytest.fixture
def poster(make_user, world):
    return make_user(name="张桂芳", courtyard=world["courtyard"],
                     roles=[("courtyard_leader", world["courtyard"])])


@pytest.fixture
def objection(world, poster, resident):
    now = utcnow()
    publication = rules.publish(world["courtyard"], world["courtyard"], "加装电梯意见公示",
                                poster, now - timedelta(hours=1), now + timedelta(days=7),
                                now=now - timedelta(hours=1))
    objection = rules.raise_objection(publication, resident, "question", "电梯装在哪一侧？",
                                      now)
    db.session.commit()
    return objection


def test_the_raiser_is_told_when_the_poster_answers(client, login, objection, poster,
                                                    resident):
    login(poster)
    response = client.submit(f"/publicity/objections/{objection.id}/answer",
                             {"answer": "装在南侧，不挡光。"},
                             token_from=f"/publicity/{objection.publication_id}")
    assert response.status_code == 303
    message = db.session.scalar(select(Message).where(Message.user_id == resident.id))
    assert message.kind == "objection_answered"
    assert message.key == f"objection_answered:{objection.id}:{resident.id}"
    assert (message.subject_type, message.subject_id) == ("publication",
                                                          objection.publication_id)
    assert _unread(poster) == 0
    login(resident)
    page = text(client.get("/messages"))
    assert "加装电梯意见公示" in page and f"/messages/{message.id}" in page
    opened = client.get(f"/messages/{message.id}")
    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/publicity/{objection.publication_id}"
    assert _unread(resident) == 0


def test_a_dead_gateway_does_not_fail_the_answer(client, login, objection, poster, resident,
                                                 dead_gateway):
    login(poster)
    response = client.submit(f"/publicity/objections/{objection.id}/answer",
                             {"answer": "装在南侧。"},
                             token_from=f"/publicity/{objection.publication_id}")
    assert response.status_code == 303
    db.session.refresh(objection)
    assert objection.answer == "装在南侧。"
    delivery = db.session.scalar(select(SmsDelivery))
    assert delivery.message.user_id == resident.id and delivery.attempts == 0
    from portal.notifications.sender import deliver_due

    assert deliver_due(utcnow() + timedelta(seconds=1)).retrying == 1
    db.session.refresh(delivery)
    assert delivery.attempts == 1 and delivery.delivered_at is None


def test_a_busy_subject_shows_its_five_newest(client, login, tell, resident, world):
    for n in range(7):
        tell(resident, world["courtyard"], str(n), now=utcnow() - timedelta(minutes=10 - n))
    login(resident)
    page = text(client.get("/messages"))
    assert page.count(f"News about {world['courtyard'].name}.") == 5
    assert page.count('<strong class="tag">') == 5
