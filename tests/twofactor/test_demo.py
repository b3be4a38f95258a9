"""The demo coordinator and funder have two-factor sign-in on with published keys; `flask demo code` prints
the code of the moment."""

from __future__ import annotations

import pyotp

from app.demo import DEMO_TOTP_SECRETS
from app.twofactor import totp


def test_the_demo_code_command_prints_a_code_the_portal_accepts(app):
    result = app.test_cli_runner().invoke(args=["demo", "code", "funder"])
    assert result.exit_code == 0
    code = result.output.strip()
    assert code == pyotp.TOTP(DEMO_TOTP_SECRETS["funder"]).now()
    assert totp.matching_step(DEMO_TOTP_SECRETS["funder"], code) is not None


def test_the_demo_keys_are_the_roles_that_need_them(app):
    assert set(DEMO_TOTP_SECRETS) == {"coordinator", "funder"}
    assert all(len(secret) >= 32 for secret in DEMO_TOTP_SECRETS.values())
