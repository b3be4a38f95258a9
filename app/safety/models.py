"""Concerns people report about what they read; coordinators triage them, most serious first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.teams.models import Team
from app.types import state_enum

# What can be reported; the trust-and-safety work adds proposals, profiles and showcase pages.
SUBJECT_TYPES = ("team_message", "proposal_comment")
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
    severity: Mapped[int] = mapped_column(Integer)  # the category's rank, 0 most serious, kept for ordering
    detail: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(state_enum(REPORT_STATES, "report_state"), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(Text)

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    team: Mapped[Team | None] = relationship()
