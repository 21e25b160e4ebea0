"""Notices 通知 and 公示: posting one in a courtyard or a community, reading it (which notes
that a resident has seen it), its printable poster, withdrawing it."""

from datetime import timedelta

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import load, require_that
from portal.courtyards import bp, notices
from portal.courtyards.forms import NoticeForm, WithdrawForm
from portal.courtyards.models import Notice
from portal.places.models import Place
from portal.publicity import rules as publicity
from portal.publicity import views as publicity_views
from portal.refusals import Refused, show_on
from portal.rendering import render
from portal.timeutil import local_today, utcnow
from portal.urls import query_id

publicity.register_subject("notice", lambda ident: url_for("courtyards.notice",
                                                           notice_id=ident))


def _postable_place(place_id):
    """A courtyard or a community the current user may post in: 404, then 403."""
    place = load(Place, place_id)
    if place.kind not in ("courtyard", "community"):
        abort(404)
    require_that(notices.may_post(current_user, place))
    return place


@bp.route("/places/<int:place_id>/notices/new", methods=["GET", "POST"])
@login_required
def new_notice(place_id):
    place = _postable_place(place_id)
    today = local_today()
    form = NoticeForm()
    if not form.is_submitted():
        form.starts_on.data = today
        form.ends_on.data = today + timedelta(days=notices.PUBLICITY_DAYS - 1)  # 7 days
    if form.validate_on_submit():
        try:
            notice = notices.post_notice(current_user, place, form.title.data, form.body.data,
                                         utcnow(), today, window=form.window(),
                                         pinned_until=form.pinned_until.data)
        except Refused as refused:
            show_on(form, refused, field="title")
        else:
            flash(_("The notice is up."), "success")
            return redirect(url_for("courtyards.notice", notice_id=notice.id), 303)
    return render("courtyards/notice_new.html", form=form, place=place,
                  lineage=place.lineage(), status=422 if form.errors else 200)


def _readers_context(notice):
    """What a leader or worker sees of who has opened ``notice``: per courtyard they may see
    the counts; for the chosen one (or the only one), the households still to knock on."""
    courtyards = notices.courtyards_for_readers(current_user, notice)
    if not courtyards:
        return {}
    chosen = next((c for c in courtyards if c.id == query_id("courtyard")), None)
    if chosen is None and len(courtyards) == 1:
        chosen = courtyards[0]
    return {
        "readers": [(c, notices.readers(notice, c)) for c in courtyards],
        "readers_courtyard": chosen,
        "not_seen": notices.households_not_seen(notice, chosen) if chosen else None,
    }


def _notice_page(notice, withdraw_form=None, status=200):
    now = utcnow()
    publication = publicity.publication_of(notice)
    context = _readers_context(notice)
    if publication is not None:
        context["publicity"] = publicity_views.context(publication, current_user, now)
    return render("courtyards/notice.html", notice=notice, publication=publication,
                  lineage=notice.place.lineage(), now=now,
                  may_withdraw=notices.may_withdraw(current_user, notice),
                  withdraw_form=withdraw_form or WithdrawForm(formdata=None),
                  status=status, **context)


@bp.get("/notices/<int:notice_id>")
def notice(notice_id):
    notice = load(Notice, notice_id)
    if current_user.is_authenticated:
        notices.record_view(notice, current_user, utcnow())
    return _notice_page(notice)


@bp.get("/notices/<int:notice_id>/poster")
def poster(notice_id):
    notice = load(Notice, notice_id)
    publication = publicity.publication_of(notice)
    return render("courtyards/poster.html", notice=notice, publication=publication,
                  window=notices.window_days(publication) if publication else None)


@bp.post("/notices/<int:notice_id>/withdraw")
@login_required
def withdraw(notice_id):
    notice = load(Notice, notice_id, allowed=notices.may_withdraw)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            notices.withdraw_notice(notice, current_user, form.reason.data, utcnow())
        except Refused as refused:
            show_on(form, refused, field="reason")
        else:
            flash(_("The notice is withdrawn. It stays on the page with your reason."),
                  "success")
            return redirect(url_for("courtyards.notice", notice_id=notice.id), 303)
    return _notice_page(notice, withdraw_form=form, status=422)


