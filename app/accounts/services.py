"""Account verbs: they change data, flush, audit and queue emails; the request commits."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit, db, policy
from app.accounts.models import GuardianConsent, RoleGrant, User
from app.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.db import utcnow
from app.mail.services import queue_email
from app.tokens import make_link_token
from app.validation import ValidationFailed

CONSENT_RESEND_INTERVAL = timedelta(minutes=10)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def path_for(endpoint: str, **values) -> str:
    """The path of a page, built without a request: in requests, commands and workers alike."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def link(endpoint: str, **values) -> str:
    """An absolute link for emails; works in requests, commands and workers alike."""
    return current_app.config["BASE_URL"].rstrip("/") + path_for(endpoint, **values)


def register_user(*, display_name: str, email: str, password: str, birth_date: date, country: str,
                  region: str | None, locale: str, timezone: str, account_type: str,
                  guardian_email: str | None, email_already_proven: bool = False) -> User | None:
    """Create an account; a minor's guardian is asked for consent, everyone else confirms by email.

    Returns None when the address already has an account (its owner is told by email instead)."""
    email = normalise_email(email)
    guardian_email = normalise_email(guardian_email or "") or None
    errors: list[tuple[str, object]] = []
    problem = password_problem(password, email, display_name)
    if problem:
        errors.append(("password", problem))
    config = current_app.config
    today = date.today()
    from app.accounts.age import age_on, needs_guardian

    age = age_on(birth_date, today)
    if birth_date > today or age > 120:
        errors.append(("birth_date", _l("Enter your real date of birth.")))
    elif age < config["MINIMUM_AGE"]:
        errors.append(("birth_date", _l("Passerelle is for people aged %(age)d and over.",
                                        age=config["MINIMUM_AGE"])))
    minor = needs_guardian(birth_date, country, region, today, config["CONSENT_AGES"])
    if account_type == "guardian" and age < config["ADULT_AGE"]:
        errors.append(("account_type", _l("Guardians and sponsoring organisations must be adults.")))
    if minor and not guardian_email:
        errors.append(("guardian_email", _l("At your age, where you live, a parent or guardian must agree "
                                            "before you take part. Enter their email address.")))
    if minor and guardian_email == email:
        errors.append(("guardian_email", _l("Enter your guardian's own email address, not yours.")))
    if errors:
        raise ValidationFailed(errors)
    existing = find_user_by_email(email)
    if existing is not None:
        # The page answers exactly as for a new account, so nobody learns who is registered here;
        # the owner of the address gets an email telling them how to sign in instead. Hashing the password
        # anyway keeps the answer as slow as a real sign-up, so timing does not tell either.
        hash_password(password)
        queue_email(existing.email, "account_exists", existing.locale, user=existing,
                    signin_url=link("accounts.signin"), reset_url=link("accounts.forgot_password"))
        return None

    user = User(
        email=email, display_name=display_name.strip(), password_hash=hash_password(password),
        birth_date=birth_date, country=country, region=region or None, locale=locale, timezone=timezone,
        conduct_accepted_at=utcnow(), email_confirmed_at=utcnow() if email_already_proven else None,
    )
    user.role_grants.append(RoleGrant(role="guardian" if account_type == "guardian" else "youth"))
    db.session.add(user)
    db.session.flush()
    audit.record(user, "account.created", user, account_type=account_type)
    if not email_already_proven:
        send_confirmation(user)
    if minor:
        request_consent(user, guardian_email)
    return user


def send_confirmation(user: User) -> None:
    token = make_link_token("confirm", {"user": user.id, "email": user.email})
    queue_email(user.email, "confirm_email", user.locale, user=user,
                url=link("accounts.confirm_email", token=token))


def confirm_email(user: User, email: str) -> bool:
    """Mark the address as confirmed; False when the link was for an address the account no longer has."""
    if user.email != email:
        return False
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        audit.record(user, "account.email_confirmed", user)
        db.session.flush()
    return True


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None:
        return
    # The hash's tail in the link makes it single-use: once the password changes, the link is void.
    token = make_link_token("reset", {"user": user.id, "h": user.password_hash[-16:]})
    queue_email(user.email, "reset_password", user.locale, user=user,
                url=link("accounts.reset_password", token=token))


def reset_link_matches(user: User, payload: dict) -> bool:
    return payload.get("h") == user.password_hash[-16:]


def set_password(user: User, password: str, *, reason: str) -> None:
    problem = password_problem(password, user.email, user.display_name)
    if problem:
        raise ValidationFailed([("password", problem)])
    user.password_hash = hash_password(password)
    user.session_version += 1
    from app.twofactor.sessions import end_others

    # The version bump already kills every other session's cookies; this ends their rows (listed on the
    # account page) too. A reset from a link ends them all; a change keeps this browser's own.
    end_others(user, actor=user, reason=f"password_{reason}", keep_current=reason == "change")
    if user.email_confirmed_at is None and reason == "reset":
        # The reset link reached this address, which proves it.
        user.email_confirmed_at = utcnow()
    audit.record(user, "account.password_changed", user, reason=reason)
    queue_email(user.email, "password_changed", user.locale, user=user)
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ValidationFailed([("current_password", _l("That is not your current password."))])
    set_password(user, new, reason="change")


def update_profile(user: User, **fields) -> None:
    for name in ("display_name", "country", "region", "locale", "timezone"):
        if name in fields:
            value = fields[name]
            setattr(user, name, (value.strip() if isinstance(value, str) else value) or
                    (None if name == "region" else value))
    audit.record(user, "account.profile_updated", user)
    db.session.flush()


# -- guardian consent -----------------------------------------------------------------------------
def request_consent(minor: User, guardian_email: str) -> GuardianConsent:
    consent = GuardianConsent(minor_id=minor.id, guardian_email=normalise_email(guardian_email),
                              nonce=secrets.token_hex(8))
    db.session.add(consent)
    db.session.flush()
    db.session.expire(minor, ["consent_requests"])
    _send_consent_request(consent, minor)
    audit.record(minor, "consent.requested", consent)
    return consent


def resend_consent(minor: User, guardian_email: str | None = None) -> GuardianConsent:
    """Send the request again (to a corrected address if given); earlier links stop working."""
    current = latest_consent(minor)
    new_email = guardian_email or (current.guardian_email if current else None)
    if not new_email:
        raise ValidationFailed([("guardian_email", _l("Enter your guardian's email address."))])
    if normalise_email(new_email) == minor.email:
        raise ValidationFailed([("guardian_email", _l("Enter your guardian's own email address, not yours."))])
    if current is None or current.state != "requested":
        return request_consent(minor, new_email)
    if normalise_email(new_email) != current.guardian_email:
        # A corrected address takes over the unanswered request: the first address can no longer answer it.
        audit.record(minor, "consent.redirected", current)  # the log keeps ids, never addresses
        current.guardian_email = normalise_email(new_email)
    elif utcnow() - current.last_sent_at < CONSENT_RESEND_INTERVAL:
        raise ValidationFailed([(None, _l("The request was sent a few minutes ago. Please wait before "
                                          "sending it again."))])
    current.nonce = secrets.token_hex(8)
    current.last_sent_at = utcnow()
    db.session.flush()
    _send_consent_request(current, minor)
    audit.record(minor, "consent.resent", current)
    return current


def latest_consent(minor: User) -> GuardianConsent | None:
    requests = sorted(minor.consent_requests, key=lambda c: (c.requested_at, c.id))
    return requests[-1] if requests else None


def consent_token(consent: GuardianConsent) -> str:
    return make_link_token("consent", {"consent": consent.id, "n": consent.nonce})


def consent_link(consent: GuardianConsent) -> str:
    return link("accounts.consent", token=consent_token(consent))


def _send_consent_request(consent: GuardianConsent, minor: User) -> None:
    guardian = find_user_by_email(consent.guardian_email)
    queue_email(consent.guardian_email, "consent_request", guardian.locale if guardian else minor.locale,
                minor=minor, url=consent_link(consent))


def decide_consent(consent: GuardianConsent, guardian: User, *, give: bool, text: str,
                   reason: str | None = None, purposes: Iterable[str] = ()) -> None:
    """Answer a request: yes is consent to taking part, recorded with each other purpose the guardian ticked
    (mentoring, showcase, photos), each on its own record; no records nothing but the answer."""
    from app.consents import services as consents
    from app.consents.wording import wording_for

    if not policy.can_answer_consent(guardian, consent):
        raise ValidationFailed([(None, _l("This request has already been answered."))])
    consent.state = "given" if give else "refused"
    consent.guardian_id = guardian.id
    consent.decided_at = utcnow()
    consent.text_version = wording_for("participation", "guardian").version
    consent.text_agreed = text
    consent.reason = reason or None
    if give and not guardian.has_role("guardian"):
        guardian.role_grants.append(RoleGrant(role="guardian"))
    minor = consent.minor
    db.session.flush()
    db.session.expire(minor, ["consent_requests"])
    if give:
        for purpose in ("participation", *(p for p in purposes if p != "participation")):
            consents.give(guardian, minor, purpose, given_as="guardian")
    else:
        audit.record(guardian, "consent.refused", consent, reason=reason)
    queue_email(minor.email, "consent_given" if give else "consent_refused", minor.locale, minor=minor,
                url=link("core.dashboard"))


# -- roles ----------------------------------------------------------------------------------------
def grant_role(actor: User | None, user: User, role: str) -> None:
    if user.has_role(role):
        return
    user.role_grants.append(RoleGrant(role=role, granted_by_id=getattr(actor, "id", None)))
    audit.record(actor, "role.granted", user, role=role)
    db.session.flush()
    if actor is not None:
        queue_email(user.email, "role_granted", user.locale, user=user, role=role, url=link("core.dashboard"))


def revoke_role(actor: User, user: User, role: str) -> None:
    if role == "coordinator" and user.id == actor.id and count_coordinators() <= 1:
        raise ValidationFailed([("role", _l("You are the only coordinator: grant the role to someone else "
                                            "before giving it up."))])
    for grant in list(user.role_grants):
        if grant.role == role:
            user.role_grants.remove(grant)
    audit.record(actor, "role.revoked", user, role=role)
    db.session.flush()


def count_coordinators() -> int:
    return db.session.scalar(select(func.count()).select_from(RoleGrant).where(RoleGrant.role == "coordinator"))
