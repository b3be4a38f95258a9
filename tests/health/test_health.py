"""Health checks: /healthz answers while the process lives; /readyz says 503 with the reason when the database or
Redis cannot be reached, and 200 again once they are back. And the one log line per request."""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import threading

import pytest

from app import create_app
from config import TestConfig
from tests.servers import free_port, start_redis


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_with_the_database_and_no_redis_configured(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "database": "ok", "redis": "not configured"}


def test_readyz_names_an_unreachable_redis(app):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    try:
        response = app.test_client().get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready" and body["database"] == "ok"
    assert body["redis"].startswith("error: ")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_readyz_follows_redis_going_away_and_coming_back(app):
    port = free_port()
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    client = app.test_client()
    try:
        server = start_redis(port)
        assert client.get("/readyz").status_code == 200
        server.terminate()
        server.wait(timeout=10)
        assert client.get("/readyz").status_code == 503
        server = start_redis(port)
        assert client.get("/readyz").get_json()["redis"] == "ok"
    finally:
        app.config["REDIS_URL"] = None
        server.terminate()
        server.wait(timeout=10)


class Forwarder:
    """A TCP relay to PostgreSQL that the test can cut and restore, as a network or a server going away."""

    def __init__(self, target_port: int = 5432):
        self.port, self.target_port = free_port(), target_port
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would leave the port listening.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for connection in self.connections:
            connection.close()
        self.connections.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            return
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.close()


def _postgres_reachable() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", 5432)) == 0


@pytest.mark.skipif(not _postgres_reachable(), reason="needs the local PostgreSQL")
def test_readyz_follows_the_database_going_away_and_coming_back():
    relay = Forwarder()
    relay.start()
    app = create_app(TestConfig, DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{relay.port}/postgres")
    client = app.test_client()
    try:
        assert client.get("/readyz").get_json()["database"] == "ok"
        relay.stop()
        down = client.get("/readyz")
        assert down.status_code == 503 and down.get_json()["database"].startswith("error: ")
        assert client.get("/healthz").status_code == 200  # the process itself is fine
        relay.start()
        assert client.get("/readyz").status_code == 200  # pool_pre_ping replaces the dead connections
    finally:
        relay.stop()
        from app.db import get_database

        get_database(app).engine.dispose()


def test_every_request_logs_one_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="passerelle.requests"):
        response = client.get("/calls/?page=1", headers={"X-Request-ID": "edge-1234abcd"})
    lines = [record.getMessage() for record in caplog.records if record.name == "passerelle.requests"]
    assert len(lines) == 1
    assert lines[0].startswith(f"request_id=edge-1234abcd method=GET path=/calls/ status={response.status_code} "
                               "duration_ms=")
    assert response.headers["X-Request-ID"] == "edge-1234abcd"


def test_a_request_id_that_does_not_look_like_one_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id; drop"})
    assert response.headers["X-Request-ID"] != "bad id; drop"
    assert len(response.headers["X-Request-ID"]) == 16


def test_forwarded_headers_count_only_behind_a_configured_proxy():
    from flask import request

    def client_address(trusted: int) -> tuple[str, str]:
        app = create_app(TestConfig, TRUSTED_PROXIES=trusted)
        app.add_url_rule("/whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
        answer = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7",
                                                           "X-Forwarded-Proto": "https"})
        return tuple(answer.get_data(as_text=True).split())

    assert client_address(0) == ("127.0.0.1", "http")  # nobody in front: a client cannot claim an address
    assert client_address(1) == ("203.0.113.7", "https")
