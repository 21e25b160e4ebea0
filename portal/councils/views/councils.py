"""Councils: the councils of my community, a council's page (members, meetings, what other
parts add), setting one up for a place, seating and unseating members."""

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.people import find_by_mobile
from portal.accounts.permissions import can, load, places_where, require_that
from portal.councils import bodies, bp
from portal.councils.access import community_of, may_keep_council, may_record
from portal.councils.meeting_forms import CouncilForm, EndTermForm, MemberForm
from portal.councils.models import Council, CouncilMember, Meeting
from portal.councils.words import (
    ATTENDANCE_LABELS,
    CHOICE_LABELS,
    MEETING_STATE_LABELS,
    POSITION_LABELS,
)
from portal.extensions import db
from portal.organizations.models import Organization
from portal.places.models import Place, within
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.sections import sections_for
from portal.timeutil import local_today, utcnow

# The words for stored keys, for every council and meeting page.
WORDS = {"member_positions": POSITION_LABELS, "meeting_states": MEETING_STATE_LABELS,
         "attendance_labels": ATTENDANCE_LABELS, "choice_labels": CHOICE_LABELS}
# Places without a council offered to a worker on the index, at most.
UNSET_SHOWN = 30


def _communities_of(user):
    """The communities the user lives in or works for, home first (for a visitor: the
    community of the courtyard chosen on this phone)."""
    found = []
    home = user.home_courtyard if user.is_authenticated else g.get("courtyard")
    if home is not None and community_of(home) is not None:
        found.append(community_of(home))
    for place in places_where(user, "community_worker"):
        community = community_of(place) if place.kind != "community" else place
        if community is not None and community not in found:
            found.append(community)
    return found


def _councils_in(community):
    return db.session.scalars(
        select(Council).join(Place, Council.place_id == Place.id)
        .options(joinedload(Council.place))
        .where(within(community)).order_by(Place.depth, Place.path)).all()


def _places_without_council(community):
    """Community, groups and buildings of ``community`` that have no council yet."""
    return db.session.scalars(
        select(Place).outerjoin(Council, Council.place_id == Place.id)
        .where(within(community), Place.kind.in_(bodies.COUNCIL_KINDS), Council.id.is_(None))
        .order_by(Place.depth, Place.path).limit(UNSET_SHOWN)).all()


@bp.get("/")
def index():
    communities = []
    for community in _communities_of(current_user):
        worker = can(current_user, "community_worker", community)
        communities.append({
            "place": community,
            "councils": _councils_in(community),
            "listing": url_for("councils.listing", community_id=community.id),
            "triage": url_for("councils.triage") if worker else None,
            "unset": _places_without_council(community) if worker else [],
        })
    return render("councils/council_index.html", communities=communities)


def council_meetings(council, now):
    """(upcoming: called or open, soonest first; past: closed or cancelled, newest first)."""
    upcoming = db.session.scalars(
        select(Meeting).where(Meeting.council_id == council.id,
                              Meeting.state.in_(("called", "open")))
        .order_by(Meeting.starts_at)).all()
    past = db.session.scalars(
        select(Meeting).where(Meeting.council_id == council.id,
                              Meeting.state.in_(("closed", "cancelled")))
        .order_by(Meeting.starts_at.desc()).limit(20)).all()
    return upcoming, past


@bp.get("/<int:council_id>")
def council(council_id):
    council = load(Council, council_id)
    today = local_today()
    upcoming, past = council_meetings(council, utcnow())
    return render("councils/council.html", council=council,
                  lineage=council.place.lineage(),
                  members=bodies.current_members(council, today),
                  upcoming=upcoming, past=past,
                  keeper=may_keep_council(current_user, council, today),
                  full_names=may_record(current_user, council, today),
                  sections=sections_for("council", council), **WORDS)


def _creatable_place(place_id):
    place = load(Place, place_id)
    if place.kind not in bodies.COUNCIL_KINDS:
        abort(404)
    require_that(bodies.may_create_council(current_user, place))
    return place


@bp.route("/places/<int:place_id>/council/new", methods=["GET", "POST"])
@login_required
def council_new(place_id):
    place = _creatable_place(place_id)
    form = CouncilForm()
    if not form.is_submitted():
        form.name.data = _("%(place)s council", place=place.name)
    if form.validate_on_submit():
        try:
            council = bodies.create_council(current_user, place, form.name.data, utcnow())
        except Refused as refused:
            show_on(form, refused, field="name")
        else:
            flash(_("The council is set up. Now add its members."), "success")
            return redirect(url_for("councils.council", council_id=council.id), 303)
    return render("councils/council_new.html", form=form, place=place,
                  lineage=place.lineage(), status=422 if form.errors else 200)


def _kept(council_id):
    return load(Council, council_id, allowed=lambda user, c: may_keep_council(user, c))


def _organizations_near(council):
    """Organizations based in the council's community (or above it), to be represented."""
    community = community_of(council.place) or council.place
    return db.session.scalars(
        select(Organization).join(Place, Organization.home_place_id == Place.id)
        .where(within(community) | Place.id.in_(community.lineage_ids))
        .order_by(Organization.name)).all()


@bp.route("/<int:council_id>/members/new", methods=["GET", "POST"])
@login_required
def member_new(council_id):
    council = _kept(council_id)
    organizations = _organizations_near(council)
    form = MemberForm()
    form.offer_organizations(organizations)
    if not form.is_submitted():
        form.starts_on.data = local_today()
    if form.validate_on_submit():
        person = find_by_mobile(form.mobile.data)
        organization = next((o for o in organizations if o.id == form.organization.data),
                            None)
        if person is None:
            form.mobile.errors = [*form.mobile.errors,
                                  _("No one is registered with this number.")]
        else:
            try:
                bodies.add_member(current_user, council, person, form.position.data,
                                  form.starts_on.data, form.ends_on.data, utcnow(),
                                  represents=form.represents.data, organization=organization)
            except Refused as refused:
                show_on(form, refused, field="mobile")
            else:
                flash(_("%(name)s is a member of the council.", name=person.name), "success")
                return redirect(url_for("councils.council", council_id=council.id), 303)
    return render("councils/member_new.html", form=form, council=council,
                  status=422 if form.errors else 200)


@bp.route("/members/<int:member_id>/end", methods=["GET", "POST"])
@login_required
def member_end(member_id):
    member = load(CouncilMember, member_id,
                  allowed=lambda user, m: may_keep_council(user, m.council))
    form = EndTermForm()
    if not form.is_submitted():
        form.ends_on.data = min(local_today(), member.ends_on)
    if form.validate_on_submit():
        try:
            bodies.end_term(current_user, member, form.ends_on.data, utcnow())
        except Refused as refused:
            show_on(form, refused, field="ends_on")
        else:
            flash(_("The term is ended."), "success")
            return redirect(url_for("councils.council", council_id=member.council_id), 303)
    return render("councils/member_end.html", form=form, member=member,
                  status=422 if form.errors else 200)
