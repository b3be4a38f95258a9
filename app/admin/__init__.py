"""Coordinator pages: people and their roles, and the email outbox."""

from flask import Flask


def register_admin(app: Flask) -> None:
    from app.admin.views import bp

    app.register_blueprint(bp)
