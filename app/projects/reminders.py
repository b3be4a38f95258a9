"""Milestone reminders before due dates and overdue flags after them; safe to run as often as cron likes.

A due date is a calendar day in the call's time zone: a milestone due on 10 March is late from midnight at the
start of 11 March there. Each milestone row remembers what it was told (`reminder_sent_at`, `overdue_since`), and
a run claims those rows with a conditional UPDATE before notifying, so a second run (even one racing the first
from another host) sends nothing twice. Moving the due date clears both, which gives the new date its own notices.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, literal, select, update
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import db, policy
from app.accounts.models import User
from app.accounts.services import path_for
from app.calls.models import Call
from app.db import UTCDateTime, utcnow
from app.i18n import is_timezone
from app.ledger.models import Grant
from app.mentoring.models import Mentorship, MentorVetting
from app.notices.services import notify
from app.projects.models import ProjectMilestone
from app.projects.services import coordinators
from app.teams.models import Membership, Team

REMIND_DAYS_BEFORE = 7
# Milestones the team still owes: submitted ones wait on the approver, approved ones are done.
OWED_STATES = ("planned", "changes_requested")
# Every zone's local date is within a day of the UTC date (UTC-12 to UTC+14), so the database narrows the rows by
# the UTC date with a day to spare on each side and the exact local rule is applied to what comes back.
ZONE_SLACK = timedelta(days=1)


def call_zone(call: Call) -> ZoneInfo:
    return ZoneInfo(call.timezone if is_timezone(call.timezone) else "UTC")


def local_today(now: datetime, call: Call) -> date:
    """The calendar date in the call's time zone at the instant `now`."""
    return now.astimezone(call_zone(call)).date()


def due_date_ended(due: date, call: Call) -> datetime:
    """The UTC instant the due date ended in the call's zone: midnight at the start of the next local day."""
    return datetime.combine(due + timedelta(days=1), time(0), tzinfo=call_zone(call)).astimezone(UTC)


def is_overdue(milestone: ProjectMilestone, now: datetime) -> bool:
    """Still owed by the team, and the call's local date is past the due date."""
    return milestone.state in OWED_STATES and local_today(now, milestone.grant.call) > milestone.due_date


def is_due_soon(milestone: ProjectMilestone, now: datetime, days_before: int) -> bool:
    """Still owed, not late yet, and due within `days_before` days of the call's local date."""
    today = local_today(now, milestone.grant.call)
    return milestone.state in OWED_STATES and today <= milestone.due_date <= today + timedelta(days=days_before)


def _owed_milestones(*conditions):
    """Owed milestones of active grants, with everything a notice needs, in one query (plus constant eager loads)."""
    return list(db.session.scalars(
        select(ProjectMilestone)
        .join(ProjectMilestone.grant).join(Grant.call)
        .where(Grant.state == "active", ProjectMilestone.state.in_(OWED_STATES), *conditions)
        # The call's and the proposal's own collections (criteria, funders, budget) load eagerly by default;
        # the notices need none of them.
        .options(contains_eager(ProjectMilestone.grant).contains_eager(Grant.call).lazyload("*"),
                 contains_eager(ProjectMilestone.grant).selectinload(Grant.proposal).lazyload("*"),
                 contains_eager(ProjectMilestone.grant).selectinload(Grant.team).selectinload(Team.memberships)
                 .selectinload(Membership.user))
        .order_by(ProjectMilestone.due_date, ProjectMilestone.id)
    ))


def milestones_due_soon(now: datetime, days_before: int = REMIND_DAYS_BEFORE) -> list[ProjectMilestone]:
    """Owed milestones of active grants due within `days_before` days that got no reminder for this due date."""
    utc_today = now.astimezone(UTC).date()
    rows = _owed_milestones(ProjectMilestone.reminder_sent_at.is_(None),
                            ProjectMilestone.due_date >= utc_today - ZONE_SLACK,
                            ProjectMilestone.due_date <= utc_today + ZONE_SLACK + timedelta(days=days_before))
    return [milestone for milestone in rows if is_due_soon(milestone, now, days_before)]


def milestones_newly_overdue(now: datetime) -> list[ProjectMilestone]:
    """Owed milestones of active grants past their due date in the call's zone and not flagged yet."""
    utc_today = now.astimezone(UTC).date()
    rows = _owed_milestones(ProjectMilestone.overdue_since.is_(None),
                            ProjectMilestone.due_date < utc_today + ZONE_SLACK)
    return [milestone for milestone in rows if is_overdue(milestone, now)]


def send_milestone_reminders(now: datetime | None = None, days_before: int = REMIND_DAYS_BEFORE) -> int:
    """One notice to the team and its mentors per milestone due soon; returns how many milestones were reminded."""
    now = now or utcnow()
    milestones = milestones_due_soon(now, days_before)
    claimed = _claim(milestones, "reminder_sent_at", {milestone.id: now for milestone in milestones})
    mentors = active_mentors([milestone.grant.team for milestone in claimed], now.date())
    for milestone in claimed:
        team = milestone.grant.team
        _notify(milestone, "milestone_due_soon", [*team.members, *mentors.get(team.id, [])])
    return len(claimed)


def flag_overdue_milestones(now: datetime | None = None) -> int:
    """Flag each newly overdue milestone once and tell its team, its mentors and the coordinators.

    `overdue_since` is the instant the due date ended in the call's zone, not the time of the run: it says the
    same thing whenever cron happens to run, and lists can sort by how long a milestone has been late."""
    now = now or utcnow()
    milestones = milestones_newly_overdue(now)
    claimed = _claim(milestones, "overdue_since",
                     {milestone.id: due_date_ended(milestone.due_date, milestone.grant.call)
                      for milestone in milestones})
    if not claimed:
        return 0
    mentors = active_mentors([milestone.grant.team for milestone in claimed], now.date())
    staff = coordinators()
    for milestone in claimed:
        team = milestone.grant.team
        _notify(milestone, "milestone_overdue", [*team.members, *mentors.get(team.id, []), *staff])
    return len(claimed)


def _claim(milestones: list[ProjectMilestone], column: str, values: dict[int, datetime]) -> list[ProjectMilestone]:
    """Set `column` on the rows where it is still empty, in one UPDATE; only the rows this run set are returned.

    A run racing this one waits on the row locks and then finds the column set, so it claims nothing."""
    if not milestones:
        return []
    attribute = getattr(ProjectMilestone, column)
    value = case(*((ProjectMilestone.id == mid, literal(moment, UTCDateTime())) for mid, moment in values.items()))
    won = set(db.session.scalars(
        update(ProjectMilestone)
        .where(ProjectMilestone.id.in_(list(values)), attribute.is_(None))
        .values({column: value})
        .returning(ProjectMilestone.id)
        .execution_options(synchronize_session=False)
    ))
    claimed = [milestone for milestone in milestones if milestone.id in won]
    for milestone in claimed:  # the row already holds the value: keep the loaded object in step without a flush
        set_committed_value(milestone, column, values[milestone.id])
    return claimed


def _notify(milestone: ProjectMilestone, kind: str, people: Iterable[User]) -> None:
    grant = milestone.grant
    notify(people, kind, grant.proposal, path=path_for("projects.milestone", milestone_id=milestone.id),
           milestone=milestone.title, due=milestone.due_date.isoformat())


def active_mentors(teams: list[Team], today: date) -> dict[int, list[User]]:
    """Each team's active mentors who still satisfy the safety rule, with two queries for all the teams.

    This is `policy.may_mentor` with the vetting lookup done once for everyone instead of once per mentor."""
    team_ids = {team.id for team in teams}
    if not team_ids:
        return {}
    mentorships = list(db.session.scalars(
        select(Mentorship).where(Mentorship.team_id.in_(team_ids), Mentorship.state == "active")
        .options(selectinload(Mentorship.mentor))))
    mentor_ids = {mentorship.mentor_id for mentorship in mentorships}
    vetted = set(db.session.scalars(select(MentorVetting.mentor_id).where(
        MentorVetting.mentor_id.in_(mentor_ids), MentorVetting.checked_on <= today,
        MentorVetting.expires_on >= today))) if mentor_ids else set()
    by_id = {team.id: team for team in teams}
    mentors: dict[int, list[User]] = {}
    for mentorship in mentorships:
        mentor, team = mentorship.mentor, by_id[mentorship.team_id]
        if (policy.is_mentor(mentor) and policy.is_adult(mentor, today)
                and (mentor.id in vetted or not policy.has_minors(team, today))
                and policy.team_may_be_mentored(team)):
            mentors.setdefault(team.id, []).append(mentor)
    return mentors

