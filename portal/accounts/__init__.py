"""Accounts: register, sign in, profile, counter registration and roles."""

from flask import Blueprint

from portal.accounts import refusals  # noqa: F401  (registers the accounts' refusal words)

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
