"""Publicity's pages: a publication's own page, raising an objection or a question,
answering it, withdrawing. Every route is on ``publicity.bp``.

Other domains show a publication on their own page with
``{% include "publicity/_publication.html" %}`` and ``publicity=context(publication, user,
now)`` in the template's context; its forms post here, and after the work the browser goes
back to the published object's page (``rules.subject_url``).
"""

from portal.publicity import bp  # noqa: F401  (create_app registers views.bp)
from portal.publicity.views import pages  # noqa: F401  (registers the routes)
from portal.publicity.views.pages import context  # noqa: F401  (for other domains' pages)
