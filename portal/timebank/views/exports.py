"""CSV exports of service records, for community workers and organisers."""

from flask import request, stream_with_context
from flask_login import current_user, login_required

from portal.accounts.permissions import can, load, places_where, require, require_that
from portal.extensions import db
from portal.formatting import day
from portal.forms import Pick, options
from portal.places.models import Place
from portal.rendering import render
from portal.spreadsheet import CSV_MIMETYPE, XLSX_MIMETYPE, download
from portal.timebank import activities, bp, export
from portal.timebank.forms import ExportForm
from portal.timebank.views.loaders import organised

EXPORTABLE_ACTIVITIES = 50


def _export_scopes():
    """(Pick, label) of what the user may export: places they work at, activities they run."""
    scopes = [(Pick("place", place.id), place.name)
              for place in places_where(current_user, "community_worker")]
    for activity in db.session.scalars(activities.managed(current_user)
                                       .limit(EXPORTABLE_ACTIVITIES)):
        scopes.append((Pick("activity", activity.id),
                       f"{activity.title} · {day(activity.starts_at)}"))
    return scopes


@bp.get("/export")
@login_required
def export_records():
    form = ExportForm(request.args)
    form.scope.choices = options(_export_scopes())
    require_that(form.scope.choices)
    if "scope" not in request.args or not form.validate():
        return render("timebank/export.html", form=form,
                      status=422 if "scope" in request.args else 200)
    community = activity = None
    if form.scope.data.kind == "place":
        community = load(Place, form.scope.data.id)
        require("community_worker", community)
    else:
        activity = organised(form.scope.data.id)
    # Workers of the community see full mobile numbers; an organization's staff do not.
    full = can(current_user, "community_worker", community or activity.community)
    query = export.records_query(community=community, activity=activity, first=form.first.data,
                                 last=form.last.data)
    name = f"service-records-{form.scope.data.kind}-{form.scope.data.id}.{form.format.data}"
    if form.format.data == "xlsx":
        return download(export.rows_xlsx(query, full), name, XLSX_MIMETYPE)
    return download(stream_with_context(export.rows_csv(query, full)), name, CSV_MIMETYPE)
