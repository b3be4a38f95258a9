"""People: accounts, the roles they hold, and guardian consent for minors."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
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

from app.db import Base, UTCDateTime, utcnow
from app.types import state_enum

ROLES = ("youth", "guardian", "mentor", "funder", "coordinator")
CONSENT_STATES = ("requested", "given", "refused")
# What a guardian (and the young person) agree to, each on its own: taking part at all, being mentored,
# appearing in the public showcase, and photos of them being shown.
CONSENT_PURPOSES = ("participation", "mentoring", "showcase", "photos")
CONSENT_GIVERS = ("guardian", "self")
CONSENT_METHODS = ("online", "paper", "email")
ERASURE_STATES = ("pending", "done", "refused")


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    birth_date: Mapped[date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(6))
    # The organisation a funder, reviewer or mentor works for: the same one as a team's sponsor is a conflict.
    organisation: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    conduct_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped on password change: sessions and remember-me cookies carrying the old value stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # A suspended account cannot sign in or act; set and lifted by moderation.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-factor sign-in (TOTP): the shared secret, when it was turned on, and the last time step used, so a
    # code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The account was deleted: personal data erased, the row kept under a pseudonym for the records the law
    # requires (grants, payments).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleGrant.user_id",
    )
    consent_requests: Mapped[list[GuardianConsent]] = relationship(
        foreign_keys="GuardianConsent.minor_id", lazy="selectin", viewonly=True
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.role_grants)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name.strip() else ""

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(state_enum(ROLES, "role"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])


class GuardianConsent(Base):
    """A request to a guardian and their answer; the text agreed to is kept with the answer."""

    __tablename__ = "guardian_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    guardian_email: Mapped[str] = mapped_column(String(254))
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(state_enum(CONSENT_STATES, "consent_state"), default="requested")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    text_version: Mapped[str | None] = mapped_column(String(32))
    text_agreed: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    # A fresh nonce makes every earlier link for this request stop working.
    nonce: Mapped[str] = mapped_column(String(32))

    minor: Mapped[User] = relationship(foreign_keys=[minor_id])
    guardian: Mapped[User | None] = relationship(foreign_keys=[guardian_id])


class AuditEntry(Base):
    """Who did what to which record, when, and why; append-only."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject_type", "subject_id"),
                      Index("ix_audit_entries_action_created_at", "action", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class ConsentRecord(Base):
    """Consent for one purpose, by the guardian or by the young person, with the exact wording, how it was given
    and when; withdrawing it ends the record (and its effect) at once. History is kept, never rewritten."""

    __tablename__ = "consent_records"
    __table_args__ = (
        # At most one standing consent per person, purpose and giver.
        Index("uq_consent_records_standing", "subject_id", "purpose", "given_as", unique=True,
              sqlite_where=text("withdrawn_at IS NULL"), postgresql_where=text("withdrawn_at IS NULL")),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)", name="withdrawn_has_who"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(state_enum(CONSENT_PURPOSES, "consent_purpose"))
    given_as: Mapped[str] = mapped_column(state_enum(CONSENT_GIVERS, "consent_giver"))
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    wording_version: Mapped[str] = mapped_column(String(32))
    wording: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(state_enum(CONSENT_METHODS, "consent_method"), default="online")
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    subject: Mapped[User] = relationship(foreign_keys=[subject_id])
    given_by: Mapped[User | None] = relationship(foreign_keys=[given_by_id])


class UserSession(Base):
    """One signed-in browser: listed on the account page, ended one by one or everywhere at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, kept in the signed session cookie: the row a request belongs to.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    # When this session passed the second factor; None while it has not (or the account has no second factor).
    two_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ErasureRequest(Base):
    """A guardian's request that a minor's data be erased, answered by a coordinator."""

    __tablename__ = "erasure_requests"
    __table_args__ = (
        CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name="decided_has_time"),
        Index("uq_erasure_requests_pending", "minor_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(state_enum(ERASURE_STATES, "erasure_state"), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
