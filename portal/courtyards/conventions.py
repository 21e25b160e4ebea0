"""Resident conventions 居民公约: each courtyard's versions, drafted by its leaders or workers,
put to the residents as an opinion collection (同意/不同意), then adopted with the date it
takes effect, or not. Every version stays readable, with what changed from the one before."""

from flask_babel import gettext
from sqlalchemy import func, select

from portal import audit
from portal.accounts.permissions import can
from portal.courtyards import collections
from portal.courtyards.models import ConventionVersion
from portal.extensions import db
from portal.refusals import Refused

TEXT_MAX = 5000
WRITERS = ("courtyard_leader", "community_worker")


def may_write(user, courtyard):
    return courtyard.kind == "courtyard" and can(user, WRITERS, courtyard)


def may_read(user, version):
    """Drafts are read by those who write them; every other version by anyone."""
    return version.state != "draft" or may_write(user, version.place)


def versions(courtyard):
    """Every version of the courtyard's convention, newest first."""
    return db.session.scalars(select(ConventionVersion).where(
        ConventionVersion.place_id == courtyard.id)
        .order_by(ConventionVersion.number.desc())).all()


def current(courtyard, today):
    """The version in force on ``today``: the adopted one that took effect last."""
    return db.session.scalar(select(ConventionVersion).where(
        ConventionVersion.place_id == courtyard.id, ConventionVersion.state == "adopted",
        ConventionVersion.effective_on <= today)
        .order_by(ConventionVersion.effective_on.desc(), ConventionVersion.number.desc())
        .limit(1))


def pending(courtyard):
    """The version being written or put to the residents, if any."""
    return db.session.scalar(select(ConventionVersion).where(
        ConventionVersion.place_id == courtyard.id,
        ConventionVersion.state.in_(("draft", "consulting")))
        .order_by(ConventionVersion.number.desc()).limit(1))


def previous(version):
    """The adopted version before this one, which its changes are shown against."""
    return db.session.scalar(select(ConventionVersion).where(
        ConventionVersion.place_id == version.place_id, ConventionVersion.state == "adopted",
        ConventionVersion.number < version.number)
        .order_by(ConventionVersion.number.desc()).limit(1))


def for_courtyard(courtyard, today):
    """What the courtyard page shows: the convention in force, and one being decided."""
    waiting = pending(courtyard)
    return {"convention": current(courtyard, today), "convention_courtyard": courtyard,
            "convention_consulting": waiting if waiting and waiting.state == "consulting"
            else None}


def draft(actor, courtyard, text, now):
    """Write the next version as a draft; while a draft is not yet put to the residents,
    writing again replaces its text."""
    if not may_write(actor, courtyard):
        raise Refused("collection_not_yours")
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise Refused("convention_text_missing", field="text")
    if len(text) > TEXT_MAX:
        raise Refused("convention_too_long", field="text", max=TEXT_MAX)
    waiting = pending(courtyard)
    if waiting is not None and waiting.state == "consulting":
        raise Refused("convention_consulting", field="text")
    if waiting is not None:
        waiting.text = text
        waiting.written_by_id = actor.id
        audit.record("convention.redraft", waiting, actor=actor)
        return waiting
    number = (db.session.scalar(select(func.max(ConventionVersion.number)).where(
        ConventionVersion.place_id == courtyard.id)) or 0) + 1
    version = ConventionVersion(place=courtyard, number=number, text=text, state="draft",
                                written_by_id=actor.id, created_at=now)
    db.session.add(version)
    db.session.flush()
    audit.record("convention.draft", version, actor=actor, number=number)
    return version


def put_to_residents(actor, version, opens_at, closes_at, now, voters="resident"):
    """Ask the residents whether to adopt the draft: a collection with one single-choice
    question (同意 / 不同意), linked to the version."""
    if not may_write(actor, version.place):
        raise Refused("collection_not_yours")
    if version.state != "draft":
        raise Refused("convention_not_draft")
    question = gettext("Do you agree to adopt this version of the residents' convention?")
    collection = collections.open_collection(
        actor, version.place,
        gettext("Residents' convention, version %(number)d: do you agree?",
                number=version.number),
        version.text, [(question, False, False, [gettext("Agree"), gettext("Disagree")])],
        voters, opens_at, closes_at, True, now)
    version.collection = collection
    version.state = "consulting"
    audit.record("convention.consult", version, actor=actor, collection=collection.id)
    return collection


def decide(actor, version, adopted, effective_on, now):
    """After its collection closed: adopt the version from ``effective_on``, or not."""
    if not may_write(actor, version.place):
        raise Refused("collection_not_yours")
    if version.state != "consulting" or version.collection is None:
        raise Refused("convention_not_consulting")
    if not collections.is_closed(version.collection, now):
        raise Refused("collection_still_open")
    if adopted and effective_on is None:
        raise Refused("effective_on_missing", field="effective_on")
    if version.collection.closed_at is None:
        collections.close(version.collection, actor, now)
    version.state = "adopted" if adopted else "rejected"
    version.effective_on = effective_on if adopted else None
    version.decided_at = now
    audit.record("convention.decide", version, actor=actor, adopted=bool(adopted),
                 effective_on=effective_on)
    return version
