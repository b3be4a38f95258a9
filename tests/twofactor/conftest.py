"""Fixtures for the two-factor tests: the required-roles rule switched on, accounts with two-factor on,
codes computed as an authenticator app would, and forms posted with the CSRF token of a given page."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest

from app import db
from app.db import utcnow
from app.twofactor import services, totp
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):
    """The portal's TOTP clock stands still in the middle of a 30-second step, so a test never straddles two
    steps (a code "one step late" would otherwise now and then be two steps late)."""
    moment = totp.step_at(time.time()) * totp.STEP_SECONDS + totp.STEP_SECONDS / 2
    monkeypatch.setattr(totp, "time", SimpleNamespace(time=lambda: moment))
    return moment


@pytest.fixture
def required_roles(app):
    """Two-factor sign-in required for coordinators and funders, as in production (TestConfig has none)."""
    saved = app.config["TWO_FACTOR_REQUIRED_ROLES"]
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("coordinator", "funder")
    yield app.config["TWO_FACTOR_REQUIRED_ROLES"]
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = saved


def turn_on(user) -> list[str]:
    """Two-factor sign-in on, as after a setup made a minute ago; returns the recovery codes."""
    user.totp_secret = totp.new_secret()
    user.totp_enabled_at = utcnow()
    user.totp_last_step = totp.step_at(totp.time.time()) - 2
    codes = services._replace_recovery_codes(user)
    db.session.flush()
    return codes


def code_for(user, steps_from_now: int = 0) -> str:
    """The code the user's authenticator app shows now (or that many 30-second steps away)."""
    return totp.code_at(user.totp_secret, totp.step_at(totp.time.time()) + steps_from_now)


def token_on(client, url: str) -> str:
    body = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', body)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_on(client, page: str, url: str | None = None, data: dict | None = None, **kwargs):
    """POST to url (the page itself unless told) with the CSRF token the page carries, as a browser would."""
    return client.post(url or page, data={"csrf_token": token_on(client, page), **(data or {})}, **kwargs)


def password_step(client, email: str, password: str = PASSWORD, **extra):
    return post_on(client, "/signin", data={"email": email, "password": password, **extra})


def code_step(client, code: str):
    return post_on(client, "/signin/code", data={"code": code})
