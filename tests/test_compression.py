"""Pages and static files reach the phone compressed in every deployment, `make run` and
plain gunicorn included, not only behind an nginx with gzip on."""

import gzip

import pytest


@pytest.mark.parametrize("path", ["/", "/static/css/portal.css", "/static/js/htmx.min.js"])
def test_pages_and_static_files_are_gzipped_for_browsers_that_take_it(client, path):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_brotli_is_preferred_when_offered(client):
    answer = client.get("/static/css/portal.css",
                        headers={"Accept-Encoding": "gzip, deflate, br"})
    assert answer.headers["Content-Encoding"] == "br"


def test_a_browser_that_asks_for_nothing_gets_plain_bytes(client):
    answer = client.get("/")
    assert "Content-Encoding" not in answer.headers
    assert answer.data.startswith(b"<!DOCTYPE html>") or b"<html" in answer.data[:200]
