"""Reviewer assignment for a call: conflicts of interest, a minimum number of reviews, balanced load.

The coordinator assigns reviewers proposal by proposal; this module only *suggests*. It is pure (plain
values in, plain values out) so the services can feed it whatever the database holds and the rules can be
tested exhaustively without a request or a session.

Conflicts are checked here and not left to the coordinator because a conflicted reviewer must never even
see the proposal: `conflicts` is the single rule, used both when suggesting and (by the policy) when
deciding who may open or score a proposal.

How the suggestion is computed, and why it is optimal
-----------------------------------------------------
Giving proposals reviewers is a flow problem: source -> proposal (capacity = reviews still missing) ->
reviewer (capacity 1, only when not conflicted and not already assigned) -> sink (capacity = the reviewer's
remaining capacity). Every integral flow is a valid suggestion, and a maximum flow adds as many reviews
towards ``k`` as the conflicts and capacities allow (what is left is the shortfall the coordinator sees).

Among maximum flows, the vectors of reviewer loads (existing plus new) form an M-convex set (the bases of
a network-induced polymatroid, shifted by the existing loads). For such sets Frank and Murota ("Discrete
decreasing minimization, Part I", Math. Oper. Res. 2022) show that one vector is at the same time
lexicographically "decreasingly minimal" (smallest maximum load, then fewest reviewers at it, and so on), "increasingly
maximal" (largest minimum load) and of least sum of squares, and that a vector is that optimum exactly
when no single unit of load can move from a reviewer with load ``a`` to one with load ``b <= a - 2``.
Moving one unit is a path in the residual network from the first reviewer to the second. Such a path never
needs to pass through the source: from there it would reach a spare reviewer from a short proposal, which
is an augmenting path and cannot exist once the flow is maximum. So the method is:

1. a greedy start: proposals with the fewest eligible reviewers first, each taking its least-loaded
   eligible reviewers (ties by id). It is usually already optimal and keeps the exact steps short;
2. augmenting paths until none is left, which makes the flow maximum (proposal coverage first);
3. load-moving paths from heavy to light reviewers until none is left, which by the theorem above
   minimises the maximum load and the spread (max - min) together.

Each step is a breadth-first search over at most (proposals x reviewers) edges, and the greedy start leaves
little for steps 2 and 3 to do, so a few thousand proposals and a few hundred reviewers take well under a
second. Every choice is ordered by id, so the same input always gives the same suggestion.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

TEAM_MEMBER = "team_member"
MENTOR_OF_TEAM = "mentor_of_team"
SAME_ORGANISATION = "same_organisation"
DECLARED = "declared"

NOT_ENOUGH_ELIGIBLE = "not_enough_eligible_reviewers"
REVIEWERS_AT_CAPACITY = "reviewers_at_capacity"

_UNLIMITED = sys.maxsize


def _organisation_key(value: str | None) -> str | None:
    """Compare organisations loosely: a missed conflict is worse than a spurious one."""
    if value is None:
        return None
    key = value.strip().casefold()
    return key or None


@dataclass(frozen=True)
class ProposalInfo:
    """What conflict checks need to know about a proposal: the people and the organisation behind it.

    Ids are user ids (a reviewer is a user), so a reviewer who is on the team or mentors it is recognised
    by id alone. Any iterable is accepted for the id sets; they are frozen so the value stays hashable.
    """

    id: int
    member_ids: frozenset[int] = frozenset()
    mentor_ids: frozenset[int] = frozenset()
    organisation: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "member_ids", frozenset(self.member_ids))
        object.__setattr__(self, "mentor_ids", frozenset(self.mentor_ids))


@dataclass(frozen=True)
class ReviewerInfo:
    """A reviewer in the call's pool. ``capacity`` bounds the total reviews (existing ones included);
    None means no limit. ``declared_conflicts`` are proposal ids the reviewer flagged before seeing them."""

    id: int
    organisation: str | None = None
    capacity: int | None = None
    declared_conflicts: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "declared_conflicts", frozenset(self.declared_conflicts))
        if self.capacity is not None and self.capacity < 0:
            raise ValueError(f"reviewer {self.id!r}: capacity must be at least 0, not {self.capacity}")


@dataclass(frozen=True)
class Shortfall:
    """A proposal left below ``k``, with the reason the coordinator has to act on: recruit reviewers who
    have no conflict (``not_enough_eligible_reviewers``) or raise someone's capacity
    (``reviewers_at_capacity``)."""

    proposal_id: int
    reviews: int
    missing: int
    eligible: int
    reason: str


@dataclass(frozen=True)
class ConflictedAssignment:
    """An existing assignment that is now a conflict (say, declared after the fact). It is kept, since
    withdrawing it is the coordinator's call, but it does not count towards the proposal's reviews: a
    conflicted reviewer may not score it. It still counts towards the reviewer's load, so capacity holds
    even if the coordinator leaves it in place."""

    proposal_id: int
    reviewer_id: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    """New assignments only (existing ones are kept as they are), plus what the coordinator needs to judge
    them: reviews per proposal and load per reviewer after the suggestion, shortfalls, and existing
    assignments that have become conflicts."""

    assignments: tuple[tuple[int, int], ...]
    reviews: dict[int, int]
    load: dict[int, int]
    shortfalls: tuple[Shortfall, ...]
    conflicted_existing: tuple[ConflictedAssignment, ...]

    def for_proposal(self, proposal_id: int) -> tuple[int, ...]:
        return tuple(reviewer for proposal, reviewer in self.assignments if proposal == proposal_id)

    def for_reviewer(self, reviewer_id: int) -> tuple[int, ...]:
        return tuple(proposal for proposal, reviewer in self.assignments if reviewer == reviewer_id)


def conflicts(reviewer: ReviewerInfo, proposal: ProposalInfo) -> list[str]:
    """Every reason at once, in a fixed order, so the coordinator sees why and the policy can answer "no"
    from the same rule the suggestion used."""
    reasons = []
    if reviewer.id in proposal.member_ids:
        reasons.append(TEAM_MEMBER)
    if reviewer.id in proposal.mentor_ids:
        reasons.append(MENTOR_OF_TEAM)
    organisation = _organisation_key(reviewer.organisation)
    if organisation is not None and organisation == _organisation_key(proposal.organisation):
        reasons.append(SAME_ORGANISATION)
    if proposal.id in reviewer.declared_conflicts:
        reasons.append(DECLARED)
    return reasons


def suggest_assignments(proposals: Iterable[ProposalInfo], reviewers: Iterable[ReviewerInfo],
                        existing: Iterable[tuple[int, int]], k: int) -> Suggestion:
    """Suggest new (proposal id, reviewer id) pairs: as many proposals as possible reach ``k`` reviews, then
    the load is as even as it can be (see the module docstring for why the result is optimal).

    ``existing`` pairs are kept and counted. A pair for a proposal not in ``proposals`` still counts
    towards the reviewer's load, so work in a parallel call can be taken into account. Every reviewer in
    an existing pair must be in ``reviewers``, since their conflicts must be checked (give one who left the
    panel ``capacity=0``).
    """
    if k < 0:
        raise ValueError(f"k must be at least 0, not {k}")
    planner = _Planner(list(proposals), list(reviewers), existing, k)
    planner.greedy()
    planner.augment()
    planner.balance()
    return planner.suggestion()


class _Planner:
    """Indices instead of ids inside, so the searches work on lists and ties break by id for free."""

    def __init__(self, proposals: list[ProposalInfo], reviewers: list[ReviewerInfo],
                 existing: Iterable[tuple[int, int]], k: int) -> None:
        self.proposals = sorted(proposals, key=lambda p: p.id)
        self.reviewers = sorted(reviewers, key=lambda r: r.id)
        self.k = k
        p_index = _index(self.proposals, "proposal")
        r_index = _index(self.reviewers, "reviewer")
        n_proposals, n_reviewers = len(self.proposals), len(self.reviewers)

        self.conflicted = self._conflict_sets(p_index, r_index)
        self.cap = [_UNLIMITED if r.capacity is None else r.capacity for r in self.reviewers]
        self.load = [0] * n_reviewers
        fixed: list[set[int]] = [set() for _ in range(n_proposals)]
        counted = [0] * n_proposals
        self.conflicted_existing: list[ConflictedAssignment] = []
        for proposal_id, reviewer_id in dict.fromkeys(tuple(pair) for pair in existing):
            r = r_index.get(reviewer_id)
            if r is None:
                raise ValueError(f"existing assignment ({proposal_id!r}, {reviewer_id!r}): "
                                 "the reviewer is not in the pool")
            self.load[r] += 1
            p = p_index.get(proposal_id)
            if p is None:
                continue
            fixed[p].add(r)
            if r in self.conflicted[p]:
                reasons = tuple(conflicts(self.reviewers[r], self.proposals[p]))
                self.conflicted_existing.append(ConflictedAssignment(proposal_id, reviewer_id, reasons))
            else:
                counted[p] += 1
        self.counted = counted
        self.need = [max(0, k - c) for c in counted]
        everyone = list(range(n_reviewers))
        self.candidates: list[list[int]] = []
        for p in range(n_proposals):
            blocked = self.conflicted[p] | fixed[p]
            self.candidates.append([r for r in everyone if r not in blocked] if blocked else everyone)
        self.assigned: list[set[int]] = [set() for _ in range(n_proposals)]
        self.assigned_to: list[set[int]] = [set() for _ in range(n_reviewers)]

    def _conflict_sets(self, p_index: dict[int, int], r_index: dict[int, int]) -> list[set[int]]:
        """Built from the people and organisations outward rather than pair by pair, so a call with
        thousands of proposals costs one pass; the tests check it agrees with `conflicts`."""
        result: list[set[int]] = [set() for _ in self.proposals]
        by_organisation: dict[str, list[int]] = {}
        for r, reviewer in enumerate(self.reviewers):
            key = _organisation_key(reviewer.organisation)
            if key is not None:
                by_organisation.setdefault(key, []).append(r)
            for proposal_id in reviewer.declared_conflicts:
                p = p_index.get(proposal_id)
                if p is not None:
                    result[p].add(r)
        for p, proposal in enumerate(self.proposals):
            for user_id in proposal.member_ids | proposal.mentor_ids:
                r = r_index.get(user_id)
                if r is not None:
                    result[p].add(r)
            key = _organisation_key(proposal.organisation)
            if key is not None:
                result[p].update(by_organisation.get(key, ()))
        return result

    def _add(self, p: int, r: int) -> None:
        self.assigned[p].add(r)
        self.assigned_to[r].add(p)
        self.load[r] += 1

    def _remove(self, p: int, r: int) -> None:
        self.assigned[p].remove(r)
        self.assigned_to[r].remove(p)
        self.load[r] -= 1

    def _deficit(self, p: int) -> int:
        return self.need[p] - len(self.assigned[p])

    def greedy(self) -> None:
        """Most constrained proposals first, so they are not left with only busy reviewers; each takes its
        least-loaded reviewers, which already balances perfectly when everyone is eligible for everything."""
        order = sorted(range(len(self.proposals)), key=lambda p: (len(self.candidates[p]), p))
        for p in order:
            if not self.need[p]:
                continue
            free = [r for r in self.candidates[p] if self.load[r] < self.cap[r]]
            free.sort(key=self.load.__getitem__)  # stable: equal loads stay in id order
            for r in free[:self.need[p]]:
                self._add(p, r)

    def augment(self) -> None:
        """Reroute until no proposal short of reviews can gain one: then the number of reviews is maximum.
        One multi-source search per added review, and a final one that proves none is left."""
        while True:
            short = [p for p in range(len(self.proposals)) if self._deficit(p) > 0]
            if not short:
                return
            came_from_reviewer: dict[int, int | None] = dict.fromkeys(short)
            came_from_proposal: dict[int, int] = {}
            queue = deque(short)
            end = None
            while queue and end is None:
                p = queue.popleft()
                for r in self.candidates[p]:
                    if r in came_from_proposal or r in self.assigned[p]:
                        continue
                    came_from_proposal[r] = p
                    if self.load[r] < self.cap[r]:
                        end = r
                        break
                    for q in sorted(self.assigned_to[r]):
                        if q not in came_from_reviewer:
                            came_from_reviewer[q] = r
                            queue.append(q)
            if end is None:
                return
            r = end
            while True:
                p = came_from_proposal[r]
                self._add(p, r)
                previous = came_from_reviewer[p]
                if previous is None:
                    break
                self._remove(p, previous)
                r = previous

    def balance(self) -> None:
        """Move single units of load from heavy to light reviewers until no move is possible, which is the
        optimality test of the module docstring. Sources are added level by level from the heaviest down,
        and the search grows incrementally, so proving optimality costs one search however many levels
        there are; each move lowers the sum of squared loads, so the loop ends."""
        while True:
            busy = [self.load[r] for r in range(len(self.reviewers)) if self.assigned_to[r]]
            light = [self.load[r] for r in range(len(self.reviewers)) if self.load[r] < self.cap[r]]
            if not busy or not light or max(busy) - min(light) <= 1:
                return
            if not self._move_one(max(busy), min(light)):
                return

    def _move_one(self, top: int, bottom: int) -> bool:
        came_from: dict[int, int | None] = {}  # reviewer -> proposal that takes it on (None: a heavy start)
        dropped_by: dict[int, int] = {}  # proposal -> reviewer it gives up
        queue: deque[int] = deque()
        for level in range(top, bottom + 1, -1):
            for r in range(len(self.reviewers)):
                if self.load[r] >= level and r not in came_from and self.assigned_to[r]:
                    came_from[r] = None
                    queue.append(r)
            while queue:
                r = queue.popleft()
                for q in sorted(self.assigned_to[r]):
                    if q in dropped_by:
                        continue
                    dropped_by[q] = r
                    for t in self.candidates[q]:
                        if t not in came_from and t not in self.assigned[q]:
                            came_from[t] = q
                            queue.append(t)
            targets = [t for t in came_from if self.load[t] <= level - 2 and self.load[t] < self.cap[t]]
            if targets:
                r = min(targets, key=lambda t: (self.load[t], t))
                while (p := came_from[r]) is not None:
                    self._add(p, r)
                    r = dropped_by[p]
                    self._remove(p, r)
                return True
        return False

    def suggestion(self) -> Suggestion:
        pairs = tuple(sorted((self.proposals[p].id, self.reviewers[r].id)
                             for p in range(len(self.proposals)) for r in self.assigned[p]))
        reviews = {proposal.id: self.counted[p] + len(self.assigned[p]) for p, proposal in enumerate(self.proposals)}
        shortfalls = []
        for p, proposal in enumerate(self.proposals):
            if reviews[proposal.id] < self.k:
                eligible = len(self.reviewers) - len(self.conflicted[p])
                reason = NOT_ENOUGH_ELIGIBLE if eligible < self.k else REVIEWERS_AT_CAPACITY
                shortfalls.append(Shortfall(proposal.id, reviews[proposal.id], self.k - reviews[proposal.id],
                                            eligible, reason))
        return Suggestion(
            assignments=pairs,
            reviews=reviews,
            load={reviewer.id: self.load[r] for r, reviewer in enumerate(self.reviewers)},
            shortfalls=tuple(shortfalls),
            conflicted_existing=tuple(sorted(self.conflicted_existing,
                                             key=lambda c: (c.proposal_id, c.reviewer_id))),
        )


def _index(items: list, kind: str) -> dict[int, int]:
    index: dict[int, int] = {}
    for i, item in enumerate(items):
        if item.id in index:
            raise ValueError(f"{kind} {item.id!r} appears twice")
        index[item.id] = i
    return index
