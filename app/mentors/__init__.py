"""Mentors' profiles, their vetting, their declared conflicts and the needs teams state: see views.py."""

from flask import Flask


def register_mentors(app: Flask) -> None:
    from app.mentors.views import bp

    app.register_blueprint(bp)
