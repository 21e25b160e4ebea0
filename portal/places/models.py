"""The place tree: city → district → street → community → group → courtyard → building."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.timeutil import utcnow

# Kinds from the top of the tree down; a place's parent is always of an earlier kind.
PLACE_KINDS = ("city", "district", "street", "community", "group", "courtyard", "building")

KIND_LABELS = {
    "city": _l("City"),
    "district": _l("District"),
    "street": _l("Sub-district"),
    "community": _l("Community"),
    "group": _l("Residents' group"),
    "courtyard": _l("Courtyard"),
    "building": _l("Building"),
}

# The materialised path ("/1/7/42/") is compared as bytes; PostgreSQL's default collation
# would ignore the slashes, so the column uses the "C" collation there.
PathType = String(255).with_variant(String(255, collation="C"), "postgresql")


class Place(db.Model):
    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    path: Mapped[str] = mapped_column(PathType, default="", index=True)
    depth: Mapped[int] = mapped_column(default=0)
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # The community's service hotline, shown in the footer.
    phone: Mapped[str | None] = mapped_column(String(20))
    # For addresses in open data: set where they change (a city's province, a district's or
    # community's postal code); a place without one takes its nearest ancestor's.
    province: Mapped[str | None] = mapped_column(String(20))
    postal_code: Mapped[str | None] = mapped_column(String(6))
    # Suburban places plan services within 30 walking minutes instead of 15.
    suburban: Mapped[bool] = mapped_column(default=False)
    # Any change to a place moves this on: reports over many places (15-minute coverage)
    # are kept until it does.
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow,
                                                       index=True)

    parent: Mapped["Place | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Place"]] = relationship(
        back_populates="parent", order_by="Place.name"
    )

    def __repr__(self):
        return f"<Place {self.id} {self.kind} {self.name}>"

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def lineage_ids(self):
        """Ids from the root down to this place, read from the path without a query."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def lineage(self):
        """Return the places from the root down to this one (one query, then remembered)."""
        cached = self.__dict__.get("_lineage")
        if cached is None or cached[0] != self.path:
            preload_lineages([self])
        return self.__dict__["_lineage"][1]

    def ancestor(self, kind):
        """Return the nearest place of ``kind`` at or above this one, or None."""
        return next((p for p in reversed(self.lineage()) if p.kind == kind), None)

    def contains(self, other):
        """Tell whether ``other`` is this place or lies under it."""
        return other is not None and other.path.startswith(self.path)

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None


def preload_lineages(places):
    """Load the lineages of many places with one query (lists of search results, say)."""
    ids = {i for place in places for i in place.lineage_ids}
    by_id = {p.id: p for p in db.session.scalars(db.select(Place).where(Place.id.in_(ids)))}
    for place in places:
        lineage = [by_id[i] for i in place.lineage_ids if i in by_id]
        place.__dict__["_lineage"] = (place.path, lineage)
    return places


def within(place, column=None):
    """SQL condition: a place path at or under ``place`` (an index range scan, not LIKE)."""
    return under_path(place.path, column)


def under_path(path, column=None):
    """SQL condition: a place path at or under ``path`` ("/1/7/")."""
    column = Place.path if column is None else column
    # "~" sorts after the digits and "/", so [path, path + "~") is exactly the subtree.
    return and_(column >= path, column < path + "~")
