"""Service map pages: the list (near me, open now, within 15 minutes), a point's page,
keeping points and their hours, 15-minute coverage, open data."""

import json
import re
from datetime import date

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import sections
from portal.accounts.permissions import load, places_where, require, require_that
from portal.extensions import db
from portal.forms import EmptyForm
from portal.i18n import lazy_gettext as _l
from portal.organizations.models import Organization
from portal.places.models import Place
from portal.places.tree import search as search_places
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.servicemap import bp, coverage, geo, hours, minimap, opendata, points, search
from portal.servicemap.forms import (
    CoverageForm,
    ExceptionForm,
    HoursForm,
    ListForm,
    PointForm,
)
from portal.servicemap.models import ACCESSIBILITY, CATEGORIES, CATEGORY_SHORT, ServicePoint
from portal.spreadsheet import CSV_MIMETYPE, XLSX_MIMETYPE, csv_text, download, xlsx_bytes
from portal.timeutil import local_now, local_today
from portal.urls import paginate, query_id

COVERAGE_PER_PAGE = 50
COMPASS_WORDS = {
    "N": _l("north"), "NE": _l("north-east"), "E": _l("east"), "SE": _l("south-east"),
    "S": _l("south"), "SW": _l("south-west"), "W": _l("west"), "NW": _l("north-west"),
}


@bp.app_template_filter("distance")
def distance_words(metres):
    """Say a distance the way people do: 320 m, 1.2 km."""
    if metres < 1000:
        return _("%(metres)d m", metres=max(10, round(metres, -1)))
    if metres < 10_000:
        return _("%(km)s km", km=f"{metres / 1000:.1f}".rstrip("0").rstrip("."))
    return _("%(km)s km", km=round(metres / 1000))


# --- the list ---

def _origin(asked):
    """Choose where to measure from: the browser's location, a courtyard, or mine."""
    if asked.location:
        return search.Origin(*asked.location)
    if asked.courtyard is not None:
        return search.Origin.of(asked.courtyard)
    return search.Origin.of(g.courtyard)


def _list_args(asked, origin):
    """Return the query string that keeps what is chosen now, for links."""
    f = asked.filters
    args = {"category": f.category, "open": "1" if f.open_now else None,
            "within": f.within, "step_free": "1" if f.step_free else None,
            "place": f.place.id if f.place else None}
    if asked.location:
        args["lat"], args["lon"] = (f"{v:.5f}" for v in asked.location)
    elif origin is not None and asked.courtyard is not None:
        args["from"] = asked.courtyard.id
    return args


@bp.get("/")
def index():
    form = ListForm(request.args)
    asked = form.asked()
    matches = None
    if asked.near and not (asked.courtyard or asked.location):
        matches = search_places(asked.near, kinds=("courtyard",), limit=10)
        if len(matches) == 1 and matches[0].has_coordinates:
            asked.courtyard = matches[0]
    origin = _origin(asked)
    if asked.filters.within and origin is None:
        asked.filters.within = None  # nothing to measure from; the page asks for a courtyard
    now = local_now()
    result = search.find_points(asked.filters, origin, now)
    mini = None
    if origin is not None and result.items:
        minutes = asked.filters.within or origin.limit
        mini = minimap.build(origin.latitude, origin.longitude,
                             [(r.number, r.point.latitude, r.point.longitude, r.point.name)
                              for r in result.items],
                             geo.radius_for_minutes(minutes), minutes)
    args = _list_args(asked, origin)
    return render("servicemap/index.html", block="results", form=form, asked=asked,
                  filters=asked.filters, origin=origin, result=result, minimap=mini, args=args,
                  matches=matches, categories=CATEGORIES, accessibility=ACCESSIBILITY,
                  manage=points.keeps_points(current_user), open_data_tables=opendata.TABLES)


# --- a point's page ---

@bp.get("/<int:point_id>")
def show(point_id):
    point = load(ServicePoint, point_id)
    now = local_now()
    schedule = point.schedule()
    row = search.row_for(1, point, schedule, now)
    origin = search.Origin.of(g.courtyard)
    walk = mini = None
    if origin is not None:
        metres = geo.distance_m(origin.latitude, origin.longitude, point.latitude,
                                point.longitude)
        direction = geo.compass_point(geo.bearing(origin.latitude, origin.longitude,
                                                  point.latitude, point.longitude))
        walk = {"metres": metres, "minutes": geo.walking_minutes(metres),
                "direction": COMPASS_WORDS[direction], "within": geo.walking_minutes(metres)
                <= origin.limit}
        mini = minimap.build(origin.latitude, origin.longitude,
                             [(1, point.latitude, point.longitude, point.name)],
                             geo.radius_for_minutes(origin.limit), origin.limit)
    today = now.date()
    return render("servicemap/show.html", point=point, row=row, origin=origin, walk=walk,
                  minimap=mini, week=hours.week_rows(schedule, today),
                  today_hours=schedule.intervals_on(today),
                  today_exception=schedule.exceptions.get(today),
                  exceptions=hours.upcoming_exceptions(schedule, today),
                  format_day=hours.format_day, today=today,
                  may_edit=points.may_edit(current_user, point), verify_form=EmptyForm(),
                  sections=sections.sections_for("service_point", point))


# --- keeping points ---

def _editable(point_id):
    """Load a point the current user may edit: 404 when there is none, then 403."""
    return load(ServicePoint, point_id, allowed=points.may_edit)


def _iso_day(text):
    """The day in a URL, written 2026-05-01 and nothing else: 404 for anything that is not."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        abort(404)
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        abort(404)


def _choices_for(point=None):
    places = points.places_to_add(current_user)
    if point is not None and point.place not in places:
        places.append(point.place)
    operators = []
    for place in places:
        operators += [o for o in points.operators_for(place) if o not in operators]
    if point is not None and point.operator is not None and point.operator not in operators:
        operators.append(point.operator)
    return places, operators


def _chosen_place(form, allowed):
    by_id = {p.id: p for p in allowed}
    form.chosen_place = by_id.get(form.place_id.data)
    return form.chosen_place


@bp.get("/manage")
@login_required
def manage():
    require_that(points.keeps_points(current_user))
    page = paginate(points.editable_points(current_user)
                    .order_by(search.category_order(), ServicePoint.name), per_page=30)
    return render("servicemap/manage.html", page=page,
                  may_add=bool(points.places_to_add(current_user)),
                  coverage_places=places_where(current_user, "community_worker"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require_that(points.places_to_add(current_user))
    places, operators = _choices_for()
    wanted = query_id("place")
    form = PointForm(places=places, operators=operators,
                     place_id=wanted if wanted in {p.id for p in places} else None,
                     price="free", status="active", verified_on=local_today())
    _chosen_place(form, places)
    if form.validate_on_submit():
        operator = db.session.get(Organization, form.operator_id.data) \
            if form.operator_id.data else None
        try:
            point = points.save_point(ServicePoint(), form.values(), current_user,
                                      local_today(), place=form.chosen_place,
                                      operator=operator)
        except Refused as refused:
            show_on(form, refused)
        else:
            flash(_("%(name)s is added. Now give its opening hours.", name=point.name),
                  "success")
            return redirect(url_for("servicemap.edit_hours", point_id=point.id), 303)
    return render("servicemap/edit.html", form=form, point=None,
                  status=422 if form.errors else 200)


@bp.route("/<int:point_id>/edit", methods=["GET", "POST"])
@login_required
def edit(point_id):
    point = _editable(point_id)
    places, operators = _choices_for(point)
    form = PointForm(obj=point, places=places, operators=operators)
    if not points.may_move(current_user, point):
        # Organization staff keep the details, not where the point belongs or who runs it.
        del form.place_id
        del form.operator_id
        form.chosen_place = point.place
    else:
        # Only places where this user works (the point's own place is offered as it is).
        _chosen_place(form, points.places_to_add(current_user) + [point.place])
    if form.validate_on_submit():
        move = "place_id" in form
        operator = (db.session.get(Organization, form.operator_id.data)
                    if move and form.operator_id.data else None)
        try:
            points.save_point(point, form.values(), current_user, local_today(),
                              place=form.chosen_place, operator=operator, move=move)
        except Refused as refused:
            show_on(form, refused)
        else:
            flash(_("The details of %(name)s are saved.", name=point.name), "success")
            return redirect(url_for("servicemap.show", point_id=point.id), 303)
    return render("servicemap/edit.html", form=form, point=point,
                  status=422 if form.errors else 200)


def _hours_page(point, hours_form=None, exception_form=None, status=200):
    schedule = point.schedule()
    if hours_form is None:
        hours_form = HoursForm(formdata=None)
        hours_form.fill(schedule)
    return render("servicemap/hours.html", point=point, form=hours_form,
                  exception_form=exception_form or ExceptionForm(formdata=None),
                  exceptions=hours.upcoming_exceptions(schedule, local_today()),
                  format_day=hours.format_day, remove_form=EmptyForm(), status=status)


@bp.route("/<int:point_id>/hours", methods=["GET", "POST"])
@login_required
def edit_hours(point_id):
    point = _editable(point_id)
    if request.method == "GET":
        return _hours_page(point)
    form = HoursForm()
    if form.validate_on_submit():
        points.set_weekly_hours(point, form.week, current_user)
        flash(_("The opening hours of %(name)s are saved.", name=point.name), "success")
        return redirect(url_for("servicemap.edit_hours", point_id=point.id), 303)
    return _hours_page(point, hours_form=form, status=422)


@bp.post("/<int:point_id>/exceptions")
@login_required
def add_exception(point_id):
    point = _editable(point_id)
    form = ExceptionForm()
    if form.validate_on_submit():
        try:
            points.set_exception(point, form.day.data, form.kind.data == "closed",
                                 form.intervals, form.note.data or None, current_user,
                                 local_today())
        except Refused as refused:
            show_on(form, refused)
        else:
            flash(_("The hours for %(day)s are saved.", day=form.day.data.isoformat()),
                  "success")
            return redirect(url_for("servicemap.edit_hours", point_id=point.id), 303)
    return _hours_page(point, exception_form=form, status=422)


@bp.post("/<int:point_id>/exceptions/<day>/remove")
@login_required
def remove_exception(point_id, day):
    point = _editable(point_id)
    parsed = _iso_day(day)
    EmptyForm().validate_on_submit() or abort(400)
    points.remove_exception(point, parsed, current_user)
    flash(_("%(day)s follows the weekly hours again.", day=parsed.isoformat()), "success")
    return redirect(url_for("servicemap.edit_hours", point_id=point.id), 303)


@bp.post("/<int:point_id>/verified")
@login_required
def mark_verified(point_id):
    point = _editable(point_id)
    EmptyForm().validate_on_submit() or abort(400)
    points.mark_verified(point, local_today(), current_user)
    flash(_("Marked as checked today."), "success")
    return redirect(url_for("servicemap.show", point_id=point.id), 303)


# --- 15-minute coverage ---

def _coverage_place(place_id):
    place = load(Place, place_id)
    if place.kind in ("courtyard", "building"):
        abort(404)
    require("community_worker", place)
    return place


@bp.get("/coverage/<int:place_id>")
@login_required
def coverage_report(place_id):
    place = _coverage_place(place_id)
    category, gaps_only, page, problems = CoverageForm(request.args).asked()
    report = coverage.coverage(place)
    shown = report.courtyards
    columns = (category,) if category else report.categories
    if gaps_only:
        shown = [c for c in shown if not c.located or c.gap_set.intersection(columns)]
    last = max(1, -(-len(shown) // COVERAGE_PER_PAGE))
    pager = search.RowsPage(page=min(page, last), per_page=COVERAGE_PER_PAGE, error_out=False,
                            rows=shown)
    return render("servicemap/coverage.html", place=place, lineage=place.lineage(),
                  report=report, rows=pager.items,
                  columns=columns, category=category, gaps_only=bool(gaps_only),
                  pager=pager, problems=problems, categories=CATEGORIES,
                  short=CATEGORY_SHORT)


@bp.get("/coverage/<int:place_id>.csv")
@login_required
def coverage_csv(place_id):
    place = _coverage_place(place_id)
    header, rows = coverage.table(coverage.coverage(place))
    return download(csv_text(header, rows), _coverage_file(place, "csv"), CSV_MIMETYPE)


@bp.get("/coverage/<int:place_id>.xlsx")
@login_required
def coverage_xlsx(place_id):
    place = _coverage_place(place_id)
    header, rows = coverage.table(coverage.coverage(place))
    return download(xlsx_bytes(_("15-minute coverage"), header, rows),
                    _coverage_file(place, "xlsx"), XLSX_MIMETYPE)


def _coverage_file(place, extension):
    return f"coverage-{place.id}-{local_today().isoformat()}.{extension}"


# --- open data ---

@bp.get("/open-data/points.geojson")
def geojson():
    body = json.dumps(opendata.geojson(local_today()), ensure_ascii=False)
    return Response(body, mimetype="application/geo+json")


@bp.get("/open-data/hsds.json")
def hsds_json():
    body = json.dumps(opendata.hsds(local_today()), ensure_ascii=False)
    return Response(body, mimetype="application/json")


@bp.get("/open-data/hsds/<table>.csv")
def hsds_csv(table):
    if table not in opendata.TABLES:
        abort(404)
    rows = opendata.tables(local_today())[table]
    return Response(opendata.csv_table(rows, table), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={table}.csv"})


@bp.get("/open-data/hsds/datapackage.json")
def hsds_datapackage():
    """The tables' Frictionless data package, beside them (its paths are relative)."""
    body = json.dumps(opendata.datapackage(), ensure_ascii=False)
    return Response(body, mimetype="application/json")

