"""The impact report: what the funded projects did with the money, per call and overall."""

from flask import Flask


def register_impact(app: Flask) -> None:
    from app.impact.views import bp

    app.register_blueprint(bp)
