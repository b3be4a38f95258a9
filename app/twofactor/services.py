"""Two-factor verbs: turn it on with a confirming code, turn it off, new recovery codes, check a code at sign-in.
They flush, audit and queue the email; the request commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from flask import current_app, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, db
from app.accounts.models import RecoveryCode, User
from app.accounts.passwords import verify_password
from app.accounts.services import link
from app.db import utcnow
from app.mail.services import queue_email
from app.twofactor import sessions, totp
from app.validation import ValidationFailed

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper. 12 characters of 31 carry 59 bits.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP_LENGTH = 3, 4
# Codes are random (not chosen by people), so a salted PBKDF2 at a modest cost is enough, and checking ten of
# them at sign-in stays fast.
_HASH_ITERATIONS = 10_000
PENDING_KEY = "two_factor_pending"

WRONG_CODE = _l("That code is not right. Enter the newest code your app shows, or a recovery code you have "
                "not used.")


# -- recovery codes ---------------------------------------------------------------------------------
def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_GROUPS * _GROUP_LENGTH))
    return "-".join(raw[i:i + _GROUP_LENGTH] for i in range(0, len(raw), _GROUP_LENGTH))


def normalise_recovery_code(code: str) -> str:
    return totp.normalise(code).lower()


def looks_like_recovery_code(code: str) -> bool:
    plain = normalise_recovery_code(code)
    return len(plain) == _GROUPS * _GROUP_LENGTH and all(char in _ALPHABET for char in plain)


def hash_recovery_code(code: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", normalise_recovery_code(code).encode(), salt, _HASH_ITERATIONS)
    return f"pbkdf2_sha256${_HASH_ITERATIONS}${salt.hex()}${digest.hex()}"


def recovery_code_matches(code: str, stored: str) -> bool:
    try:
        _scheme, iterations, salt, digest = stored.split("$")
        candidate = hashlib.pbkdf2_hmac("sha256", normalise_recovery_code(code).encode(), bytes.fromhex(salt),
                                        int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def _replace_recovery_codes(user: User) -> list[str]:
    """Ten new codes; the old ones stop working. Only their hashes are kept: the caller shows them once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(code)) for code in codes)
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


# -- checking a code --------------------------------------------------------------------------------
def use_totp_code(user: User, code: str, *, now: float | None = None) -> bool:
    """A right, fresh code is accepted once: its time step is stored, and no code from that step or an
    earlier one is accepted again. The conditional update keeps two requests racing with the same code
    from both getting in."""
    step = totp.matching_step(user.totp_secret, code, last_step=user.totp_last_step, now=now)
    if step is None:
        return False
    claimed = db.session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)  # the database has it already
    return True


def use_recovery_code(user: User, code: str) -> bool:
    """A recovery code works once; the first request to claim it wins."""
    if not looks_like_recovery_code(code):
        return False
    unused = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all()
    match = next((row for row in unused if recovery_code_matches(code, row.code_hash)), None)
    if match is None:
        return False
    claimed = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    db.session.expire(match)
    audit.record(user, "account.recovery_code_used", user, left=len(unused) - 1)
    db.session.flush()
    return True


def use_second_factor(user: User, code: str, *, now: float | None = None) -> str | None:
    """'totp' or 'recovery_code' when the code is accepted (and used up), None otherwise."""
    if user.totp_enabled_at is None:
        return None
    if totp.looks_like_code(code):
        return "totp" if use_totp_code(user, code, now=now) else None
    return "recovery_code" if use_recovery_code(user, code) else None


# -- turning it on and off --------------------------------------------------------------------------
def setup_secret(user: User) -> str:
    """The secret being set up: kept on the account (not yet on) so the QR code stays the same on reload."""
    if user.totp_enabled_at is None and not user.totp_secret:
        user.totp_secret = totp.new_secret()
        user.totp_last_step = None
        db.session.flush()
    return user.totp_secret


def enable(user: User, code: str, *, now: float | None = None) -> list[str]:
    """Turn two-factor sign-in on once the app shows the right code; returns the recovery codes to show once.

    This browser has just proved the second factor; every other session ends, since it never did."""
    if user.totp_enabled_at is not None:
        raise ValidationFailed([(None, _l("Two-factor sign-in is already on."))])
    step = totp.matching_step(user.totp_secret, code, now=now)
    if step is None:
        raise ValidationFailed([("code", _l("That code is not right. Check that the time on your phone is "
                                            "right and enter the newest code."))])
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    row = sessions.current()
    if row is not None and row.user_id == user.id:
        row.two_factor_at = utcnow()
    sessions.end_others(user, actor=user, reason="two_factor_enabled")
    audit.record(user, "account.two_factor_enabled", user)
    _tell(user, "two_factor_enabled")
    db.session.flush()
    return codes


def disable(user: User, *, password: str, code: str) -> None:
    """Turn it off: the password and a current code (or an unused recovery code) must both be right."""
    errors = []
    if not verify_password(user.password_hash, password):
        errors.append(("password", _l("That is not your current password.")))
    elif use_second_factor(user, code) is None:
        errors.append(("code", WRONG_CODE))
    if errors:
        raise ValidationFailed(errors)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(user, "account.two_factor_disabled", user)
    _tell(user, "two_factor_disabled")
    db.session.flush()


def renew_recovery_codes(user: User, *, password: str) -> list[str]:
    if user.totp_enabled_at is None:
        raise ValidationFailed([(None, _l("Turn on two-factor sign-in first."))])
    if not verify_password(user.password_hash, password):
        raise ValidationFailed([("password", _l("That is not your current password."))])
    codes = _replace_recovery_codes(user)
    audit.record(user, "account.recovery_codes_renewed", user, count=len(codes))
    _tell(user, "recovery_codes_renewed")
    return codes


def _tell(user: User, kind: str) -> None:
    """Every change to how the account signs in is told to its address, in case it was not its owner."""
    queue_email(user.email, kind, user.locale, user=user, url=link("accounts.profile"),
                reset_url=link("accounts.forgot_password"))


# -- the two-step sign-in ---------------------------------------------------------------------------
def hold_sign_in(user: User, *, remember: bool, next_url: str | None) -> None:
    """The password was right and the account has a second factor: remember who is signing in (not signed
    in yet) until the code comes, for a few minutes."""
    session[PENDING_KEY] = {"user": user.id, "version": user.session_version, "remember": bool(remember),
                             "next": next_url or "", "at": int(time.time())}


def held_sign_in() -> tuple[User, dict] | None:
    """The account waiting for its code, or None when there is none or it waited too long."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    limit = timedelta(minutes=current_app.config["TWO_FACTOR_PENDING_MINUTES"]).total_seconds()
    if time.time() - pending.get("at", 0) > limit:
        drop_held_sign_in()
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or user.session_version != pending.get("version") or user.totp_enabled_at is None:
        drop_held_sign_in()
        return None
    return user, pending


def drop_held_sign_in() -> None:
    session.pop(PENDING_KEY, None)


def record_failed_sign_in(user: User | None, reason: str) -> None:
    """The account's id when it exists, nothing otherwise: never the address that was typed."""
    audit.record(None, "account.signin_failed", user, reason=reason)
    db.session.flush()
