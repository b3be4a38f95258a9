"""A funder's panel: reviews they owe, and for the calls they manage the pipeline and the money committed and
paid. Only calls the funder owns or was added to count; drafts never do (funders never see a team's drafts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from app import db
from app.accounts.models import User
from app.calls.models import Call, CallFunder
from app.dashboards.queries import (
    CALL_LIST_SIZE,
    LIST_SIZE,
    Filters,
    filtered_proposal_ids,
    proposal_conditions,
)
from app.ledger import balances as rules
from app.ledger.models import Grant, LedgerEntry
from app.proposals.models import PROPOSAL_STATES, Proposal
from app.reviews.models import ReviewAssignment

OPEN_REVIEW_STATES = ("assigned", "accepted")
# What a funder's pipeline shows: everything but drafts, which stay the team's own.
PIPELINE_STATES = tuple(state for state in PROPOSAL_STATES if state != "draft")
GRANT_KINDS = tuple(kind for kind in rules.KINDS if kind not in rules.POOL_KINDS)
# Entries are summed per call and kind, not per grant: one stand-in grant id carries each call's total.
EVERY_GRANT = 0


@dataclass(frozen=True)
class ReviewDue:
    assignment_id: int
    state: str
    due_at: datetime | None
    proposal_id: int
    proposal_title: str
    call_title: str


@dataclass(frozen=True)
class CallSummary:
    id: int
    title: str
    state: str
    currency: str
    pipeline: dict[str, int]
    committed: int
    paid: int

    @property
    def outstanding(self) -> int:
        return self.committed - self.paid


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    committed: int
    paid: int

    @property
    def outstanding(self) -> int:
        return self.committed - self.paid


@dataclass(frozen=True)
class FunderPanel:
    reviews: list[ReviewDue]
    review_total: int
    calls: list[CallSummary]
    call_total: int
    totals: list[CurrencyTotal]


def managed_call_ids(user: User):
    """The calls the funder owns or was added to as one of its funders."""
    return select(Call.id).where(or_(Call.owner_id == user.id, Call.id.in_(
        select(CallFunder.call_id).where(CallFunder.user_id == user.id))))


def managed_calls(user: User) -> list[tuple[int, str]]:
    """(id, title) of every call the funder manages, for the filter's list."""
    return list(db.session.execute(
        select(Call.id, Call.title).where(Call.id.in_(managed_call_ids(user))).order_by(Call.title, Call.id)))


def reviews_due(user: User, filters: Filters) -> tuple[list[ReviewDue], int]:
    """The funder's open review assignments, soonest deadline first (those without a deadline last)."""
    rows = db.session.execute(
        select(ReviewAssignment.id, ReviewAssignment.state, ReviewAssignment.due_at, Proposal.id, Proposal.title,
               Call.title, func.count().over())
        .join(Proposal, Proposal.id == ReviewAssignment.proposal_id).join(Call, Call.id == Proposal.call_id)
        .where(ReviewAssignment.reviewer_id == user.id, ReviewAssignment.state.in_(OPEN_REVIEW_STATES),
               *proposal_conditions(filters))
        .order_by(ReviewAssignment.due_at.is_(None), ReviewAssignment.due_at, ReviewAssignment.id)
        .limit(LIST_SIZE)).all()
    return [ReviewDue(*row[:6]) for row in rows], (rows[0][6] if rows else 0)


def _grant_conditions(filters: Filters) -> list:
    """Ledger entries of the grants whose proposals the theme and country filters keep."""
    if filters.theme is None and filters.country is None:
        return []
    return [LedgerEntry.grant_id.in_(select(Grant.id).where(Grant.proposal_id.in_(filtered_proposal_ids(filters))))]


def _money(rows) -> dict:
    """{key: Balances} from (key, kind, total) rows, through the ledger's own balance rules."""
    entries: dict = {}
    for key, kind, total in rows:
        entries.setdefault(key, []).append(rules.Entry(kind, int(total), EVERY_GRANT))
    return {key: rules.summarise(items) for key, items in entries.items()}


def calls(user: User, filters: Filters) -> tuple[list[CallSummary], int]:
    """The managed calls (archived ones last, then the most recently opened), each with its pipeline and money."""
    call_ids = managed_call_ids(user)
    if filters.call_id is not None:
        call_ids = call_ids.where(Call.id == filters.call_id)
    call_rows = db.session.execute(
        select(Call.id, Call.title, Call.state, Call.currency, func.count().over()).where(Call.id.in_(call_ids))
        .order_by(Call.state == "archived", Call.opens_at.desc(), Call.id.desc()).limit(CALL_LIST_SIZE)).all()
    shown = [row[0] for row in call_rows]
    pipeline: dict[int, dict[str, int]] = {call_id: dict.fromkeys(PIPELINE_STATES, 0) for call_id in shown}
    for call_id, state, number in db.session.execute(
            select(Proposal.call_id, Proposal.state, func.count())
            .where(Proposal.call_id.in_(shown), Proposal.submitted_at.is_not(None), *proposal_conditions(filters))
            .group_by(Proposal.call_id, Proposal.state)):
        pipeline[call_id][state] = number
    money = _money(db.session.execute(
        select(LedgerEntry.call_id, LedgerEntry.kind, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.call_id.in_(shown), LedgerEntry.kind.in_(GRANT_KINDS), *_grant_conditions(filters))
        .group_by(LedgerEntry.call_id, LedgerEntry.kind)))
    summaries = []
    for call_id, title, state, currency, _total in call_rows:
        balances = money.get(call_id, rules.Balances())
        summaries.append(CallSummary(call_id, title, state, currency, pipeline[call_id], balances.awarded,
                                     balances.disbursed))
    return summaries, (call_rows[0][4] if call_rows else 0)


def currency_totals(user: User, filters: Filters) -> list[CurrencyTotal]:
    """Committed and paid over every managed call the filters keep, one line per currency: amounts in
    different currencies are never added together."""
    call_ids = managed_call_ids(user)
    if filters.call_id is not None:
        call_ids = call_ids.where(Call.id == filters.call_id)
    money = _money(db.session.execute(
        select(LedgerEntry.currency, LedgerEntry.kind, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.call_id.in_(call_ids), LedgerEntry.kind.in_(GRANT_KINDS), *_grant_conditions(filters))
        .group_by(LedgerEntry.currency, LedgerEntry.kind)))
    return [CurrencyTotal(currency, balances.awarded, balances.disbursed)
            for currency, balances in sorted(money.items())]


def panel(user: User, filters: Filters) -> FunderPanel:
    review_rows, review_total = reviews_due(user, filters)
    call_rows, call_total = calls(user, filters)
    return FunderPanel(reviews=review_rows, review_total=review_total, calls=call_rows, call_total=call_total,
                       totals=currency_totals(user, filters))
