"""Mentoring: matching rounds that pair mentors with teams (matching.py is the pure solver) and mentorships."""

from flask import Flask


def register_mentoring(app: Flask) -> None:
    from app.mentoring.views import bp

    app.register_blueprint(bp)
