"""The impact report's arithmetic, from rows the queries fetched: pure, no database, no request.

What each figure means (the page says the same in one sentence each):
  funded          grants in any state but cancelled
  completed       grants in state completed
  awarded, paid   the ledger's own balances (awards − releases, disbursements − reversals), per currency
  reach           the latest evidence of each approved milestone, summed per project; a project counts once in the
                  totals and once in the row of each of its themes, so theme rows may add up to more than the total
  on time         an approved milestone whose evidence was first sent on or before its current due date, in the
                  call's time zone (a due date moved by agreement is the date the team worked to)
Cancelled projects are left out of the counts, the reach and the milestones; money comes from the ledger as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.ledger import balances as ledger_rules

NO_THEME = ""  # the row of projects whose proposal names no theme


@dataclass(frozen=True)
class CallInfo:
    id: int
    title: str
    currency: str
    timezone: str


@dataclass(frozen=True)
class GrantRow:
    """One grant with the reach of its approved milestones already summed."""

    call_id: int
    state: str
    country: str | None
    themes: tuple[str, ...]
    people: int = 0
    pieces: int = 0
    events: int = 0


@dataclass(frozen=True)
class MoneyRow:
    """The sum of one kind of ledger entry for one grant (or the pool) of one call."""

    call_id: int
    currency: str
    kind: str
    grant_id: int | None
    total: int


@dataclass(frozen=True)
class MilestoneRow:
    """An approved milestone of a funded project, with when its evidence was first sent."""

    call_id: int
    due_date: date
    first_submitted_at: datetime | None
    approved_at: datetime
    timezone: str


@dataclass(frozen=True)
class Reach:
    projects: int = 0
    people: int = 0
    pieces: int = 0
    events: int = 0

    def plus(self, grant: GrantRow) -> Reach:
        return Reach(self.projects + 1, self.people + grant.people, self.pieces + grant.pieces,
                     self.events + grant.events)


@dataclass(frozen=True)
class Money:
    currency: str
    awarded: int
    paid: int


@dataclass(frozen=True)
class Figures:
    funded: int
    completed: int
    money: tuple[Money, ...]
    reach: Reach
    by_theme: tuple[tuple[str, Reach], ...]
    by_country: tuple[tuple[str, Reach], ...]
    approved_milestones: int
    on_time: int

    @property
    def on_time_ratio(self) -> float | None:
        """The share of approved milestones that were on time; None before any milestone is approved."""
        return self.on_time / self.approved_milestones if self.approved_milestones else None


@dataclass(frozen=True)
class Report:
    overall: Figures
    calls: tuple[tuple[CallInfo, Figures], ...]


def local_day(moment: datetime, zone: str) -> date:
    try:
        tzinfo = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tzinfo = ZoneInfo("UTC")
    return moment.astimezone(tzinfo).date()


def is_on_time(milestone: MilestoneRow) -> bool:
    """Evidence first sent on or before the current due date, by the call's clock; approval's date if none was sent."""
    moment = milestone.first_submitted_at or milestone.approved_at
    return local_day(moment, milestone.timezone) <= milestone.due_date


def _money(rows: Iterable[MoneyRow], currencies: Iterable[str] = ()) -> tuple[Money, ...]:
    """Per currency, through the ledger's own rules, so the figures are those of the call's money page; the
    calls' own currencies appear even before any money moved."""
    entries: dict[str, list[ledger_rules.Entry]] = {currency: [] for currency in currencies}
    for row in rows:
        entries.setdefault(row.currency, []).append(ledger_rules.Entry(row.kind, int(row.total), row.grant_id))
    result = []
    for currency in sorted(entries):
        balances = ledger_rules.summarise(entries[currency])
        result.append(Money(currency, balances.awarded, balances.disbursed))
    return tuple(result)


def _theme_order(theme: str, known: tuple[str, ...]) -> tuple[int, str]:
    return (known.index(theme), theme) if theme in known else (len(known), theme)


def figures(grants: list[GrantRow], money: list[MoneyRow], milestones: list[MilestoneRow],
            known_themes: tuple[str, ...] = (), currencies: Iterable[str] = ()) -> Figures:
    """The figures of some calls together."""
    funded = [grant for grant in grants if grant.state != "cancelled"]
    total, by_theme, by_country = Reach(), defaultdict(Reach), defaultdict(Reach)
    for grant in funded:
        total = total.plus(grant)
        for theme in dict.fromkeys(grant.themes or (NO_THEME,)):  # a theme named twice still counts once
            by_theme[theme] = by_theme[theme].plus(grant)
        by_country[grant.country or ""] = by_country[grant.country or ""].plus(grant)
    return Figures(
        funded=len(funded),
        completed=sum(1 for grant in funded if grant.state == "completed"),
        money=_money(money, currencies),
        reach=total,
        by_theme=tuple(sorted(by_theme.items(), key=lambda item: _theme_order(item[0], known_themes))),
        by_country=tuple(sorted(by_country.items())),
        approved_milestones=len(milestones),
        on_time=sum(1 for milestone in milestones if is_on_time(milestone)),
    )


def report(calls: list[CallInfo], grants: list[GrantRow], money: list[MoneyRow], milestones: list[MilestoneRow],
           known_themes: tuple[str, ...] = ()) -> Report:
    """Each call's figures, in the order given, and the figures of all of them together."""
    def by_call(rows):
        grouped = defaultdict(list)
        for row in rows:
            grouped[row.call_id].append(row)
        return grouped

    grants_of, money_of, milestones_of = by_call(grants), by_call(money), by_call(milestones)
    return Report(overall=figures(grants, money, milestones, known_themes, {call.currency for call in calls}),
                  calls=tuple((call, figures(grants_of[call.id], money_of[call.id], milestones_of[call.id],
                                             known_themes, (call.currency,))) for call in calls))
