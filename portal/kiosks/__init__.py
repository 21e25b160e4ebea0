"""Kiosks 自助终端 in service centres: enrolment, kiosk mode, PIN sign-in, idle reset."""

from flask import Blueprint

from portal.kiosks import refusals  # noqa: F401  (registers the kiosks' refusal words)

bp = Blueprint("kiosks", __name__, url_prefix="/kiosk")
