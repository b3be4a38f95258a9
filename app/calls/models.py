"""Funding calls and their review rubric."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.types import state_enum

CALL_STATES = ("draft", "published", "closed", "archived")
THEMES = ("counter_narratives", "digital_literacy", "intercultural_dialogue", "hate_speech", "inclusion", "other")
MILESTONE_APPROVERS = ("coordinator", "funder")
CURRENCIES = ("CAD", "EUR", "USD", "GBP", "CHF", "XOF", "MAD", "TND")


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("pool_amount >= 0", name="pool_not_negative"),
        CheckConstraint("max_award > 0 AND max_award <= pool_amount", name="max_award_within_pool"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint("min_age <= max_age", name="age_range"),
        CheckConstraint("min_team_size >= 1 AND min_team_size <= max_team_size", name="team_size_range"),
        CheckConstraint("min_reviews >= 1", name="min_reviews_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_age: Mapped[int] = mapped_column(Integer, default=13)
    max_age: Mapped[int] = mapped_column(Integer, default=25)
    # An empty list means teams from every country may apply.
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_team_size: Mapped[int] = mapped_column(Integer, default=1)
    max_team_size: Mapped[int] = mapped_column(Integer, default=10)
    currency: Mapped[str] = mapped_column(String(3))
    pool_amount: Mapped[int] = mapped_column(Integer)
    max_award: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Deadlines are written and shown in this zone; they are stored in UTC.
    timezone: Mapped[str] = mapped_column(String(64))
    review_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    min_reviews: Mapped[int] = mapped_column(Integer, default=2)
    blind_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who approves the funded projects' milestones: the programme's coordinators or the call's funders.
    milestone_approver: Mapped[str] = mapped_column(state_enum(MILESTONE_APPROVERS, "milestone_approver"),
                                                    default="coordinator", server_default="coordinator")
    state: Mapped[str] = mapped_column(state_enum(CALL_STATES, "call_state"), default="draft", index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[User | None] = relationship()
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position", lazy="selectin"
    )

    funders: Mapped[list[CallFunder]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def is_managed_by(self, user) -> bool:
        return user.id == self.owner_id or any(funder.user_id == user.id for funder in self.funders)

    def is_open(self, now: datetime) -> bool:
        return self.state == "published" and self.opens_at <= now < self.closes_at


class CallFunder(Base):
    """A funder who manages a call with its owner: reviews its pipeline and decides awards."""

    __tablename__ = "call_funders"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()


class Criterion(Base):
    """One line of the rubric: a weight and a descriptor for each level of the 1–5 scale."""

    __tablename__ = "call_criteria"
    __table_args__ = (CheckConstraint("weight > 0", name="weight_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    allow_not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Five strings: what a 1, 2, 3, 4 and 5 mean for this criterion.
    level_descriptors: Mapped[list[str]] = mapped_column(JSON, default=list)

    call: Mapped[Call] = relationship(back_populates="criteria")
