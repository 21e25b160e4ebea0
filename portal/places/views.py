from flask import abort, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import get_or_404
from portal.accounts.roles import grantable_roles
from portal.extensions import db
from portal.layout import COURTYARD_COOKIE, set_preference_cookie
from portal.places import bp
from portal.places.models import Place
from portal.places.tree import search
from portal.rendering import render
from portal.urls import paginate, safe_next

CHILDREN_PER_PAGE = 50


@bp.get("/")
def index():
    """The top of the tree, and a "find my courtyard" search."""
    query = request.args.get("q", "").strip()[:40]
    roots = db.session.scalars(
        db.select(Place).where(Place.parent_id.is_(None)).order_by(Place.name)
    ).all()
    return render("places/index.html", block="results", roots=roots, query=query,
                  results=search(query) if query else None, next=request.args.get("next", ""))


@bp.get("/<int:place_id>")
def show(place_id):
    place = get_or_404(Place, place_id)
    children = paginate(
        db.select(Place).filter_by(parent_id=place.id).order_by(Place.name),
        per_page=CHILDREN_PER_PAGE,
    )
    return render("places/show.html", place=place, lineage=place.lineage(),
                  children=children, next=request.args.get("next", ""),
                  can_manage_roles=bool(grantable_roles(current_user, place)))


@bp.post("/<int:place_id>/choose")
def choose(place_id):
    """Remember this courtyard as "my courtyard" in this browser (no account needed)."""
    place = get_or_404(Place, place_id)
    if place.kind != "courtyard":
        abort(400)
    response = redirect(safe_next(), 303)
    set_preference_cookie(response, COURTYARD_COOKIE, place.id)
    if current_user.is_authenticated:
        flash(_("Your account's courtyard is changed in your profile."), "info")
    else:
        flash(_("%(name)s is now your courtyard on this phone.", name=place.name), "success")
    return response


@bp.post("/forget")
def forget():
    """Forget the chosen courtyard (on a shared phone, say)."""
    response = redirect(safe_next(), 303)
    response.delete_cookie(COURTYARD_COOKIE)
    return response
