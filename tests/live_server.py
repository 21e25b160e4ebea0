"""The portal served by a real HTTP server in a thread, for Chromium and for race tests."""

import contextlib
import logging
import threading

from werkzeug.serving import make_server


def closing(app):
    """Wrap ``app`` so every answer is read in full and closed before the server sends it.

    Werkzeug's server closes an answer only after it has drained the client's socket; when
    the client has already reset the connection (Chromium drops a favicon request mid-way
    when a test ends), that read raises and the open static file is left to the garbage
    collector. Answers here are small, so reading them first costs nothing.
    """

    def serve(environ, start_response):
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()

    return serve


@contextlib.contextmanager
def serving(app):
    """Serve ``app`` on a free local port; yield its base URL; stop and join every thread."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()  # waits for requests still being answered
        thread.join()
