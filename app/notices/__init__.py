"""Comments on proposals and the notices people get: see views.py for the pages, services.py for the verbs."""

from flask import Flask


def register_notices(app: Flask) -> None:
    from app.notices.views import bp

    app.register_blueprint(bp)
