"""The transparency report: how many reports, decisions and appeals there were, period by period.

The page is public, as the DSA's transparency reports are: it holds counts only, never a name, a team or a text.
Periods are calendar months, quarters or years in UTC. Whatever the number of rows, the figures of all periods
shown take four queries (reports, decisions, appeals filed, appeals decided), bucketed here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from statistics import median

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import db
from app.safety.labels import CATEGORY_LABELS, KIND_SHORT_LABELS
from app.safety.models import CATEGORIES, MODERATION_KINDS, Appeal, ModerationAction, Report

PERIODS = ("month", "quarter", "year")
SERIES_LENGTH = {"month": 12, "quarter": 8, "year": 5}
_CODES = {"month": re.compile(r"^(\d{4})-(\d{2})$"), "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
          "year": re.compile(r"^(\d{4})$")}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _shift(year: int, month: int, months: int) -> date:
    index = year * 12 + (month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    kind: str

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def end(self) -> date:
        """The first day after the period."""
        return _shift(self.start.year, self.start.month, self.months)

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return format_date(self.start, "MMMM y")
        if self.kind == "quarter":
            return str(_l("Quarter %(num)d of %(year)d", num=(self.start.month - 1) // 3 + 1, year=self.start.year))
        return str(self.start.year)

    def step(self, count: int) -> Period:
        return Period(_shift(self.start.year, self.start.month, count * self.months), self.kind)


def period_containing(kind: str, day: date) -> Period:
    if kind == "month":
        return Period(date(day.year, day.month, 1), kind)
    if kind == "quarter":
        return Period(date(day.year, (day.month - 1) // 3 * 3 + 1, 1), kind)
    return Period(date(day.year, 1, 1), "year")


def parse_period(kind: str | None, code: str | None, today: date) -> Period:
    """The period a URL names ("2027-03", "2027-Q1", "2027"); the current one when it names none or nonsense."""
    kind = kind if kind in PERIODS else "quarter"
    match = _CODES[kind].match((code or "").strip())
    if match is None:
        return period_containing(kind, today)
    year = int(match[1])
    if not 1900 <= year <= 9999:
        return period_containing(kind, today)
    if kind == "month":
        month = int(match[2])
        return Period(date(year, month, 1), kind) if 1 <= month <= 12 else period_containing(kind, today)
    if kind == "quarter":
        return Period(date(year, (int(match[2]) - 1) * 3 + 1, 1), kind)
    return Period(date(year, 1, 1), kind)


def series(last: Period) -> list[Period]:
    """The periods shown side by side: the chosen one and those before it, oldest first."""
    return [last.step(-back) for back in reversed(range(SERIES_LENGTH[last.kind]))]


@dataclass
class Figures:
    reports: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODERATION_KINDS, 0))
    hours_to_action: list[float] = field(default_factory=list)
    appeals_filed: int = 0
    upheld: int = 0
    rejected: int = 0

    @property
    def report_total(self) -> int:
        return sum(self.reports.values())

    @property
    def action_total(self) -> int:
        return sum(self.actions.values())

    @property
    def median_hours(self) -> float | None:
        return round(median(self.hours_to_action), 1) if self.hours_to_action else None


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def figures(periods: list[Period]) -> dict[Period, Figures]:
    """The counts of every period, in four queries for all of them."""
    result = {period: Figures() for period in periods}
    if not periods:
        return result
    low, high = _utc(periods[0].start), _utc(periods[-1].end)

    def bucket(moment: datetime) -> Figures | None:
        day = _aware(moment).date()
        return next((result[p] for p in periods if p.start <= day < p.end), None)

    for created_at, category in db.session.execute(select(Report.created_at, Report.category).where(
            Report.created_at >= low, Report.created_at < high)):
        if (target := bucket(created_at)) is not None:
            target.reports[category] += 1
    reported_at = select(Report.created_at).where(Report.id == ModerationAction.report_id).scalar_subquery()
    for created_at, kind, report_time in db.session.execute(
            select(ModerationAction.created_at, ModerationAction.kind, reported_at).where(
                ModerationAction.created_at >= low, ModerationAction.created_at < high)):
        if (target := bucket(created_at)) is not None:
            target.actions[kind] += 1
            if report_time is not None:
                seconds = (_aware(created_at) - _aware(report_time)).total_seconds()
                target.hours_to_action.append(max(0.0, seconds / 3600))
    for (created_at,) in db.session.execute(select(Appeal.created_at).where(
            Appeal.created_at >= low, Appeal.created_at < high)):
        if (target := bucket(created_at)) is not None:
            target.appeals_filed += 1
    for decided_at, state in db.session.execute(select(Appeal.decided_at, Appeal.state).where(
            Appeal.decided_at >= low, Appeal.decided_at < high)):
        if (target := bucket(decided_at)) is not None and state in ("upheld", "rejected"):
            setattr(target, state, getattr(target, state) + 1)
    return result


# -- the export --------------------------------------------------------------------------------------------------
def _safe(value):
    """Text a spreadsheet would run as a formula gets a leading quote (as in app/decisions)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(periods: list[Period], by_period: dict[Period, Figures]) -> list[list]:
    header = [str(_l("Period")), str(_l("First day")), str(_l("Last day")), str(_l("Reports"))]
    header += [str(_l("Reports: %(category)s", category=CATEGORY_LABELS[code])) for code in CATEGORIES]
    header += [str(_l("Decisions"))]
    header += [str(_l("Decisions: %(kind)s", kind=KIND_SHORT_LABELS[kind])) for kind in MODERATION_KINDS]
    header += [str(_l("Median hours from report to decision")), str(_l("Appeals filed")), str(_l("Appeals upheld")),
               str(_l("Appeals rejected"))]
    rows = [header]
    for period in periods:
        numbers = by_period[period]
        last_day = date.fromordinal(period.end.toordinal() - 1)
        rows.append([period.code, period.start.isoformat(), last_day.isoformat(), numbers.report_total,
                     *(numbers.reports[code] for code in CATEGORIES), numbers.action_total,
                     *(numbers.actions[kind] for kind in MODERATION_KINDS),
                     "" if numbers.median_hours is None else f"{numbers.median_hours:.1f}",
                     numbers.appeals_filed, numbers.upheld, numbers.rejected])
    return [[_safe(cell) for cell in row] for row in rows]


def export_csv(periods: list[Period], by_period: dict[Period, Figures]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet apps read accents right."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(csv_rows(periods, by_period))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_filename(last: Period) -> str:
    return f"passerelle-transparency-{last.kind}-{last.code}.csv"
