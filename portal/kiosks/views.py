"""The kiosks pages."""

from portal.kiosks import bp  # noqa: F401  (create_app registers views.bp)
