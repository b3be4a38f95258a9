"""Concerns people report, and the coordinators' queue that triages them, most serious first."""

from flask import Flask


def register_safety(app: Flask) -> None:
    from app.safety.views import bp

    app.register_blueprint(bp)
