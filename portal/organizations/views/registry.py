"""The registry's pages: the list, an organization's page, registering, profile, status."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import sections
from portal.accounts.models import RoleGrant
from portal.accounts.permissions import load, require
from portal.extensions import db
from portal.forms import EmptyForm
from portal.organizations import bp, incubation, registry
from portal.organizations.forms import (
    FileForm,
    KeeperProfileForm,
    ListForm,
    NewOrganizationForm,
    ProfileForm,
    RegisterForm,
    SuspendForm,
)
from portal.organizations.models import ORGANIZATION_KINDS, Organization
from portal.organizations.words import STAGE_LABELS, STATUS_LABELS, area_keys, area_labels
from portal.places.models import Place
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, utcnow
from portal.urls import paginate, query_id

PER_PAGE = 20


def _to_page(organization):
    return redirect(url_for("organizations.show", organization_id=organization.id), 303)


# --- the list ---

@bp.get("/")
def index():
    form = ListForm(request.args)
    street, kind, status, community, problems = form.asked()
    if street is None and not problems and g.get("community") is not None:
        street = g.community.ancestor("street")
    page = paginate(registry.listing(street, kind, status, community)
                    .options(joinedload(Organization.home_place)), per_page=PER_PAGE)
    args = {"street": street.id if street else None, "kind": kind, "status": status,
            "community": community.id if community else None}
    return render("organizations/index.html", block="results", form=form, page=page,
                  street=street, problems=problems, args=args, kinds=ORGANIZATION_KINDS,
                  statuses=STATUS_LABELS,
                  communities=registry.communities_of(street) if street else [])


# --- an organization's page ---

def _staff(organization):
    return db.session.scalars(
        select(RoleGrant).filter_by(organization_id=organization.id, role="org_staff")
        .options(joinedload(RoleGrant.user)).order_by(RoleGrant.id)).all()


@bp.get("/<int:organization_id>")
def show(organization_id):
    organization = load(Organization, organization_id)
    return render("organizations/show.html", organization=organization,
                  lineage=organization.home_place.lineage(),
                  status_label=STATUS_LABELS[organization.status],
                  areas=area_labels(organization),
                  served=registry.served_places(organization),
                  staff=[grant.user for grant in _staff(organization)],
                  steps=incubation.path(organization),
                  keeper=registry.may_keep(current_user, organization),
                  editor=registry.may_edit_profile(current_user, organization),
                  stages=STAGE_LABELS,
                  sections=sections.sections_for("organization", organization))


# --- registering a new one ---

def _place_asked():
    """The community (or sub-district) in ``?place=``: 404 when there is none, then 403
    unless the current user works there."""
    place = db.get_or_404(Place, query_id("place") or 0)
    if place.kind not in ("street", "community"):
        abort(404)
    require("community_worker", place)
    return place


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    place = _place_asked()
    form = NewOrganizationForm()
    form.fill_communities(registry.communities_of(registry.street_of(place)))
    if not form.is_submitted() and place.kind == "community":
        form.communities.data = [place.id]
    if form.validate_on_submit():
        try:
            organization = registry.register_organization(
                current_user, place, utcnow(), local_today(), name=form.name.data,
                kind=form.kind.data, status=form.status.data, code=form.credit_code.data,
                day=form.day.data, communities=form.served(), **form.profile())
        except Refused as refused:
            show_on(form, refused, field="name")
        else:
            flash(_("%(name)s is in the registry.", name=organization.name), "success")
            return _to_page(organization)
    return render("organizations/new.html", form=form, place=place,
                  status=422 if form.errors else 200)


# --- the profile its staff keep ---

@bp.route("/<int:organization_id>/profile", methods=["GET", "POST"])
@login_required
def profile(organization_id):
    organization = load(Organization, organization_id, allowed=registry.may_edit_profile)
    keeper = registry.may_keep(current_user, organization)
    form_class = KeeperProfileForm if keeper else ProfileForm
    form = form_class(obj=None if request.method == "POST" else organization)
    if keeper:
        form.fill_communities(registry.communities_of(
            registry.street_of(organization.home_place)))
    if request.method == "GET":
        form.service_areas.data = area_keys(organization)
        if keeper:
            form.communities.data = [p.id for p in registry.served_places(organization)]
    if form.validate_on_submit():
        extra = {"name": form.name.data, "communities": form.served()} if keeper else {}
        try:
            registry.update_profile(current_user, organization, utcnow(), **form.profile(),
                                    **extra)
        except Refused as refused:
            show_on(form, refused, field="summary")
        else:
            flash(_("The organization's details are saved."), "success")
            return _to_page(organization)
    return render("organizations/profile.html", form=form, organization=organization,
                  keeper=keeper, status=422 if form.errors else 200)


# --- status: file, register, suspend, restore ---

def _kept(organization_id):
    return load(Organization, organization_id, allowed=registry.may_keep)


def _status_page(organization, file_form=None, register_form=None, suspend_form=None,
                 status=200):
    """The status page; a form just sent is shown again with its errors and what was typed."""
    register_form = register_form or RegisterForm(formdata=None, kind=(
        organization.kind if organization.kind in registry.REGISTRABLE_KINDS else None))
    return render("organizations/status.html", organization=organization,
                  status_label=STATUS_LABELS[organization.status],
                  file_form=file_form or FileForm(formdata=None),
                  register_form=register_form,
                  suspend_form=suspend_form or SuspendForm(formdata=None),
                  restore_form=EmptyForm(), status=status)


@bp.get("/<int:organization_id>/status")
@login_required
def status(organization_id):
    return _status_page(_kept(organization_id))


def _refused_flash(refused, organization):
    """A refusal about the organization as a whole (already done): said on its page."""
    flash(refused.message, "info")
    return redirect(url_for("organizations.status", organization_id=organization.id), 303)


WHOLE = ("org_not_incubating", "org_already_registered", "org_suspended",
         "org_already_suspended", "org_not_suspended")


@bp.post("/<int:organization_id>/file")
@login_required
def file_organization(organization_id):
    organization = _kept(organization_id)
    form = FileForm()
    if form.validate_on_submit():
        try:
            registry.file_organization(current_user, organization, utcnow(), local_today(),
                                       form.day.data)
        except Refused as refused:
            if refused.reason in WHOLE:
                return _refused_flash(refused, organization)
            show_on(form, refused, field="day")
        else:
            flash(_("%(name)s is filed.", name=organization.name), "success")
            return _to_page(organization)
    return _status_page(organization, file_form=form, status=422)


@bp.post("/<int:organization_id>/register")
@login_required
def register(organization_id):
    organization = _kept(organization_id)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            registry.record_registration(current_user, organization, utcnow(), local_today(),
                                         code=form.credit_code.data, kind=form.kind.data,
                                         day=form.day.data)
        except Refused as refused:
            if refused.reason in WHOLE:
                return _refused_flash(refused, organization)
            show_on(form, refused, field="credit_code")
        else:
            flash(_("%(name)s is registered.", name=organization.name), "success")
            return _to_page(organization)
    return _status_page(organization, register_form=form, status=422)


@bp.post("/<int:organization_id>/suspend")
@login_required
def suspend(organization_id):
    organization = _kept(organization_id)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            registry.suspend(current_user, organization, form.reason.data, utcnow())
        except Refused as refused:
            if refused.reason in WHOLE:
                return _refused_flash(refused, organization)
            show_on(form, refused, field="reason")
        else:
            flash(_("%(name)s is suspended.", name=organization.name), "success")
            return _to_page(organization)
    return _status_page(organization, suspend_form=form, status=422)


@bp.post("/<int:organization_id>/restore")
@login_required
def restore(organization_id):
    organization = _kept(organization_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        registry.restore(current_user, organization, utcnow())
    except Refused as refused:
        return _refused_flash(refused, organization)
    flash(_("%(name)s is restored.", name=organization.name), "success")
    return _to_page(organization)


