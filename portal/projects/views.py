"""The projects pages."""

from portal.projects import bp  # noqa: F401  (create_app registers views.bp)
