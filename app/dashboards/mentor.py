"""A mentor's panel: the teams they mentor, those teams' drafts, and milestones waiting for their feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app import db
from app.accounts.models import User
from app.dashboards.queries import LIST_SIZE, on_latest_submission
from app.ledger.models import Grant
from app.mentoring.models import Mentorship
from app.projects.models import MilestoneFeedback, ProjectMilestone
from app.proposals.models import Proposal
from app.teams.models import Team

DRAFT_STATES = ("draft", "changes_requested")


@dataclass(frozen=True)
class MentoredTeam:
    id: int
    name: str


@dataclass(frozen=True)
class Draft:
    id: int
    title: str
    state: str
    team_name: str


@dataclass(frozen=True)
class AwaitingFeedback:
    milestone_id: int
    grant_id: int
    title: str
    project_title: str
    team_name: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class MentorPanel:
    teams: list[MentoredTeam]
    team_total: int
    drafts: list[Draft]
    draft_total: int
    awaiting: list[AwaitingFeedback]
    awaiting_total: int


def _mentored_team_ids(user: User):
    return select(Mentorship.team_id).where(Mentorship.mentor_id == user.id, Mentorship.state == "active")


def mentored_teams(user: User) -> tuple[list[MentoredTeam], int]:
    rows = db.session.execute(
        select(Team.id, Team.name, func.count().over()).where(Team.id.in_(_mentored_team_ids(user)))
        .order_by(Team.name, Team.id).limit(LIST_SIZE)).all()
    return [MentoredTeam(*row[:2]) for row in rows], (rows[0][2] if rows else 0)


def drafts(user: User) -> tuple[list[Draft], int]:
    """Proposals the mentored teams are still writing or revising, most recently changed first."""
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.state, Team.name, func.count().over())
        .join(Team, Team.id == Proposal.team_id)
        .where(Proposal.team_id.in_(_mentored_team_ids(user)), Proposal.state.in_(DRAFT_STATES))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc()).limit(LIST_SIZE)).all()
    return [Draft(*row[:4]) for row in rows], (rows[0][4] if rows else 0)


def awaiting_feedback(user: User) -> tuple[list[AwaitingFeedback], int]:
    """Evidence waiting for a decision in the mentored teams' active projects that this mentor has not yet
    signed off or questioned (feedback on an earlier submission does not count)."""
    answered = select(MilestoneFeedback.id).where(
        MilestoneFeedback.milestone_id == ProjectMilestone.id, MilestoneFeedback.author_id == user.id,
        on_latest_submission()).exists()
    rows = db.session.execute(
        select(ProjectMilestone.id, Grant.id, ProjectMilestone.title, Proposal.title, Team.name,
               ProjectMilestone.submitted_at, func.count().over())
        .join(Grant, Grant.id == ProjectMilestone.grant_id).join(Proposal, Proposal.id == Grant.proposal_id)
        .join(Team, Team.id == Grant.team_id)
        .where(ProjectMilestone.state == "submitted", Grant.state == "active",
               Grant.team_id.in_(_mentored_team_ids(user)), ~answered)
        .order_by(ProjectMilestone.submitted_at, ProjectMilestone.id).limit(LIST_SIZE)).all()
    return [AwaitingFeedback(*row[:6]) for row in rows], (rows[0][6] if rows else 0)


def panel(user: User) -> MentorPanel:
    team_rows, team_total = mentored_teams(user)
    draft_rows, draft_total = drafts(user)
    awaiting_rows, awaiting_total = awaiting_feedback(user)
    return MentorPanel(teams=team_rows, team_total=team_total, drafts=draft_rows, draft_total=draft_total,
                       awaiting=awaiting_rows, awaiting_total=awaiting_total)
