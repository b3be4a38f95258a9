"""Factories: build valid records with one call, overriding only what a test cares about."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from app import db
from app.accounts.models import GuardianConsent, RoleGrant, User
from app.accounts.passwords import hash_password
from app.db import utcnow
from app.teams.models import Membership, Team

PASSWORD = "correct horse battery"  # noqa: S105
_PASSWORD_HASH: str | None = None
_counter = itertools.count(1)


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


def birth_date_for(age: int) -> date:
    today = date.today()
    try:
        return today.replace(year=today.year - age) - timedelta(days=30)
    except ValueError:  # 29 February
        return today.replace(year=today.year - age, day=28) - timedelta(days=30)


def create_user(*roles: str, email: str | None = None, name: str | None = None, age: int = 25,
                country: str = "CA", region: str | None = None, confirmed: bool = True, locale: str = "en",
                consent: str | None = None, guardian_email: str | None = None) -> User:
    """A user with the given roles (youth by default); consent='given'|'requested'|'refused' adds a request."""
    n = next(_counter)
    user = User(
        email=email or f"person{n}@example.org", display_name=name or f"Person{n} Example",
        password_hash=password_hash(), birth_date=birth_date_for(age), country=country, region=region,
        locale=locale, timezone="America/Toronto", conduct_accepted_at=utcnow(),
        email_confirmed_at=utcnow() if confirmed else None,
    )
    user.role_grants.extend(RoleGrant(role=role) for role in (roles or ("youth",)))
    db.session.add(user)
    db.session.flush()
    if consent:
        db.session.add(GuardianConsent(minor_id=user.id, guardian_email=guardian_email or f"guardian{n}@example.org",
                                       state=consent, nonce="n" * 16,
                                       decided_at=utcnow() if consent != "requested" else None))
        db.session.flush()
        db.session.expire(user, ["consent_requests"])
    return user


def create_team(lead: User | None = None, *members: User, name: str | None = None, country: str = "CA") -> Team:
    lead = lead or create_user()
    team = Team(name=name or f"Team {next(_counter)}", description="We make videos.", country=country,
                languages=["en", "fr"], lead_id=lead.id)
    team.memberships.append(Membership(user_id=lead.id))
    for member in members:
        team.memberships.append(Membership(user_id=member.id))
    db.session.add(team)
    db.session.flush()
    return team
