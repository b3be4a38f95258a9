"""A team's own space: threads its members, mentors and coordinators read, and the mentors' meeting log."""

from flask import Flask


def register_teamspace(app: Flask) -> None:
    from app.teamspace.views import bp

    app.register_blueprint(bp)
