"""A team's own space: conversation threads that its members, its mentors and coordinators read, and the
mentors' meeting log. There is no private channel between an adult and a minor: everything is here."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.teams.models import Team


class TeamThread(Base):
    """A conversation in a team's space, on one subject."""

    __tablename__ = "team_threads"
    __table_args__ = (Index("ix_team_threads_team_id_last_posted_at", "team_id", "last_posted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()
    created_by: Mapped[User | None] = relationship()
    messages: Mapped[list[TeamMessage]] = relationship(back_populates="thread", cascade="all, delete-orphan",
                                                       order_by="TeamMessage.id")


class TeamMessage(Base):
    """One message in a thread (Markdown, sanitised when shown)."""

    __tablename__ = "team_messages"
    __table_args__ = (Index("ix_team_messages_thread_id_created_at", "thread_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("team_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    thread: Mapped[TeamThread] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class MeetingLog(Base):
    """A mentor's note of a meeting with the team: when, how long, what was discussed and what comes next."""

    __tablename__ = "meeting_logs"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 5 AND 480", name="minutes_range"),
        Index("ix_meeting_logs_team_id_met_on", "team_id", "met_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    met_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    topics: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()
    mentor: Mapped[User | None] = relationship()
