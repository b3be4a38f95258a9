"""Declarative base, engine and a session per application context."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _set_sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if url in ("sqlite://", "sqlite:///:memory:"):
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
        # PostgreSQL's JIT compiler is tuned for long analytical queries; on a web page's short queries whose
        # estimated cost crosses its threshold it spends 50-100 ms compiling to save a few (bench/pages.py).
        kwargs["connect_args"] = {"options": "-c jit=off"}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


class Database:
    """Holds one engine and one scoped session per app; sessions live for one app context."""

    def __init__(self, app: Flask, url: str):
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.scoped = scoped_session(self.session_factory, scopefunc=_context_id)
        from app.datacache import register_datacache

        register_datacache(app, self.engine, self.session_factory)
        app.extensions["database"] = self
        app.teardown_appcontext(self._remove)

    def _remove(self, _exc=None):
        self.scoped.remove()


def _context_id() -> int:
    return id(app_ctx._get_current_object())


def _current_session() -> Session:
    return current_app.extensions["database"].scoped()


session: Session = LocalProxy(_current_session)  # type: ignore[assignment]


def existing_session() -> Session | None:
    """This context's session if something has used it already, without making one."""
    scoped = current_app.extensions["database"].scoped
    return scoped() if scoped.registry.has() else None


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["database"]


def commit() -> None:
    """The one commit of a request or command; queued jobs run after it succeeds."""
    from app import jobs

    session.commit()
    jobs.dispatch_ready()


def register_database(app: Flask) -> None:
    Database(app, app.config["DATABASE_URL"])
