"""Social organizations 社会组织: the registry (with the 统一社会信用代码 check), the
communities they serve, their staff's profile, incubation 孵化, and their public pages.

The pages (``portal.organizations.views``) are imported by ``create_app``, not here: the
accounts models import this package's models, so importing the views here would go round.
"""

from flask import Blueprint

bp = Blueprint("organizations", __name__, url_prefix="/organizations")

from portal.organizations import refusals  # noqa: E402,F401  (its refusals' words, once)
