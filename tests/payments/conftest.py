"""Fixtures for the payments tests: a fake Stripe on 127.0.0.1 and the app pointed at it."""

from __future__ import annotations

import pytest
import stripe

from tests.fake_stripe import FakeStripe

STRIPE_TEST_SETTINGS = {"STRIPE_SECRET_KEY": "sk_test_fake", "STRIPE_WEBHOOK_SECRET": "whsec_test"}


@pytest.fixture(scope="session")
def _fake_stripe_server():
    """One server per test worker: starting one takes longer than a whole test."""
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def fake_stripe(_fake_stripe_server, monkeypatch):
    """The fake Stripe, emptied for this test; errors in its handlers fail the test."""
    _fake_stripe_server.reset()
    # The SDK sleeps 0.5 s and more before each retry; the tests check that it retries, not how long it waits.
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0)
    yield _fake_stripe_server
    _fake_stripe_server.check()


@pytest.fixture
def stripe_app_config(app, fake_stripe):
    """Stripe switched on, talking to the fake; the session-wide app's settings come back afterwards."""
    settings = {**STRIPE_TEST_SETTINGS, "STRIPE_API_BASE": fake_stripe.url}
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    yield settings
    app.config.update(saved)
