"""Publicity 公示, shared by every domain: a publication of any object for a window, with
objections and questions from residents in scope, answered publicly within a deadline."""

from flask import Blueprint

bp = Blueprint("publicity", __name__, url_prefix="/publicity")

from portal.publicity import (  # noqa: E402,F401  (imported for what they register)
    notifications,  # the words of the messages it sends (我的消息)
    refusals,  # its refusals' words, registered once
    views,  # objecting, answering, withdrawing
)
