"""The councils' pages, one module per what they are about; every route is on
``councils.bp``."""

from portal.councils import bp  # noqa: F401  (create_app registers views.bp)
