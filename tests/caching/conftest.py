"""A Redis of the module's own for the result cache, attached to the test app for one test at a time."""

from __future__ import annotations

import pytest
from redis import Redis

from app import datacache
from tests.servers import free_port, start_redis


@pytest.fixture(scope="module")
def redis_port():
    port = free_port()
    server = start_redis(port)
    yield port
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def result_cache(app, redis_port):
    client = Redis(host="127.0.0.1", port=redis_port, decode_responses=True)
    client.flushdb()
    datacache.attach(app, client)
    yield client
    datacache.attach(app, None)
    client.close()


def kept_entries(client: Redis, name: str) -> list[dict]:
    """The tables and generations of every result kept under `name`."""
    import json

    return [json.loads(client.get(key)) for key in client.scan_iter(match=f"*result:{name}:*:meta")]
