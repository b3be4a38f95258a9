"""Reviewer assignments, conflict declarations and the scores a reviewer gives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.proposals.models import Proposal
from app.types import state_enum

# assigned: not yet opened; accepted: the reviewer said they have no conflict and may now read and score;
# conflict_declared: they said they have one and never see the proposal; submitted: the review is in.
ASSIGNMENT_STATES = ("assigned", "accepted", "conflict_declared", "submitted")
RECOMMENDATIONS = ("fund", "fund_with_changes", "do_not_fund")


class ReviewAssignment(Base):
    """One reviewer on one proposal: assigned, then a declared conflict, or accepted and later submitted."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("proposal_id", "reviewer_id"),
        CheckConstraint("(state = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"),
        CheckConstraint("(state = 'submitted') = (recommendation IS NOT NULL)", name="submitted_has_recommendation"),
        CheckConstraint("(state = 'conflict_declared') = (conflict_declared_at IS NOT NULL)",
                        name="conflict_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(state_enum(ASSIGNMENT_STATES, "assignment_state"), default="assigned")
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the reminder before the deadline is sent, so running the reminders twice sends nothing twice.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    conflict_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recommendation: Mapped[str | None] = mapped_column(state_enum(RECOMMENDATIONS, "recommendation"))
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    proposal: Mapped[Proposal] = relationship()
    scores: Mapped[list[CriterionScore]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", lazy="selectin"
    )


class CriterionScore(Base):
    """A score of 1–5 on one criterion, or none at all when the reviewer marks it not applicable."""

    __tablename__ = "review_scores"
    __table_args__ = (
        UniqueConstraint("assignment_id", "criterion_id"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_on_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("review_assignments.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("call_criteria.id", ondelete="CASCADE"), index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="scores")
