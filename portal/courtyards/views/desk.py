"""The leaders' desk: a courtyard leader's (or a community worker's) courtyards, a page of
them at a time."""

from flask_login import current_user, login_required

from portal.accounts.permissions import require_that
from portal.courtyards import bp, collections, desk
from portal.rendering import render
from portal.timeutil import utcnow
from portal.urls import paginate


@bp.get("/desk")
@login_required
def leaders_desk():
    require_that(desk.may_use_desk(current_user))
    now = utcnow()
    page = paginate(desk.desk_courtyards(current_user), per_page=desk.PER_PAGE)
    return render("courtyards/desk.html", now=now, page=page,
                  rows=desk.courtyard_rows(page.items),
                  objections=desk.notices_with_objections(current_user, now),
                  open_collections=collections.open_for_desk(
                      current_user, now, limit=desk.MOST_COLLECTIONS))
