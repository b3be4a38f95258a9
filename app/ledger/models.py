"""Grants, their tranches, contributions to a call's pool, and the append-only ledger all balances come from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.calls.models import Call
from app.db import Base, UTCDateTime, utcnow
from app.ledger.balances import KINDS
from app.proposals.models import PlannedMilestone, Proposal
from app.teams.models import Team
from app.types import state_enum

# awarded: the decision is made; active: the agreement is signed (milestones issue); completed; cancelled.
GRANT_STATES = ("awarded", "active", "completed", "cancelled")
# planned: waiting for its milestone; payable: approved (or released by hand); paid.
TRANCHE_STATES = ("planned", "payable", "paid")
CONTRIBUTION_METHODS = ("stripe", "offline")
# pending: a Stripe Checkout is open; completed: the money is in the pool; expired or failed: it never came.
CONTRIBUTION_STATES = ("pending", "completed", "expired", "failed")


class Grant(Base):
    """An awarded proposal: what the team receives, in tranches, from the call's pool."""

    __tablename__ = "grants"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="RESTRICT"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="RESTRICT"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(state_enum(GRANT_STATES, "grant_state"), default="awarded")
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the agreement was fully signed
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # every milestone was approved

    proposal: Mapped[Proposal] = relationship()
    call: Mapped[Call] = relationship()
    team: Mapped[Team] = relationship()
    tranches: Mapped[list[Tranche]] = relationship(back_populates="grant", cascade="all, delete-orphan",
                                                   order_by="Tranche.position")


class Tranche(Base):
    """The part of a grant paid when one milestone is approved."""

    __tablename__ = "tranches"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_milestones.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(160))
    amount: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(state_enum(TRANCHE_STATES, "tranche_state"), default="planned")

    grant: Mapped[Grant] = relationship(back_populates="tranches")
    milestone: Mapped[PlannedMilestone | None] = relationship()


class Contribution(Base):
    """Money a funder puts into a call's pool: by Stripe Checkout, or recorded by a coordinator (bank transfer)."""

    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(state = 'completed') = (completed_at IS NOT NULL)", name="completed_has_time"),
        CheckConstraint("method = 'stripe' OR reference IS NOT NULL", name="offline_has_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="RESTRICT"), index=True)
    contributor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    contributor_name: Mapped[str] = mapped_column(String(120))  # the person or organisation, as receipts name it
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(state_enum(CONTRIBUTION_METHODS, "contribution_method"))
    state: Mapped[str] = mapped_column(state_enum(CONTRIBUTION_STATES, "contribution_state"), default="pending")
    stripe_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    reference: Mapped[str | None] = mapped_column(String(255))  # the bank transfer's reference, offline
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship()
    contributor: Mapped[User | None] = relationship(foreign_keys=[contributor_id])


class LedgerEntry(Base):
    """One movement of money, never edited or deleted; a mistake is answered by a reversing entry."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(kind IN ('contribution', 'refund')) = (grant_id IS NULL)", name="grant_unless_pool"),
        Index("ix_ledger_entries_call_id_kind", "call_id", "kind"),
        Index("ix_ledger_entries_grant_id_kind", "grant_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="RESTRICT"))
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grants.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(state_enum(KINDS, "ledger_kind"))
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="RESTRICT"))
    # What the entry answers ("contribution:12", "award:grant:3"): unique, so the same event is never booked twice.
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    reference: Mapped[str | None] = mapped_column(String(255))
    memo: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
    grant: Mapped[Grant | None] = relationship()
