"""Fixtures for the accounts tests: isolated clients, back-dated tokens, cheap password hashing."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.clients import isolated_client


@pytest.fixture(scope="package", autouse=True)
def _fast_password_hashing():
    """Argon2 at production cost takes 0.1-0.3 s a hash here; the rules under test do not depend on the cost."""
    from argon2 import PasswordHasher

    from app.accounts import passwords
    from tests import factories

    saved = passwords._hasher, passwords._DUMMY_HASH, factories._PASSWORD_HASH
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("not-a-real-password")
    factories._PASSWORD_HASH = None
    yield
    passwords._hasher, passwords._DUMMY_HASH, factories._PASSWORD_HASH = saved


@pytest.fixture
def client(app):
    """Overrides the shared client: each request gets its own app context, `g` and database session."""
    return isolated_client(app)


@pytest.fixture
def new_client(app):
    """Another browser: its own cookies and its own requests."""
    return lambda: isolated_client(app)


@pytest.fixture
def backdated_token(app):
    """make_link_token(purpose, payload) as if it had been made `age` seconds ago."""
    def _token(purpose: str, payload: dict, age: float) -> str:
        class OldSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(time.time() - age)

        serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=f"passerelle-{purpose}", signer=OldSigner)
        return serializer.dumps(payload)
    return _token
