"""Publicity fixtures: a published object (a service point's courtyard, any row with an id
will do) whose page is registered for the test, and a factory for publications."""

from datetime import timedelta

import pytest
from flask import url_for

from portal.extensions import db
from portal.publicity import rules
from portal.timeutil import utcnow


@pytest.fixture
def subject_page():
    """Register the places' page as the page of a published ``place``; forget it after."""
    rules.register_subject("place", lambda ident: url_for("places.show", place_id=ident))
    yield "/places/{}"
    rules._SUBJECT_URLS.pop("place", None)


@pytest.fixture
def poster(make_user, world):
    """The leader of the first courtyard, who posts its publicity."""
    return make_user(name="张桂芳", courtyard=world["courtyard"],
                     roles=[("courtyard_leader", world["courtyard"])])


@pytest.fixture
def publish(world, poster):
    """publish(starts=…, days=7, place=…, subject=…) -> a Publication of the first
    courtyard, open from an hour ago for seven days by default."""

    def make(starts=None, days=7, place=None, subject=None, answer_days=3, by=None):
        starts = starts or utcnow() - timedelta(hours=1)
        publication = rules.publish(subject or world["courtyard"], place or world["courtyard"],
                                    "加装电梯意见公示", by or poster, starts,
                                    starts + timedelta(days=days), answer_days=answer_days,
                                    now=starts)
        db.session.commit()
        return publication

    return make
