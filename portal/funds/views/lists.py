"""A community's three lists 三张清单: needs, resources and projects side by side."""

from flask import abort
from flask_login import current_user

from portal.accounts.permissions import can, get_or_404
from portal.councils.decisions import yuan
from portal.funds import bp, lists, money
from portal.funds.views.funds import project_link
from portal.places.models import Place
from portal.rendering import render
from portal.timeutil import utcnow


@bp.get("/community/<int:place_id>/lists")
def three_lists(place_id):
    community = get_or_404(Place, place_id)
    if community.kind != "community":
        abort(404)
    # Collections are the residents' own business: their titles for the community only.
    insider = can(current_user, ("resident", "community_worker"), community)
    counts, recent = lists.open_requests(community)
    teams, organizations = lists.organizations(community)
    return render(
        "funds/lists.html", community=community, request_counts=counts, requests=recent,
        collections=lists.closed_collections(community, utcnow()) if insider else None,
        teams=teams, organizations=organizations, points=lists.service_points(community),
        funds=lists.funds(community), projects=lists.projects(community),
        project_count=lists.project_count(community), stage_label=lists.stage_label,
        project_link=project_link, may_set_up=money.may_set_up(current_user, community),
        yuan=yuan)
