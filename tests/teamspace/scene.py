"""A team with a minor member, a vetted mentor and a coordinator: the people of the team space's tests."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.notices.models import Notification
from app.teamspace import services
from tests.factories import create_mentor, create_mentorship, create_team, create_user


def build_scene() -> SimpleNamespace:
    lead = create_user("youth", name="Lina Lead")
    minor = create_user("youth", name="Mia Minor", age=15, consent="given")
    team = create_team(lead, minor, name="Echo Team")
    mentor = create_mentor(name="Tess Mentor")
    create_mentorship(team, mentor)
    coordinator = create_user("coordinator", name="Cora Coord")
    stranger = create_user("youth", name="Sam Stranger")
    return SimpleNamespace(lead=lead, minor=minor, team=team, mentor=mentor, coordinator=coordinator,
                           stranger=stranger)


def notices_of(user, kind: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def audit_actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def thread_with_message(team, author, title: str = "Our first draft", body: str = "What do you think?"):
    return services.start_thread(author, team, title, body)
