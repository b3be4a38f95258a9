"""Delivering a funded project: the grant agreement, each milestone's evidence and decisions, due-date changes,
and the team's choice to show the project in the public showcase."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from app.accounts.models import User
from app.calls.models import Call
from app.db import Base, UTCDateTime, utcnow
from app.ledger.models import Grant, Tranche
from app.proposals.models import PlannedMilestone
from app.types import state_enum

# planned: nothing sent yet; submitted: evidence waits for a decision; changes_requested: the approver asked for
# more; approved: done, and its tranche is payable.
MILESTONE_STATES = ("planned", "submitted", "changes_requested", "approved")
FEEDBACK_VERDICTS = ("sign_off", "concerns")
DUE_CHANGE_STATES = ("pending", "accepted", "refused")
COUNTERSIGNER_KINDS = ("guardian", "organisation")


class AgreementTemplate(Base):
    """One version of a call's grant agreement; a new version is a new row, so what was signed stays readable."""

    __tablename__ = "agreement_templates"
    __table_args__ = (UniqueConstraint("call_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # Markdown
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    call: Mapped[Call] = relationship()
    created_by: Mapped[User | None] = relationship()


class GrantAgreement(Base):
    """The team lead's acceptance of a grant's agreement, with the exact text, and the adult's countersignature."""

    __tablename__ = "grant_agreements"
    __table_args__ = (
        CheckConstraint("(countersigned_at IS NULL) = (countersigned_by_id IS NULL)", name="countersigned_has_who"),
        CheckConstraint("countersigned_at IS NULL OR countersign_required", name="countersigned_only_if_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), unique=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("agreement_templates.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer)
    text_accepted: Mapped[str] = mapped_column(Text)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Decided when the lead accepts: a team with a minor needs a guardian or its sponsoring organisation.
    countersign_required: Mapped[bool] = mapped_column(Boolean, default=False)
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    countersigner_kind: Mapped[str | None] = mapped_column(state_enum(COUNTERSIGNER_KINDS, "countersigner_kind"))
    countersigner_organisation: Mapped[str | None] = mapped_column(String(120))

    grant: Mapped[Grant] = relationship()
    template: Mapped[AgreementTemplate] = relationship()
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    countersigned_by: Mapped[User | None] = relationship(foreign_keys=[countersigned_by_id])

    @property
    def complete(self) -> bool:
        return not self.countersign_required or self.countersigned_at is not None


class ProjectMilestone(Base):
    """A planned milestone being delivered: its current due date, state and the tranche it unlocks."""

    __tablename__ = "project_milestones"
    __table_args__ = (
        CheckConstraint("(state = 'approved') = (approved_at IS NOT NULL)", name="approved_has_time"),
        Index("ix_project_milestones_state_due_date", "state", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    planned_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_milestones.id", ondelete="SET NULL"),
                                                   unique=True)
    tranche_id: Mapped[int | None] = mapped_column(ForeignKey("tranches.id", ondelete="SET NULL"), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(160))
    deliverable: Mapped[str] = mapped_column(Text, default="")
    original_due_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(state_enum(MILESTONE_STATES, "project_milestone_state"), default="planned")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set by `flask reminders send`; cleared when the due date moves, so the new date gets its own reminders.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    grant: Mapped[Grant] = relationship()
    planned: Mapped[PlannedMilestone | None] = relationship()
    tranche: Mapped[Tranche | None] = relationship()
    submissions: Mapped[list[EvidenceSubmission]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan", order_by="EvidenceSubmission.number"
    )

    @property
    def latest_submission(self) -> EvidenceSubmission | None:
        return self.submissions[-1] if self.submissions else None


class EvidenceSubmission(Base):
    """What the team sent for a milestone, each time it sent it; the approved one carries the reach figures."""

    __tablename__ = "evidence_submissions"
    __table_args__ = (
        UniqueConstraint("milestone_id", "number"),
        CheckConstraint("people_reached >= 0 AND content_pieces >= 0 AND events_held >= 0",
                        name="reach_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("project_milestones.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)  # Markdown
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    people_reached: Mapped[int] = mapped_column(Integer, default=0)
    content_pieces: Mapped[int] = mapped_column(Integer, default=0)
    events_held: Mapped[int] = mapped_column(Integer, default=0)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    milestone: Mapped[ProjectMilestone] = relationship(back_populates="submissions")
    submitted_by: Mapped[User | None] = relationship()
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )


class EvidenceFile(Base):
    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("evidence_submissions.id", ondelete="CASCADE"),
                                               index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    # Marked by the team: a warning before opening, and hidden from funders who only follow the call.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[EvidenceSubmission] = relationship(back_populates="files")


class MilestoneFeedback(Base):
    """A mentor's sign-off on, or concerns about, one submission."""

    __tablename__ = "milestone_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("project_milestones.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("evidence_submissions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verdict: Mapped[str] = mapped_column(state_enum(FEEDBACK_VERDICTS, "feedback_verdict"))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()


class MilestoneEvent(Base):
    """The milestone's history: every move, sign-off and due-date decision with who, when and why."""

    __tablename__ = "milestone_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("project_milestones.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()


class DueDateChange(Base):
    """A team's request to move a milestone's due date and the coordinator's answer."""

    __tablename__ = "due_date_changes"
    __table_args__ = (
        CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name="decided_has_time"),
        Index("uq_due_date_changes_pending", "milestone_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("project_milestones.id", ondelete="CASCADE"), index=True)
    current_date: Mapped[date] = mapped_column(Date)
    proposed_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(state_enum(DUE_CHANGE_STATES, "due_change_state"), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")

    milestone: Mapped[ProjectMilestone] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Publication(Base):
    """The team's choice to show its project in the public showcase, with the outputs it wants to point to."""

    __tablename__ = "project_publications"
    # The showcase lists the most recently published first: read in that order, a page stops after its twelve.
    __table_args__ = (Index("ix_project_publications_published_at_id", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str] = mapped_column(Text)  # the public description, written for the public
    # [{"label": ..., "url": ...}]: the project's public outputs (videos, site, campaign page).
    links: Mapped[list[dict]] = mapped_column(JSON, default=list)
    published: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    grant: Mapped[Grant] = relationship()
