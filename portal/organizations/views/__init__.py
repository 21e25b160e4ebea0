"""The organizations' pages; every route is on ``organizations.bp``.

Each view is thin: load (404, then 403), check the form, call a rule in ``registry`` or
``incubation``, flash and redirect — or answer the same page again with 422, the rule's words
beside the field and everything typed kept.
"""

from portal.organizations import bp  # noqa: F401  (create_app registers views.bp)
from portal.organizations.views import incubation, registry  # noqa: F401  (the routes)
