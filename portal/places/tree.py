"""Building and querying the place tree."""

from sqlalchemy import or_

from portal.extensions import db
from portal.places.models import PLACE_KINDS, Place, preload_lineages, within


class InvalidPlace(ValueError):
    """A place that cannot sit where it was asked to."""


def add_place(kind, name, parent=None, **fields):
    """Create a place under ``parent`` and give it its materialised path."""
    if kind not in PLACE_KINDS:
        raise InvalidPlace(f"unknown kind {kind!r}")
    if parent is not None and PLACE_KINDS.index(parent.kind) >= PLACE_KINDS.index(kind):
        raise InvalidPlace(f"a {kind} cannot sit under a {parent.kind}")
    place = Place(kind=kind, name=name, parent=parent, **fields)
    db.session.add(place)
    db.session.flush()  # the path needs the id
    place.path = (parent.path if parent else "/") + f"{place.id}/"
    place.depth = parent.depth + 1 if parent else 0
    return place


def plant(tree, parent, named):
    """Add the places of ``tree`` under ``parent`` (None: at the top), each found by kind, name
    and parent first, so planting twice adds nothing; record each in ``named`` by name.

    ``tree`` is a list of (kind, name, fields, children) with children of the same shape.
    """
    for kind, name, fields, children in tree:
        place = db.session.scalar(db.select(Place).filter_by(
            kind=kind, name=name, parent_id=parent.id if parent else None))
        if place is None:
            place = add_place(kind, name, parent, **fields)
        named[name] = place
        plant(children, place, named)
    return named


def descendants(place, kind=None):
    """Select the places under ``place`` (not itself), optionally of one kind."""
    query = db.select(Place).where(within(place), Place.id != place.id)
    if kind:
        query = query.where(Place.kind == kind)
    return query.order_by(Place.name)


def community_ids(places):
    """Ids of the communities at or under ``places`` (for IN lists that use an index)."""
    if not places:
        return []
    ids = {p.id for p in places if p.kind == "community"}
    wider = [p for p in places if PLACE_KINDS.index(p.kind) < PLACE_KINDS.index("community")]
    if wider:
        ids |= set(db.session.scalars(
            db.select(Place.id).where(Place.kind == "community", or_(*(within(p) for p in wider)))))
    for place in places:
        if PLACE_KINDS.index(place.kind) > PLACE_KINDS.index("community"):
            community = place.ancestor("community")
            if community is not None:
                ids.add(community.id)
    return sorted(ids)


def courtyards_near(courtyard):
    """Courtyards of the same community (for choosing a home among neighbours)."""
    community = courtyard.ancestor("community") or courtyard.parent or courtyard
    return db.session.scalars(descendants(community, "courtyard")).all()


def search(text, kinds=("community", "courtyard"), limit=20):
    """Find places whose name contains ``text`` (for the "find my courtyard" box)."""
    text = text.strip()
    if not text:
        return []
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        db.select(Place)
        .where(Place.kind.in_(kinds), Place.name.like(f"%{escaped}%", escape="\\"))
        .order_by(Place.depth, Place.name)
        .limit(limit)
    )
    return preload_lineages(db.session.scalars(query).all())
