"""Mentors' profiles and vetting, teams' needs, matching rounds and the mentorships they lead to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.teams.models import Team
from app.types import state_enum

EXPERTISE = ("video", "web", "social_media", "research", "organising", "design", "fundraising", "other")
VETTING_KINDS = ("police_check", "vulnerable_sector_check", "references", "other")
MAX_CAPACITY = 10
ROUND_STATES = ("open", "confirmed", "discarded")
OVERRIDE_KINDS = ("lock", "ban", "swap")
# offered: the round is confirmed and the mentor has not answered; active: accepted; declined by the mentor;
# ended by the mentor, the team or a coordinator (or an offer withdrawn).
MENTORSHIP_STATES = ("offered", "active", "declined", "ended")


class MentorProfile(Base):
    """What a mentor offers: expertise, languages, time zone, how many teams at once, and their code of conduct."""

    __tablename__ = "mentor_profiles"
    __table_args__ = (CheckConstraint(f"capacity BETWEEN 1 AND {MAX_CAPACITY}", name="capacity_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    # A mentor can pause without losing the profile: a paused mentor is left out of matching rounds.
    accepting_teams: Mapped[bool] = mapped_column(Boolean, default=True)
    availability: Mapped[str] = mapped_column(Text, default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    preferred_themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    conduct_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class MentorVetting(Base):
    """A background check a coordinator recorded; the newest unexpired one makes the mentor vetted."""

    __tablename__ = "mentor_vettings"
    __table_args__ = (
        CheckConstraint("expires_on > checked_on", name="expires_after_check"),
        Index("ix_mentor_vettings_mentor_id_expires_on", "mentor_id", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(state_enum(VETTING_KINDS, "vetting_kind"))
    checked_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class TeamNeeds(Base):
    """What a team asks of a mentor; its languages are the team's own working languages."""

    __tablename__ = "team_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()


class MentorConflict(Base):
    """A mentor's own declaration that they should not mentor a team (they know its members, for instance)."""

    __tablename__ = "mentor_conflicts"
    __table_args__ = (UniqueConstraint("mentor_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()


class MatchRound(Base):
    """One run of the matcher over the teams without a mentor, reviewed by a coordinator before it counts."""

    __tablename__ = "match_rounds"
    __table_args__ = (CheckConstraint("(state = 'confirmed') = (confirmed_at IS NOT NULL)", name="confirmed_has_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(state_enum(ROUND_STATES, "round_state"), default="open")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    solved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    total_score: Mapped[int] = mapped_column(Integer, default=0)
    # {team id: [reason codes]} for the teams the matcher could not place, and why.
    unmatched: Mapped[dict] = mapped_column(JSON, default=dict)

    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    matches: Mapped[list[ProposedMatch]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="ProposedMatch.id"
    )
    overrides: Mapped[list[RoundOverride]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundOverride.id"
    )


class ProposedMatch(Base):
    """The matcher's proposal for one team in a round, with its reasons and up to three alternates."""

    __tablename__ = "proposed_matches"
    __table_args__ = (UniqueConstraint("round_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    alternates: Mapped[list] = mapped_column(JSON, default=list)  # [[mentor id, score], ...], best first

    round: Mapped[MatchRound] = relationship(back_populates="matches")
    team: Mapped[Team] = relationship()
    mentor: Mapped[User] = relationship()


class RoundOverride(Base):
    """A coordinator's lock, ban or swap in a round, with the reason; the matcher honours them on every re-run."""

    __tablename__ = "round_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_rounds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(state_enum(OVERRIDE_KINDS, "override_kind"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    round: Mapped[MatchRound] = relationship(back_populates="overrides")
    team: Mapped[Team] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class Mentorship(Base):
    """A mentor with a team: offered by a confirmed round (or a coordinator), then accepted, declined or ended."""

    __tablename__ = "mentorships"
    __table_args__ = (
        CheckConstraint("(state IN ('offered', 'active')) = (ended_at IS NULL)", name="open_has_no_end"),
        CheckConstraint("state <> 'active' OR accepted_at IS NOT NULL", name="active_was_accepted"),
        Index("ix_mentorships_team_id_state", "team_id", "state"),
        Index("ix_mentorships_mentor_id_state", "mentor_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("match_rounds.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(state_enum(MENTORSHIP_STATES, "mentorship_state"), default="offered")
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # why the matcher paired them, for both sides
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # declined or ended
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str | None] = mapped_column(Text)

    team: Mapped[Team] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
