"""The coordinators' panel: the whole pipeline, projects overdue or at risk, mentors' load, and the queues that
wait for a coordinator (payouts that failed, due-date requests, milestones to approve).

Overdue: a milestone still waiting for the team's evidence is flagged by the reminders or past its due date in
the call's time zone. At risk (and not overdue): a milestone due within AT_RISK_DAYS days without evidence, the
mentor's concerns on the evidence waiting for a decision, or changes requested.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, select, union_all

from app import db
from app.accounts.models import User
from app.calls.models import Call
from app.dashboards.queries import (
    LIST_SIZE,
    Filters,
    LocalDates,
    filtered_proposal_ids,
    flag,
    has_concerns,
    is_due_soon,
    is_overdue,
    proposal_conditions,
)
from app.ledger.models import Grant
from app.mentoring.models import MentorProfile, Mentorship
from app.payments.models import Disbursement
from app.projects.models import DueDateChange, ProjectMilestone
from app.proposals.models import PROPOSAL_STATES, Proposal
from app.teams.models import Team


@dataclass(frozen=True)
class ProjectFlag:
    grant_id: int
    title: str
    team_name: str
    due_soon: bool
    concerns: bool
    changes_requested: bool
    since: date | None  # the earliest overdue milestone's due date, or the next one due


@dataclass(frozen=True)
class MentorLoad:
    user_id: int
    name: str
    capacity: int
    active: int


@dataclass(frozen=True)
class LoadTotals:
    mentors: int
    capacity: int
    active: int
    over_capacity: int


@dataclass(frozen=True)
class FailedPayout:
    id: int
    grant_id: int
    project_title: str
    team_name: str
    amount: int
    currency: str


@dataclass(frozen=True)
class DueDateRequest:
    id: int
    milestone_id: int
    milestone_title: str
    project_title: str
    team_name: str
    current_date: date
    proposed_date: date


@dataclass(frozen=True)
class AwaitingApproval:
    milestone_id: int
    grant_id: int
    title: str
    project_title: str
    team_name: str
    submitted_at: datetime | None
    concerns: bool


@dataclass(frozen=True)
class CoordinatorPanel:
    pipeline: dict[str, int]
    overdue: list[ProjectFlag]
    overdue_total: int
    at_risk: list[ProjectFlag]
    at_risk_total: int
    mentors: list[MentorLoad]
    load: LoadTotals
    failed_payouts: list[FailedPayout]
    failed_total: int
    due_date_requests: list[DueDateRequest]
    due_date_total: int
    awaiting_approval: list[AwaitingApproval]
    awaiting_total: int


def _grant_conditions(filters: Filters) -> list:
    return [Grant.proposal_id.in_(filtered_proposal_ids(filters))] if filters.active else []


def pipeline(filters: Filters) -> dict[str, int]:
    """Proposals per state, every state listed (zero included) in the workflow's order."""
    counts = dict.fromkeys(PROPOSAL_STATES, 0)
    counts.update(db.session.execute(select(Proposal.state, func.count()).where(*proposal_conditions(filters))
                                     .group_by(Proposal.state)).all())
    return counts


def _project_flags(filters: Filters, dates: LocalDates):
    """One row per active project: whether any milestone is overdue, due soon, questioned or sent back. The
    project's title and team are joined afterwards, for the rows listed only."""
    overdue, soon = is_overdue(dates), is_due_soon(dates)
    return (select(Grant.id.label("grant_id"), Grant.proposal_id.label("proposal_id"), Grant.team_id.label("team_id"),
                   func.max(flag(overdue)).label("overdue"), func.max(flag(soon)).label("soon"),
                   func.max(flag(has_concerns())).label("concerns"),
                   func.max(flag(ProjectMilestone.state == "changes_requested")).label("changes"),
                   func.min(case((overdue, ProjectMilestone.due_date))).label("overdue_from"),
                   func.min(case((ProjectMilestone.state != "approved", ProjectMilestone.due_date))).label("next_due"))
            .join(Grant, Grant.id == ProjectMilestone.grant_id).join(Call, Call.id == Grant.call_id)
            .where(Grant.state == "active", *_grant_conditions(filters))
            .group_by(Grant.id, Grant.proposal_id, Grant.team_id))


def projects_overdue_and_at_risk(filters: Filters, dates: LocalDates):
    """(overdue, overdue total, at risk, at risk total): the longest overdue and the soonest due first.

    One statement: the flags are computed once (a common table expression) for both lists, each list is cut
    to LIST_SIZE with its total counted by a window, and only the rows listed are joined to their titles."""
    flags = _project_flags(filters, dates).cte("project_flags")

    def chosen(name: str, condition, since):
        # The soonest (or longest overdue) first, those without a date last.
        return select(literal(name).label("list"), flags.c.grant_id, flags.c.proposal_id, flags.c.team_id,
                      flags.c.soon, flags.c.concerns, flags.c.changes, since.label("since"),
                      func.count().over().label("total")).where(condition).order_by(
            since.is_(None), since, flags.c.grant_id).limit(LIST_SIZE).subquery()

    at_risk_condition = and_(flags.c.overdue == 0,
                             (flags.c.soon == 1) | (flags.c.concerns == 1) | (flags.c.changes == 1))
    both = union_all(select(chosen("overdue", flags.c.overdue == 1, flags.c.overdue_from)),
                     select(chosen("at_risk", at_risk_condition, flags.c.next_due))).subquery()
    rows = db.session.execute(
        select(both.c.list, both.c.grant_id, Proposal.title, Team.name, both.c.soon, both.c.concerns,
               both.c.changes, both.c.since, both.c.total)
        .join(Proposal, Proposal.id == both.c.proposal_id).join(Team, Team.id == both.c.team_id)
        .order_by(both.c.list, both.c.since.is_(None), both.c.since, both.c.grant_id)).all()
    lists: dict[str, list[ProjectFlag]] = {"overdue": [], "at_risk": []}
    totals = {"overdue": 0, "at_risk": 0}
    for name, grant_id, title, team, soon, concerns, changes, when, total in rows:
        lists[name].append(ProjectFlag(grant_id, title, team, bool(soon), bool(concerns), bool(changes), when))
        totals[name] = total
    return lists["overdue"], totals["overdue"], lists["at_risk"], totals["at_risk"]


def mentors_load() -> tuple[list[MentorLoad], LoadTotals]:
    """Every mentor's active mentorships against the capacity they offer; the busiest first."""
    active = (select(Mentorship.mentor_id, func.count().label("number")).where(Mentorship.state == "active")
              .group_by(Mentorship.mentor_id).subquery())
    number = func.coalesce(active.c.number, 0)
    base = select(MentorProfile).join(User, User.id == MentorProfile.user_id).outerjoin(
        active, active.c.mentor_id == MentorProfile.user_id)
    rows = db.session.execute(
        base.with_only_columns(User.id, User.display_name, MentorProfile.capacity, number)
        .order_by(number.desc(), MentorProfile.capacity, User.display_name, User.id).limit(LIST_SIZE)).all()
    mentors, capacity, busy, over = db.session.execute(base.with_only_columns(
        func.count(MentorProfile.id), func.coalesce(func.sum(MentorProfile.capacity), 0),
        func.coalesce(func.sum(number), 0), func.coalesce(func.sum(flag(number > MentorProfile.capacity)), 0))).one()
    return [MentorLoad(*row) for row in rows], LoadTotals(mentors, int(capacity), int(busy), int(over))


def failed_payouts(filters: Filters) -> tuple[list[FailedPayout], int]:
    rows = db.session.execute(
        select(Disbursement.id, Grant.id, Proposal.title, Team.name, Disbursement.amount, Disbursement.currency,
               func.count().over())
        .join(Grant, Grant.id == Disbursement.grant_id).join(Proposal, Proposal.id == Grant.proposal_id)
        .join(Team, Team.id == Grant.team_id)
        .where(Disbursement.state == "failed", *_grant_conditions(filters))
        .order_by(Disbursement.created_at, Disbursement.id).limit(LIST_SIZE)).all()
    return [FailedPayout(*row[:6]) for row in rows], (rows[0][6] if rows else 0)


def due_date_requests(filters: Filters) -> tuple[list[DueDateRequest], int]:
    rows = db.session.execute(
        select(DueDateChange.id, ProjectMilestone.id, ProjectMilestone.title, Proposal.title, Team.name,
               DueDateChange.current_date, DueDateChange.proposed_date, func.count().over())
        .join(ProjectMilestone, ProjectMilestone.id == DueDateChange.milestone_id)
        .join(Grant, Grant.id == ProjectMilestone.grant_id).join(Proposal, Proposal.id == Grant.proposal_id)
        .join(Team, Team.id == Grant.team_id)
        .where(DueDateChange.state == "pending", *_grant_conditions(filters))
        .order_by(DueDateChange.requested_at, DueDateChange.id).limit(LIST_SIZE)).all()
    return [DueDateRequest(*row[:7]) for row in rows], (rows[0][7] if rows else 0)


def awaiting_approval(filters: Filters) -> tuple[list[AwaitingApproval], int]:
    """Evidence waiting for a decision in active projects, the longest waiting first."""
    rows = db.session.execute(
        select(ProjectMilestone.id, Grant.id, ProjectMilestone.title, Proposal.title, Team.name,
               ProjectMilestone.submitted_at, flag(has_concerns()), func.count().over())
        .join(Grant, Grant.id == ProjectMilestone.grant_id).join(Proposal, Proposal.id == Grant.proposal_id)
        .join(Team, Team.id == Grant.team_id)
        .where(ProjectMilestone.state == "submitted", Grant.state == "active", *_grant_conditions(filters))
        .order_by(ProjectMilestone.submitted_at, ProjectMilestone.id).limit(LIST_SIZE)).all()
    return ([AwaitingApproval(*row[:6], bool(row[6])) for row in rows], rows[0][7] if rows else 0)


def panel(filters: Filters, dates: LocalDates) -> CoordinatorPanel:
    overdue, overdue_total, at_risk, at_risk_total = projects_overdue_and_at_risk(filters, dates)
    mentors, load = mentors_load()
    failed, failed_total = failed_payouts(filters)
    requests, request_total = due_date_requests(filters)
    waiting, waiting_total = awaiting_approval(filters)
    return CoordinatorPanel(
        pipeline=pipeline(filters), overdue=overdue, overdue_total=overdue_total, at_risk=at_risk,
        at_risk_total=at_risk_total, mentors=mentors, load=load, failed_payouts=failed, failed_total=failed_total,
        due_date_requests=requests, due_date_total=request_total, awaiting_approval=waiting,
        awaiting_total=waiting_total)
