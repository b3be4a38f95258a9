"""Mentor–team matching for one round: hard rules first, then as many teams as possible, then the best fit.

Pure module (no Flask, no database, no translations): the service layer turns rows into `TeamRequest` and
`MentorOffer`, calls `match`, and the web layer translates the structured reasons it gets back.

Hard rules (never broken, never overridable, not even by a lock):
  - the team and the mentor share at least one language;
  - a team with a member under 18 only gets a vetted mentor;
  - a mentor takes at most `capacity` teams this round, a team at most one mentor;
  - no mentor in the team's `excluded_mentors` (members, relatives, declared conflicts, coordinator bans).

Objective, lexicographic: first the NUMBER of matched teams (so no team is left without a mentor while one
could have had one), then the total compatibility score. Score of a pair, an integer so the flow is exact:
  expertise   +10 for each of the team's needs the mentor covers
  language    +4 for each shared language beyond the first (the first one is a hard rule, not a bonus)
  time zone   +max(0, 8 - hours apart); hours = circular distance on a 24 h clock, rounded half up
  preference  +3 for each of the team's themes among the mentor's preferred themes, at most +6

Method: min-cost max-flow (OR-tools) on source -> team (1) -> mentor (capacity) -> sink with arc cost -score;
`solve_max_flow_with_min_cost` finds the maximum flow and, among maximum flows, the cheapest: exactly the
lexicographic goal. Small rounds give the solver every allowed pair and are exact. Large rounds (10,000 teams x
2,000 mentors is 20M pairs, too many to solve in a second) start from each team's best few mentors and grow the
graph by column generation: the dual prices of the current solution show which missing pairs could improve it,
and the same prices PROVE how far the round can be from the true optimum. The loop stops when that proven gap
is at most SCORE_TOLERANCE of the score (0.01%) -- which also proves that no round matches more teams -- or
when nothing is missing (exact). See the section on the assignment below, and bench/matching.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

EXPERTISE = ("video", "web", "social_media", "research", "organising", "design", "fundraising", "other")
THEMES = ("counter_narratives", "digital_literacy", "intercultural_dialogue", "hate_speech", "inclusion", "other")
MAX_CAPACITY = 20
MIN_UTC_OFFSET, MAX_UTC_OFFSET = -12 * 60, 14 * 60

EXPERTISE_POINTS = 10
EXTRA_LANGUAGE_POINTS = 4
TIMEZONE_POINTS = 8  # minus one per hour apart
PREFERENCE_POINTS, PREFERENCE_CAP = 3, 6

# Why a team stayed unmatched, from "nobody at all" to "somebody, but they were full".
NO_MENTORS = "no_mentors"  # no mentor takes any team this round
NO_SHARED_LANGUAGE = "no_shared_language"  # no mentor speaks any of the team's languages
NEEDS_VETTED_MENTOR = "needs_vetted_mentor"  # only unvetted mentors share a language, and the team has minors
ALL_CONFLICTED = "all_conflicted"  # every mentor left is excluded for this team
NO_CAPACITY = "no_capacity"  # allowed mentors exist, but their capacity went to other teams
# The hard rule that forbids a pair (`eligible`) or a lock (`HardRuleViolation.rule`): NO_SHARED_LANGUAGE,
# NEEDS_VETTED_MENTOR, or one of these.
CONFLICT = "conflict"
CAPACITY = "capacity"

ALTERNATES = 3

# Solver tuning, measured with bench/matching.py (see the section on the assignment below).
FULL_GRAPH_PAIRS = 200_000  # up to this many pairs, every allowed pair goes to the solver at once
TEAM_KEEPS = 8  # a large round starts from each team's best few mentors ...
MENTOR_KEEPS, LONELY = 16, 2  # ... plus, for a mentor fewer than LONELY x capacity teams picked, its best teams
MARGIN = 2  # each round adds the pairs the prices show missing, and those within MARGIN points of it ...
ADD_PER_TEAM = 8  # ... at most this many per team
SCORE_TOLERANCE = 1e-4  # stop once the total score is proven within 0.01% of the optimum
MAX_ROUNDS = 12  # then give the solver every allowed pair (never needed in the benchmark)
TIE_NOISE = 32  # random tie-breaks among equal scores: teams alike should not all pick the same mentors
_FORBIDDEN = -30_000  # below any sum of points, within int16
_CHUNK = 1024  # team rows per block of pairs: bounds temporary memory
_THREADS = min(4, os.cpu_count() or 1)


class HardRuleViolation(ValueError):
    """A lock asks for a pair that a hard rule forbids; the rule is named, nothing is overridden."""

    def __init__(self, rule: str, team_id: int, mentor_id: int):
        super().__init__(f"locked pair team {team_id} / mentor {mentor_id} breaks the hard rule {rule!r}")
        self.rule, self.team_id, self.mentor_id = rule, team_id, mentor_id


def _codes(value: Iterable[str], allowed: tuple[str, ...] | None, what: str) -> frozenset[str]:
    codes = frozenset([value] if isinstance(value, str) else value)
    unknown = sorted(codes - set(allowed)) if allowed else sorted(c for c in codes if not isinstance(c, str) or not c)
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(map(repr, unknown))}")
    return codes


def _check_id(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"id must be an integer, not {value!r}")


def _check_offset(minutes: int) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_UTC_OFFSET <= minutes <= MAX_UTC_OFFSET:
        raise ValueError(f"utc_offset_minutes must be an integer from {MIN_UTC_OFFSET} to {MAX_UTC_OFFSET}")


@dataclass(frozen=True)
class MentorOffer:
    id: int
    expertise: frozenset[str]
    languages: frozenset[str]
    utc_offset_minutes: int
    capacity: int
    vetted: bool
    preferred_themes: frozenset[str] = frozenset()

    def __post_init__(self):
        # Sets, lists or tuples are accepted and frozen, so an offer is hashable and cannot change under us.
        _check_id(self.id)
        object.__setattr__(self, "expertise", _codes(self.expertise, EXPERTISE, "expertise"))
        object.__setattr__(self, "languages", _codes(self.languages, None, "language"))
        object.__setattr__(self, "preferred_themes", _codes(self.preferred_themes, THEMES, "theme"))
        _check_offset(self.utc_offset_minutes)
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int):
            raise ValueError("capacity must be a whole number of teams")
        if not 0 <= self.capacity <= MAX_CAPACITY:
            raise ValueError(f"capacity must be between 0 and {MAX_CAPACITY} teams, not {self.capacity}")


@dataclass(frozen=True)
class TeamRequest:
    id: int
    needs: frozenset[str]
    languages: frozenset[str]
    utc_offset_minutes: int
    has_minors: bool
    themes: frozenset[str] = frozenset()
    excluded_mentors: frozenset[int] = frozenset()

    def __post_init__(self):
        _check_id(self.id)
        object.__setattr__(self, "needs", _codes(self.needs, EXPERTISE, "expertise"))
        object.__setattr__(self, "languages", _codes(self.languages, None, "language"))
        object.__setattr__(self, "themes", _codes(self.themes, THEMES, "theme"))
        object.__setattr__(self, "excluded_mentors", frozenset(self.excluded_mentors))
        _check_offset(self.utc_offset_minutes)


@dataclass(frozen=True)
class Reason:
    """Why a pair fits, as data: `kind` is expertise, language, timezone or preference; `points` its weight."""

    kind: str
    values: tuple[str, ...] = ()
    hours: int | None = None
    points: int = 0


@dataclass(frozen=True)
class Match:
    team_id: int
    mentor_id: int
    score: int
    reasons: tuple[Reason, ...]
    locked: bool


@dataclass(frozen=True)
class RoundResult:
    matches: tuple[Match, ...]
    unmatched: dict[int, str] = field(default_factory=dict)  # team id -> one of the unmatched codes
    alternates: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)  # team -> ((mentor, score),)
    total_score: int = 0


# --- one pair, in plain Python: the reference the vectorised code is tested against ---------------------------


def eligible(team: TeamRequest, mentor: MentorOffer) -> str | None:
    """None when the pair is allowed, else the hard rule that forbids it (capacity is a round-level rule)."""
    if not team.languages & mentor.languages:
        return NO_SHARED_LANGUAGE
    if team.has_minors and not mentor.vetted:
        return NEEDS_VETTED_MENTOR
    if mentor.id in team.excluded_mentors:
        return CONFLICT
    return None


def hours_apart(a_minutes: int, b_minutes: int) -> int:
    distance = abs(a_minutes - b_minutes) % 1440
    return (min(distance, 1440 - distance) + 30) // 60


def _all_reasons(team: TeamRequest, mentor: MentorOffer) -> list[Reason]:
    """Every part of the score that applies, as a reason; their points add up to the score."""
    shared = tuple(sorted(team.languages & mentor.languages))
    expertise = tuple(code for code in EXPERTISE if code in team.needs and code in mentor.expertise)
    themes = tuple(code for code in THEMES if code in team.themes and code in mentor.preferred_themes)
    hours = hours_apart(team.utc_offset_minutes, mentor.utc_offset_minutes)
    found = []
    if expertise:
        found.append(Reason("expertise", expertise, points=EXPERTISE_POINTS * len(expertise)))
    if shared:  # a reason even when worth 0 points: "both speak French" is what makes the pair possible
        found.append(Reason("language", shared, points=EXTRA_LANGUAGE_POINTS * (len(shared) - 1)))
    if hours < TIMEZONE_POINTS:
        found.append(Reason("timezone", hours=hours, points=TIMEZONE_POINTS - hours))
    if themes:
        found.append(Reason("preference", themes, points=min(PREFERENCE_CAP, PREFERENCE_POINTS * len(themes))))
    return found


def _top(found: list[Reason]) -> tuple[Reason, ...]:
    return tuple(sorted(found, key=lambda reason: -reason.points)[:3])  # stable: ties keep the order above


def reasons(team: TeamRequest, mentor: MentorOffer) -> list[Reason]:
    """Up to three reasons the pair fits, most points first (the web layer turns them into sentences)."""
    return list(_top(_all_reasons(team, mentor)))


def score(team: TeamRequest, mentor: MentorOffer) -> int:
    return sum(reason.points for reason in _all_reasons(team, mentor))


# --- the whole round, vectorised: teams are rows, mentors are columns -----------------------------------------


def _by_blocks(n: int, work, size: int | None = None) -> list:
    """work(start, stop) over blocks of rows (or columns); on a few threads, as numpy lets go of the GIL."""
    size = size or _CHUNK
    starts = range(0, n, size)
    if len(starts) < 2:
        return [work(start, min(start + size, n)) for start in starts]
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        return list(pool.map(lambda start: work(start, min(start + size, n)), starts))


def _bitmasks(code_sets: Iterable[frozenset[str]], bit: dict[str, int]) -> Iterator[int]:
    """Each set of codes as an integer with one bit per code."""
    memo: dict[frozenset[str], int] = {}  # few distinct sets among thousands of people
    for codes in code_sets:
        if codes not in memo:
            memo[codes] = sum(1 << bit[code] for code in codes)
        yield memo[codes]


class _Round:
    """The round's teams and mentors as bit masks and arrays, so a block of pairs is scored at numpy speed."""

    def __init__(self, teams: tuple[TeamRequest, ...], mentors: tuple[MentorOffer, ...]):
        expertise_bit = {code: i for i, code in enumerate(EXPERTISE)}
        theme_bit = {code: i for i, code in enumerate(THEMES)}
        language_bit = {code: i for i, code in enumerate(sorted({c for x in (*teams, *mentors) for c in x.languages}))}
        # Languages are free codes: as many 8-bit words as needed (usually one), so any number of languages works.
        words = max(1, -(-len(language_bit) // 8))

        def languages(people) -> np.ndarray:
            masks = np.array(list(_bitmasks((p.languages for p in people), language_bit)), dtype=object)
            return np.array([(masks >> (8 * w)) & 255 for w in range(words)], np.uint8).T.reshape(-1, words)

        def masks(code_sets, bit) -> np.ndarray:
            return np.fromiter(_bitmasks(code_sets, bit), np.uint16)

        self.team_languages, self.mentor_languages = languages(teams), languages(mentors)
        # Expertise (8 bits) and themes (6 bits) in one 14-bit mask: a pair's points for both are one look-up.
        self.team_topics = (
            masks((t.needs for t in teams), expertise_bit) | masks((t.themes for t in teams), theme_bit) << 8
        )
        self.mentor_topics = masks((m.expertise for m in mentors), expertise_bit) | (
            masks((m.preferred_themes for m in mentors), theme_bit) << 8
        )
        topics = np.arange(1 << 14)
        self.topic_points = (
            EXPERTISE_POINTS * np.bitwise_count(topics & 0xFF)
            + np.minimum(PREFERENCE_POINTS * np.bitwise_count(topics >> 8), PREFERENCE_CAP)
        ).astype(np.int16)
        # Points by number of shared languages; none is forbidden: a negative number that sinks any total.
        self.language_points = np.array(
            [_FORBIDDEN] + [EXTRA_LANGUAGE_POINTS * (n - 1) for n in range(1, 8 * words + 1)], np.int16
        )
        self.has_minors = np.fromiter((t.has_minors for t in teams), bool)
        self.vetted = np.fromiter((m.vetted for m in mentors), bool)
        # Offsets take few distinct values: score the time zones once per pair of distinct offsets.
        offsets, index = np.unique([x.utc_offset_minutes for x in (*teams, *mentors)], return_inverse=True)
        self.team_offset, self.mentor_offset = index[: len(teams)], index[len(teams) :]
        distance = np.abs(offsets[:, None] - offsets[None, :]) % 1440
        hours = (np.minimum(distance, 1440 - distance) + 30) // 60
        self.timezone_points = np.maximum(0, TIMEZONE_POINTS - hours).astype(np.int16)
        mentor_at = {m.id: j for j, m in enumerate(mentors)}
        pairs = [(i, mentor_at[m]) for i, t in enumerate(teams) for m in t.excluded_mentors if m in mentor_at]
        self.excluded = np.array(pairs, np.int64).reshape(-1, 2)
        self.n_teams, self.n_mentors = len(teams), len(mentors)
        self.team_ids = np.fromiter((t.id for t in teams), np.int64)
        self.mentor_ids = np.fromiter((m.id for m in mentors), np.int64)
        self.capacity = np.fromiter((m.capacity for m in mentors), np.int64)

    def shared_languages(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        team, mentor = self.team_languages[rows], self.mentor_languages[cols]
        shared = np.bitwise_count(team[:, None, 0] & mentor[None, :, 0])
        if team.shape[1] > 1:  # more than 8 languages in the round: add up the bytes
            shared = shared.astype(np.int16)
            for w in range(1, team.shape[1]):
                shared += np.bitwise_count(team[:, None, w] & mentor[None, :, w])
        return shared

    def allowed(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Three masks, each stricter: shares a language; and vetted if needed; and not excluded."""
        speaks = self.shared_languages(rows, cols) > 0
        safe = speaks & ~(self.has_minors[rows, None] & ~self.vetted[None, cols])
        return speaks, safe, self._exclude(safe.copy(), rows, cols, False)

    def scores(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Score of every (team row, mentor column) pair as int16, -1 where a hard rule forbids the pair."""
        out = np.empty((len(rows), len(cols)), np.int16)
        topics, unvetted, offset = self.mentor_topics[None, cols], ~self.vetted[None, cols], self.mentor_offset[cols]

        def block(start: int, stop: int) -> None:  # blocks of rows keep the temporaries small
            r, into = rows[start:stop], out[start:stop]
            np.take(self.topic_points, self.team_topics[r, None] & topics, out=into)
            into += np.take(self.language_points, self.shared_languages(r, cols))
            into += np.take(self.timezone_points[self.team_offset[r]], offset, axis=1)  # take: C order, fast adds
            np.maximum(into, -1, out=into)  # no shared language
            into[self.has_minors[r, None] & unvetted] = -1

        _by_blocks(len(rows), block)
        return self._exclude(out, rows, cols, -1)

    def _exclude(self, matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray, value) -> np.ndarray:
        row_at = np.full(self.n_teams, -1)
        row_at[rows] = np.arange(len(rows))
        col_at = np.full(self.n_mentors, -1)
        col_at[cols] = np.arange(len(cols))
        r, c = row_at[self.excluded[:, 0]], col_at[self.excluded[:, 1]]
        inside = (r >= 0) & (c >= 0)
        matrix[r[inside], c[inside]] = value
        return matrix


# --- the assignment: min-cost max-flow on a few arcs, grown until the duals prove nothing is missing ----------
#
# Rows are teams, columns mentors, scores[r, c] >= 0 where the pair is allowed. The linear programme
#   max sum (BIG + score) x   s.t.  each team <= 1, each mentor <= capacity,  x >= 0
# is the lexicographic goal for BIG > twice any total score, and its dual gives each team a value u >= 0 and each
# mentor a price p >= 0 with u[r] + p[c] >= BIG + scores[r, c] for every allowed pair. A flow optimal on some arcs
# comes with such prices for those arcs; where a missing pair breaks the inequality it may improve the round, so
# it is added and the flow solved again (column generation). The shortfall summed over teams bounds how far the
# round can be from the optimum, so the loop also stops, certified, once that bound is below SCORE_TOLERANCE.


def _starting_pairs(scores: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Which pairs a large round starts from (a bool matrix): each team's best few mentors, and the best few
    teams of any mentor that few teams picked (or nobody's favourite would sit idle while a team goes without).

    Scores tie a lot; ties are broken at random (fixed seed), so that teams alike do not all pick the same mentors.
    """
    n_rows, n_cols = scores.shape
    offered = np.zeros(scores.shape, bool)
    keep = min(TEAM_KEEPS, n_cols)
    wide = np.int16 if (int(scores.max(initial=0)) + 1) * TIE_NOISE < 2**15 else np.int64
    noise = np.random.default_rng(0).integers(0, TIE_NOISE, (min(_CHUNK, n_rows), n_cols), dtype=wide)

    def best_mentors(start: int, stop: int) -> np.ndarray:
        key = np.multiply(scores[start:stop], -TIE_NOISE, dtype=wide)
        key -= noise[: stop - start]
        top = np.argpartition(key, keep - 1, axis=1)[:, :keep]
        rows = np.arange(start, stop)[:, None]
        offered[rows, top] = scores[rows, top] >= 0
        return np.bincount(top.ravel(), minlength=n_cols)

    picked = sum(_by_blocks(n_rows, best_mentors))
    lonely = np.flatnonzero(picked < LONELY * capacity)
    keep_teams = min(MENTOR_KEEPS, n_rows)

    def best_teams(start: int, stop: int) -> None:
        cols = lonely[start:stop]
        top = np.argpartition(-scores[:, cols].T, keep_teams - 1, axis=1)[:, :keep_teams]
        offered[top, cols[:, None]] |= scores[top, cols[:, None]] >= 0

    _by_blocks(len(lonely), best_teams, _CHUNK // 4)
    return offered


def _solve(scores: np.ndarray, capacity: np.ndarray, arcs: np.ndarray) -> np.ndarray:
    """Column assigned to each row (-1: none): most rows matched, then highest total score, over `arcs` only."""
    n_rows, n_cols = scores.shape
    rows, cols = np.divmod(arcs, n_cols)
    source, sink = n_rows + n_cols, n_rows + n_cols + 1
    teams = np.flatnonzero(np.bincount(rows, minlength=n_rows))
    mentors = np.flatnonzero(np.bincount(cols, minlength=n_cols))
    flow = min_cost_flow.SimpleMinCostFlow()

    def add(tails, heads, capacities, costs) -> np.ndarray:
        return flow.add_arcs_with_capacity_and_unit_cost(
            np.asarray(tails, np.int32),
            np.asarray(heads, np.int32),
            np.asarray(capacities, np.int64),
            np.asarray(costs, np.int64),
        )

    add(np.full(len(teams), source), teams, np.ones(len(teams)), np.zeros(len(teams)))
    pair_arcs = add(rows, n_rows + cols, np.ones(len(arcs)), -scores.ravel()[arcs].astype(np.int64))
    add(n_rows + mentors, np.full(len(mentors), sink), capacity[mentors], np.zeros(len(mentors)))
    flow.set_nodes_supplies(np.array([source, sink], np.int32), np.array([len(teams), -len(teams)], np.int64))
    # Maximum flow first (teams matched), then the cheapest such flow (-total score): the lexicographic goal.
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow solver failed with status {status}")
    used = np.asarray(flow.flows(np.asarray(pair_arcs, np.int32))) > 0
    assigned = np.full(n_rows, -1)
    assigned[rows[used]] = cols[used]
    return assigned


def _prices(scores, capacity, arcs, assigned, big) -> np.ndarray | None:
    """Mentor prices minus BIG (q = p - BIG) that, with the flow on `arcs`, satisfy the dual on those arcs.

    A mentor with room costs nothing (q = -BIG); a full one at most its weakest team's score; and for a team
    matched to `a` that also has an arc to `c`: q[a] - q[c] <= score(a) - score(c), or it would rather switch.
    These are difference constraints: the largest solution is a shortest-path distance (Bellman-Ford, vectorised).
    The flow being optimal on `arcs`, no arc can then gain anything (checked all the same; None if one does).
    """
    n_cols = scores.shape[1]
    rows, cols = np.divmod(arcs, n_cols)
    matched = np.flatnonzero(assigned >= 0)
    own = np.zeros(len(assigned), np.int64)
    own[matched] = scores[matched, assigned[matched]]
    prices = np.full(n_cols, big, np.int64)
    np.minimum.at(prices, assigned[matched], own[matched])
    prices[np.bincount(assigned[matched], minlength=n_cols) < capacity] = -big
    switch = (assigned[rows] >= 0) & (assigned[rows] != cols)
    tails, heads = cols[switch], assigned[rows[switch]]
    lengths = own[rows[switch]] - scores.ravel()[arcs[switch]]
    for _ in range(n_cols + 1):
        relaxed = prices.copy()
        np.minimum.at(relaxed, heads, prices[tails] + lengths)
        if np.array_equal(relaxed, prices):
            break
        prices = relaxed
    else:
        return None
    own[matched] -= prices[assigned[matched]]
    gains = scores.ravel()[arcs] - prices[cols] - own[rows]
    return prices if gains.max(initial=0) <= 0 and prices.min(initial=0) >= -big else None  # p >= 0 too


def _priced_out(scores, assigned, prices, blocked) -> tuple[np.ndarray, int]:
    """Pairs not yet offered (nor forbidden: `blocked`) that break the dual or nearly do, at most a few per team,
    best first; and the proven bound on how far the round's value is from the optimum.

    For each team, the gain of a mentor is score - q minus what the team's own match gives it (0 unmatched):
    positive means that pair could improve the round, and the sum over teams of the best positive gain bounds
    optimum - current value (offered pairs gain nothing: `_prices` checked). Pairs within MARGIN of breaking
    are added too: the next prices move a little, and having those pairs already saves a round.
    """
    n_cols = scores.shape[1]
    wide = np.int32 if abs(int(prices.min())) < 2**30 else np.int64
    own = np.zeros(len(assigned), np.int64)
    matched = np.flatnonzero(assigned >= 0)
    own[matched] = scores[matched, assigned[matched]] - prices[assigned[matched]]
    prices, own = prices.astype(wide), own.astype(wide)

    def block(start: int, stop: int) -> tuple[np.ndarray, int]:
        gain = np.subtract(scores[start:stop], prices, dtype=wide)
        gain -= own[start:stop, None]
        gain[blocked[start:stop]] = -MARGIN
        rows, cols = np.nonzero(gain > -MARGIN)
        gains = gain[rows, cols]
        best = np.zeros(stop - start, wide)
        np.maximum.at(best, rows, gains)
        crowded = np.flatnonzero(np.bincount(rows, minlength=stop - start) > ADD_PER_TEAM)
        if crowded.size:  # keep the best few of a team with many: sort its pairs by gain, take the first ones
            order = np.lexsort((-gains, rows))
            rank = np.arange(len(rows)) - np.searchsorted(rows[order], rows[order])
            keep = np.zeros(len(rows), bool)
            keep[order[rank < ADD_PER_TEAM]] = True
            rows, cols = rows[keep], cols[keep]
        return (rows + start) * n_cols + cols, int(best.sum())

    found = _by_blocks(len(scores), block)
    return np.concatenate([arcs for arcs, _ in found]), sum(bound for _, bound in found)


def _assign(scores: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Column per row (-1: none): the most rows matched, then the best total score (within SCORE_TOLERANCE,
    proven, for large rounds)."""
    if scores.size <= FULL_GRAPH_PAIRS:
        return _solve(scores, capacity, np.flatnonzero(scores >= 0))
    offered = _starting_pairs(scores, capacity)
    blocked = offered | (scores < 0)
    big = 2 * (int(scores.max(initial=0)) * len(scores) + 1)
    for _ in range(MAX_ROUNDS):
        arcs = np.flatnonzero(offered)
        assigned = _solve(scores, capacity, arcs)
        prices = _prices(scores, capacity, arcs, assigned, big)
        if prices is None:
            break
        missing, bound = _priced_out(scores, assigned, prices, blocked)
        total = int(scores[assigned >= 0, assigned[assigned >= 0]].sum())
        # bound < BIG - total also proves that no round matches more teams: one more would be worth BIG more.
        if bound <= SCORE_TOLERANCE * total:
            return assigned
        offered.ravel()[missing] = True
        blocked.ravel()[missing] = True
    return _solve(scores, capacity, np.flatnonzero(scores >= 0))  # never needed so far: the safe way out


# --- the round --------------------------------------------------------------------------------------------------


def _unique_ids(people, what: str) -> dict[int, int]:
    index = {person.id: i for i, person in enumerate(people)}
    if len(index) != len(people):
        raise ValueError(f"each {what} may appear only once in a round")
    return index


def match(
    teams: Iterable[TeamRequest], mentors: Iterable[MentorOffer], locked: Iterable[tuple[int, int]] = ()
) -> RoundResult:
    """Propose the round's matches: locks kept, hard rules held, most teams matched, then best total score."""
    teams, mentors = tuple(teams), tuple(mentors)
    team_at, mentor_at = _unique_ids(teams, "team"), _unique_ids(mentors, "mentor")
    capacity = np.array([m.capacity for m in mentors], np.int64)
    assigned = np.full(len(teams), -1)  # mentor index of each team, -1 while unmatched
    is_locked = np.zeros(len(teams), bool)
    for team_id, mentor_id in locked:
        if team_id not in team_at or mentor_id not in mentor_at:
            raise ValueError(f"locked pair team {team_id} / mentor {mentor_id} is not in this round")
        i, j = team_at[team_id], mentor_at[mentor_id]
        if is_locked[i]:
            if assigned[i] == j:
                continue
            raise ValueError(f"team {team_id} is locked to two mentors; a team has at most one")
        rule = eligible(teams[i], mentors[j])
        if rule is not None:
            raise HardRuleViolation(rule, team_id, mentor_id)
        capacity[j] -= 1
        if capacity[j] < 0:
            raise HardRuleViolation(CAPACITY, team_id, mentor_id)
        assigned[i], is_locked[i] = j, True

    state = _Round(teams, mentors)
    rows, cols = np.flatnonzero(~is_locked), np.flatnonzero(capacity > 0)
    if rows.size and cols.size:
        chosen = _assign(state.scores(rows, cols), capacity[cols])
        assigned[rows[chosen >= 0]] = cols[chosen[chosen >= 0]]

    matches = []
    for i in np.flatnonzero(assigned >= 0).tolist():
        team, mentor = teams[i], mentors[assigned[i]]
        found = _all_reasons(team, mentor)
        matches.append(Match(team.id, mentor.id, sum(r.points for r in found), _top(found), bool(is_locked[i])))
    spare = capacity - np.bincount(assigned[(assigned >= 0) & ~is_locked], minlength=len(mentors))
    return RoundResult(
        matches=tuple(matches),
        unmatched=_why_unmatched(state, state.capacity > 0, np.flatnonzero(assigned < 0)),
        alternates=_alternates(state, assigned, np.flatnonzero(spare > 0)),
        total_score=sum(m.score for m in matches),
    )


def _alternates(state: _Round, assigned: np.ndarray, spare_cols: np.ndarray) -> dict[int, tuple[tuple[int, int], ...]]:
    """For each matched team, up to 3 other allowed mentors with spare capacity left, best score first."""
    rows = np.flatnonzero(assigned >= 0)
    if not rows.size or not spare_cols.size:
        return {team_id: () for team_id in state.team_ids[rows].tolist()}
    found = state.scores(rows, spare_cols)
    found[spare_cols[None, :] == assigned[rows, None]] = -1  # "other" mentors: never the team's own
    keep = min(ALTERNATES, len(spare_cols))
    best = np.argpartition(-found, keep - 1, axis=1)[:, :keep]
    best_scores = np.take_along_axis(found, best, axis=1)
    order = np.lexsort((best, -best_scores), axis=1) if keep > 1 else np.zeros_like(best)
    best, best_scores = np.take_along_axis(best, order, axis=1), np.take_along_axis(best_scores, order, axis=1)
    mentor_ids = state.mentor_ids[spare_cols]
    return {
        team_id: tuple((int(mentor_ids[c]), int(s)) for c, s in zip(cols, points, strict=True) if s >= 0)
        for team_id, cols, points in zip(
            state.team_ids[rows].tolist(), best.tolist(), best_scores.tolist(), strict=True
        )
    }


def _why_unmatched(state: _Round, offered: np.ndarray, rows: np.ndarray) -> dict[int, str]:
    """One code per unmatched team: the first thing, from the outside in, that left it without a mentor."""
    cols = np.flatnonzero(offered)
    if not cols.size:
        return dict.fromkeys(state.team_ids[rows].tolist(), NO_MENTORS)
    speaks, safe, allowed = (mask.any(axis=1) for mask in state.allowed(rows, cols))
    codes = np.select(
        [~speaks, ~safe, ~allowed], [NO_SHARED_LANGUAGE, NEEDS_VETTED_MENTOR, ALL_CONFLICTED], NO_CAPACITY
    )
    return dict(zip(state.team_ids[rows].tolist(), codes.tolist(), strict=True))
