"""What URLs carry and where they lead: ids and page numbers read from the query, ``next``
targets, absolute addresses, and the id converter every route uses."""

from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.routing import IntegerConverter

from portal.extensions import db

# Ids are PostgreSQL ``integer`` columns; a larger number names nothing (and would overflow).
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: ids from 0 to ``MAX_ID``; anything larger is a 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def as_id(text):
    """``text`` as an id that can exist, or None ("12" → 12; "-1", "1e9", 2^63 → None)."""
    text = text or ""
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID else None


def query_id(name):
    """The id in query value ``name`` (``?place=12``), or None if it is not one."""
    return as_id(request.args.get(name))


def page_number():
    """The page asked for with ``?page=``: 1 unless it is a whole number that can exist."""
    raw = request.args.get("page", "")
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else 1


def paginate(select, per_page):
    """One page of ``select``, the page number read safely from the query."""
    return db.paginate(select, page=page_number(), per_page=per_page, error_out=False)


def safe_next(default_endpoint="main.home"):
    """The ``next`` target from the form or query if it is a path on this site, else a default."""
    target = request.form.get("next") or request.args.get("next") or ""
    parts = urlsplit(target)
    # "//host" and "/\host" are other sites to a browser, not paths.
    on_site = not (parts.scheme or parts.netloc or target.startswith(("//", "/\\")))
    if target.startswith("/") and on_site:
        return target
    return url_for(default_endpoint)


def current_path():
    """The current page's path and query, for a ``next`` field."""
    return request.full_path.rstrip("?") if request.query_string else request.path


def absolute_url(endpoint, **values):
    """The full address of ``endpoint``, on the configured ``PORTAL_BASE_URL`` — never on the
    Host header a client sent (it ends up on printed slips, QR codes and calendar files)."""
    return current_app.config["PORTAL"]["BASE_URL"] + url_for(endpoint, **values)


# Requests are at most 2 MB (PORTAL's MAX_CONTENT_LENGTH); a form with a photo may send this.
UPLOAD_LIMIT = 6 * 1024 * 1024


def takes_uploads(view):
    """Mark a view whose form carries a photo: its requests may be up to ``UPLOAD_LIMIT``."""
    view.max_content_length = UPLOAD_LIMIT
    return view


def allow_uploads():
    """Before the request's body is read (and before the CSRF check reads it): raise the
    size limit for views marked with ``takes_uploads``."""
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "max_content_length", None)
    if limit:
        request.max_content_length = limit
