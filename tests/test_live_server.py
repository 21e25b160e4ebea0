"""The test server closes every file it opens, even when the client hangs up mid-way."""

import gc
import socket
import struct
import time

from tests.live_server import serving


def test_static_files_are_closed_when_the_client_resets_the_connection(app):
    # Reset the connection at several moments around the answer; before the fix the
    # server left favicon.svg open and the garbage collector warned (an error here).
    with serving(app) as url:
        port = int(url.rsplit(":", 1)[1])
        for delay in (0, 0.0005, 0.001, 0.002, 0.005, 0.01) * 3:
            connection = socket.create_connection(("127.0.0.1", port))
            connection.sendall(b"GET /static/icons/favicon.svg HTTP/1.1\r\nHost: t\r\n\r\n")
            time.sleep(delay)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
    gc.collect()
