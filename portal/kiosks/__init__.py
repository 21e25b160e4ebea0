"""Kiosks 自助终端 in service centres: enrolment, kiosk mode, PIN sign-in, idle reset."""

from flask import Blueprint

bp = Blueprint("kiosks", __name__, url_prefix="/kiosk")
