"""Pages and static files reach the phone compressed in every deployment, `make run` and
plain gunicorn included, not only behind an nginx with gzip on."""

import gzip
import re

import pytest


def fetch(client, path, encoding=None):
    """GET ``path`` and close the response, as a WSGI server does (which closes the file)."""
    headers = {"Accept-Encoding": encoding} if encoding else {}
    with client.get(path, headers=headers) as answer:
        return answer.status_code, dict(answer.headers), answer.get_data()


def without_form_tokens(page):
    """``page`` with its CSRF token blanked: a token is signed with the second it was made,
    so two answers a second apart differ there and nowhere else."""
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    return page.replace(found.group(1), b"TOKEN") if found else page


@pytest.mark.parametrize("path", ["/", "/static/css/portal.css", "/static/js/htmx.min.js"])
def test_pages_and_static_files_are_gzipped_for_browsers_that_take_it(client, path):
    _status, _headers, plain = fetch(client, path)
    status, headers, packed = fetch(client, path, "gzip")
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert without_form_tokens(gzip.decompress(packed)) == without_form_tokens(plain)
    assert len(packed) < len(plain) / 2


def test_brotli_is_preferred_when_offered(client):
    _status, headers, _data = fetch(client, "/static/css/portal.css", "gzip, deflate, br")
    assert headers["Content-Encoding"] == "br"


def test_a_browser_that_asks_for_nothing_gets_plain_bytes(client):
    _status, headers, data = fetch(client, "/")
    assert "Content-Encoding" not in headers
    assert data.lstrip().lower().startswith(b"<!doctype html>")
