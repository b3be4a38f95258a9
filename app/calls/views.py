"""Funding call pages: load → check → form → service → commit."""

from flask import Blueprint

bp = Blueprint("calls", __name__, url_prefix="/calls")
