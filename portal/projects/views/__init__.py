"""The projects' pages, by what they are about; every route is on ``projects.bp``."""

from portal.projects import bp  # noqa: F401  (create_app registers views.bp)
from portal.projects.views import calls, projects  # noqa: F401  (registers the routes)
