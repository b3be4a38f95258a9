"""Time-based one-time codes (RFC 6238, the kind authenticator apps show): pure functions, no database."""

from __future__ import annotations

import hmac
import re
import time

import pyotp

ISSUER = "Passerelle"
STEP_SECONDS = 30
DIGITS = 6
# A code from the step before or after the current one is still accepted: phone clocks drift and people
# type slowly. Anything older has expired.
WINDOW = 1
_CODE = re.compile(r"\d{6}")


def new_secret() -> str:
    """A fresh 160-bit shared secret in base32, as authenticator apps expect."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str, issuer: str = ISSUER) -> str:
    """The otpauth:// address a QR code carries."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account_name, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four characters, easier to type by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def step_at(moment: float) -> int:
    return int(moment // STEP_SECONDS)


def normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def looks_like_code(code: str) -> bool:
    return bool(_CODE.fullmatch(normalise(code)))


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, *, last_step: int | None = None, now: float | None = None) -> int | None:
    """The time step the code belongs to, or None when it is wrong, expired, or not newer than last_step
    (a code, once used, is never accepted again, nor is any older one)."""
    code = normalise(code)
    if not secret or not _CODE.fullmatch(code):
        return None
    current = step_at(time.time() if now is None else now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None
