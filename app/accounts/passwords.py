"""Password hashing (argon2) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 128
_hasher = PasswordHasher()
# Hashing a throwaway value when the account does not exist keeps sign-in time the same either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
COMMON = frozenset((
    "password", "passw0rd", "password1", "password123", "1234567890", "12345678910", "123456789a",
    "qwertyuiop", "qwerty1234", "azertyuiop", "azerty1234", "iloveyou12", "letmein123", "motdepasse",
    "motdepasse1", "football12", "welcome123", "abcdefghij", "0123456789", "1111111111", "aaaaaaaaaa",
    "administrator", "passerelle",
))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, email: str = "", name: str = ""):
    """Return why a password is too weak, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(count)d characters.", count=MAX_LENGTH)
    lowered = password.lower()
    if lowered in COMMON or len(set(lowered)) < 4:
        return _l("This password is too easy to guess. Try a few unrelated words.")
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (name and lowered == name.lower()):
        return _l("Do not use your name or email address in your password.")
    return None
