"""Reviewer assignment: the conflict rules one by one, then the suggestion checked against an independent
checker on random instances, against brute force on tiny ones, and at the size of a real call."""

from __future__ import annotations

import random
from collections import Counter, deque
from itertools import combinations, product

import pytest

from app.reviews.assignment import (
    DECLARED,
    MENTOR_OF_TEAM,
    NOT_ENOUGH_ELIGIBLE,
    REVIEWERS_AT_CAPACITY,
    SAME_ORGANISATION,
    TEAM_MEMBER,
    ProposalInfo,
    ReviewerInfo,
    Suggestion,
    conflicts,
    suggest_assignments,
)

# ---------------------------------------------------------------------------------------------------------
# Independent references: they share nothing with the module but `conflicts`, which has its own tests.


def check_suggestion(proposals, reviewers, existing, k, suggestion: Suggestion) -> None:
    """Every hard rule, recomputed from the inputs alone."""
    proposal_by_id = {p.id: p for p in proposals}
    reviewer_by_id = {r.id: r for r in reviewers}
    existing = set(existing)
    new = list(suggestion.assignments)

    assert new == sorted(new)
    assert len(set(new)) == len(new), "the same reviewer twice on one proposal"
    for proposal_id, reviewer_id in new:
        assert proposal_id in proposal_by_id and reviewer_id in reviewer_by_id
        assert (proposal_id, reviewer_id) not in existing, "a reviewer already on the proposal"
        assert conflicts(reviewer_by_id[reviewer_id], proposal_by_id[proposal_id]) == [], "conflicted reviewer"

    existing_load = Counter(reviewer_id for _, reviewer_id in existing)
    added = Counter(reviewer_id for _, reviewer_id in new)
    assert suggestion.load == {r.id: existing_load[r.id] + added[r.id] for r in reviewers}
    for reviewer in reviewers:
        if reviewer.capacity is not None:
            assert added[reviewer.id] <= max(0, reviewer.capacity - existing_load[reviewer.id]), "over capacity"

    counted = Counter(p for p, r in existing if p in proposal_by_id and not conflicts(reviewer_by_id[r],
                                                                                    proposal_by_id[p]))
    added_to = Counter(proposal_id for proposal_id, _ in new)
    shortfalls = {s.proposal_id: s for s in suggestion.shortfalls}
    for proposal in proposals:
        reviews = counted[proposal.id] + added_to[proposal.id]
        assert suggestion.reviews[proposal.id] == reviews
        assert added_to[proposal.id] <= max(0, k - counted[proposal.id]), "more reviews than asked for"
        if reviews < k:
            eligible = sum(1 for r in reviewers if not conflicts(r, proposal))
            assert shortfalls[proposal.id].missing == k - reviews
            assert shortfalls[proposal.id].eligible == eligible
            assert shortfalls[proposal.id].reason == (NOT_ENOUGH_ELIGIBLE if eligible < k else REVIEWERS_AT_CAPACITY)
        else:
            assert proposal.id not in shortfalls


def _need_and_candidates(proposals, reviewers, existing, k):
    reviewer_by_id = {r.id: r for r in reviewers}
    existing = set(existing)
    for proposal in proposals:
        counted = sum(1 for p, r in existing if p == proposal.id and not conflicts(reviewer_by_id[r], proposal))
        candidates = [r.id for r in reviewers if not conflicts(r, proposal) and (proposal.id, r.id) not in existing]
        yield proposal, max(0, k - counted), candidates


def _room(reviewers, existing):
    existing_load = Counter(r for _, r in set(existing))
    return {r.id: (10**9 if r.capacity is None else max(0, r.capacity - existing_load[r.id])) for r in reviewers}


def max_reviews(proposals, reviewers, existing, k) -> int:
    """Edmonds-Karp on an explicit graph: the most new reviews any valid suggestion can add."""
    graph: dict[object, dict[object, int]] = {"source": {}, "sink": {}}

    def arc(a, b, capacity):
        graph.setdefault(a, {})[b] = capacity
        graph.setdefault(b, {}).setdefault(a, 0)

    for proposal, need, candidates in _need_and_candidates(proposals, reviewers, existing, k):
        arc("source", ("p", proposal.id), need)
        for reviewer_id in candidates:
            arc(("p", proposal.id), ("r", reviewer_id), 1)
    for reviewer_id, room in _room(reviewers, existing).items():
        arc(("r", reviewer_id), "sink", room)
    total = 0
    while True:
        parent = {"source": None}
        queue = deque(["source"])
        while queue and "sink" not in parent:
            node = queue.popleft()
            for nxt, capacity in graph[node].items():
                if capacity > 0 and nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        if "sink" not in parent:
            return total
        node = "sink"
        while parent[node] is not None:
            graph[parent[node]][node] -= 1
            graph[node][parent[node]] += 1
            node = parent[node]
        total += 1


def least_maximum_load(proposals, reviewers, existing, k) -> int:
    """The smallest cap on everyone's load that still lets the most reviews through (binary search)."""
    best = max_reviews(proposals, reviewers, existing, k)
    low = max(Counter(r for _, r in set(existing)).values(), default=0)
    high = low + best

    def enough(ceiling):
        capped = [ReviewerInfo(id=r.id, organisation=r.organisation, declared_conflicts=r.declared_conflicts,
                               capacity=ceiling if r.capacity is None else min(ceiling, r.capacity))
                  for r in reviewers]
        return max_reviews(proposals, capped, existing, k) == best

    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle + 1, high)
    return low


def brute_force(proposals, reviewers, existing, k):
    """Every valid suggestion: the best coverage, and among those the best loads by three measures."""
    existing_load = Counter(r for _, r in set(existing))
    room = _room(reviewers, existing)
    options = []
    for _proposal, need, candidates in _need_and_candidates(proposals, reviewers, existing, k):
        options.append([c for n in range(min(need, len(candidates)) + 1) for c in combinations(candidates, n)])
    best = None
    for choice in product(*options):
        added = Counter(r for chosen in choice for r in chosen)
        if any(added[r] > room[r] for r in added):
            continue
        loads = [existing_load[r.id] + added[r.id] for r in reviewers]
        key = (-sum(added.values()), sorted(loads, reverse=True))
        spread = max(loads) - min(loads)
        if best is None or key[0] < best["key"][0]:
            best = {"key": key, "max": max(loads), "spread": spread}
        elif key[0] == best["key"][0]:
            best["key"] = min(best["key"], key)
            best["max"] = min(best["max"], max(loads))
            best["spread"] = min(best["spread"], spread)
    return best


def random_instance(rng: random.Random, n_proposals: int, n_reviewers: int, *, capacities=True, existing_pairs=0):
    reviewer_ids = rng.sample(range(1, 10 * n_reviewers + 1), n_reviewers)
    organisations = ["Lycée Molière", "MJC Nord", "Scouts", None, None]
    proposals = []
    for i in range(n_proposals):
        pool = reviewer_ids + [10**6 + i]  # team members are often, not always, in the reviewer pool
        proposals.append(ProposalInfo(
            id=1000 + 7 * i,
            member_ids={rng.choice(pool) for _ in range(rng.randint(0, 2))},
            mentor_ids={rng.choice(pool) for _ in range(rng.randint(0, 1))},
            organisation=rng.choice(organisations)))
    proposal_ids = [p.id for p in proposals]
    reviewers = [ReviewerInfo(
        id=reviewer_id,
        organisation=rng.choice(organisations),
        capacity=rng.choice([None, None, 0, 1, 2, 3, 5]) if capacities else None,
        declared_conflicts={rng.choice(proposal_ids) for _ in range(rng.randint(0, 2))})
        for reviewer_id in reviewer_ids]
    existing = [(rng.choice(proposal_ids + [999_999]), rng.choice(reviewer_ids)) for _ in range(existing_pairs)]
    return proposals, reviewers, existing


# ---------------------------------------------------------------------------------------------------------
# Conflicts, rule by rule.

TEAM = ProposalInfo(id=10, member_ids={1, 2}, mentor_ids={3}, organisation="MJC Nord")


def test_a_team_member_is_conflicted():
    assert conflicts(ReviewerInfo(id=2), TEAM) == [TEAM_MEMBER]


def test_the_team_mentor_is_conflicted():
    assert conflicts(ReviewerInfo(id=3), TEAM) == [MENTOR_OF_TEAM]


def test_the_same_organisation_is_a_conflict_however_it_is_typed():
    assert conflicts(ReviewerInfo(id=50, organisation="MJC Nord"), TEAM) == [SAME_ORGANISATION]
    assert conflicts(ReviewerInfo(id=50, organisation="  mjc nord "), TEAM) == [SAME_ORGANISATION]
    assert conflicts(ReviewerInfo(id=50, organisation="MJC Sud"), TEAM) == []


def test_no_organisation_on_either_side_is_no_conflict():
    assert conflicts(ReviewerInfo(id=50, organisation=None), ProposalInfo(id=1, organisation=None)) == []
    assert conflicts(ReviewerInfo(id=50, organisation=""), ProposalInfo(id=1, organisation="")) == []
    assert conflicts(ReviewerInfo(id=50, organisation="MJC Nord"), ProposalInfo(id=1)) == []
    assert conflicts(ReviewerInfo(id=50), TEAM) == []


def test_a_declared_conflict_is_a_conflict():
    assert conflicts(ReviewerInfo(id=50, declared_conflicts={10}), TEAM) == [DECLARED]
    assert conflicts(ReviewerInfo(id=50, declared_conflicts={11}), TEAM) == []


def test_every_reason_is_given_in_a_fixed_order():
    reviewer = ReviewerInfo(id=1, organisation="MJC Nord", declared_conflicts=[10])
    both = ProposalInfo(id=10, member_ids={1}, mentor_ids={1}, organisation="MJC Nord")
    assert conflicts(reviewer, both) == [TEAM_MEMBER, MENTOR_OF_TEAM, SAME_ORGANISATION, DECLARED]


@pytest.mark.parametrize("reviewer", [
    ReviewerInfo(id=2), ReviewerInfo(id=3), ReviewerInfo(id=4, organisation="mjc nord"),
    ReviewerInfo(id=5, declared_conflicts={10}),
], ids=["member", "mentor", "organisation", "declared"])
def test_a_conflicted_reviewer_is_never_suggested_even_when_it_leaves_a_shortfall(reviewer):
    others = [ReviewerInfo(id=100), ReviewerInfo(id=101)]
    suggestion = suggest_assignments([TEAM], [reviewer, *others], [], k=3)
    assert suggestion.for_proposal(10) == (100, 101)
    assert suggestion.load[reviewer.id] == 0
    assert [(s.proposal_id, s.missing, s.eligible, s.reason) for s in suggestion.shortfalls] == [
        (10, 1, 2, NOT_ENOUGH_ELIGIBLE)]


# ---------------------------------------------------------------------------------------------------------
# The suggestion.


def test_every_proposal_reaches_k_when_it_can():
    proposals = [ProposalInfo(id=i) for i in range(1, 6)]
    reviewers = [ReviewerInfo(id=i) for i in range(100, 104)]
    suggestion = suggest_assignments(proposals, reviewers, [], k=3)
    assert suggestion.shortfalls == ()
    assert all(len(suggestion.for_proposal(p.id)) == 3 for p in proposals)
    assert sorted(suggestion.load.values()) == [3, 4, 4, 4]
    check_suggestion(proposals, reviewers, [], 3, suggestion)


def test_k_zero_suggests_nothing():
    suggestion = suggest_assignments([ProposalInfo(id=1)], [ReviewerInfo(id=2)], [], k=0)
    assert suggestion.assignments == () and suggestion.shortfalls == ()


@pytest.mark.parametrize("seed", range(20))
def test_load_differs_by_at_most_one_when_everyone_may_review_everything(seed):
    rng = random.Random(seed)
    proposals = [ProposalInfo(id=i) for i in range(rng.randint(1, 60))]
    reviewers = [ReviewerInfo(id=100 + i) for i in range(rng.randint(3, 15))]
    k = rng.randint(1, 3)
    suggestion = suggest_assignments(proposals, reviewers, [], k)
    assert suggestion.shortfalls == ()
    assert max(suggestion.load.values()) - min(suggestion.load.values()) <= 1
    check_suggestion(proposals, reviewers, [], k, suggestion)


def test_existing_assignments_are_kept_and_counted_towards_k():
    proposals = [ProposalInfo(id=1), ProposalInfo(id=2)]
    reviewers = [ReviewerInfo(id=i) for i in (10, 11, 12, 13)]
    existing = [(1, 10), (1, 11)]
    suggestion = suggest_assignments(proposals, reviewers, existing, k=3)
    assert len(suggestion.for_proposal(1)) == 1
    assert set(suggestion.for_proposal(1)).isdisjoint({10, 11})
    assert suggestion.reviews == {1: 3, 2: 3}
    assert sorted(suggestion.load.values()) == [1, 1, 2, 2]  # the two already busy are spared on proposal 2
    check_suggestion(proposals, reviewers, existing, 3, suggestion)


def test_a_proposal_already_at_k_gets_no_one_new():
    reviewers = [ReviewerInfo(id=i) for i in (10, 11, 12)]
    suggestion = suggest_assignments([ProposalInfo(id=1)], reviewers, [(1, 10), (1, 11), (1, 12)], k=2)
    assert suggestion.assignments == ()
    assert suggestion.reviews == {1: 3}


def test_existing_load_counts_including_work_on_proposals_outside_this_list():
    reviewers = [ReviewerInfo(id=10), ReviewerInfo(id=11)]
    existing = [(500, 10), (501, 10), (502, 10), (502, 10)]  # a duplicate counts once
    suggestion = suggest_assignments([ProposalInfo(id=1), ProposalInfo(id=2)], reviewers, existing, k=1)
    assert suggestion.for_reviewer(11) == (1, 2)
    assert suggestion.load == {10: 3, 11: 2}


def test_an_existing_assignment_that_became_a_conflict_is_flagged_and_replaced():
    proposal = ProposalInfo(id=1)
    reviewers = [ReviewerInfo(id=10, declared_conflicts={1}), ReviewerInfo(id=11), ReviewerInfo(id=12)]
    suggestion = suggest_assignments([proposal], reviewers, [(1, 10), (1, 11)], k=2)
    assert [(c.proposal_id, c.reviewer_id, c.reasons) for c in suggestion.conflicted_existing] == [(1, 10, (DECLARED,))]
    assert suggestion.for_proposal(1) == (12,)
    assert suggestion.reviews == {1: 2}
    assert suggestion.load == {10: 1, 11: 1, 12: 1}


def test_capacity_is_never_exceeded_and_the_shortfall_says_why():
    proposals = [ProposalInfo(id=i) for i in range(1, 5)]
    reviewers = [ReviewerInfo(id=10, capacity=2), ReviewerInfo(id=11, capacity=3), ReviewerInfo(id=12, capacity=0)]
    existing = [(1, 10)]
    suggestion = suggest_assignments(proposals, reviewers, existing, k=2)
    assert suggestion.load == {10: 2, 11: 3, 12: 0}
    assert sum(s.missing for s in suggestion.shortfalls) == 8 - 1 - 4
    assert {s.reason for s in suggestion.shortfalls} == {REVIEWERS_AT_CAPACITY}
    check_suggestion(proposals, reviewers, existing, 2, suggestion)


def test_a_reviewer_already_over_capacity_gets_nothing_new():
    reviewers = [ReviewerInfo(id=10, capacity=1), ReviewerInfo(id=11)]
    suggestion = suggest_assignments([ProposalInfo(id=1)], reviewers, [(7, 10), (8, 10)], k=1)
    assert suggestion.assignments == ((1, 11),)
    assert suggestion.load == {10: 2, 11: 1}


def test_too_few_eligible_reviewers_is_reported_per_proposal():
    proposals = [ProposalInfo(id=1, organisation="Scouts"), ProposalInfo(id=2)]
    reviewers = [ReviewerInfo(id=10, organisation="scouts"), ReviewerInfo(id=11), ReviewerInfo(id=12)]
    suggestion = suggest_assignments(proposals, reviewers, [], k=3)
    assert suggestion.reviews == {1: 2, 2: 3}
    [shortfall] = suggestion.shortfalls
    assert (shortfall.proposal_id, shortfall.reviews, shortfall.missing, shortfall.eligible, shortfall.reason) == (
        1, 2, 1, 2, NOT_ENOUGH_ELIGIBLE)


def test_rerouting_finds_reviews_a_first_come_first_served_choice_would_miss():
    # Proposal 1 could take 10 or 11; proposal 2 only 10. Whichever order they are seen in, both must be served.
    proposals = [ProposalInfo(id=1), ProposalInfo(id=2, member_ids={11})]
    reviewers = [ReviewerInfo(id=10, capacity=1), ReviewerInfo(id=11, capacity=1)]
    suggestion = suggest_assignments(proposals, reviewers, [], k=1)
    assert suggestion.assignments == ((1, 11), (2, 10))


def test_load_is_moved_off_a_reviewer_a_first_come_first_served_choice_would_overload():
    # Taken in order, 11 goes to reviewer 2 (a tie with 3, broken by id) and 12 then has only 1 (busy) or 2.
    # Moving 11 to reviewer 3 frees 2 for 12 and brings the loads from 2/2/0 to 2/1/1.
    proposals = [ProposalInfo(id=10, member_ids={2, 3}), ProposalInfo(id=11, member_ids={1}),
                 ProposalInfo(id=12, member_ids={3})]
    reviewers = [ReviewerInfo(id=1), ReviewerInfo(id=2), ReviewerInfo(id=3)]
    suggestion = suggest_assignments(proposals, reviewers, [(99, 1)], k=1)
    assert suggestion.assignments == ((10, 1), (11, 3), (12, 2))
    assert suggestion.load == {1: 2, 2: 1, 3: 1}


def test_the_same_input_gives_the_same_suggestion_in_any_order():
    rng = random.Random(7)
    proposals, reviewers, existing = random_instance(rng, 40, 12, existing_pairs=15)
    first = suggest_assignments(proposals, reviewers, existing, 3)
    for _ in range(5):
        rng.shuffle(proposals)
        rng.shuffle(reviewers)
        rng.shuffle(existing)
        assert suggest_assignments(proposals, reviewers, existing, 3) == first


@pytest.mark.parametrize("seed", range(60))
def test_random_instances_keep_every_rule_and_reach_the_most_reviews_possible(seed):
    rng = random.Random(seed)
    proposals, reviewers, existing = random_instance(
        rng, rng.randint(1, 40), rng.randint(1, 15), existing_pairs=rng.randint(0, 20))
    k = rng.randint(1, 4)
    suggestion = suggest_assignments(proposals, reviewers, existing, k)
    check_suggestion(proposals, reviewers, existing, k, suggestion)
    assert len(suggestion.assignments) == max_reviews(proposals, reviewers, existing, k)
    assert max(suggestion.load.values()) == least_maximum_load(proposals, reviewers, existing, k)


@pytest.mark.parametrize("seed", [*range(150), 398, 403, 962, 1205, 1499])  # the last five defeat the greedy start
def test_tiny_instances_match_brute_force(seed):
    rng = random.Random(seed)
    proposals, reviewers, existing = random_instance(
        rng, rng.randint(1, 4), rng.randint(2, 4), existing_pairs=rng.randint(0, 6))
    k = rng.randint(1, 2)
    suggestion = suggest_assignments(proposals, reviewers, existing, k)
    check_suggestion(proposals, reviewers, existing, k, suggestion)
    best = brute_force(proposals, reviewers, existing, k)
    loads = list(suggestion.load.values())
    assert len(suggestion.assignments) == -best["key"][0]
    assert sorted(loads, reverse=True) == best["key"][1]
    assert max(loads) == best["max"]
    assert max(loads) - min(loads) == best["spread"]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="k must be"):
        suggest_assignments([], [], [], k=-1)
    with pytest.raises(ValueError, match="appears twice"):
        suggest_assignments([ProposalInfo(id=1), ProposalInfo(id=1)], [], [], k=1)
    with pytest.raises(ValueError, match="appears twice"):
        suggest_assignments([], [ReviewerInfo(id=1), ReviewerInfo(id=1)], [], k=1)
    with pytest.raises(ValueError, match="not in the pool"):
        suggest_assignments([ProposalInfo(id=1)], [ReviewerInfo(id=2)], [(1, 3)], k=1)
    with pytest.raises(ValueError, match="capacity"):
        ReviewerInfo(id=1, capacity=-1)


def test_a_call_of_realistic_size():
    rng = random.Random(2016)
    reviewer_ids = list(range(5000, 5150))
    organisations = [f"org-{n}" for n in range(25)] + [None] * 5
    reviewers = [ReviewerInfo(id=reviewer_id, organisation=rng.choice(organisations),
                              capacity=rng.choice([None, None, None, 30, 45]),
                              declared_conflicts={rng.randrange(2000) for _ in range(rng.randint(0, 3))})
                 for reviewer_id in reviewer_ids]
    proposals = [ProposalInfo(id=i, member_ids={rng.randrange(1, 6000) for _ in range(rng.randint(1, 5))},
                              mentor_ids={rng.choice(reviewer_ids)} if rng.random() < 0.3 else set(),
                              organisation=rng.choice(organisations))
                 for i in range(2000)]
    existing = [(rng.randrange(2000), rng.choice(reviewer_ids)) for _ in range(600)]
    suggestion = suggest_assignments(proposals, reviewers, existing, k=3)
    check_suggestion(proposals, reviewers, existing, 3, suggestion)
    assert suggestion.shortfalls == ()
    uncapped = [suggestion.load[r.id] for r in reviewers if r.capacity is None]
    assert max(uncapped) - min(uncapped) <= 1
