"""The people and content of the moderation tests: a team space with a mentor's message a minor reported,
two coordinators (the second in French), and helpers to decide and read what people were sent."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.safety import moderation, services
from app.safety.models import ContentFlag, ContentStatus, ModerationAction
from tests.factories import create_user
from tests.teamspace.scene import build_scene, thread_with_message


def moderation_scene():
    scene = build_scene()
    scene.thread = thread_with_message(scene.team, scene.mentor, title="Feedback",
                                       body="Here is what the recruiters wrote, word for word.")
    scene.message = scene.thread.messages[0]
    scene.second_coordinator = create_user("coordinator", name="Chloé Coord", locale="fr")
    scene.report = services.report(scene.minor, subject_of("team_message", scene.message.id), "violent_extremism",
                                   "It quotes propaganda.")
    return scene


def subject_of(kind: str, number: int):
    return services.load_subjects([(kind, number)]).get((kind, number))


REASON = "It quotes recruitment propaganda without answering it."


def decide(scene, kind: str, *, coordinator=None, reason: str = REASON, rule: str = "no_hate_or_violence",
           warning: str | None = None, report="scene", subject=None, flag=None):
    """A decision on the scene's reported message (or the given subject) by the first coordinator."""
    report = scene.report if report == "scene" else report
    subject = subject or subject_of("team_message", scene.message.id)
    return moderation.decide(coordinator or scene.coordinator, kind=kind, reason=reason, rule=rule, warning=warning,
                             subject=subject, report=report, flag=flag)


def status_of(kind: str, number: int) -> ContentStatus | None:
    return db.session.scalar(select(ContentStatus).where(ContentStatus.subject_type == kind,
                                                         ContentStatus.subject_id == number))


def actions() -> list[ModerationAction]:
    return list(db.session.scalars(select(ModerationAction).order_by(ModerationAction.id)))


def flags() -> list[ContentFlag]:
    return list(db.session.scalars(select(ContentFlag).order_by(ContentFlag.id)))
