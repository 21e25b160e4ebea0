"""Sending: one message per change (twice, or racing, stores one), SMS only queued in the
request, delivered once through the webhook by the job, retried with backoff and given up."""

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.notifications import sender
from portal.notifications.jobs import JOBS, register_job, run_due
from portal.notifications.models import Message, SmsDelivery
from portal.places.models import Place
from portal.timeutil import utcnow


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_one_message_per_change_even_when_told_twice(tell, make_user, world):
    resident = make_user(courtyard=world["courtyard"])
    first = tell(resident, world["courtyard"])
    again = tell(resident, world["courtyard"])
    assert again.id == first.id and _count(Message) == 1
    assert first.key == f"test_place_changed:{world['courtyard'].id}:1:{resident.id}"
    tell(resident, world["courtyard"], change="2")  # another change is another message
    assert _count(Message) == 2


def test_one_change_tells_several_people_each_once(tell, make_user, world):
    one, two = make_user(courtyard=world["courtyard"]), make_user(courtyard=world["courtyard"])
    assert tell(one, world["courtyard"]).user_id == one.id
    assert tell(two, world["courtyard"]).user_id == two.id
    assert _count(Message) == 2


def test_a_race_on_the_key_stores_one_and_keeps_the_callers_work(
        tell, make_user, world, monkeypatch, place_kind):
    resident = make_user(courtyard=world["courtyard"])
    stored = tell(resident, world["courtyard"])
    # The other request's insert is not seen by the first look, as in a race: the unique key
    # refuses the second insert inside its savepoint and the stored message is returned.
    looks = iter([None])
    real = sender._by_key
    monkeypatch.setattr(sender, "_by_key", lambda key: next(looks, None) or real(key))
    place = Place(kind="courtyard", name="新院", path="x", parent=world["community"])
    db.session.add(place)  # the caller's own work in the same transaction
    again = sender.notify(resident, place_kind, world["courtyard"],
                          f"{place_kind}:{world['courtyard'].id}:1", title="x")
    db.session.commit()
    assert again.id == stored.id and _count(Message) == 1
    assert db.session.scalar(select(Place).where(Place.name == "新院")) is not None


def test_words_are_rendered_at_read_time_and_kept_plain(tell, make_user, world):
    resident = make_user(courtyard=world["courtyard"])
    world["courtyard"].name = "<b>院</b>"
    message = tell(resident, world["courtyard"])
    from portal.notifications.kinds import words

    assert words(message) == "News about <b>院</b>."  # escaped where shown, never marked safe
    message.kind = "forgotten_kind"
    assert words(message)  # a general text, no error


def test_no_gateway_no_sms(tell, make_user, world):
    tell(make_user(courtyard=world["courtyard"]), world["courtyard"])
    assert _count(SmsDelivery) == 0
    assert str(sender.deliver_due(utcnow())) == "sms: 0 sent, 0 to retry later, 0 given up."


def test_the_webhook_gets_each_message_once(tell, make_user, world, gateway):
    resident = make_user(courtyard=world["courtyard"], mobile="13712345678")
    now = utcnow()
    message = tell(resident, world["courtyard"], now=now)
    assert gateway.received == []  # queued, not sent inside the request
    done = sender.deliver_due(now)
    assert (done.sent, done.retrying, done.given_up) == (1, 0, 0)
    assert gateway.received == [{"mobile": "13712345678",
                                 "text": f"News about {world['courtyard'].name}. "
                                         f"http://127.0.0.1:5000/messages/{message.id}"}]
    delivery = db.session.scalar(select(SmsDelivery))
    assert delivery.delivered_at == now and delivery.attempts == 1
    assert delivery.next_attempt_at is None
    assert sender.deliver_due(now + timedelta(hours=1)).sent == 0
    assert len(gateway.received) == 1


def test_a_failing_gateway_is_retried_with_backoff_then_given_up(tell, make_user, world,
                                                                 gateway):
    gateway.status = 500
    now = utcnow()
    tell(make_user(courtyard=world["courtyard"]), world["courtyard"], now=now)
    delivery = db.session.scalar(select(SmsDelivery))
    for attempt, wait in enumerate([1, 5, 30, 30], start=1):
        assert sender.deliver_due(now).retrying == 1
        db.session.refresh(delivery)
        assert delivery.attempts == attempt and "500" in delivery.last_error
        assert delivery.next_attempt_at == now + timedelta(minutes=wait)
        assert sender.deliver_due(now + timedelta(minutes=wait) - timedelta(seconds=1)) \
            == sender.Delivered()  # not due yet
        now += timedelta(minutes=wait)
    assert sender.deliver_due(now).given_up == 1
    db.session.refresh(delivery)
    assert delivery.attempts == 5 and delivery.next_attempt_at is None
    assert delivery.delivered_at is None
    assert sender.deliver_due(now + timedelta(days=1)) == sender.Delivered()
    assert len(gateway.received) == 5


def test_a_gateway_that_comes_back_delivers_on_the_retry(tell, make_user, world, gateway):
    gateway.status = 503
    now = utcnow()
    tell(make_user(courtyard=world["courtyard"]), world["courtyard"], now=now)
    assert sender.deliver_due(now).retrying == 1
    gateway.status = 200
    assert sender.deliver_due(now + timedelta(minutes=1)).sent == 1
    delivery = db.session.scalar(select(SmsDelivery))
    assert delivery.attempts == 2 and delivery.last_error is None
    assert len(gateway.received) == 2


def test_a_refused_connection_is_retried(tell, make_user, world, dead_gateway):
    now = utcnow()
    tell(make_user(courtyard=world["courtyard"]), world["courtyard"], now=now)
    assert sender.deliver_due(now).retrying == 1
    delivery = db.session.scalar(select(SmsDelivery))
    assert delivery.last_error and delivery.next_attempt_at == now + timedelta(minutes=1)


def test_run_due_is_idempotent(runner, tell, make_user, world, gateway):
    tell(make_user(courtyard=world["courtyard"]), world["courtyard"])
    first = runner.invoke(args=["jobs", "run-due"])
    assert first.exit_code == 0, first.output
    assert "sms: 1 sent" in first.output
    second = runner.invoke(args=["jobs", "run-due"])
    assert second.exit_code == 0 and "sms: 0 sent" in second.output
    assert len(gateway.received) == 1


def test_one_failing_job_does_not_stop_the_others(runner, monkeypatch):
    def broken(now):
        raise RuntimeError("no")

    monkeypatch.setattr("portal.notifications.jobs.JOBS", [("broken", broken), *JOBS])
    said = list(run_due(utcnow()))
    assert said[0] == ("broken", "RuntimeError: no", False) and said[1][2] is True
    result = runner.invoke(args=["jobs", "run-due"])
    assert result.exit_code == 1 and "broken failed" in result.output
    register_job("sms", lambda now: None)  # a name is registered once
    assert [name for name, _job in JOBS].count("sms") == 1
