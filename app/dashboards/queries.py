"""What every role's numbers share: the filters, the calls' local dates, and the milestone conditions.

Each panel's numbers are aggregated in SQL, and every list is cut to `LIST_SIZE` rows with its total counted in
the same statement (a window count), so a dashboard sends the same number of queries however much data exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, and_, case, cast, literal, or_, select
from sqlalchemy import String as SqlString

from app import db
from app.calls.models import Call
from app.projects.models import EvidenceSubmission, MilestoneFeedback, ProjectMilestone
from app.proposals.models import Proposal
from app.teams.models import Team

LIST_SIZE = 10
CALL_LIST_SIZE = 5
AT_RISK_DAYS = 14
RECENT_MESSAGE_DAYS = 7
WAITING_FOR_TEAM = ("planned", "changes_requested")


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; None means every call, theme or country."""

    call_id: int | None = None
    theme: str | None = None
    country: str | None = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.call_id, self.theme, self.country))


NO_FILTERS = Filters()


def has_theme(column, theme: str) -> ColumnElement[bool]:
    """A JSON list of theme codes contains the code: matched in its stored text, the same on SQLite and
    PostgreSQL (codes are our own identifiers; their underscores are escaped for LIKE)."""
    pattern = '%"' + theme.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"%'
    return cast(column, SqlString).like(pattern, escape="\\")


def proposal_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on Proposal's own columns, so no query has to join the team for the country."""
    conditions = []
    if filters.call_id is not None:
        conditions.append(Proposal.call_id == filters.call_id)
    if filters.theme is not None:
        conditions.append(has_theme(Proposal.themes, filters.theme))
    if filters.country is not None:
        conditions.append(Proposal.team_id.in_(select(Team.id).where(Team.country == filters.country)))
    return conditions


def filtered_proposal_ids(filters: Filters):
    """A subquery of the proposals the filters keep (for grants, milestones and ledger entries)."""
    return select(Proposal.id).where(*proposal_conditions(filters))


@dataclass(frozen=True)
class LocalDates:
    """Today in each call's time zone: a milestone's due date is a day in the call's own calendar."""

    by_timezone: dict[str, date]
    fallback: date

    def today(self) -> ColumnElement:
        return self._case(0)

    def in_days(self, days: int) -> ColumnElement:
        return self._case(days)

    def _case(self, days: int) -> ColumnElement:
        groups: dict[date, list[str]] = {}
        for name, today in self.by_timezone.items():
            groups.setdefault(today, []).append(name)
        whens = [(Call.timezone.in_(sorted(names)), literal(today + timedelta(days=days), Date))
                 for today, names in sorted(groups.items())]
        fallback = literal(self.fallback + timedelta(days=days), Date)
        return case(*whens, else_=fallback) if whens else fallback


def local_dates(now: datetime) -> LocalDates:
    """One query: the time zones calls use, each with its date at `now`."""
    by_timezone = {}
    for name in db.session.scalars(select(Call.timezone).distinct()):
        try:
            by_timezone[name] = now.astimezone(ZoneInfo(name)).date()
        except (KeyError, ValueError):  # an unknown zone name: the UTC date stands in
            continue
    return LocalDates(by_timezone=by_timezone, fallback=now.date())


# -- milestone conditions (queries that use them join ProjectMilestone → Grant → Call) ----------------------
def is_overdue(dates: LocalDates) -> ColumnElement[bool]:
    """Still waiting for the team's evidence, and flagged overdue by the reminders or past its due date."""
    return and_(ProjectMilestone.state.in_(WAITING_FOR_TEAM),
                or_(ProjectMilestone.overdue_since.is_not(None), ProjectMilestone.due_date < dates.today()))


def is_due_soon(dates: LocalDates) -> ColumnElement[bool]:
    """Waiting for evidence and due within the next AT_RISK_DAYS days."""
    return and_(ProjectMilestone.state.in_(WAITING_FOR_TEAM), ProjectMilestone.overdue_since.is_(None),
                ProjectMilestone.due_date >= dates.today(), ProjectMilestone.due_date <= dates.in_days(AT_RISK_DAYS))


def on_latest_submission() -> ColumnElement[bool]:
    """Feedback given on its milestone's most recent evidence (for a query over MilestoneFeedback)."""
    latest = (select(EvidenceSubmission.id).where(EvidenceSubmission.milestone_id == MilestoneFeedback.milestone_id)
              .order_by(EvidenceSubmission.number.desc()).limit(1).scalar_subquery())
    return MilestoneFeedback.submission_id == latest


def has_concerns() -> ColumnElement[bool]:
    """A mentor raised concerns on the evidence now waiting for a decision."""
    return and_(ProjectMilestone.state == "submitted", select(MilestoneFeedback.id).where(
        MilestoneFeedback.milestone_id == ProjectMilestone.id, MilestoneFeedback.verdict == "concerns",
        on_latest_submission()).exists())


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 or 0, to aggregate a condition with max() or sum()."""
    return case((condition, 1), else_=0)

