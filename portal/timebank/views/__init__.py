"""The time bank's pages, one module per who uses them; every route is on ``timebank.bp``.

Each view is thin: load (404, then 403 for what the user may not touch), check the form, call
a rule in ``portal.timebank``, then render or redirect. A rule's ``Refused`` is shown beside
the field it names with ``show_on`` and the page is answered again with 422.
"""

from portal.timebank import bp  # noqa: F401  (create_app registers views.bp)
from portal.timebank.views import (  # noqa: F401  (registers the routes)
    activities,
    approvals,
    desk,
    exports,
    help,
    mine,
    organisers,
    rewards,
)
