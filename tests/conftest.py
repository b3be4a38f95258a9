"""Shared fixtures: one migrated database per worker, a rolled-back transaction per test."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from app import create_app
from app.db import get_database
from app.extensions import limiter
from config import TestConfig
from tests import factories
from tests.clients import isolated_client
from tests.databases import fresh_database_url, migrate


def _worker(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def database_url(request) -> str:
    url = fresh_database_url(_worker(request))
    migrate(url)
    return url


def _fresh_request_globals() -> None:
    from flask import g

    for key in list(vars(g)):
        g.pop(key, None)


def _sqlite_driver_autocommit(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(TestConfig, DATABASE_URL=database_url)
    # Test requests reuse the test's app context, so `g` would carry the signed-in user, the language and
    # the CSRF token from one request to the next; each request starts with an empty `g`, as in production.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    engine = get_database(app).engine
    if engine.dialect.name == "sqlite":
        # pysqlite opens transactions late and lets RELEASE SAVEPOINT commit for real, so a request's
        # commit would escape the test's transaction; let SQLAlchemy emit BEGIN itself (SQLAlchemy docs,
        # "Serializable isolation / Savepoints / Transactional DDL").
        event.listen(engine, "connect", _sqlite_driver_autocommit)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    yield app
    get_database(app).engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Every test runs inside a transaction that is rolled back, so tests never see each other's data."""
    if "live_server" in request.fixturenames:
        yield
        return
    database = get_database(app)
    connection = database.engine.connect()
    transaction = connection.begin()
    database.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    limiter.reset()
    with app.app_context():
        yield
        database.scoped.remove()
    database.session_factory.configure(bind=database.engine, join_transaction_mode="conservative_savepoint")
    transaction.rollback()
    connection.close()


@pytest.fixture
def client(app):
    """A browser: each request gets its own app context and database session, as on a real server."""
    return isolated_client(app)


@pytest.fixture
def new_client(app):
    """Another browser: its own cookies and its own requests."""
    return lambda: isolated_client(app)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Argon2 at production cost takes 0.1-0.3 s a hash here; the rules under test do not depend on the cost."""
    from argon2 import PasswordHasher

    from app.accounts import passwords

    saved = passwords._hasher, passwords._DUMMY_HASH, factories._PASSWORD_HASH
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("not-a-real-password")
    factories._PASSWORD_HASH = None
    yield
    passwords._hasher, passwords._DUMMY_HASH, factories._PASSWORD_HASH = saved


@pytest.fixture
def create_user():
    return factories.create_user


@pytest.fixture
def create_team():
    return factories.create_team


def sign_in(client, user) -> None:
    """Sign the test client in as user without going through the form: a session row, as a completed sign-in
    (second factor included, when the account has one) would leave."""
    from app.twofactor import sessions

    row = sessions.create(user, two_factor=user.totp_enabled_at is not None, user_agent="pytest",
                          ip_address="127.0.0.1")
    with client.session_transaction() as session:
        session["_user_id"] = sessions.login_id(user, row)
        session["_fresh"] = True


def csrf_token(client) -> str:
    """This browser's form token, from a page with a form: the header's forms for a signed-in person, the sign-in
    form for a visitor (a visitor's other pages hold no form, so that caches can share them)."""
    for url in ("/conduct", "/signin"):
        response = client.get(url)
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no CSRF token on the pages")


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with a valid CSRF token, as a browser would."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(url, data=payload, **kwargs)


@pytest.fixture
def login(client):
    def _login(user):
        sign_in(client, user)
        return client
    return _login


@pytest.fixture
def outbox():
    """The emails written so far, newest last."""
    from sqlalchemy import select

    from app import db
    from app.mail.models import OutboxMessage

    def _outbox(recipient: str | None = None, kind: str | None = None):
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if recipient:
            query = query.where(OutboxMessage.recipient == recipient)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(db.session.scalars(query))
    return _outbox


def link_in(message) -> str:
    """The path of the first link in an email body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, f"no link in {message.body!r}"
    return match.group(1)


@pytest.fixture
def count_queries(app):
    """count_queries(fn) -> the number of SQL statements fn() sent."""
    engine = get_database(app).engine

    def _count(fn):
        statements = []

        def listener(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)
    return _count


@pytest.fixture
def racing_app(request):
    """An app on its own freshly migrated database, whose work is really committed: for tests where several
    threads race, each with its own session, as several web workers would."""
    url = fresh_database_url(f"{_worker(request)}_race")
    migrate(url)
    app = create_app(TestConfig, DATABASE_URL=url)
    yield app
    get_database(app).engine.dispose()
