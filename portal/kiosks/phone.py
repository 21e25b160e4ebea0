"""用手机继续 "Continue on your phone": the address a kiosk page's QR code carries.

Only the page's public address: for a page seen signed in, the sign-in page with ``next=``
that page's path (the phone signs in and lands there). No query string of a signed-in page
(it may carry a search for a person), no ids of people, no tokens. Kiosk and account pages
lead to the portal's home.
"""

from flask import current_app, request
from flask_login import current_user

from portal.urls import absolute_url, current_path

PERSONAL_ARGUMENTS = frozenset({"user_id"})


def continue_url():
    endpoint = request.endpoint or ""
    if (endpoint.startswith(("kiosks.", "accounts.")) or endpoint == "static"
            or PERSONAL_ARGUMENTS & set(request.view_args or {})):
        return absolute_url("main.home")
    if current_user.is_authenticated:
        return absolute_url("accounts.login", next=request.path)
    return current_app.config["PORTAL"]["BASE_URL"] + current_path()
