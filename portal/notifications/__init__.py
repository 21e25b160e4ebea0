"""我的消息 notifications, shared by every domain: an inbox for every account with the unread
count in the header, one message per change grouped by what it is about, and an SMS channel
that a gateway can be plugged into by setting (``PORTAL_SMS_WEBHOOK_URL``).

A domain registers the words and the page of each kind it sends
(``kinds.register_kind``) and calls ``sender.notify`` in its rule after the change."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/messages")

from portal.notifications import views  # noqa: E402,F401  (the inbox's routes)
