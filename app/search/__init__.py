"""Search: coordinators, funders and mentors find proposals, projects, teams and people by their words."""

from flask import Flask
from sqlalchemy import event


def register_search(app: Flask) -> None:
    from app.db import get_database
    from app.search.backends import register_sqlite_fold
    from app.search.views import bp

    engine = get_database(app).engine
    if engine.dialect.name == "sqlite":
        # Every new connection learns search_fold(); SQLite's own lower() knows only ASCII letters.
        event.listen(engine, "connect", register_sqlite_fold)
    app.register_blueprint(bp)
