"""Publicity's pages: raising an objection or a question, answering it, withdrawing."""

from portal.publicity import bp  # noqa: F401  (create_app registers views.bp)
