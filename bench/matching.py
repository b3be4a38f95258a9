"""Benchmark of the mentor–team matcher against exact reference solvers on synthetic rounds.

Usage: .venv/bin/python bench/matching.py [--scipy-large]

Each measurement runs in a fresh subprocess (same seed, same instance) so its peak memory (ru_maxrss) is its
own. Printed per instance: wall time of `match()` alone (time.perf_counter; for the matcher the median of 5 runs
in one process, and its first run), the subprocess's peak RSS (interpreter, numpy, OR-tools and the instance
included) and its rise during the runs, matched teams, total score (recomputed with the plain-Python `score`),
the gap to the exact optimum, and whether every hard rule holds in the result. The machine's load average is
printed too: other work on a two-core machine shows in the times.

References: OR-tools min-cost flow on the FULL graph with a big-M cost (a different formulation from the
matcher's max-flow-then-min-cost), and scipy's linear_sum_assignment on duplicated mentor columns (small
instance only by default: it needs a dense matrix of teams x total capacity).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.mentoring import matching  # noqa: E402
from app.mentoring.matching import EXPERTISE, THEMES, MentorOffer, TeamRequest, eligible, score  # noqa: E402

SIZES = [(2_000, 500), (10_000, 2_000)]
SEED = 20160101
LANGUAGES = ["en", "fr", "es", "ar"]
LANGUAGE_WEIGHTS = [0.45, 0.30, 0.15, 0.10]
EXPERTISE_WEIGHTS = [0.22, 0.16, 0.20, 0.08, 0.12, 0.10, 0.07, 0.05]
THEME_WEIGHTS = [0.25, 0.22, 0.20, 0.15, 0.13, 0.05]
# Regions: the UTC offsets (minutes) found there and the share of people living there.
REGIONS = [
    ([-480, -420, -360, -300, -240, -180], 0.30),
    ([0, 60, 120, 180], 0.40),
    ([180, 210, 240, 270, 300, 330], 0.15),
    ([420, 480, 540, 600], 0.15),
]


def _pick(rng, codes, weights, low, high) -> frozenset[str]:
    """Between low and high distinct codes, skewed by weights."""
    count = int(rng.integers(low, high + 1))
    return frozenset(rng.choice(codes, size=min(count, len(codes)), replace=False, p=weights).tolist())


def _offset(rng) -> int:
    offsets, _ = REGIONS[rng.choice(len(REGIONS), p=[share for _, share in REGIONS])]
    return int(rng.choice(offsets))


def make_instance(n_teams: int, n_mentors: int, seed: int = SEED):
    rng = np.random.default_rng(seed)
    mentors = [
        MentorOffer(
            id=10_000_000 + j,
            expertise=_pick(rng, EXPERTISE, EXPERTISE_WEIGHTS, 1, 4),
            languages=_pick(rng, LANGUAGES, LANGUAGE_WEIGHTS, 1, 3),
            utc_offset_minutes=_offset(rng),
            capacity=int(rng.integers(1, 6)),
            vetted=bool(rng.random() < 0.8),
            preferred_themes=_pick(rng, THEMES, THEME_WEIGHTS, 0, 3),
        )
        for j in range(n_mentors)
    ]
    teams = [
        TeamRequest(
            id=i,
            needs=_pick(rng, EXPERTISE, EXPERTISE_WEIGHTS, 1, 3),
            languages=_pick(rng, LANGUAGES, LANGUAGE_WEIGHTS, 1, 2),
            utc_offset_minutes=_offset(rng),
            has_minors=bool(rng.random() < 0.6),
            themes=_pick(rng, THEMES, THEME_WEIGHTS, 1, 2),
            # Members, relatives, declared conflicts and bans: a few per team.
            excluded_mentors=frozenset((10_000_000 + rng.integers(0, n_mentors, rng.poisson(1.5))).tolist()),
        )
        for i in range(n_teams)
    ]
    return teams, mentors


# --- solvers, each run in its own subprocess -------------------------------------------------------------------


def run_matcher(teams, mentors):
    result = matching.match(teams, mentors)
    return [(m.team_id, m.mentor_id) for m in result.matches]


def _full_scores(teams, mentors):
    state = matching._Round(tuple(teams), tuple(mentors))
    return state.scores(np.arange(len(teams)), np.arange(len(mentors)))


def run_ortools_full(teams, mentors):
    """Exact: every allowed pair is an arc; cost -(BIG + score) makes one more match worth more than any score."""
    from ortools.graph.python import min_cost_flow

    scores = _full_scores(teams, mentors)
    n_t, n_m = scores.shape
    rows, cols = np.nonzero(scores >= 0)
    big = int(scores.max(initial=0)) * n_t + 1
    source, sink = n_t + n_m, n_t + n_m + 1
    flow = min_cost_flow.SimpleMinCostFlow()

    def add(tails, heads, caps, costs):
        return flow.add_arcs_with_capacity_and_unit_cost(
            np.asarray(tails, np.int32),
            np.asarray(heads, np.int32),
            np.asarray(caps, np.int64),
            np.asarray(costs, np.int64),
        )

    add(np.full(n_t, source), np.arange(n_t), np.ones(n_t), np.zeros(n_t))
    add(np.arange(n_t), np.full(n_t, sink), np.ones(n_t), np.zeros(n_t))  # "stays unmatched" bypass
    pair_arcs = add(rows, n_t + cols, np.ones(len(rows)), -(big + scores[rows, cols].astype(np.int64)))
    add(n_t + np.arange(n_m), np.full(n_m, sink), [m.capacity for m in mentors], np.zeros(n_m))
    flow.set_nodes_supplies(np.array([source, sink], np.int32), np.array([n_t, -n_t], np.int64))
    assert flow.solve() == flow.OPTIMAL
    used = np.asarray(flow.flows(np.asarray(pair_arcs, np.int32))) > 0
    return [(teams[r].id, mentors[c].id) for r, c in zip(rows[used].tolist(), cols[used].tolist(), strict=True)]


def run_scipy_lsa(teams, mentors):
    """Exact: one column per unit of mentor capacity, cost -(BIG + score), forbidden pairs cost 0 (= unmatched)."""
    from scipy.optimize import linear_sum_assignment

    scores = _full_scores(teams, mentors)
    owner = np.repeat(np.arange(len(mentors)), [m.capacity for m in mentors])
    big = float(scores.max(initial=0)) * len(teams) + 1
    dense = scores[:, owner].astype(np.float64)
    cost = np.where(dense >= 0, -(big + dense), 0.0)
    del dense
    rows, slots = linear_sum_assignment(cost)
    real = cost[rows, slots] < 0
    return [(teams[r].id, mentors[owner[s]].id) for r, s in zip(rows[real].tolist(), slots[real].tolist(), strict=True)]


SOLVERS = {"matcher": run_matcher, "ortools-full": run_ortools_full, "scipy-lsa": run_scipy_lsa}
RUNS = {"matcher": 5, "ortools-full": 1, "scipy-lsa": 1}  # the matcher's time is the median of its runs


def check(teams, mentors, pairs) -> tuple[int, int, list[str]]:
    """Matched count, total score (plain-Python score), and every hard rule the pairs break."""
    team, mentor = {t.id: t for t in teams}, {m.id: m for m in mentors}
    broken = [f"team {t}: mentor {m}: {eligible(team[t], mentor[m])}" for t, m in pairs if eligible(team[t], mentor[m])]
    broken += [f"team {t} matched {n} times" for t, n in Counter(t for t, _ in pairs).items() if n > 1]
    load = Counter(m for _, m in pairs)
    broken += [f"mentor {m} over capacity" for m, n in load.items() if n > mentor[m].capacity]
    return len(pairs), sum(score(team[t], mentor[m]) for t, m in pairs), broken


def child(solver: str, n_teams: int, n_mentors: int) -> None:
    teams, mentors = make_instance(n_teams, n_mentors)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(RUNS[solver]):
        start = time.perf_counter()
        pairs = SOLVERS[solver](teams, mentors)
        times.append(time.perf_counter() - start)
    seconds, first = statistics.median(times), times[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    matched, total, broken = check(teams, mentors, pairs)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "first": first,
                "peak_mb": peak / 1024,
                "rise_mb": (peak - before) / 1024,
                "matched": matched,
                "total": total,
                "broken": broken[:5],
                "n_broken": len(broken),
            }
        )
    )


def measure(solver: str, n_teams: int, n_mentors: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", solver, str(n_teams), str(n_mentors)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def describe(n_teams: int, n_mentors: int) -> str:
    teams, mentors = make_instance(n_teams, n_mentors)
    allowed = int((_full_scores(teams, mentors) >= 0).sum())
    capacity = sum(m.capacity for m in mentors)
    return (
        f"{n_teams:,} teams x {n_mentors:,} mentors: capacity {capacity:,}, allowed pairs {allowed:,} "
        f"({100 * allowed / (n_teams * n_mentors):.0f}%), minors {sum(t.has_minors for t in teams):,}, "
        f"vetted mentors {sum(m.vetted for m in mentors):,}"
    )


def main(scipy_large: bool) -> None:
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; seed {SEED}")
    header = (
        f"{'instance':<14}{'solver':<14}{'time s':>8}{'1st run':>8}{'peak MB':>9}{'rise MB':>9}{'matched':>9}"
        f"{'score':>10}{'gap %':>9}  hard rules"
    )
    verdict = {}
    for n_teams, n_mentors in SIZES:
        print()
        print(describe(n_teams, n_mentors))
        print(header)
        solvers = ["matcher", "ortools-full"] + (["scipy-lsa"] if scipy_large or n_teams <= 2_000 else [])
        results = {name: measure(name, n_teams, n_mentors) for name in solvers}
        best = results["ortools-full"]
        for name, r in results.items():
            gap = 100 * (best["total"] - r["total"]) / best["total"]
            rules = "ok" if not r["n_broken"] else f"{r['n_broken']} BROKEN: {r['broken']}"
            if r["matched"] != best["matched"]:
                rules += f"  (matched {r['matched']} != optimum {best['matched']})"
            print(
                f"{f'{n_teams:,}x{n_mentors:,}':<14}{name:<14}{r['seconds']:>8.2f}{r['first']:>8.2f}"
                f"{r['peak_mb']:>9.0f}{r['rise_mb']:>9.0f}{r['matched']:>9,}{r['total']:>10,}{gap:>9.4f}  {rules}"
            )
        verdict = results["matcher"] | {"gap": 100 * (best["total"] - results["matcher"]["total"]) / best["total"]}
    print()
    print(f"load average {os.getloadavg()[0]:.1f} at the end. Times: median of {RUNS['matcher']} runs (matcher).")
    checks = [
        (f"time < 1 s (median {verdict['seconds']:.2f}, first {verdict['first']:.2f})", verdict["first"] < 1.0),
        (f"peak < 700 MB ({verdict['peak_mb']:.0f})", verdict["peak_mb"] < 700),
        (f"gap <= 0.1% ({verdict['gap']:.4f})", verdict["gap"] <= 0.1),
        ("hard rules held", verdict["n_broken"] == 0),
    ]
    print("10,000x2,000 targets:")
    for label, ok in checks:
        print(f"  {label}: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main("--scipy-large" in sys.argv)
