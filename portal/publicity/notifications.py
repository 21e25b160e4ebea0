"""What publicity tells people in 我的消息: the words and the page of each kind it sends."""

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.notifications.kinds import register_kind
from portal.publicity.models import Publication
from portal.publicity.rules import subject_url

OBJECTION_ANSWERED = "objection_answered"


def _publication_url(publication_id):
    """The page a message about a publication leads to: the published object's page."""
    return subject_url(db.get_or_404(Publication, publication_id))


register_kind(OBJECTION_ANSWERED, _l("Your question about “%(title)s” was answered."),
              _publication_url)
