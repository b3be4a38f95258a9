"""The outbox: a row first, delivery after the commit, retries that never lose a message.

SMTP tests talk to a real SMTP server (aiosmtpd) on 127.0.0.1; the RQ test uses the Redis server on
127.0.0.1:6379 and runs a worker in this process.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import create_app, db, jobs
from app.db import get_database, utcnow
from app.mail.delivery import deliver_due
from app.mail.models import OutboxMessage
from app.mail.services import queue_email
from config import TestConfig
from tests.conftest import post
from tests.databases import fresh_database_url, migrate

REDIS_URL = "redis://127.0.0.1:6379/15"
RECIPIENT = "lead@example.org"


def _queue() -> OutboxMessage:
    return queue_email(RECIPIENT, "now_team_lead", "en", team=SimpleNamespace(name="Bridges"),
                       url="http://localhost/teams/7")


def _fresh(message: OutboxMessage) -> OutboxMessage:
    db.session.refresh(message)
    return message


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [message_from_bytes(envelope.content, policy=email_policy.default) for envelope in self.envelopes]


@pytest.fixture
def smtp_server():
    """Start with `server.start()`; stopped after the test."""
    from aiosmtpd.controller import Controller

    handler = Collector()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    server = SimpleNamespace(handler=handler, port=port, running=False)

    def start():
        controller.start()
        server.running = True

    server.start = start
    yield server
    if server.running:
        controller.stop()


@pytest.fixture
def mail_to(app, monkeypatch):
    """Point the app at an SMTP port; the settings are restored after the test."""
    def _point(port: int):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    return _point


# -- without an SMTP server -----------------------------------------------------------------------
def test_queued_email_is_a_row_in_the_same_transaction_and_is_logged_after_commit(app, caplog):
    caplog.set_level(logging.INFO, logger="passerelle.mail")
    assert app.config["MAIL_SERVER"] is None

    message = _queue()

    assert message.id is not None
    assert (message.state, message.attempts) == ("pending", 0)
    assert message.subject == "You now lead “Bridges”"
    assert "http://localhost/teams/7" in message.body
    assert not any("email to" in record.getMessage() for record in caplog.records)

    db.commit()

    _fresh(message)
    assert (message.state, message.attempts) == ("sent", 1)
    assert message.sent_at is not None
    assert message.last_error is None
    logged = [record.getMessage() for record in caplog.records if record.name == "passerelle.mail"]
    assert any(RECIPIENT in text and "You now lead “Bridges”" in text for text in logged)


def test_rollback_drops_the_row_and_the_job(monkeypatch):
    dispatched = []
    monkeypatch.setattr(jobs, "_dispatch", lambda fn, args, delay: dispatched.append((fn, args)))
    before = _count()

    _queue()
    assert _count() == before + 1
    assert db.session.info.get(jobs.PENDING)
    db.session.rollback()

    assert _count() == before
    assert not db.session.info.get(jobs.PENDING)
    db.commit()
    assert dispatched == []


def test_a_commit_dispatches_each_job_once(monkeypatch):
    dispatched = []
    monkeypatch.setattr(jobs, "_dispatch", lambda fn, args, delay: dispatched.append((fn.__name__, args)))
    first = _queue()
    second = _queue()
    db.commit()
    db.commit()
    assert dispatched == [("deliver_message", (first.id,)), ("deliver_message", (second.id,))]


# -- a real SMTP server ---------------------------------------------------------------------------
def test_delivery_by_smtp(smtp_server, mail_to):
    smtp_server.start()
    mail_to(smtp_server.port)

    message = _queue()
    db.commit()

    assert len(smtp_server.handler.envelopes) == 1
    envelope = smtp_server.handler.envelopes[0]
    assert envelope.rcpt_tos == [RECIPIENT]
    received = smtp_server.handler.messages[0]
    assert received["To"] == RECIPIENT
    assert received["Subject"] == "You now lead “Bridges”"
    assert received["Message-ID"] == f"<outbox-{message.id}@localhost>"
    assert "http://localhost/teams/7" in received.get_content()
    assert "Passerelle" in received["From"]
    _fresh(message)
    assert (message.state, message.attempts, message.last_error) == ("sent", 1, None)


def test_smtp_down_keeps_the_message_and_a_later_sweep_sends_it(app, smtp_server, mail_to):
    mail_to(_free_port())  # nothing listens there

    message = _queue()
    db.commit()

    _fresh(message)
    assert message.state == "pending"
    assert message.attempts == 1
    assert message.last_error and "Connection" in message.last_error
    first_delay = app.config["MAIL_RETRY_BACKOFF"][0]
    assert utcnow() + timedelta(seconds=first_delay - 30) < message.next_attempt_at
    assert message.next_attempt_at <= utcnow() + timedelta(seconds=first_delay)

    assert deliver_due() == 0  # not due yet: nothing tried
    assert _fresh(message).attempts == 1

    smtp_server.start()
    mail_to(smtp_server.port)
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.commit()

    assert deliver_due() == 1

    _fresh(message)
    assert (message.state, message.attempts, message.last_error) == ("sent", 2, None)
    assert message.next_attempt_at is None
    assert [m["Subject"] for m in smtp_server.handler.messages] == ["You now lead “Bridges”"]


def test_after_the_last_attempt_the_message_fails_and_a_coordinator_retries_it(
        app, client, create_user, login, smtp_server, mail_to):
    mail_to(_free_port())
    message = _queue()
    db.commit()
    limit = app.config["MAIL_MAX_ATTEMPTS"]
    for _attempt in range(limit - 1):
        _fresh(message)
        assert message.state == "pending"
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.commit()
        deliver_due()

    _fresh(message)
    assert (message.state, message.attempts, message.next_attempt_at) == ("failed", limit, None)
    assert message.last_error
    assert deliver_due() == 0
    assert _fresh(message).attempts == limit

    login(create_user("youth"))
    assert post(client, f"/admin/outbox/{message.id}/retry").status_code == 403
    assert _fresh(message).state == "failed"

    smtp_server.start()
    mail_to(smtp_server.port)
    login(create_user("coordinator"))
    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert RECIPIENT in page

    response = post(client, f"/admin/outbox/{message.id}/retry")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/outbox/{message.id}")
    _fresh(message)
    assert (message.state, message.attempts) == ("sent", limit + 1)
    assert len(smtp_server.handler.envelopes) == 1


# -- RQ workers on Redis --------------------------------------------------------------------------
def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisConnectionError as error:
        if os.environ.get("CI"):
            raise AssertionError(f"CI is set but Redis is unreachable at {REDIS_URL}: {error}") from error
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (set CI=true to make this a failure)")
    return connection


@pytest.fixture
def rq_app(request):
    """An app with REDIS_URL on a database of its own: the worker must see committed rows only."""
    from rq import Queue

    connection = _redis_or_skip()
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    url = fresh_database_url(f"{worker}_rq")
    migrate(url)
    app = create_app(TestConfig, DATABASE_URL=url, REDIS_URL=REDIS_URL)
    # A queue of its own, so test runs side by side never take each other's jobs.
    queue = Queue(f"passerelle-test-{uuid.uuid4().hex}", connection=connection)
    app.extensions["rq_queue"] = queue
    previous_worker_app = jobs._worker_app_instance
    yield app
    jobs.set_worker_app(previous_worker_app)
    queue.delete(delete_jobs=True)
    get_database(app).engine.dispose()


def test_with_redis_the_email_waits_for_a_worker(rq_app, smtp_server):
    from rq import SimpleWorker

    smtp_server.start()
    rq_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    queue = rq_app.extensions["rq_queue"]

    with rq_app.app_context():
        message_id = _queue().id
        db.commit()
        assert db.session.get(OutboxMessage, message_id).state == "pending"
    assert smtp_server.handler.envelopes == []
    assert queue.count == 1
    job = queue.jobs[0]
    assert job.func_name == "app.jobs.run_job"
    assert job.args == ("app.mail.delivery:deliver_message", message_id)

    jobs.set_worker_app(rq_app)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert queue.count == 0
    assert [m["Subject"] for m in smtp_server.handler.messages] == ["You now lead “Bridges”"]
    assert smtp_server.handler.envelopes[0].rcpt_tos == [RECIPIENT]
    with rq_app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert (message.state, message.attempts) == ("sent", 1)
