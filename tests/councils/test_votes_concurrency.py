"""Two recorders record a vote for the same member at the same moment, on PostgreSQL with two
real connections: both find no vote, both insert; the unique (motion, member) key makes the
second wait, fail inside its savepoint and be refused "already recorded". One vote remains."""

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.councils import meetings
from portal.councils.models import CouncilMember, Motion, Vote
from portal.extensions import db
from tests.councils.test_meetings import opened
from tests.races import postgresql_only, race  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgresql_only")]


def test_two_recorders_voting_for_one_member_leave_one_vote(app, make_council, now):
    council = make_council()
    meeting, during = opened(council, now)
    motion = meetings.add_motion(council.members[1].user, meeting, "修车棚", during)
    db.session.commit()
    ids = (motion.id, council.members[2].id)

    def vote(recorder_id, choice):
        def action():
            return meetings.record_vote(db.session.get(User, recorder_id),
                                        db.session.get(Motion, ids[0]),
                                        db.session.get(CouncilMember, ids[1]), choice,
                                        during).id
        return action

    convener, recorder = council.members[0].user_id, council.members[1].user_id
    results = race(app, vote(recorder, "for"), vote(convener, "against"))
    assert isinstance(results["first"], int), results
    assert results["second"] == "vote_already", results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    assert db.session.scalars(select(Vote.choice)).all() == ["for"]
