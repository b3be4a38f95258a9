"""Decisions: the ranking of a call's proposals, award / decline / request-changes decisions and the export."""

from flask import Flask


def register_decisions(app: Flask) -> None:
    from app.decisions.views import bp

    app.register_blueprint(bp)
