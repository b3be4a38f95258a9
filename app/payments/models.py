"""Who receives a team's grant money (an adult: a guardian or the sponsoring organisation), each payment of a
tranche, and the Stripe events already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.ledger.models import Grant, Tranche
from app.teams.models import Team
from app.types import state_enum

PAYEE_KINDS = ("guardian", "organisation")
PAYMENT_METHODS = ("stripe", "manual")
# pending: the row is written and the money reserved in the ledger, the transfer not yet confirmed;
# paid: Stripe confirmed the transfer, or a coordinator recorded the payment; failed: Stripe refused for good
# (a coordinator retries or pays by hand); cancelled: released by mistake, the money goes back to the grant.
DISBURSEMENT_STATES = ("pending", "paid", "failed", "cancelled")


class Payee(Base):
    """The adult who receives a team's grant money on its behalf."""

    __tablename__ = "payees"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(state_enum(PAYEE_KINDS, "payee_kind"))
    organisation: Mapped[str | None] = mapped_column(String(120))  # for kind "organisation"
    country: Mapped[str] = mapped_column(String(2))
    # With Stripe on: the connected account, and what Stripe last said of it (from account.updated).
    stripe_account_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payouts_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    details_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    requirements_due: Mapped[list] = mapped_column(JSON, default=list)
    # With Stripe off: how a coordinator pays them by hand (a reference to bank details kept outside the portal).
    bank_reference: Mapped[str | None] = mapped_column(String(255))
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def ready_for_stripe(self) -> bool:
        return bool(self.stripe_account_id and self.payouts_enabled)

    @property
    def ready_by_hand(self) -> bool:
        return bool(self.bank_reference)


class Disbursement(Base):
    """One payment of one tranche; unique per tranche, so a tranche is never paid twice."""

    __tablename__ = "disbursements"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(state = 'paid') = (paid_at IS NOT NULL)", name="paid_has_time"),
        CheckConstraint("state <> 'paid' OR method = 'manual' OR stripe_transfer_id IS NOT NULL",
                        name="stripe_paid_has_transfer"),
        Index("ix_disbursements_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("tranches.id", ondelete="RESTRICT"), unique=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="RESTRICT"), index=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(state_enum(PAYMENT_METHODS, "payment_method"))
    state: Mapped[str] = mapped_column(state_enum(DISBURSEMENT_STATES, "disbursement_state"), default="pending")
    stripe_transfer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    manual_reference: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tranche: Mapped[Tranche] = relationship()
    grant: Mapped[Grant] = relationship()
    payee: Mapped[Payee] = relationship()

    @property
    def idempotency_key(self) -> str:
        """Derived from the row, so every attempt to pay it (by any worker, at any time) is the same request."""
        return f"passerelle-disbursement-{self.id}"

    @property
    def transfer_group(self) -> str:
        return f"disbursement-{self.id}"


class StripeEvent(Base):
    """A webhook event already received: its id is unique, so a duplicate delivery changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(80))
