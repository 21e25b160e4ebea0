"""The courtyards' pages, one module per what they are about; every route is on
``courtyards.bp``."""

from portal.courtyards import bp  # noqa: F401  (create_app registers views.bp)
from portal.courtyards.views import (  # noqa: F401  (registers the routes)
    collections,
    conventions,
    desk,
    households,
    notices,
    page,
)
