"""Proposals: see views.py for the pages and services.py for the verbs."""

from flask import Flask


def register_proposals(app: Flask) -> None:
    from app.proposals.views import bp

    app.register_blueprint(bp)
