"""Password rules and hashing."""

from __future__ import annotations

import pytest

from app.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)

TOO_SHORT = "Use at least 10 characters."
TOO_LONG = "Use at most 128 characters."
COMMON = "This password is too easy to guess. Try a few unrelated words."
PERSONAL = "Do not use your name or email address in your password."


@pytest.fixture(autouse=True)
def _request(app):
    """The messages are translated lazily; reading them needs a request (for its language)."""
    with app.test_request_context("/"):
        yield


def problem(password: str, email: str = "", name: str = "") -> str | None:
    found = password_problem(password, email, name)
    return None if found is None else str(found)


@pytest.mark.parametrize(("password", "expected"), [
    ("", TOO_SHORT),
    ("short", TOO_SHORT),
    ("nine char", TOO_SHORT),  # 9 characters
    ("ten chars!", None),  # exactly MIN_LENGTH
    ("a1b2c3d4" * 16, None),  # exactly MAX_LENGTH
    ("a1b2c3d4" * 16 + "x", TOO_LONG),
    ("x" * 500, TOO_LONG),
    ("password123", COMMON),
    ("PASSWORD123", COMMON),  # case does not help
    ("motdepasse", COMMON),
    ("azertyuiop", COMMON),
    ("aaaaaaaaaaaa", COMMON),  # fewer than four different characters
    ("abcabcabcabc", COMMON),
    ("correct horse battery", None),
])
def test_password_rules(password, expected):
    assert problem(password) == expected


def test_the_limits_used_above():
    assert (MIN_LENGTH, MAX_LENGTH) == (len("ten chars!"), len("a1b2c3d4" * 16)) == (10, 128)


def test_email_local_part_inside_the_password_is_refused():
    assert problem("my amira.haddad rocks", email="amira.haddad@example.org") == PERSONAL
    assert problem("MY AMIRA.HADDAD ROCKS", email="Amira.Haddad@example.org") == PERSONAL


def test_a_short_local_part_is_not_held_against_the_password():
    # "bo" is too short to be a meaningful match: plenty of good passwords contain it.
    assert problem("bold orange kettle", email="bo@example.org") is None


def test_the_name_as_password_is_refused():
    assert problem("Amira Haddad Tunis", name="Amira Haddad Tunis") == PERSONAL
    assert problem("amira haddad tunis", name="Amira Haddad Tunis") == PERSONAL


def test_hash_and_verify_round_trip():
    hashed = hash_password("correct horse battery")
    assert hashed != "correct horse battery"
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "correct horse battery") is True
    assert verify_password(hashed, "correct horse batterY") is False
    assert verify_password(hashed, "") is False
    assert needs_rehash(hashed) is False


def test_each_hash_is_salted():
    assert hash_password("correct horse battery") != hash_password("correct horse battery")


@pytest.mark.parametrize("password", ["anything at all", "not-a-real-password", ""])
def test_verify_without_a_hash_is_false(password):
    # "not-a-real-password" is what the dummy hash (used to even out timing) was made from.
    assert verify_password(None, password) is False


def test_verify_with_a_broken_hash_is_false():
    assert verify_password("not a hash", "correct horse battery") is False
