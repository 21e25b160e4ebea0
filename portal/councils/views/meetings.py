"""Council meetings: calling one with its agenda, its page (attendance with the quorum, roll-
call votes, minutes), the buttons of the keepers and the recorder, calendar files and the
printable agenda and minutes.

Every button is a plain form that answers 303 back to its place on the meeting page; with
htmx, attendance and votes answer with the part of the page that changed."""

from flask import Response, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import load
from portal.councils import bp, meetings
from portal.councils.access import may_approve_minutes, may_keep_council, may_record, may_see
from portal.councils.meeting_forms import (
    AttendanceForm,
    CancelForm,
    MinutesForm,
    MotionForm,
    MoveForm,
    VoteForm,
    agenda_of,
    meeting_form,
)
from portal.councils.models import Council, CouncilMember, Meeting, Motion
from portal.councils.views.councils import WORDS
from portal.extensions import db
from portal.forms import EmptyForm, options
from portal.ical import calendar
from portal.refusals import Refused, show_on
from portal.rendering import render, render_block
from portal.servicemap.models import ServicePoint
from portal.timeutil import local_today, to_local, utcnow
from portal.urls import absolute_url

PAGE = "councils/meeting.html"


# --- loaders: 404, then 403 before any work ---

def _kept_council(council_id):
    return load(Council, council_id, allowed=lambda user, c: may_keep_council(user, c))


def _kept(meeting_id):
    return load(Meeting, meeting_id, allowed=lambda user, m: may_keep_council(user, m.council))


def _recorded(meeting_id):
    return load(Meeting, meeting_id, allowed=lambda user, m: may_record(user, m.council))


def _back(meeting, anchor=None):
    url = url_for("councils.meeting", meeting_id=meeting.id)
    return redirect(f"{url}#{anchor}" if anchor else url, 303)


def _valid_button(form):
    """A button's form: its CSRF token is checked by the app; its values by the form."""
    return form.validate_on_submit()


# --- what the agenda says to whom ---

def item_title(item, viewer):
    """An agenda item's title as ``viewer`` may read it: a private request's is not shown."""
    if item.request is not None and not may_see(viewer, item.request):
        return _("A request that is not public")
    return item.title


def item_link(item, viewer):
    if item.request is not None and may_see(viewer, item.request):
        return url_for("councils.request", request_id=item.request.id)
    if item.collection_id is not None:
        return url_for("courtyards.collection_results", collection_id=item.collection_id)
    return None


def where(meeting):
    """Where the meeting is, in words."""
    point = (db.session.get(ServicePoint, meeting.service_point_id)
             if meeting.service_point_id is not None else None)
    if point is not None:
        return f"{point.name}（{point.address}）" if point.address else point.name
    return meeting.place_text or ""


# --- calling a meeting ---

def _call_page(council, form, points, status=200):
    return render("councils/meeting_new.html", council=council, form=form, points=points,
                  status=status, **WORDS)


@bp.route("/<int:council_id>/meetings/new", methods=["GET", "POST"])
@login_required
def meeting_new(council_id):
    council = _kept_council(council_id)
    requests = meetings.waiting_requests(council)
    collections = meetings.collections_of(council)
    points = meetings.points_for(council)
    form = meeting_form(requests, collections)
    form.point.choices = options([("", _("Not at a service point"))]
                                 + [(p.id, p.name) for p in points])
    if not form.is_submitted():
        for row in requests:
            form[f"request_{row.id}"].data = True
    if not form.validate_on_submit():
        return _call_page(council, form, points, status=422 if form.errors else 200)
    point = next((p for p in points if p.id == form.point.data), None)
    try:
        meeting = meetings.call_meeting(
            current_user, council, form.title.data, form.starts_at(), form.minutes_long.data,
            service_point=point, place_text=form.place_text.data, agenda=agenda_of(form),
            now=utcnow())
    except Refused as refused:
        show_on(form, refused, field="title")
        return _call_page(council, form, points, status=422)
    flash(_("The meeting is called. The members have been told."), "success")
    return redirect(url_for("councils.meeting", meeting_id=meeting.id), 303)


# --- the meeting page ---

def _ballots(motions):
    return {motion.id: {vote.member_id: vote for vote in motion.votes} for motion in motions}


def _context(meeting, **forms):
    council = meeting.council
    today = local_today()
    members = meetings.members_of(meeting)
    attendance = meetings.attendance_of(meeting)
    motions = meetings.motions_of(meeting)
    recorder = may_record(current_user, council, today)
    keeper = may_keep_council(current_user, council, today)
    open_now = meeting.state == "open"
    motion_form = forms.get("motion_form") or MotionForm(formdata=None)
    motion_form.offer_items(meeting.agenda)
    if "minutes_form" not in forms:
        forms["minutes_form"] = MinutesForm(formdata=None, data={"text": meeting.minutes})
    if "move_form" not in forms:
        local = to_local(meeting.starts_at)
        forms["move_form"] = MoveForm(formdata=None, data={
            "day": local.date(), "starts": local.time().replace(second=0, microsecond=0),
            "minutes_long": meeting.minutes_long})
    forms.setdefault("cancel_form", CancelForm(formdata=None))
    forms["motion_form"] = motion_form
    return dict(
        meeting=meeting, council=council, members=members, attendance=attendance,
        quorum=meetings.quorum(meeting, members, attendance), motions=motions,
        ballots=_ballots(motions), counts={m.id: meetings.counts(m) for m in motions},
        agenda=[(item, item_title(item, current_user), item_link(item, current_user))
                for item in meeting.agenda],
        item_titles={item.id: item_title(item, current_user) for item in meeting.agenda},
        where=where(meeting), ends_at=meetings.ends_at(meeting),
        recorder=recorder and open_now, keeper=keeper,
        approver=open_now and may_approve_minutes(current_user, council, today),
        full_names=recorder or keeper, button=EmptyForm(), error=None, error_motion=None,
        **WORDS, **forms)


def _meeting_page(meeting, status=200, **forms):
    return render(PAGE, status=status, **_context(meeting, **forms))


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id):
    return _meeting_page(load(Meeting, meeting_id))


def _attendance_part(meeting, status=200, error=None):
    """The attendance list with the quorum, and the motions (out of band: who may vote
    changes with who is present)."""
    context = _context(meeting)
    context["error"] = error
    html = render_block(PAGE, "attendance", **context)
    html += render_block(PAGE, "motions", oob=True, **context)
    response = make_response(html, status)
    response.vary.add("HX-Request")
    return response


@bp.post("/meetings/<int:meeting_id>/attendance/<int:member_id>")
@login_required
def attendance(meeting_id, member_id):
    member = load(CouncilMember, member_id)  # both ids answer 404 before any 403
    meeting = _recorded(meeting_id)
    form = AttendanceForm()
    error = None
    if not _valid_button(form):
        error = _("Choose present, absent or on leave.")
    else:
        try:
            meetings.record_attendance(current_user, meeting, member, form.status.data,
                                       utcnow())
        except Refused as refused:
            error = refused.message
    if request.htmx:
        return _attendance_part(meeting, status=422 if error else 200, error=error)
    if error:
        flash(error, "error")
    return _back(meeting, f"member-{member.id}")


@bp.post("/meetings/<int:meeting_id>/motions")
@login_required
def motion_new(meeting_id):
    meeting = _recorded(meeting_id)
    form = MotionForm()
    form.offer_items(meeting.agenda)
    if not form.validate_on_submit():
        return _meeting_page(meeting, status=422, motion_form=form)
    item = next((i for i in meeting.agenda if i.id == form.agenda_item.data), None)
    try:
        motion = meetings.add_motion(current_user, meeting, form.text.data, utcnow(),
                                     agenda_item=item)
    except Refused as refused:
        show_on(form, refused, field="text")
        return _meeting_page(meeting, status=422, motion_form=form)
    flash(_("The motion is put to the vote."), "success")
    return _back(meeting, f"motion-{motion.id}")


def _recorded_motion(motion_id):
    return load(Motion, motion_id, allowed=lambda user, m: may_record(user, m.meeting.council))


def _motion_part(motion, status=200, error=None):
    context = _context(motion.meeting)
    context.update(motion=motion, error=error, error_motion=motion.id)
    return render(PAGE, block="motion", status=status, **context)


@bp.post("/motions/<int:motion_id>/vote")
@login_required
def vote(motion_id):
    motion = _recorded_motion(motion_id)
    meeting = motion.meeting
    form = VoteForm()
    members = meetings.members_of(meeting)
    form.member.choices = options((m.id, m.user.name) for m in members)
    error = None
    if not _valid_button(form):
        error = next(iter(form.errors.values()))[0] if form.errors else _("Try again.")
    else:
        member = next(m for m in members if m.id == form.member.data)
        try:
            meetings.record_vote(current_user, motion, member, form.choice.data, utcnow())
        except Refused as refused:
            error = refused.message
    if request.htmx:
        return _motion_part(motion, status=422 if error else 200, error=error)
    if error:
        flash(error, "error")
    return _back(meeting, f"motion-{motion.id}")


@bp.post("/motions/<int:motion_id>/close")
@login_required
def motion_close(motion_id):
    motion = _recorded_motion(motion_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        meetings.close_motion(current_user, motion, utcnow())
    except Refused as refused:
        flash(refused.message, "error")
    else:
        flash(_("The vote is closed: the motion passed.") if motion.passed
              else _("The vote is closed: the motion did not pass."), "success")
    return _back(motion.meeting, f"motion-{motion.id}")


@bp.post("/meetings/<int:meeting_id>/minutes")
@login_required
def minutes(meeting_id):
    meeting = _recorded(meeting_id)
    form = MinutesForm()
    if not form.validate_on_submit():
        return _meeting_page(meeting, status=422, minutes_form=form)
    try:
        meetings.write_minutes(current_user, meeting, form.text.data, utcnow())
    except Refused as refused:
        show_on(form, refused, field="text")
        return _meeting_page(meeting, status=422, minutes_form=form)
    flash(_("The minutes are saved."), "success")
    return _back(meeting, "minutes")


@bp.post("/meetings/<int:meeting_id>/minutes/approve")
@login_required
def minutes_approve(meeting_id):
    meeting = load(Meeting, meeting_id,
                   allowed=lambda user, m: may_approve_minutes(user, m.council))
    EmptyForm().validate_on_submit() or abort(400)
    try:
        meetings.approve_minutes(current_user, meeting, utcnow())
    except Refused as refused:
        flash(refused.message, "error")
    else:
        flash(_("The minutes are approved and published."), "success")
    return _back(meeting, "minutes")


def _keeper_button(meeting_id, rule, done):
    meeting = _kept(meeting_id)
    EmptyForm().validate_on_submit() or abort(400)
    try:
        rule(current_user, meeting, utcnow())
    except Refused as refused:
        flash(refused.message, "error")
    else:
        flash(done, "success")
    return _back(meeting)


@bp.post("/meetings/<int:meeting_id>/open")
@login_required
def meeting_open(meeting_id):
    return _keeper_button(meeting_id, meetings.open_meeting, _("The meeting is in session."))


@bp.post("/meetings/<int:meeting_id>/close")
@login_required
def meeting_close(meeting_id):
    return _keeper_button(meeting_id, meetings.close_meeting, _("The meeting is closed."))


@bp.post("/meetings/<int:meeting_id>/move")
@login_required
def meeting_move(meeting_id):
    meeting = _kept(meeting_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _meeting_page(meeting, status=422, move_form=form)
    try:
        meetings.move_meeting(current_user, meeting, form.starts_at(), utcnow(),
                              minutes_long=form.minutes_long.data)
    except Refused as refused:
        show_on(form, refused, field="day")
        return _meeting_page(meeting, status=422, move_form=form)
    flash(_("The meeting is moved. The members have been told."), "success")
    return _back(meeting)


@bp.post("/meetings/<int:meeting_id>/cancel")
@login_required
def meeting_cancel(meeting_id):
    meeting = _kept(meeting_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _meeting_page(meeting, status=422, cancel_form=form)
    try:
        meetings.cancel_meeting(current_user, meeting, form.reason.data, utcnow())
    except Refused as refused:
        show_on(form, refused, field="reason")
        return _meeting_page(meeting, status=422, cancel_form=form)
    flash(_("The meeting is cancelled. The members have been told."), "success")
    return _back(meeting)


# --- calendar files and the printable page ---

def _uid(meeting):
    return f"council-meeting-{meeting.id}@linli"


def _event(meeting):
    agenda = "\n".join(f"{i}. {item_title(item, None)}"
                       for i, item in enumerate(meeting.agenda, 1))
    return {"uid": _uid(meeting), "starts_at": meeting.starts_at,
            "ends_at": meetings.ends_at(meeting),
            "summary": f"{meeting.council.name}：{meeting.title}", "description": agenda,
            "location": where(meeting),
            "url": absolute_url("councils.meeting", meeting_id=meeting.id),
            "sequence": meeting.sequence,
            "status": "CANCELLED" if meeting.state == "cancelled" else "CONFIRMED"}


def ics(rows, name):
    return calendar([_event(m) for m in rows], name)


def _calendar_response(text, filename):
    return Response(text, mimetype="text/calendar", headers={
        "Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id):
    meeting = load(Meeting, meeting_id)
    return _calendar_response(ics([meeting], meeting.council.name),
                              f"meeting-{meeting.id}.ics")


@bp.get("/<int:council_id>/meetings.ics")
def council_ics(council_id):
    council = load(Council, council_id)
    rows = db.session.scalars(db.select(Meeting).where(Meeting.council_id == council.id)
                              .order_by(Meeting.starts_at.desc()).limit(100)).all()
    return _calendar_response(ics(rows, council.name), f"council-{council.id}.ics")


@bp.get("/meetings/<int:meeting_id>/print")
def meeting_print(meeting_id):
    meeting = load(Meeting, meeting_id)
    members = meetings.members_of(meeting)
    attendance = meetings.attendance_of(meeting)
    motions = meetings.motions_of(meeting)
    return render("councils/meeting_print.html", meeting=meeting, council=meeting.council,
                  agenda=[(item, item_title(item, current_user)) for item in meeting.agenda],
                  where=where(meeting), ends_at=meetings.ends_at(meeting), members=members,
                  attendance=attendance,
                  quorum=meetings.quorum(meeting, members, attendance), motions=motions,
                  counts={m.id: meetings.counts(m) for m in motions},
                  published=meeting.minutes_approved_at is not None, **WORDS)
