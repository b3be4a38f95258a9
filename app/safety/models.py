"""Concerns people report about what they read; coordinators triage them, most serious first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.teams.models import Team
from app.types import state_enum

# What can be reported: messages, comments, proposals, mentor profiles and public showcase pages.
SUBJECT_TYPES = ("team_message", "proposal_comment", "proposal", "mentor_profile", "showcase_page")
# Most serious first: the order of the coordinators' queue.
CATEGORIES = ("child_risk", "imminent_harm", "violent_extremism", "personal_details", "hate_speech",
              "harassment", "spam", "other")
REPORT_STATES = ("open", "closed")


class Report(Base):
    """Someone's concern about one message or comment, waiting for a coordinator, then closed with a note."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        Index("ix_reports_state_severity_created_at", "state", "severity", "created_at"),
        Index("ix_reports_subject_type_subject_id", "subject_type", "subject_id"),
        # One open report per person and subject: two quick clicks (or two tabs) cannot file it twice.
        Index("uq_reports_open_per_reporter", "reporter_id", "subject_type", "subject_id", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_type: Mapped[str] = mapped_column(state_enum(SUBJECT_TYPES, "report_subject"))
    subject_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    category: Mapped[str] = mapped_column(state_enum(CATEGORIES, "report_category"))
    severity: Mapped[int] = mapped_column(Integer)  # the category's tier (app/safety/services.SEVERITY), 0 first
    detail: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(state_enum(REPORT_STATES, "report_state"), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(Text)

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    team: Mapped[Team | None] = relationship()


# What a coordinator can do about reported (or flagged) content or a person, mildest first: counter-narrative
# projects may need to quote extremist material, so warnings and limited visibility come before removal.
MODERATION_KINDS = ("dismiss", "content_warning", "limit_visibility", "remove", "suspend")
APPEAL_STATES = ("open", "upheld", "rejected")
# normal: everyone who may read it sees it; limited: only coordinators and its author; removed: nobody but
# coordinators (kept for appeals and the record).
VISIBILITIES = ("normal", "limited", "removed")
TERM_LANGUAGES = ("en", "fr")


class ModerationAction(Base):
    """A coordinator's decision about one subject (or one account, for a suspension), with its reason; the
    affected person is sent a statement of reasons with a way to appeal."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        Index("ix_moderation_actions_subject", "subject_type", "subject_id"),
        CheckConstraint("kind = 'suspend' OR subject_type IS NOT NULL", name="content_action_has_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(state_enum(MODERATION_KINDS, "moderation_kind"))
    subject_type: Mapped[str | None] = mapped_column(state_enum(SUBJECT_TYPES, "moderated_subject"))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    affected_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    warning: Mapped[str | None] = mapped_column(Text)  # the content warning readers see, for content_warning
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    statement_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when an appeal is upheld (or a coordinator lifts a suspension): the action no longer applies.
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    report: Mapped[Report | None] = relationship()
    affected_user: Mapped[User | None] = relationship(foreign_keys=[affected_user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class Appeal(Base):
    """The affected person's appeal against an action, decided by a coordinator other than the one who acted."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint("(state = 'open') = (decided_at IS NULL)", name="decided_has_time"),
        UniqueConstraint("action_id"),  # one appeal per action
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("moderation_actions.id", ondelete="CASCADE"))
    appellant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    grounds: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(state_enum(APPEAL_STATES, "appeal_state"), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)

    action: Mapped[ModerationAction] = relationship()
    appellant: Mapped[User | None] = relationship(foreign_keys=[appellant_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ContentStatus(Base):
    """How one piece of content is shown after moderation; no row means shown normally."""

    __tablename__ = "content_statuses"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(state_enum(SUBJECT_TYPES, "status_subject"))
    subject_id: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(state_enum(VISIBILITIES, "content_visibility"), default="normal")
    warning: Mapped[str | None] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_actions.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FlaggedTerm(Base):
    """A word or phrase that sends new content to a coordinator for review; it never hides anything by itself."""

    __tablename__ = "flagged_terms"
    __table_args__ = (UniqueConstraint("language", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(state_enum(TERM_LANGUAGES, "term_language"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContentFlag(Base):
    """New content that matched flagged terms, waiting for a coordinator to look at it."""

    __tablename__ = "content_flags"
    __table_args__ = (
        Index("ix_content_flags_subject", "subject_type", "subject_id"),
        CheckConstraint("(reviewed_at IS NULL) = (reviewed_by_id IS NULL)", name="reviewed_has_who"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(state_enum(SUBJECT_TYPES, "flagged_subject"))
    subject_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
