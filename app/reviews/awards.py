"""Suggest which proposals to fund from a calibrated ranking and a money pool.

This only suggests: funders decide. So every candidate comes back with a reason code a person can read
("funded", "below_floor", "does_not_fit", "not_reached") and the proposals whose place relative to the
funding line is within their own uncertainty are flagged for discussion, because that is where a
funder's judgement adds most. Money is integer minor units throughout; nothing here touches the database.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    FUNDED = "funded"
    BELOW_FLOOR = "below_floor"  # quality floor: never funded, whatever money is left
    DOES_NOT_FIT = "does_not_fit"  # money was left, but less than requested; smaller ones below may still fit
    NOT_REACHED = "not_reached"  # the pool was empty before the walk got here


@dataclass(frozen=True)
class Candidate:
    proposal_id: Hashable
    calibrated: float
    uncertainty: float
    amount_requested: int


@dataclass(frozen=True)
class Decision:
    """One candidate's outcome. `remaining_before` is the pool left when the walk reached it, so the page
    can say "asked 5,000, only 3,200 left" without recomputing the walk."""

    candidate: Candidate
    reason: Reason
    remaining_before: int
    for_discussion: bool


@dataclass(frozen=True)
class AwardSuggestion:
    decisions: tuple[Decision, ...]
    funded: tuple[Candidate, ...]
    total: int
    remaining: int
    funding_line: float | None
    for_discussion: tuple[Hashable, ...]

    def decision_for(self, proposal_id: Hashable) -> Decision:
        for decision in self.decisions:
            if decision.candidate.proposal_id == proposal_id:
                return decision
        raise KeyError(proposal_id)


def _is_money(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(ranked: Sequence[Candidate], pool: int, quality_floor: float, k: float) -> None:
    problems: list[str] = []
    if not _is_money(pool) or pool < 0:
        problems.append(f"pool must be a non-negative integer amount in minor units, got {pool!r}")
    if not math.isfinite(quality_floor):
        problems.append(f"quality floor must be a finite number, got {quality_floor!r}")
    if not math.isfinite(k) or k < 0:
        problems.append(f"k must be a non-negative number, got {k!r}")
    seen: set[Hashable] = set()
    for c in ranked:
        if c.proposal_id in seen:
            problems.append(f"proposal {c.proposal_id!r} appears more than once")
        seen.add(c.proposal_id)
        if not _is_money(c.amount_requested) or c.amount_requested < 0:
            problems.append(f"proposal {c.proposal_id!r}: amount requested must be a non-negative integer "
                            f"amount in minor units, got {c.amount_requested!r}")
        if not math.isfinite(c.calibrated):
            problems.append(f"proposal {c.proposal_id!r}: score must be finite, got {c.calibrated!r}")
        if not math.isfinite(c.uncertainty) or c.uncertainty < 0:
            problems.append(f"proposal {c.proposal_id!r}: uncertainty must be non-negative, got {c.uncertainty!r}")
    if problems:
        raise ValueError("; ".join(problems))


def suggest_awards(ranked: Sequence[Candidate], pool: int, quality_floor: float, *, k: float = 1.0,
                   ) -> AwardSuggestion:
    """Walk down the calibrated ranking, funding whatever is good enough and still fits.

    Greedy on purpose: it is the rule a funding panel can replay on paper. A proposal that no longer fits
    is skipped rather than ending the walk, because stopping would leave money unspent that a smaller,
    lower-ranked proposal could use. Below-floor proposals are excluded without stopping the walk either.
    The input is re-sorted by score (stably, so the tie-breaks of `scoring.rank` survive).

    The funding line is the score of the last (lowest-scored) funded proposal. A candidate is "for
    discussion" when the line lies strictly inside [score - k*uncertainty, score + k*uncertainty]: a funded
    proposal that may not be better than the line, or an unfunded one above the floor that may be. With
    nothing funded there is no line, hence nothing to discuss. Below-floor proposals are never flagged:
    the floor is a policy decision, not a close call.
    """
    _check(ranked, pool, quality_floor, k)
    order = sorted(ranked, key=lambda c: -c.calibrated)
    remaining = pool
    walk: list[tuple[Candidate, Reason, int]] = []
    for c in order:
        before = remaining
        if c.calibrated < quality_floor:
            reason = Reason.BELOW_FLOOR
        elif c.amount_requested <= remaining:
            reason = Reason.FUNDED
            remaining -= c.amount_requested
        elif remaining == 0:
            reason = Reason.NOT_REACHED
        else:
            reason = Reason.DOES_NOT_FIT
        walk.append((c, reason, before))

    funded = tuple(c for c, reason, _ in walk if reason is Reason.FUNDED)
    line = min((c.calibrated for c in funded), default=None)

    def straddles(c: Candidate, reason: Reason) -> bool:
        if line is None or reason is Reason.BELOW_FLOOR:
            return False
        return c.calibrated - k * c.uncertainty < line < c.calibrated + k * c.uncertainty

    decisions = tuple(Decision(candidate=c, reason=reason, remaining_before=before,
                               for_discussion=straddles(c, reason)) for c, reason, before in walk)
    return AwardSuggestion(
        decisions=decisions, funded=funded, total=pool - remaining, remaining=remaining, funding_line=line,
        for_discussion=tuple(d.candidate.proposal_id for d in decisions if d.for_discussion))
