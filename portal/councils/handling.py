"""The handling section of a request's page (``sections.register("request", …)``): for those
who sort the request, the forms of the moves its state allows; for its requester, the
withdraw button; for everyone who sees a request answered as a 私事, the service points
suggested. The handling page (``councils.handle``) shows the same section with errors.

The request page belongs to the requests part; it does not import this module.
"""

from flask import request as http_request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import sections
from portal.councils import access, states, triage
from portal.councils.models import RequestEvent
from portal.councils.triage_forms import handling_forms
from portal.extensions import db
from portal.forms import EmptyForm, options
from portal.servicemap.models import ServicePoint
from portal.timeutil import local_today, utcnow
from portal.urls import current_path

# The moves a worker or convener takes from the handling forms, in the order shown.
HANDLING_MOVES = ("reply", "carry_out", "refer", "to_council", "guide", "close",
                  "mark_duplicate")


def guided_points(item):
    """The active service points the last guidance suggested, while the request is a 私事."""
    if item.klass != "private":
        return []
    event = db.session.scalar(select(RequestEvent).where(
        RequestEvent.request_id == item.id, RequestEvent.action == "guide")
        .order_by(RequestEvent.id.desc()).limit(1))
    ids = triage.guided_point_ids(event) if event is not None else []
    if not ids:
        return []
    return db.session.scalars(select(ServicePoint).where(ServicePoint.id.in_(ids))
                              .order_by(ServicePoint.name)).all()


def offer(forms, item, now):
    """Fill the forms' choices for ``item``: departments, councils, service points, the
    outcomes it may be closed with, and reply templates of each class."""
    pick = [("", _("Choose…"))]
    template_choices = {klass: options(pick + [(t.id, t.title) for t in
                                               triage.templates_for(item.community, klass)])
                        for klass in ("major", "minor", "private")}
    forms["refer"].department.choices = options(
        [("", _("Choose a department"))]
        + [(d.id, d.name) for d in triage.department_choices(item)])
    forms["refer"].template.choices = template_choices["major"]
    if forms["refer"].due_on.data is None and not forms["refer"].due_on.raw_data:
        forms["refer"].due_on.data = triage.default_due(now)
    forms["to_council"].council.choices = options(
        (c.id, c.name) for c in access.councils_over(item.courtyard))
    forms["to_council"].template.choices = template_choices["minor"]
    forms["guide"].points.choices = options(
        (p.id, p.name) for p in triage.point_choices(item))
    forms["guide"].template.choices = template_choices["private"]
    # Once closed no form is shown; a second tap of the same closing still reads its choice.
    forms["close"].offer(triage.close_outcomes(item) if states.is_open(item)
                         else triage.CLOSE_OUTCOMES)
    forms["close"].template.choices = template_choices.get(item.klass, options(pick))
    return forms


def moves_for(user, item, forms):
    """The handling moves ``user`` may take on ``item`` now, with a form to show."""
    if not access.may_triage(user, item, local_today()):
        return []
    allowed = set(states.moves_from(item.state))
    shown = [move for move in HANDLING_MOVES if move in allowed]
    if not forms["refer"].department.choices[1:]:
        shown = [move for move in shown if move != "refer"]
    if not forms["to_council"].council.choices:
        shown = [move for move in shown if move != "to_council"]
    return shown


def context(item, forms=None, opened=None):
    """What the section shows of ``item`` to the current user, or None (nothing)."""
    now = utcnow()
    points = guided_points(item)
    forms = offer(forms or handling_forms(), item, now)
    triager = access.may_triage(current_user, item, local_today())
    moves = moves_for(current_user, item, forms) if triager else []
    may_withdraw = (current_user.is_authenticated and current_user.id == item.requester_id
                    and states.allowed(item, "withdraw", "withdrawn"))
    if not (triager or may_withdraw or points):
        return None
    return {"item": item, "forms": forms, "moves": moves, "opened": opened,
            "triager": triager,
            "points": points, "may_withdraw": may_withdraw, "button": EmptyForm(),
            "overdue": states.is_overdue(item, local_today()),
            "district": item.courtyard.ancestor("district"),
            "next": http_request.form.get("next") or current_path()}


def section(item):
    return context(item)


sections.register("request", "councils/_handling.html", section)
