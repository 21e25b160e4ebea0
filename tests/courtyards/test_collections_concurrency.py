"""Two answers of one voter at the same moment, on PostgreSQL with two real connections: both
find no answer, both insert; the unique voter makes the second wait, fail inside its
savepoint, load the first's row and replace it. One answer remains, holding the second's
choice. (Two phones of one household, or a double tap.)"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.courtyards import collections
from portal.courtyards.models import Answer, AnswerItem, Collection, Household
from portal.extensions import db
from portal.timeutil import utcnow
from tests.races import postgresql_only, race  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgresql_only")]


def test_two_phones_of_one_household_leave_one_answer(app, world, make_user):
    now = utcnow()
    head = make_user(roles=[("courtyard_leader", world["courtyard"])],
                     courtyard=world["courtyard"])
    flat = Household(courtyard_id=world["courtyard"].id, room="401")
    db.session.add(flat)
    db.session.flush()
    wife = make_user(courtyard=world["courtyard"], household_id=flat.id)
    husband = make_user(courtyard=world["courtyard"], household_id=flat.id)
    vote = collections.open_collection(head, world["courtyard"], "加装电梯", "",
                                       [("是否同意？", False, False, ["同意", "不同意"])],
                                       "household", now, now + timedelta(days=7),
                                       False, now)
    db.session.commit()
    ids = (vote.id, vote.questions[0].id, [o.id for o in vote.questions[0].options])

    def answer(user_id, option_index):
        def action():
            collection = db.session.get(Collection, ids[0])
            user = db.session.get(User, user_id)
            return collections.answer(collection, user, {ids[1]: [ids[2][option_index]]}, {},
                                      utcnow()).answer.id
        return action

    results = race(app, answer(wife.id, 0), answer(husband.id, 1))
    assert isinstance(results["first"], int) and isinstance(results["second"], int), results
    assert results["first"] == results["second"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    items = db.session.scalars(select(AnswerItem.option_id)).all()
    assert items == [ids[2][1]]  # the second's choice, replacing the first's
