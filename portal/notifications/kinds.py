"""What each kind of message says and where it leads: one table, filled by the domains that
send messages (``register_kind`` once, at import). A message stores only its parameters, so
its words are rendered when it is read, in the reader's language, and are always plain text
(escaped where they are shown: no parameter is ever marked safe)."""

from flask import url_for
from flask_babel import gettext

_KINDS = {}


def register_kind(kind, message, url_for_subject):
    """Say what a ``kind`` of message says and where it leads.

    ``message`` is a lazily translated text with ``%(name)s`` placeholders filled from the
    message's parameters; ``url_for_subject(subject_id)`` returns the URL of the page the
    message is about."""
    if len(kind) > 40:
        raise ValueError(f"message kind {kind!r} is longer than 40 characters")
    _KINDS[kind] = (message, url_for_subject)


def is_registered(kind):
    return kind in _KINDS


def words(message):
    """The message's text in the current language (a general text when its kind is no longer
    known or its parameters no longer fit)."""
    entry = _KINDS.get(message.kind)
    if entry is not None:
        try:
            return str(entry[0]) % message.values
        except (KeyError, TypeError, ValueError):
            pass
    return gettext("Something you follow has changed.")


def subject_url(message):
    """The URL of the page ``message`` is about (the inbox when its kind is not known)."""
    entry = _KINDS.get(message.kind)
    if entry is None:
        return url_for("notifications.inbox")
    return entry[1](message.subject_id)
