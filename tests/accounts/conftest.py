"""Fixtures for the accounts tests: back-dated tokens."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


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
