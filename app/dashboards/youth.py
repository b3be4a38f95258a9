"""A team member's panel: their proposals, each active project's next milestone, their mentors, new messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from app import db
from app.accounts.models import User
from app.calls.models import Call
from app.dashboards.queries import LIST_SIZE, RECENT_MESSAGE_DAYS, LocalDates, flag, is_overdue
from app.ledger.models import Grant
from app.mentoring.models import Mentorship
from app.projects.models import ProjectMilestone
from app.proposals.models import Proposal
from app.teams.models import Membership, Team
from app.teamspace.models import TeamMessage, TeamThread


@dataclass(frozen=True)
class ProposalRow:
    id: int
    title: str
    state: str
    call_title: str
    team_name: str


@dataclass(frozen=True)
class NextMilestone:
    grant_id: int
    milestone_id: int
    project_title: str
    title: str
    due_date: date
    state: str
    overdue: bool


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    mentors: tuple[str, ...]
    new_messages: int


@dataclass(frozen=True)
class YouthPanel:
    proposals: list[ProposalRow]
    proposal_total: int
    next_milestones: list[NextMilestone]
    project_total: int
    teams: list[TeamRow]


def _team_ids(user: User):
    return select(Membership.team_id).where(Membership.user_id == user.id)


def proposals(user: User) -> tuple[list[ProposalRow], int]:
    """The member's teams' proposals, most recently changed first."""
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.state, Call.title, Team.name, func.count().over())
        .join(Call, Call.id == Proposal.call_id).join(Team, Team.id == Proposal.team_id)
        .where(Proposal.team_id.in_(_team_ids(user)))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc()).limit(LIST_SIZE)).all()
    return [ProposalRow(*row[:5]) for row in rows], (rows[0][5] if rows else 0)


def next_milestones(user: User, dates: LocalDates) -> tuple[list[NextMilestone], int]:
    """For each active project of the member's teams, the first milestone not yet approved."""
    first_open = (select(ProjectMilestone.grant_id, func.min(ProjectMilestone.position).label("position"))
                  .where(ProjectMilestone.state != "approved").group_by(ProjectMilestone.grant_id).subquery())
    rows = db.session.execute(
        select(Grant.id, ProjectMilestone.id, Proposal.title, ProjectMilestone.title, ProjectMilestone.due_date,
               ProjectMilestone.state, flag(is_overdue(dates)), func.count().over())
        .join(first_open, first_open.c.grant_id == Grant.id)
        .join(ProjectMilestone, (ProjectMilestone.grant_id == Grant.id)
              & (ProjectMilestone.position == first_open.c.position))
        .join(Proposal, Proposal.id == Grant.proposal_id).join(Call, Call.id == Grant.call_id)
        .where(Grant.state == "active", Grant.team_id.in_(_team_ids(user)))
        .order_by(ProjectMilestone.due_date, Grant.id).limit(LIST_SIZE)).all()
    milestones = [NextMilestone(grant_id, milestone_id, project, title, due, state, bool(overdue))
                  for grant_id, milestone_id, project, title, due, state, overdue, _total in rows]
    return milestones, (rows[0][7] if rows else 0)


def teams(user: User, now: datetime) -> list[TeamRow]:
    """The member's teams with their active mentors and the messages others posted in the last days."""
    shown = (select(Team.id).join(Membership, Membership.team_id == Team.id).where(Membership.user_id == user.id)
             .order_by(Team.name, Team.id).limit(LIST_SIZE))
    team_rows = db.session.execute(
        select(Team.id, Team.name, Mentorship.mentor_id, User.display_name)
        .outerjoin(Mentorship, (Mentorship.team_id == Team.id) & (Mentorship.state == "active"))
        .outerjoin(User, User.id == Mentorship.mentor_id)
        .where(Team.id.in_(shown)).order_by(Team.name, Team.id, User.display_name)).all()
    counts = dict(db.session.execute(
        select(TeamThread.team_id, func.count(TeamMessage.id))
        .join(TeamMessage, TeamMessage.thread_id == TeamThread.id)
        .where(TeamThread.team_id.in_(shown),
               TeamMessage.created_at >= now - timedelta(days=RECENT_MESSAGE_DAYS),
               or_(TeamMessage.author_id.is_(None), TeamMessage.author_id != user.id))
        .group_by(TeamThread.team_id)).all())
    names: dict[int, str] = {}
    mentors: dict[int, list[str]] = {}
    for team_id, name, mentor_id, mentor_name in team_rows:
        names[team_id] = name
        mentors.setdefault(team_id, [])
        if mentor_id is not None:
            mentors[team_id].append(mentor_name)
    return [TeamRow(team_id, name, tuple(mentors[team_id]), counts.get(team_id, 0)) for team_id, name in names.items()]


def panel(user: User, dates: LocalDates, now: datetime) -> YouthPanel:
    proposal_rows, proposal_total = proposals(user)
    milestone_rows, project_total = next_milestones(user, dates)
    return YouthPanel(proposals=proposal_rows, proposal_total=proposal_total, next_milestones=milestone_rows,
                      project_total=project_total, teams=teams(user, now))
