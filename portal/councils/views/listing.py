"""The public 三事清单 of a community: its public requests by class, state, courtyard and
category, how fast it answers and how satisfied people were, and the same list as CSV."""

from flask import abort, request
from flask_babel import gettext as _

from portal.accounts.permissions import load
from portal.councils import bp, listing, satisfaction, words
from portal.councils.models import CLASSES, SATISFACTION
from portal.councils.request_forms import ListForm
from portal.councils.words import CATEGORY_LABELS, CLASS_SHORT, STATE_LABELS
from portal.places.models import Place
from portal.rendering import render
from portal.spreadsheet import CSV_MIMETYPE, csv_text, download
from portal.timeutil import local_today, utcnow
from portal.urls import paginate

PER_PAGE = 20


def _community(community_id):
    place = load(Place, community_id)
    if place.kind != "community":
        abort(404)
    return place


def _asked(community):
    form = ListForm(request.args)
    courtyards = listing.courtyards_of(community)
    form.offer_courtyards(courtyards)
    return form, form.filters(), courtyards


@bp.get("/communities/<int:community_id>/requests", endpoint="listing")
def community_requests(community_id):
    community = _community(community_id)
    form, filters, courtyards = _asked(community)
    page = paginate(listing.public_requests(community, filters), PER_PAGE)
    args = {k: v for k, v in filters._asdict().items() if v}
    csv_args = {"klass": args.get("klass"), "state": args.get("state"),
                "courtyard": args.get("courtyard_id"), "category": args.get("category")}
    return render("councils/list.html", block="results", community=community, form=form,
                  page=page, today=local_today(), times=listing.response_times(community,
                                                                              utcnow()),
                  answers=satisfaction.summary(community), classes=CLASSES,
                  answer_keys=SATISFACTION, words=words, age_days=listing.age_days,
                  is_overdue=listing.is_overdue,
                  csv_args={k: v for k, v in csv_args.items() if v},
                  courtyard_names={c.id: c.name for c in courtyards})


@bp.get("/communities/<int:community_id>/requests.csv", endpoint="listing_csv")
def community_requests_csv(community_id):
    community = _community(community_id)
    _form, filters, _courtyards = _asked(community)
    header = [_("Number"), _("Title"), _("Class"), _("State"), _("Courtyard"), _("About"),
              _("Made on"), _("Age in days"), _("Neighbours with the same problem")]
    rows = listing.csv_rows(community, filters, local_today(), CLASS_SHORT, STATE_LABELS,
                            CATEGORY_LABELS)
    return download(csv_text(header, rows), f"requests-{community.id}.csv", CSV_MIMETYPE)
