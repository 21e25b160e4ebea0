"""Notification fixtures: a kind of message about a place (registered for the test), a local
HTTP server standing in for the SMS gateway, and the gateway setting."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import url_for

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.notifications import kinds
from portal.notifications.sender import notify

PLACE_CHANGED = "test_place_changed"


@pytest.fixture
def place_kind():
    """A kind of message about a place ("… changed"), leading to the place's page."""
    kinds.register_kind(PLACE_CHANGED, _l("News about %(title)s."),
                        lambda ident: url_for("places.show", place_id=ident))
    yield PLACE_CHANGED
    kinds._KINDS.pop(PLACE_CHANGED, None)


@pytest.fixture
def tell(place_kind):
    """tell(user, place, change="1") -> the message "News about <place>." for ``user``."""

    def send(user, place, change="1", now=None):
        message = notify(user, place_kind, place, f"{place_kind}:{place.id}:{change}",
                         now=now, title=place.name)
        db.session.commit()
        return message

    return send


class Gateway:
    """What the fake SMS gateway received, and the status it answers with."""

    def __init__(self):
        self.received = []
        self.status = 200
        self.url = None


@pytest.fixture
def gateway(app, monkeypatch):
    """A local HTTP server as the SMS gateway, set as ``PORTAL_SMS_WEBHOOK_URL``."""
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's name)
            length = int(self.headers.get("Content-Length", 0))
            state.received.append(json.loads(self.rfile.read(length)))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/sms"
    monkeypatch.setitem(app.config["PORTAL"], "SMS_WEBHOOK_URL", state.url)
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def dead_gateway(app, monkeypatch):
    """A gateway URL on a port nobody listens on: every send is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sms"
    monkeypatch.setitem(app.config["PORTAL"], "SMS_WEBHOOK_URL", url)
    return url
