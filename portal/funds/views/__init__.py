"""The funds pages: a fund's public accounts and its keeping (funds.py), and a community's
three lists (lists.py). ``portal.funds.views.bp`` is what create_app registers."""

from portal.funds import bp  # noqa: F401  (create_app registers views.bp)
from portal.funds.views import funds, lists  # noqa: F401  (their routes)
