"""Where to send people back to after a form."""

from urllib.parse import urlsplit

from flask import request, url_for


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
