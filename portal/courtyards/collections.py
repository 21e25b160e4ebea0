"""Opinion collections 意见征集: questions put to the residents (or households) of a courtyard,
community or street for a window; one answer per voter, changed in place until it closes.

Invariants:
- a voter ("user:<id>" or "household:<id>") has at most one answer per collection: the
  unique constraint decides, and a second submission (another tap, another phone of the
  household, a leader's paper answer) replaces the first, never adds a second;
- questions and options are not changed once anyone has answered (the answers would silently
  mean something else);
- turnout is answered ÷ eligible, eligible being the residents (or households) of the place.
"""

import unicodedata
from datetime import timedelta
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from portal import audit
from portal.accounts.models import User
from portal.accounts.permissions import can, scope
from portal.courtyards.models import (
    COLLECTION_VOTERS,
    Answer,
    AnswerItem,
    Collection,
    Household,
    Option,
    Question,
)
from portal.extensions import db
from portal.places.models import Place, under_path, within
from portal.refusals import Refused
from portal.timeutil import to_local

MAX_QUESTIONS = 10
MAX_OPTIONS = 20
OPTION_MAX = 100
QUESTION_MAX = 300
ANSWER_TEXT_MAX = 1000
OPENERS = ("courtyard_leader", "community_worker")
# Closed collections stay on the courtyard page this long, with their results.
RECENTLY_CLOSED = timedelta(days=30)


class Draft(NamedTuple):
    """A question as the opener wrote it: (text, multiple, free_text, [option labels])."""

    text: str
    multiple: bool
    free_text: bool
    options: list


class Outcome(NamedTuple):
    """What ``answer`` did: the stored answer, and who answered before when that was someone
    else of the household (their answer was replaced), else None."""

    answer: Answer
    replaced_user: User | None


# --- who may do what ---

def may_open(user, place):
    """Leaders and workers of a courtyard open one there; workers also for a community or
    street (a survey of all its courtyards)."""
    if place is None:
        return False
    if place.kind == "courtyard":
        return can(user, OPENERS, place)
    if place.kind in ("community", "street"):
        return can(user, "community_worker", place)
    return False


def may_manage(user, collection):
    """Who opened it may edit, close and record paper answers: the leaders or workers there."""
    return may_open(user, collection.place)


def may_see(user, collection):
    """Residents of the place, and those who manage it."""
    return can(user, "resident", collection.place) or may_manage(user, collection)


def may_record_for(leader, resident, collection):
    """A leader or worker of the resident's courtyard records a paper or door-to-door answer
    for a resident of the collection's place."""
    courtyard = resident.home_courtyard
    return (courtyard is not None and collection.place.contains(courtyard)
            and can(leader, OPENERS, courtyard))


def is_open(collection, now):
    return (collection.closed_at is None
            and collection.opens_at <= now < collection.closes_at)


def is_closed(collection, now):
    return collection.closed_at is not None or now >= collection.closes_at


def ends_at(collection):
    """When it closed or will close."""
    return collection.closed_at or collection.closes_at


def last_day(collection):
    """The last local day answers are taken: the day before a midnight closing."""
    return to_local(ends_at(collection) - timedelta(microseconds=1)).date()


def results_visible(collection, now):
    return collection.live_results or is_closed(collection, now)


# --- opening and editing ---

def normalised(label):
    """An option as compared for duplicates: full-width made plain, spaces collapsed, case
    folded ("Ａ 栋" and "a栋 " are the same option)."""
    text = unicodedata.normalize("NFKC", label or "")
    return "".join(text.split()).casefold()


def _checked_questions(questions):
    """Return the questions as ``Draft``s with their text and options cleaned, or refuse,
    naming the question ("question-<i>-text"/"-options") the refusal is about."""
    if not questions:
        raise Refused("no_questions", field="question-0-text")
    if len(questions) > MAX_QUESTIONS:
        raise Refused("too_many_questions", field="question-0-text", most=MAX_QUESTIONS)
    checked = []
    for i, (text, multiple, free_text, labels) in enumerate(questions):
        text = (text or "").strip()
        if not text:
            raise Refused("question_text_missing", field=f"question-{i}-text")
        if len(text) > QUESTION_MAX:
            raise Refused("question_too_long", field=f"question-{i}-text", most=QUESTION_MAX)
        labels = [label.strip() for label in labels if label and label.strip()]
        field = f"question-{i}-options"
        if not labels and not free_text:
            raise Refused("no_options", field=field)
        if len(labels) == 1 and not free_text:
            raise Refused("too_few_options", field=field)
        if len(labels) > MAX_OPTIONS:
            raise Refused("too_many_options", field=field, most=MAX_OPTIONS)
        seen = set()
        for label in labels:
            if len(label) > OPTION_MAX:
                raise Refused("option_too_long", field=field, most=OPTION_MAX)
            if normalised(label) in seen:
                raise Refused("duplicate_option", field=field, label=label)
            seen.add(normalised(label))
        checked.append(Draft(text, bool(multiple and labels), bool(free_text), labels))
    return checked


def _check_window(opens_at, closes_at, now):
    if closes_at <= opens_at:
        raise Refused("collection_window_order", field="closes_on")
    if closes_at <= now:
        raise Refused("closes_in_past", field="closes_on")


def _put_questions(collection, questions):
    collection.questions = [
        Question(position=i, text=q.text, multiple=q.multiple, free_text=q.free_text,
                 options=[Option(position=j, label=label) for j, label in enumerate(q.options)])
        for i, q in enumerate(questions)]


def _checked(title, questions, voters, opens_at, closes_at, now):
    """The title and questions, checked, with who answers and the window: for opening and
    for editing alike."""
    title = (title or "").strip()
    if not title:
        raise Refused("collection_title_missing", field="title")
    if voters not in COLLECTION_VOTERS:
        raise Refused("collection_not_an_option", field="voters")
    checked = _checked_questions(questions)
    _check_window(opens_at, closes_at, now)
    return title, checked


def open_collection(actor, place, title, description, questions, voters, opens_at, closes_at,
                    live_results, now):
    """Open a collection at ``place``; ``questions`` are (text, multiple, free_text, [labels])."""
    if not may_open(actor, place):
        raise Refused("collection_not_yours")
    title, checked = _checked(title, questions, voters, opens_at, closes_at, now)
    collection = Collection(place=place, title=title, description=(description or "").strip(),
                            voters=voters, opens_at=opens_at, closes_at=closes_at,
                            live_results=bool(live_results), opened_by_id=actor.id,
                            created_at=now)
    _put_questions(collection, checked)
    db.session.add(collection)
    db.session.flush()
    audit.record("collection.open", collection, actor=actor, place=place.id,
                 questions=len(checked), voters=voters)
    return collection


def with_questions(collection):
    """Load ``collection``'s questions and their options in two queries (not one query per
    question when a page goes through them); return the collection."""
    db.session.scalars(select(Collection).where(Collection.id == collection.id).options(
        selectinload(Collection.questions).selectinload(Question.options))).all()
    return collection


def has_answers(collection):
    return db.session.scalar(
        select(Answer.id).where(Answer.collection_id == collection.id).limit(1)) is not None


def edit_collection(actor, collection, title, description, questions, voters, opens_at,
                    closes_at, live_results, now):
    """Change a collection nobody has answered yet (afterwards only closing is allowed)."""
    if not may_manage(actor, collection):
        raise Refused("collection_not_yours")
    if is_closed(collection, now):
        raise Refused("collection_closed")
    if has_answers(collection):
        raise Refused("answers_exist", field="question-0-text")
    title, checked = _checked(title, questions, voters, opens_at, closes_at, now)
    collection.title = title
    collection.description = (description or "").strip()
    collection.voters = voters
    collection.opens_at, collection.closes_at = opens_at, closes_at
    collection.live_results = bool(live_results)
    for question in collection.questions:
        for option in question.options:
            db.session.delete(option)
        db.session.delete(question)
    db.session.flush()
    _put_questions(collection, checked)
    db.session.flush()
    audit.record("collection.edit", collection, actor=actor, questions=len(checked))
    return collection


# --- answering ---

def why_not_eligible(collection, user):
    """None when ``user`` may answer; else the refusal's reason. Only people who live there
    answer: an admin holds every role, ``resident`` too, but has no say in a courtyard that
    is not theirs."""
    if not (user.is_authenticated and user.is_active
            and collection.place.contains(user.home_courtyard)):
        return "collection_not_resident"
    if collection.voters == "household" and user.household_id is None:
        return "collection_no_household"
    return None


def eligible(collection, user):
    return why_not_eligible(collection, user) is None


def voter_of(collection, user):
    if collection.voters == "household":
        return f"household:{user.household_id}"
    return f"user:{user.id}"


def answer_of(collection, user):
    """The answer standing for ``user`` (theirs, or their household's), or None."""
    if not user.is_authenticated or why_not_eligible(collection, user):
        return None
    return db.session.scalar(select(Answer).where(
        Answer.collection_id == collection.id, Answer.voter == voter_of(collection, user)))


def _items(collection, choices, texts):
    """The answer's items, checked against the collection's own questions and options."""
    questions = {q.id: q for q in collection.questions}
    if any(qid not in questions for qid in choices):
        raise Refused("collection_not_an_option", field=f"q{next(iter(choices))}")
    items = []
    for question in collection.questions:
        field = f"q{question.id}"
        chosen = list(dict.fromkeys(choices.get(question.id) or []))
        allowed = {option.id for option in question.options}
        if any(option_id not in allowed for option_id in chosen):
            raise Refused("collection_not_an_option", field=field)
        if len(chosen) > 1 and not question.multiple:
            raise Refused("one_option_only", field=field)
        text = (texts.get(question.id) or "").strip() if question.free_text else ""
        if len(text) > ANSWER_TEXT_MAX:
            raise Refused("collection_text_too_long", field=f"t{question.id}", max=ANSWER_TEXT_MAX)
        if question.options and not chosen and not text:
            raise Refused("choose_an_answer", field=field)
        items += [AnswerItem(question_id=question.id, option_id=option_id)
                  for option_id in chosen]
        if text:
            items.append(AnswerItem(question_id=question.id, text=text))
    if not items:
        raise Refused("empty_answer", field=f"t{collection.questions[0].id}"
                      if collection.questions else None)
    return items


def _claim(collection, voter, user, now):
    """The voter's answer row: the existing one, or a new one inserted in a savepoint. Two
    submissions at once both find none; the unique constraint lets one insert win and the
    other loads the winner's row (and then replaces its items), so one answer remains."""
    existing = db.session.scalar(select(Answer).where(
        Answer.collection_id == collection.id, Answer.voter == voter))
    if existing is not None:
        return existing, False
    return _insert_or_load(collection, voter, user, now)


def _insert_or_load(collection, voter, user, now):
    try:
        with db.session.begin_nested():
            row = Answer(collection_id=collection.id, voter=voter, user_id=user.id,
                         created_at=now, updated_at=now)
            db.session.add(row)
            db.session.flush()
        return row, True
    except IntegrityError:
        existing = db.session.scalar(
            select(Answer).where(Answer.collection_id == collection.id, Answer.voter == voter)
            .execution_options(populate_existing=True))
        return existing, False


def answer(collection, user, choices, texts, now, channel="online", recorded_by=None):
    """Record ``user``'s answer: ``choices`` {question_id: [option_ids]}, ``texts``
    {question_id: text}. It replaces the voter's earlier answer (their own, or their
    household's); returns an ``Outcome``."""
    if now < collection.opens_at and collection.closed_at is None:
        raise Refused("collection_not_open")
    if is_closed(collection, now):
        raise Refused("collection_closed")
    reason = why_not_eligible(collection, user)
    if reason:
        raise Refused(reason)
    if channel not in ("online", "paper", "door"):
        raise Refused("collection_not_an_option", field="channel")
    items = _items(collection, choices, texts)
    voter = voter_of(collection, user)
    row, created = _claim(collection, voter, user, now)
    replaced_user = None if created or row.user_id == user.id else row.user
    row.user_id = user.id
    row.household_id = user.household_id if collection.voters == "household" else None
    row.courtyard_id = _courtyard_of(user, collection)
    row.channel = channel
    row.recorded_by_id = recorded_by.id if recorded_by is not None else None
    row.updated_at = now
    row.items = items
    db.session.flush()
    audit.record("collection.answer" if created else "collection.answer_change", row,
                 actor=recorded_by or user,
                 on_behalf_of=user if recorded_by is not None else None,
                 collection=collection.id, channel=channel,
                 replaced_user=replaced_user.id if replaced_user else None)
    return Outcome(row, replaced_user)


def _courtyard_of(user, collection):
    if collection.voters == "household":
        household = db.session.get(Household, user.household_id)
        if household is not None:
            return household.courtyard_id
    return user.home_courtyard_id


def record_paper_answer(leader, collection, resident, choices, texts, now, channel="paper"):
    """A leader records the answer a resident gave on paper (纸质) or at the door (上门); the
    resident can still change it online."""
    if channel not in ("paper", "door"):
        raise Refused("collection_not_an_option", field="channel")
    if not may_record_for(leader, resident, collection):
        raise Refused("paper_not_your_resident", field="mobile")
    return answer(collection, resident, choices, texts, now, channel=channel,
                  recorded_by=leader)


def residents_for_paper(leader, collection, limit=300):
    """The residents the leader may record answers for, by name."""
    return db.session.scalars(
        select(User).join(Place, User.home_courtyard_id == Place.id)
        .where(within(collection.place), User.active.is_(True),
               scope(leader, OPENERS, place=Place.path))
        .order_by(User.name, User.id).limit(limit)).all()


# --- closing and results ---

def count_eligible(place, voters, courtyard_column=False):
    """How many residents (or households) of ``place`` may answer: one SQL count; with
    ``courtyard_column`` the counts per courtyard instead, {courtyard_id: n}."""
    if voters == "household":
        base, courtyard = select(func.count(Household.id)), Household.courtyard_id
        query = base.join(Place, Household.courtyard_id == Place.id)
    else:
        base, courtyard = select(func.count(User.id)), User.home_courtyard_id
        query = base.join(Place, User.home_courtyard_id == Place.id).where(
            User.active.is_(True))
    query = query.where(within(place))
    if courtyard_column:
        rows = db.session.execute(query.add_columns(courtyard).group_by(courtyard))
        return {courtyard_id: n for n, courtyard_id in rows}
    return db.session.scalar(query) or 0


def _option_counts(collection, by_courtyard=False):
    columns = [AnswerItem.option_id, func.count(AnswerItem.id)]
    query = (select(*columns).join(Answer, AnswerItem.answer_id == Answer.id)
             .where(Answer.collection_id == collection.id, AnswerItem.option_id.is_not(None)))
    if by_courtyard:
        rows = db.session.execute(query.add_columns(Answer.courtyard_id)
                                  .group_by(Answer.courtyard_id, AnswerItem.option_id))
        counts = {}
        for option_id, n, courtyard_id in rows:
            counts.setdefault(courtyard_id, {})[option_id] = n
        return counts
    return dict(db.session.execute(query.group_by(AnswerItem.option_id)).all())


def turnout(answered, eligible_count):
    """Answered ÷ eligible as a whole percentage (None when nobody may answer)."""
    return round(100 * answered / eligible_count) if eligible_count else None


def results(collection):
    """Counts per option of each question, the free texts, and turnout."""
    counts = _option_counts(collection)
    texts = {}
    for question_id, text in db.session.execute(
            select(AnswerItem.question_id, AnswerItem.text)
            .join(Answer, AnswerItem.answer_id == Answer.id)
            .where(Answer.collection_id == collection.id, AnswerItem.text.is_not(None))
            .order_by(AnswerItem.id)):
        texts.setdefault(question_id, []).append(text)
    answered = db.session.scalar(select(func.count(Answer.id))
                                 .where(Answer.collection_id == collection.id)) or 0
    channels = dict(db.session.execute(
        select(Answer.channel, func.count(Answer.id))
        .where(Answer.collection_id == collection.id).group_by(Answer.channel)).all())
    eligible_count = count_eligible(collection.place, collection.voters)
    questions = []
    for question in collection.questions:
        options = [(option, counts.get(option.id, 0)) for option in question.options]
        questions.append({"question": question, "options": options,
                          "texts": texts.get(question.id, []),
                          "most": max([n for _o, n in options] or [0])})
    return {"questions": questions, "answered": answered, "eligible": eligible_count,
            "turnout": turnout(answered, eligible_count), "channels": channels}


def results_by_courtyard(collection):
    """For a community or street collection: per courtyard under it, answered, eligible,
    turnout and counts per option {option_id: n}."""
    courtyards = db.session.scalars(select(Place).where(
        within(collection.place), Place.kind == "courtyard").order_by(Place.path)).all()
    answered = dict(db.session.execute(
        select(Answer.courtyard_id, func.count(Answer.id))
        .where(Answer.collection_id == collection.id)
        .group_by(Answer.courtyard_id)).all())
    eligible_counts = count_eligible(collection.place, collection.voters, courtyard_column=True)
    counts = _option_counts(collection, by_courtyard=True)
    return [{"courtyard": c, "answered": answered.get(c.id, 0),
             "eligible": eligible_counts.get(c.id, 0),
             "turnout": turnout(answered.get(c.id, 0), eligible_counts.get(c.id, 0)),
             "counts": counts.get(c.id, {})} for c in courtyards]


def summary_text(collection, outcome):
    """The plain-text result summary handed to a council agenda."""
    lines = [collection.title]
    if outcome["turnout"] is None:
        lines.append(gettext("Answered: %(answered)d.", answered=outcome["answered"]))
    else:
        lines.append(gettext("Answered: %(answered)d of %(eligible)d (%(turnout)d%%).",
                             answered=outcome["answered"], eligible=outcome["eligible"],
                             turnout=outcome["turnout"]))
    for number, entry in enumerate(outcome["questions"], 1):
        lines.append("")
        lines.append(f"{number}. {entry['question'].text}")
        for option, count in entry["options"]:
            lines.append(gettext("- %(label)s: %(count)d", label=option.label, count=count))
        if entry["texts"]:
            lines.append(gettext("- Written answers: %(count)d", count=len(entry["texts"])))
    return "\n".join(lines)


def close(collection, actor, now):
    """Close the collection (early, or after its end) and write its result summary."""
    if not may_manage(actor, collection):
        raise Refused("collection_not_yours")
    if collection.closed_at is not None:
        raise Refused("collection_closed")
    collection.closed_at = min(now, collection.closes_at)
    collection.summary = summary_text(collection, results(collection))
    audit.record("collection.close", collection, actor=actor)
    return collection


# --- what other pages show ---

def _open_now(now):
    return (Collection.closed_at.is_(None), Collection.opens_at <= now,
            Collection.closes_at > now)


def for_courtyard(courtyard, user, now):
    """The courtyard page's collections: those open to its residents (at the courtyard or a
    community or street above it) with whether the user's answer stands, and the recently
    closed ones. Merged into the courtyard page's context."""
    places = courtyard.lineage_ids
    open_rows = db.session.scalars(
        select(Collection).where(Collection.place_id.in_(places), *_open_now(now))
        .order_by(Collection.closes_at, Collection.id)).all()
    closed_rows = db.session.scalars(
        select(Collection).where(
            Collection.place_id.in_(places),
            func.coalesce(Collection.closed_at, Collection.closes_at) <= now,
            func.coalesce(Collection.closed_at, Collection.closes_at) > now - RECENTLY_CLOSED)
        .order_by(Collection.closes_at.desc()).limit(5)).all()
    answers = {}
    if user is not None and user.is_authenticated and open_rows:
        voters = {f"user:{user.id}"} | (
            {f"household:{user.household_id}"} if user.household_id else set())
        answers = {(a.collection_id, a.voter): a for a in db.session.scalars(
            select(Answer).where(Answer.collection_id.in_([c.id for c in open_rows]),
                                 Answer.voter.in_(voters)))}
    entries = []
    for collection in open_rows:
        mine = None
        if user is not None and user.is_authenticated:
            mine = answers.get((collection.id, voter_of(collection, user)))
        entries.append({"collection": collection, "answer": mine,
                        "last_day": last_day(collection)})
    return {"open_collections": entries, "closed_collections": closed_rows,
            "collections_courtyard": courtyard,
            "may_open_collection": user is not None and may_open(user, courtyard)}


def count_eligible_each(rows):
    """{collection id: how many may answer} for many collections: one grouped query per kind
    of voter counts the residents (or households) of each courtyard under their places,
    summed here per collection (as ``count_eligible`` for each, without a query per
    collection). The courtyards are found first, from the places' paths as literal ranges,
    and the people through their courtyard's index: joined to the collections' places,
    PostgreSQL started from every resident of the city (50 ms at full scale), and with the
    ranges on the joined place SQLite did (2 s)."""
    counted = {}
    for voters in ("resident", "household"):
        chosen = [c for c in rows if c.voters == voters]
        if not chosen:
            continue
        paths = {c.place.path for c in chosen}
        courtyards = select(Place.id).where(or_(*(under_path(path) for path in paths)))
        if voters == "household":
            query = (select(Place.path, func.count(Household.id)).select_from(Household)
                     .join(Place, Household.courtyard_id == Place.id)
                     .where(Household.courtyard_id.in_(courtyards)))
        else:
            query = (select(Place.path, func.count(User.id)).select_from(User)
                     .join(Place, User.home_courtyard_id == Place.id)
                     .where(User.active.is_(True), User.home_courtyard_id.in_(courtyards)))
        per_courtyard = db.session.execute(query.group_by(Place.path)).all()
        for collection in chosen:
            counted[collection.id] = sum(n for path, n in per_courtyard
                                         if path.startswith(collection.place.path))
    return {c.id: counted.get(c.id, 0) for c in rows}


def open_for_desk(user, now, limit=None):
    """The open collections at places where ``user`` leads or works, as (collection, answered,
    eligible), for the leaders' desk, the first to close first."""
    query = (select(Collection).join(Place, Collection.place_id == Place.id)
             .where(scope(user, OPENERS, place=Place.path), *_open_now(now))
             .options(contains_eager(Collection.place))
             .order_by(Collection.closes_at, Collection.id))
    rows = db.session.scalars(query if limit is None else query.limit(limit)).all()
    if not rows:
        return []
    answered = dict(db.session.execute(
        select(Answer.collection_id, func.count(Answer.id))
        .where(Answer.collection_id.in_([c.id for c in rows]))
        .group_by(Answer.collection_id)).all())
    eligible_counts = count_eligible_each(rows)
    return [(c, answered.get(c.id, 0), eligible_counts[c.id]) for c in rows]
