"""The councils' pages, one module per what they are about; every route is on
``councils.bp``."""

from portal.councils import (
    bp,  # noqa: F401  (create_app registers views.bp)
    telling,  # noqa: F401  (registers what messages say)
)
from portal.councils.views import (  # noqa: F401  (registers the routes)
    councils,
    decisions,
    departments,
    listing,
    meetings,
    open311,
    requests,
    triage,
)
