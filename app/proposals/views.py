"""Proposal pages: load → check → form → service → commit."""

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
