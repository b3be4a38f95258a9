"""Delivering funded projects: agreements, milestones with evidence, due dates and publication."""

from flask import Flask


def register_projects(app: Flask) -> None:
    from app.projects.views import bp

    app.register_blueprint(bp)
