from portal.accounts.permissions import get_or_404
from portal.organizations import bp
from portal.organizations.models import Organization
from portal.rendering import render


@bp.get("/<int:organization_id>")
def show(organization_id):
    organization = get_or_404(Organization, organization_id)
    return render("organizations/show.html", organization=organization,
                  lineage=organization.home_place.lineage())
