"""Teams: creating one, inviting members, leading and leaving."""

from flask import Flask


def register_teams(app: Flask) -> None:
    from app.teams.views import bp

    app.register_blueprint(bp)
