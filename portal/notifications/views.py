"""The inbox: my messages grouped by subject, marking all read, and each message's link
(which marks it read and goes on to the page it is about)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import load
from portal.forms import EmptyForm
from portal.notifications import bp, inbox, kinds
from portal.notifications.models import Message
from portal.rendering import render
from portal.timeutil import utcnow


@bp.get("", endpoint="inbox")
@login_required
def inbox_page():
    page, groups = inbox.inbox_page(current_user)
    return render("notifications/inbox.html", page=page, groups=groups,
                  words=kinds.words, form=EmptyForm(formdata=None))


@bp.post("/read")
@login_required
def read_all():
    form = EmptyForm()
    if form.validate_on_submit() and inbox.mark_all_read(current_user, utcnow()):
        flash(_("All your messages are marked read."), "success")
    return redirect(url_for("notifications.inbox"), 303)


@bp.get("/<int:message_id>")
@login_required
def open(message_id):  # noqa: A001  (the route's name: notifications.open)
    message = load(Message, message_id, allowed=inbox.is_mine)
    inbox.mark_read(message, current_user, utcnow())
    return redirect(kinds.subject_url(message), 303)
