"""Balances derived from ledger entries, and the invariants every new entry must keep. Pure: no database.

A call's money, in integer minor units of the call's currency:
  contributed  = contributions − refunds                    money that reached the pool
  awarded      = awards − award releases                    money promised to grants
  disbursed    = disbursements − disbursement reversals     money paid out
  available    = contributed − awarded                      money neither promised nor paid
  outstanding  = awarded − disbursed                        promised, not yet paid

Invariants (checked before an entry is written, under a lock on the call's row):
  available ≥ 0                 a pool is never committed (or refunded) beyond its contributions
  per grant: 0 ≤ disbursed ≤ awarded, awarded ≥ 0
Entries are never edited or deleted: a mistake is answered by a reversing entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CONTRIBUTION, REFUND = "contribution", "refund"
AWARD, AWARD_RELEASE = "award", "award_release"
DISBURSEMENT, DISBURSEMENT_REVERSAL = "disbursement", "disbursement_reversal"
KINDS = (CONTRIBUTION, REFUND, AWARD, AWARD_RELEASE, DISBURSEMENT, DISBURSEMENT_REVERSAL)
POOL_KINDS = (CONTRIBUTION, REFUND)  # about the pool as a whole; the others name a grant

# Why an entry is refused: codes the services turn into sentences.
NOT_POSITIVE = "not_positive"
NEEDS_GRANT = "needs_grant"
POOL_EXCEEDED = "pool_exceeded"
OVERPAID = "overpaid"
NEGATIVE_BALANCE = "negative_balance"


@dataclass(frozen=True)
class Entry:
    kind: str
    amount: int
    grant_id: int | None = None


@dataclass(frozen=True)
class GrantBalance:
    awarded: int = 0
    disbursed: int = 0

    @property
    def remaining(self) -> int:
        return self.awarded - self.disbursed


@dataclass(frozen=True)
class Balances:
    contributed: int = 0
    awarded: int = 0
    disbursed: int = 0
    grants: dict[int, GrantBalance] = field(default_factory=dict)

    @property
    def available(self) -> int:
        return self.contributed - self.awarded

    @property
    def outstanding(self) -> int:
        return self.awarded - self.disbursed

    def grant(self, grant_id: int) -> GrantBalance:
        return self.grants.get(grant_id, GrantBalance())


class LedgerViolation(ValueError):
    def __init__(self, code: str, entry: Entry):
        super().__init__(f"{code}: {entry}")
        self.code, self.entry = code, entry


_SIGN = {CONTRIBUTION: ("contributed", 1), REFUND: ("contributed", -1), AWARD: ("awarded", 1),
         AWARD_RELEASE: ("awarded", -1), DISBURSEMENT: ("disbursed", 1), DISBURSEMENT_REVERSAL: ("disbursed", -1)}


def _valid(entry: Entry) -> None:
    if entry.kind not in KINDS:
        raise ValueError(f"unknown ledger entry kind {entry.kind!r}")
    if not isinstance(entry.amount, int) or isinstance(entry.amount, bool) or entry.amount <= 0:
        raise LedgerViolation(NOT_POSITIVE, entry)
    if (entry.kind in POOL_KINDS) != (entry.grant_id is None):
        raise LedgerViolation(NEEDS_GRANT, entry)


def add(balances: Balances, entry: Entry) -> Balances:
    """The balances after the entry, without checking the invariants."""
    _valid(entry)
    name, sign = _SIGN[entry.kind]
    totals = {"contributed": balances.contributed, "awarded": balances.awarded, "disbursed": balances.disbursed}
    totals[name] += sign * entry.amount
    grants = dict(balances.grants)
    if entry.grant_id is not None:
        current = balances.grant(entry.grant_id)
        grants[entry.grant_id] = GrantBalance(
            awarded=current.awarded + (sign * entry.amount if name == "awarded" else 0),
            disbursed=current.disbursed + (sign * entry.amount if name == "disbursed" else 0))
    return Balances(grants=grants, **totals)


def violation(balances: Balances, entry: Entry) -> str | None:
    """Why the entry may not be written on top of these balances, or None."""
    try:
        after = add(balances, entry)
    except LedgerViolation as error:
        return error.code
    if after.available < 0:
        return POOL_EXCEEDED
    if entry.grant_id is not None:
        grant = after.grant(entry.grant_id)
        if grant.awarded < 0 or grant.disbursed < 0:
            return NEGATIVE_BALANCE
        if grant.disbursed > grant.awarded:
            return OVERPAID
    return None


def apply(balances: Balances, entry: Entry) -> Balances:
    """The balances after the entry; raises LedgerViolation when it would break an invariant."""
    code = violation(balances, entry)
    if code is not None:
        raise LedgerViolation(code, entry)
    return add(balances, entry)


def summarise(entries: Iterable[Entry]) -> Balances:
    """Balances from entries already written (assumed valid: the database only holds checked ones).

    The same sums as add() one entry at a time, kept in plain dicts while counting: add() copies the per-grant
    table for every entry, which costs a call with hundreds of grants milliseconds on every page showing it."""
    totals = {"contributed": 0, "awarded": 0, "disbursed": 0}
    grants: dict[int, list[int]] = {}
    for entry in entries:
        _valid(entry)
        name, sign = _SIGN[entry.kind]
        totals[name] += sign * entry.amount
        if entry.grant_id is not None:
            grant = grants.setdefault(entry.grant_id, [0, 0])
            if name == "awarded":
                grant[0] += sign * entry.amount
            elif name == "disbursed":
                grant[1] += sign * entry.amount
    return Balances(grants={grant_id: GrantBalance(awarded=awarded, disbursed=disbursed)
                            for grant_id, (awarded, disbursed) in grants.items()}, **totals)
