"""Proposals: the text, the itemised budget, the milestone plan, attachments and submitted versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from app.accounts.models import User
from app.calls.models import Call
from app.db import Base, UTCDateTime, utcnow
from app.teams.models import Team
from app.types import state_enum

PROPOSAL_STATES = (
    "draft", "submitted", "screening", "in_review", "changes_requested", "awarded", "declined", "withdrawn",
)
BUDGET_CATEGORIES = ("equipment", "software", "services", "materials", "travel", "events", "communication", "other")
ATTACHMENT_KINDS = ("pitch_deck", "storyboard", "video")


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("amount_requested >= 0", name="amount_not_negative"),
        CheckConstraint("(state = 'awarded') = (amount_awarded IS NOT NULL)", name="awarded_has_amount"),
        # A draft withdrawn before it was ever submitted has no submission time; every other state agrees.
        CheckConstraint("state = 'withdrawn' OR (state = 'draft') = (submitted_at IS NULL)", name="submitted_has_time"),
        Index("ix_proposals_call_id_state", "call_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="RESTRICT"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(160), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    approach: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    expected_reach: Mapped[int | None] = mapped_column(Integer)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    amount_requested: Mapped[int] = mapped_column(Integer, default=0)
    amount_awarded: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(state_enum(PROPOSAL_STATES, "proposal_state"), default="draft")
    # The number of the version last submitted; 0 while it has never been submitted.
    version: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Optimistic lock: two teammates saving the same draft cannot silently overwrite each other.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    call: Mapped[Call] = relationship()
    team: Mapped[Team] = relationship()
    created_by: Mapped[User | None] = relationship()
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="BudgetLine.position", lazy="selectin"
    )
    milestones: Mapped[list[PlannedMilestone]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="PlannedMilestone.position",
        lazy="selectin",
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="Attachment.uploaded_at"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def budget_total(self) -> int:
        return sum(line.amount for line in self.budget_lines)

    @property
    def tranche_total(self) -> int:
        return sum(milestone.tranche_amount for milestone in self.milestones)


class BudgetLine(Base):
    __tablename__ = "proposal_budget_lines"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(state_enum(BUDGET_CATEGORIES, "budget_category"))
    description: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(Integer)

    proposal: Mapped[Proposal] = relationship(back_populates="budget_lines")


class PlannedMilestone(Base):
    """A step of the plan; its tranche is paid when the delivered milestone is approved (a later capability)."""

    __tablename__ = "proposal_milestones"
    __table_args__ = (CheckConstraint("tranche_amount >= 0", name="tranche_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(160))
    deliverable: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    tranche_amount: Mapped[int] = mapped_column(Integer)

    proposal: Mapped[Proposal] = relationship(back_populates="milestones")


class Attachment(Base):
    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(state_enum(ATTACHMENT_KINDS, "attachment_kind"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    # Marked by the team: a warning before opening, and only the team, its mentors, coordinators and assigned
    # reviewers may open it.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()


class ProposalVersion(Base):
    """What the team submitted each time, frozen, so reviewers can see what changed between versions."""

    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submitted_by: Mapped[User | None] = relationship()
