"""Whole pages kept for visitors who are not signed in.

Most of the portal's traffic is people reading public pages — a district's page, the 三事清单,
a fund's accounts, the services near a courtyard — and each costs 5–30 ms of Python to build.
The same page for the next visitor with the same cookies and language is taken from the
portal's cache instead (then compressed like any page).

What is kept, and why it is safe:
- only GET requests from someone not signed in, whose session holds nothing but the form
  token (no flashed message, no one acted for), with no remember cookie, and not htmx's
  partial requests;
- only a complete 200 HTML page whose building left the session like that and set no
  cookie, and only once it has been asked for twice within the time it would be kept (so
  endless made-up URLs leave small marks, not pages). Every page has forms (text size,
  language) with the visitor's CSRF token: the kept copy is the page around it, in pieces
  kept plain and compressed, and each visitor gets their own token put in between (so a kept
  page is not compressed again for each visitor, portal/gzipped.py);
- under a key made of the whole URL (host included), every cookie but the session, and the
  Accept and Accept-Language headers: anything a page may depend on;
- and marked with the **version** of the data it was built from: every committed write bumps
  it (``bump_on_commit``), and a page of another version is never served, so no visitor is
  shown a page older than the last change. Pages that depend on the time (open now, a 公示's
  days left) are kept at most ``PAGE_CACHE_SECONDS``.

The version and the page are read together, in one trip to the cache: on a kept page that
trip is most of the work.

The version lives in the same store as the pages, so it is only right when that store is
shared by every process that writes: pages are kept only when ``PORTAL_CACHE_URL`` names
one (Redis, or a directory), as production does.
"""

import hashlib
import uuid

from flask import current_app, g, has_app_context, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal import gzipped
from portal.extensions import cache, cache_may_fail

VERSION_KEY = "page-version"
# What an anonymous visitor's session may hold for their pages to be kept and served:
# the CSRF token, and Flask-Login's note that the session is not a fresh sign-in.
ANONYMOUS_SESSION = {"csrf_token", "_fresh"}
# Response headers a kept page must not carry to someone else, or that are set again.
NOT_KEPT = {"set-cookie", "content-length", "date"}


def enabled(app):
    settings = app.config["PORTAL"]
    return settings["PAGE_CACHE_SECONDS"] > 0 and bool(settings["CACHE_URL"])


def register_serving(app):
    """Serve kept pages first of all, before the rate limits and the layout read anything
    (a kept page is never a write, and those checks were made when it was built)."""
    if enabled(app):
        app.before_request(serve_kept_page)


def register_keeping(app):
    """Keep pages. Called after Flask-Compress is set up and before the other hooks are
    added (hooks after a request run last-added first): a page is kept after the request's
    commit, before it is compressed for this visitor."""
    if enabled(app):
        app.after_request(keep_page)


def _anonymous():
    return (current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            not in request.cookies
            and set(session.keys()) <= ANONYMOUS_SESSION
            and not current_user.is_authenticated)


def _key():
    session_cookie = current_app.config["SESSION_COOKIE_NAME"]
    cookies = sorted((name, value) for name, value in request.cookies.items(multi=True)
                     if name != session_cookie)
    parts = [request.url, repr(cookies), request.headers.get("Accept", ""),
             request.headers.get("Accept-Language", "")]
    # "kept:", not the "page:" of kept pages stored another way by an older portal.
    return "kept:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _version_and_page(key):
    """The data's version and the page kept under ``key`` (or None), in one trip."""
    version, kept = cache.get_many(VERSION_KEY, key)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=0)
        version, kept = cache.get(VERSION_KEY), None
    return version, kept


def serve_kept_page():
    if (request.method not in ("GET", "HEAD") or request.headers.get("HX-Request") == "true"
            or not _anonymous()):
        return None
    kept = None
    with cache_may_fail():
        key = _key()
        version, kept = _version_and_page(key)
        if kept is None or kept[0] != version:
            kept = None
            g.page_key = key, version  # built this time; kept after it (keep_page)
    if kept is None:
        return None
    _version, status, headers, pieces, token_length = kept
    token = generate_csrf().encode() if len(pieces) > 1 else b""
    if request.accept_encodings["gzip"] and len(token) == token_length:
        # Compressed when it was kept: only the visitor's token is added (portal/gzipped.py).
        with_token = [pieces[0]]
        for piece in pieces[1:]:
            with_token += [(token, gzipped.stored(token)), piece]
        body = gzipped.gzip_body(with_token)
        headers = headers + [("Content-Encoding", "gzip")]
    else:
        body = token.join(plain for plain, _blocks in pieces)
    response = current_app.response_class(body, status=status, headers=headers)
    response.headers["X-Linli-Page"] = "kept"
    return response


def keep_page(response):
    key, version = g.pop("page_key", (None, None))
    if (key is None or response.status_code != 200 or response.mimetype != "text/html"
            or response.direct_passthrough or response.cache_control.no_store
            or response.cache_control.private or "Set-Cookie" in response.headers
            or not _anonymous()):
        return response
    with cache_may_fail():
        _keep(key, version, response)
    return response


def _keep(key, version, response):
    seconds = current_app.config["PORTAL"]["PAGE_CACHE_SECONDS"]
    # Kept from its second asking on (see the module's docstring).
    if cache.add(f"asked:{version}:{key}", 1, timeout=seconds):
        return
    body = response.get_data()
    if b"\x00" in body:  # never in a page we write; see gzipped.deflated
        return
    token = g.get("csrf_token", "").encode()
    # The page around the visitor's token, each piece kept plain and compressed; compressed
    # as if the token were there (as NULs of its length: every visitor's has the same).
    plain = body.split(token) if token else [body]
    gap = b"\x00" * len(token) if len(plain) > 1 else b""
    pieces = [(piece, gzipped.deflated(piece, before=gap.join(plain[:index] + [b""])))
              for index, piece in enumerate(plain)]
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in NOT_KEPT]
    cache.set(key, (version, response.status_code, headers, pieces, len(gap)),
              timeout=seconds)


def bump_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=0)


@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context):
    session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


@event.listens_for(Session, "after_commit")
def bump_on_commit(session):
    """A committed write makes every kept page old (cheap: one key in the cache)."""
    if session.info.pop("wrote", False) and has_app_context() and enabled(current_app):
        with cache_may_fail():  # the write is stored: it must not be answered as failed
            bump_version()


@event.listens_for(Session, "after_rollback")
def _forget_writes(session):
    session.info.pop("wrote", None)
