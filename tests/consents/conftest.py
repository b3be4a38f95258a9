"""A family and a team: a minor (14, in France) whose mother consented, in a team with an adult lead, a vetted
mentor and a published project; a coordinator watches."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry, GuardianConsent
from app.notices.models import Notification
from tests.factories import (
    create_mentor,
    create_mentorship,
    create_project,
    create_team,
    create_user,
    record_consents,
)


def family(purposes=("mentoring", "showcase", "photos"), own=("mentoring", "showcase", "photos"), *,
           name: str = "Zoé Gagnon", age: int = 14):
    """A guardian, and a minor whose consent request the guardian answered with yes to taking part and
    `purposes`; the minor agreed themself to `own`."""
    guardian = create_user("guardian", name="Nadia Gagnon", age=44, email=f"mother-{name.split()[0]}@mail.test")
    minor = create_user("youth", name=name, age=age, country="FR", consent="requested",
                        guardian_email=guardian.email)
    request = db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == minor.id))
    request.state, request.guardian_id, request.decided_at = "given", guardian.id, request.requested_at
    db.session.flush()
    db.session.expire(minor, ["consent_requests"])
    record_consents(minor, purposes, own=own, guardian=guardian)
    return guardian, minor


def build(purposes=("mentoring", "showcase", "photos"), own=("mentoring", "showcase", "photos")) -> SimpleNamespace:
    guardian, minor = family(purposes, own)
    lead = create_user("youth", name="Ines Lavoie")
    team = create_team(lead, minor, name="Respect Lab")
    mentor = create_mentor(name="Marc Mentor")
    create_mentorship(team, mentor)
    grant = create_project(team, state="active", approved=1, title="Voices Against Hate", published=True)
    coordinator = create_user("coordinator", name="Cora Coord")
    other_guardian = create_user("guardian", name="Olga Other", age=50)
    return SimpleNamespace(guardian=guardian, minor=minor, lead=lead, team=team, mentor=mentor, grant=grant,
                           coordinator=coordinator, other_guardian=other_guardian)


@pytest.fixture
def scene():
    return build()


def notices_of(user, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == kind)))


def audit_of(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
