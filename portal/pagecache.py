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
  language) with the visitor's CSRF token: the kept copy has a placeholder instead, and
  each visitor gets their own token put back;
- under a key made of the whole URL (host included), every cookie but the session, and the
  Accept and Accept-Language headers: anything a page may depend on;
- and of the **version** of the data: every committed write bumps it (``bump_on_commit``),
  so no visitor is shown a page older than the last change. Pages that depend on the time
  (open now, a 公示's days left) are kept at most ``PAGE_CACHE_SECONDS``.

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

from portal.extensions import cache, cache_may_fail

VERSION_KEY = "page-version"
# What an anonymous visitor's session may hold for their pages to be kept and served:
# the CSRF token, and Flask-Login's note that the session is not a fresh sign-in.
ANONYMOUS_SESSION = {"csrf_token", "_fresh"}
TOKEN_PLACEHOLDER = b"\x00linli-csrf-token\x00"
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


def _key(version):
    session_cookie = current_app.config["SESSION_COOKIE_NAME"]
    cookies = sorted((name, value) for name, value in request.cookies.items(multi=True)
                     if name != session_cookie)
    parts = [version, request.url, repr(cookies), request.headers.get("Accept", ""),
             request.headers.get("Accept-Language", "")]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def current_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=0)
        version = cache.get(VERSION_KEY)
    return version


def serve_kept_page():
    if (request.method not in ("GET", "HEAD") or request.headers.get("HX-Request") == "true"
            or not _anonymous()):
        return None
    kept = None
    with cache_may_fail():
        key = _key(current_version())
        kept = cache.get(key)
        if kept is None:
            g.page_key = key  # built this time; kept after it (keep_page)
    if kept is None:
        return None
    status, headers, body = kept
    if TOKEN_PLACEHOLDER in body:
        body = body.replace(TOKEN_PLACEHOLDER, generate_csrf().encode())
    response = current_app.response_class(body, status=status, headers=headers)
    response.headers["X-Linli-Page"] = "kept"
    return response


def keep_page(response):
    key = g.pop("page_key", None)
    if (key is None or response.status_code != 200 or response.mimetype != "text/html"
            or response.direct_passthrough or response.cache_control.no_store
            or response.cache_control.private or "Set-Cookie" in response.headers
            or not _anonymous()):
        return response
    with cache_may_fail():
        _keep(key, response)
    return response


def _keep(key, response):
    seconds = current_app.config["PORTAL"]["PAGE_CACHE_SECONDS"]
    # Kept from its second asking on (see the module's docstring).
    if cache.add("asked:" + key, 1, timeout=seconds):
        return
    body = response.get_data()
    token = g.get("csrf_token")
    if token:
        body = body.replace(token.encode(), TOKEN_PLACEHOLDER)
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in NOT_KEPT]
    cache.set(key, (response.status_code, headers, body), timeout=seconds)


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
