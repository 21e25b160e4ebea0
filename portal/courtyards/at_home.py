"""The courtyards' section on the home page: the opinion collections of my courtyard still
waiting for my answer, so answering is three taps from home (the collection, a choice, send).

Registered with ``portal.sections`` when the courtyards are imported; the home page does not
import the courtyards.
"""

from flask_login import current_user

from portal import sections
from portal.courtyards import collections
from portal.timeutil import utcnow


def waiting_collections(courtyard):
    """Open collections of ``courtyard`` the signed-in resident has not answered, or None.
    Only for their own courtyard: a visitor's chosen courtyard is not theirs to answer."""
    if (courtyard is None or not current_user.is_authenticated
            or current_user.home_courtyard_id != courtyard.id):
        return None
    entries = collections.for_courtyard(courtyard, current_user, utcnow())["open_collections"]
    waiting = [entry for entry in entries if entry["answer"] is None]
    return {"waiting": waiting} if waiting else None


sections.register("home", "courtyards/_at_home.html", waiting_collections)
