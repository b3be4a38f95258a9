"""Reviews: screening, reviewer assignment, conflicts of interest, scoring, calibration and award suggestions."""

from flask import Flask


def register_reviews(app: Flask) -> None:
    from app.reviews.views import bp

    app.register_blueprint(bp)
