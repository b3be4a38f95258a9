"""Calls: see views.py for the pages and services.py for the verbs."""

from flask import Flask


def register_calls(app: Flask) -> None:
    from app.calls.views import bp

    app.register_blueprint(bp)
