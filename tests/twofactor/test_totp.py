"""The pure TOTP rules: a ±1 step window, the matched step returned, reuse and expiry refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from app.twofactor import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0  # inside step 60_000_000
STEP = 60_000_000


def test_the_code_an_app_shows_now_is_accepted_and_its_step_returned():
    code = pyotp.TOTP(SECRET).at(NOW)
    assert totp.matching_step(SECRET, code, now=NOW) == STEP


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_code_one_step_early_or_late_is_still_accepted(offset):
    code = totp.code_at(SECRET, STEP + offset)
    assert totp.matching_step(SECRET, code, now=NOW) == STEP + offset


@pytest.mark.parametrize("offset", [-2, -10, 2])
def test_an_expired_or_future_code_is_refused(offset):
    assert totp.matching_step(SECRET, totp.code_at(SECRET, STEP + offset), now=NOW) is None


def test_a_used_code_and_any_older_one_are_refused():
    assert totp.matching_step(SECRET, totp.code_at(SECRET, STEP), last_step=STEP, now=NOW) is None
    assert totp.matching_step(SECRET, totp.code_at(SECRET, STEP - 1), last_step=STEP, now=NOW) is None
    assert totp.matching_step(SECRET, totp.code_at(SECRET, STEP + 1), last_step=STEP, now=NOW) == STEP + 1


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5a"])
def test_anything_but_six_digits_is_refused(code):
    assert totp.matching_step(SECRET, code, now=NOW) is None


def test_a_wrong_code_is_refused():
    right = totp.code_at(SECRET, STEP)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert totp.matching_step(SECRET, wrong, now=NOW) is None


def test_spaces_and_dashes_typed_in_a_code_do_not_matter():
    code = totp.code_at(SECRET, STEP)
    assert totp.matching_step(SECRET, f" {code[:3]} {code[3:]} ", now=NOW) == STEP
    assert totp.matching_step(SECRET, f"{code[:3]}-{code[3:]}", now=NOW) == STEP


def test_no_secret_accepts_nothing():
    assert totp.matching_step("", "123456", now=NOW) is None


def test_a_new_secret_is_long_random_base32():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second and len(first) >= 32
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_the_provisioning_uri_names_the_portal_and_the_account():
    uri = totp.provisioning_uri(SECRET, "amira@example.org")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Passerelle:amira%40example.org"
    query = parse_qs(parts.query)
    assert query["secret"] == [SECRET] and query["issuer"] == ["Passerelle"]


def test_the_key_is_shown_in_groups_of_four():
    assert totp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"
