"""The funds pages."""

from portal.funds import bp  # noqa: F401  (create_app registers views.bp)
