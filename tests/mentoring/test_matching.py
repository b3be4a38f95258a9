"""The pure matcher: brute-force optimality, hard rules, fairness, locks, reasons, alternates, bad input."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import numpy as np
import pytest

from app.mentoring import matching
from app.mentoring.matching import (
    EXPERTISE,
    THEMES,
    HardRuleViolation,
    MentorOffer,
    Reason,
    TeamRequest,
    eligible,
    hours_apart,
    match,
    reasons,
    score,
)


@pytest.fixture(autouse=True)
def _transaction():
    """The matcher is pure: replace the suite's database transaction with nothing."""
    yield


def team(id, needs=("video",), languages=("fr",), offset=0, minors=False, themes=(), excluded=()):
    return TeamRequest(
        id, frozenset(needs), frozenset(languages), offset, minors, frozenset(themes), frozenset(excluded)
    )


def mentor(id, expertise=("video",), languages=("fr",), offset=0, capacity=1, vetted=True, themes=()):
    return MentorOffer(id, frozenset(expertise), frozenset(languages), offset, capacity, vetted, frozenset(themes))


def random_round(rng: random.Random, n_teams: int, n_mentors: int, max_capacity: int = 2, languages=("en", "fr", "es")):
    languages = list(languages)

    def some(codes, low, high):
        return frozenset(rng.sample(codes, rng.randint(low, high)))

    mentors = [
        MentorOffer(
            100 + j,
            some(EXPERTISE, 1, 3),
            some(languages, 1, 2),
            rng.choice([-300, 0, 60, 120, 330]),
            rng.randint(0, max_capacity),
            rng.random() < 0.7,
            some(THEMES, 0, 3),
        )
        for j in range(n_mentors)
    ]
    teams = [
        TeamRequest(
            i,
            some(EXPERTISE, 1, 3),
            some(languages, 1, 2),
            rng.choice([-300, 0, 60, 120, 330]),
            rng.random() < 0.5,
            some(THEMES, 0, 2),
            frozenset(m.id for m in mentors if rng.random() < 0.15),
        )
        for i in range(n_teams)
    ]
    return teams, mentors


def assert_hard_rules(teams, mentors, result):
    by_team, by_mentor = {t.id: t for t in teams}, {m.id: m for m in mentors}
    for m in result.matches:
        t, mo = by_team[m.team_id], by_mentor[m.mentor_id]
        assert t.languages & mo.languages, "no shared language"
        assert mo.vetted or not t.has_minors, "unvetted mentor with minors"
        assert mo.id not in t.excluded_mentors, "excluded mentor"
        assert m.score == score(t, mo)
    assert max(Counter(m.team_id for m in result.matches).values(), default=0) <= 1
    load = Counter(m.mentor_id for m in result.matches)
    assert all(load[mid] <= by_mentor[mid].capacity for mid in load)
    assert result.total_score == sum(m.score for m in result.matches)
    assert set(result.unmatched) == {t.id for t in teams} - {m.team_id for m in result.matches}


def brute_force(teams, mentors, locked=()):
    """Best (matched count, total score) over every assignment that keeps the locks and the hard rules."""
    locks = dict(locked)
    options = [
        [locks[t.id]] if t.id in locks else [None] + [m.id for m in mentors if eligible(t, m) is None] for t in teams
    ]
    by_mentor = {m.id: m for m in mentors}
    best = None
    for choice in itertools.product(*options):
        load = Counter(c for c in choice if c is not None)
        if any(n > by_mentor[mid].capacity for mid, n in load.items()):
            continue
        value = (
            sum(c is not None for c in choice),
            sum(score(t, by_mentor[c]) for t, c in zip(teams, choice, strict=True) if c is not None),
        )
        best = value if best is None or value > best else best
    return best


@pytest.mark.parametrize("seed", range(200))
def test_matches_brute_force_and_holds_hard_rules(seed):
    rng = random.Random(seed)
    teams, mentors = random_round(rng, rng.randint(1, 5), rng.randint(1, 4))
    locked = []
    if seed % 3 == 0:  # sometimes lock one allowed pair, as a coordinator would
        pairs = [(t.id, m.id) for t in teams for m in mentors if eligible(t, m) is None and m.capacity > 0]
        locked = [rng.choice(pairs)] if pairs else []

    result = match(teams, mentors, locked)

    assert (len(result.matches), result.total_score) == brute_force(teams, mentors, locked)
    assert_hard_rules(teams, mentors, result)
    assert {(m.team_id, m.mentor_id) for m in result.matches if m.locked} == set(locked)
    # Fairness, as the coordinator sees it: an unmatched team never had an allowed mentor with room left.
    load = Counter(m.mentor_id for m in result.matches)
    for team_id in result.unmatched:
        t = next(t for t in teams if t.id == team_id)
        assert all(load[m.id] >= m.capacity for m in mentors if eligible(t, m) is None)


@pytest.mark.parametrize("seed", range(20))
def test_vectorised_scores_agree_with_plain_python(seed):
    rng = random.Random(seed)
    # Odd seeds draw from 20 languages: the language masks then span several bytes.
    languages = [f"l{n}" for n in range(20)] if seed % 2 else ["en", "fr", "es"]
    teams, mentors = random_round(rng, 40, 15, languages=languages)
    state = matching._Round(tuple(teams), tuple(mentors))
    scores = state.scores(np.arange(len(teams)), np.arange(len(mentors)))
    for i, t in enumerate(teams):
        for j, m in enumerate(mentors):
            assert scores[i, j] == (score(t, m) if eligible(t, m) is None else -1)


@pytest.mark.parametrize("seed", range(6))
def test_large_round_method_reaches_the_same_optimum(seed, monkeypatch):
    """The sparse start + price-guided arcs (used above FULL_GRAPH_PAIRS) proves the same optimum as the full graph."""
    rng = random.Random(seed)
    teams, mentors = random_round(rng, 400, 60, max_capacity=5)
    exact = match(teams, mentors)
    monkeypatch.setattr(matching, "FULL_GRAPH_PAIRS", 0)
    monkeypatch.setattr(matching, "SCORE_TOLERANCE", 0.0)
    monkeypatch.setattr(matching, "TEAM_KEEPS", 2)
    monkeypatch.setattr(matching, "_CHUNK", 64)  # several blocks, so the threaded path runs too
    offered = []
    solve = matching._solve
    monkeypatch.setattr(
        matching, "_solve", lambda scores, capacity, arcs: offered.append(len(arcs)) or solve(scores, capacity, arcs)
    )

    sparse = match(teams, mentors)

    assert (len(sparse.matches), sparse.total_score) == (len(exact.matches), exact.total_score)
    assert_hard_rules(teams, mentors, sparse)
    allowed = sum(eligible(t, m) is None for t in teams for m in mentors if m.capacity > 0)
    assert len(offered) >= 2 and max(offered) < allowed / 2  # proven optimal without the full graph


def test_large_round_method_with_nothing_allowed_or_nothing_to_gain(monkeypatch):
    monkeypatch.setattr(matching, "FULL_GRAPH_PAIRS", 0)
    nobody = match([team(i, languages=("ar",)) for i in range(3)], [mentor(10, capacity=2), mentor(11)])
    assert nobody.matches == () and set(nobody.unmatched.values()) == {"no_shared_language"}

    zero = match([team(i, needs=()) for i in range(3)], [mentor(10, offset=720), mentor(11, offset=720)])
    assert len(zero.matches) == 2 and zero.total_score == 0 and list(zero.unmatched.values()) == ["no_capacity"]


def test_fairness_matches_both_teams_where_greedy_would_leave_one_out():
    # Greedy takes the best pair first (t1 with the expert next door) and leaves t2 with nobody who speaks Arabic.
    t1 = team(1, needs=("video", "web"), languages=("fr", "ar"), offset=0)
    t2 = team(2, needs=("research",), languages=("ar",), offset=0)
    expert = mentor(10, expertise=("video", "web"), languages=("fr", "ar"), offset=0)
    far = mentor(11, expertise=("design",), languages=("fr",), offset=600)
    assert score(t1, expert) > score(t1, far) + score(t2, expert)

    result = match([t1, t2], [expert, far])

    assert {(m.team_id, m.mentor_id) for m in result.matches} == {(1, 11), (2, 10)}
    assert result.unmatched == {}


def test_locks_are_kept_even_when_not_the_best_choice():
    t1, t2 = team(1), team(2)
    best, other = mentor(10, offset=0), mentor(11, expertise=("web",), offset=300)

    result = match([t1, t2], [best, other], locked=[(1, 11)])

    assert {(m.team_id, m.mentor_id, m.locked) for m in result.matches} == {(1, 11, True), (2, 10, False)}


def test_locks_use_up_capacity():
    result = match([team(1), team(2)], [mentor(10, capacity=1)], locked=[(2, 10)])
    assert [(m.team_id, m.mentor_id) for m in result.matches] == [(2, 10)]
    assert result.unmatched == {1: "no_capacity"}


@pytest.mark.parametrize(
    ("the_team", "the_mentor", "rule"),
    [
        (team(1, languages=("ar",)), mentor(10, languages=("fr",)), "no_shared_language"),
        (team(1, minors=True), mentor(10, vetted=False), "needs_vetted_mentor"),
        (team(1, excluded=(10,)), mentor(10), "conflict"),
        (team(1), mentor(10, capacity=0), "capacity"),
    ],
)
def test_a_lock_cannot_override_a_hard_rule(the_team, the_mentor, rule):
    with pytest.raises(HardRuleViolation) as raised:
        match([the_team], [the_mentor], locked=[(1, 10)])
    assert raised.value.rule == rule
    assert rule in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_two_locks_beyond_capacity_raise():
    with pytest.raises(HardRuleViolation, match="capacity"):
        match([team(1), team(2)], [mentor(10, capacity=1)], locked=[(1, 10), (2, 10)])


def test_lock_on_unknown_team_or_two_mentors_raises():
    with pytest.raises(ValueError, match="not in this round"):
        match([team(1)], [mentor(10)], locked=[(99, 10)])
    with pytest.raises(ValueError, match="two mentors"):
        match([team(1)], [mentor(10), mentor(11)], locked=[(1, 10), (1, 11)])


def test_reasons_say_why_in_structured_form():
    # Both speak French; video; 1 h apart.
    t = team(1, needs=("video", "research"), languages=("fr", "ar"), offset=60)
    m = mentor(10, expertise=("video", "design"), languages=("fr", "en"), offset=0)

    result = match([t], [m])

    (found,) = result.matches
    assert found.reasons == (
        Reason("expertise", ("video",), points=10),
        Reason("timezone", hours=1, points=7),
        Reason("language", ("fr",), points=0),
    )
    assert found.score == score(t, m) == 17


def test_reasons_keep_the_three_most_valuable():
    t = team(1, needs=("video", "web"), languages=("fr", "en"), offset=0, themes=THEMES[:3])
    m = mentor(10, expertise=("video", "web"), languages=("fr", "en"), offset=180, themes=THEMES)

    found = reasons(t, m)

    assert [r.kind for r in found] == ["expertise", "preference", "timezone"]
    assert found[0].values == ("video", "web") and found[0].points == 20
    assert found[1].values == THEMES[:3] and found[1].points == 6  # +3 a theme, capped at +6
    assert found[2] == Reason("timezone", hours=3, points=5)
    assert score(t, m) == 20 + 6 + 5 + 4  # the second shared language still counts in the score


def test_time_zones_are_circular_and_rounded_half_up():
    assert hours_apart(-600, 780) == 1  # UTC-10 and UTC+13 are an hour apart across the date line
    assert hours_apart(0, 90) == 2
    assert hours_apart(0, 89) == 1
    assert score(team(1, needs=()), mentor(10, offset=720)) == 0


@pytest.mark.parametrize(
    ("the_team", "mentors", "code"),
    [
        (team(1, languages=("ar",)), [mentor(10, languages=("fr",))], "no_shared_language"),
        (team(1, minors=True), [mentor(10, vetted=False), mentor(11, languages=("es",))], "needs_vetted_mentor"),
        (team(1, excluded=(10, 11)), [mentor(10), mentor(11)], "all_conflicted"),
        (team(1), [], "no_mentors"),
        (team(1), [mentor(10, capacity=0)], "no_mentors"),
    ],
)
def test_unmatched_teams_say_why(the_team, mentors, code):
    result = match([the_team], mentors)
    assert result.matches == ()
    assert result.unmatched == {1: code}


def test_no_capacity_when_allowed_mentors_went_to_other_teams():
    result = match([team(1, needs=("web",)), team(2)], [mentor(10)])
    assert [(m.team_id, m.mentor_id) for m in result.matches] == [(2, 10)]
    assert result.unmatched == {1: "no_capacity"}


def test_no_mentors_leaves_everyone_unmatched():
    result = match([team(1), team(2)], [])
    assert result.matches == () and result.total_score == 0 and result.alternates == {}
    assert result.unmatched == {1: "no_mentors", 2: "no_mentors"}


def test_alternates_are_other_allowed_mentors_with_room_best_first():
    t = team(1, needs=("video", "web"), minors=True)
    mentors = [
        mentor(10, expertise=("video", "web")),  # the match
        mentor(11, expertise=("video",), capacity=2),
        mentor(12, expertise=("web",), offset=60),
        mentor(13, expertise=("design",)),
        mentor(14, expertise=("video", "web"), vetted=False),  # not allowed: minors
        mentor(15, expertise=("video", "web"), languages=("ar",)),  # not allowed: no shared language
        mentor(16, expertise=("design",), offset=300),  # allowed but fourth
    ]

    result = match([t], mentors)

    assert [(m.team_id, m.mentor_id) for m in result.matches] == [(1, 10)]
    assert result.alternates == {1: ((11, 18), (12, 17), (13, 8))}


def test_alternates_leave_out_mentors_without_room():
    result = match([team(1), team(2, needs=("web",))], [mentor(10, capacity=1), mentor(11, capacity=1)])
    assert len(result.matches) == 2
    assert result.alternates == {1: (), 2: ()}


@pytest.mark.parametrize("capacity", [21, -1, 100])
def test_capacity_out_of_range_is_refused(capacity):
    with pytest.raises(ValueError, match="between 0 and 20"):
        mentor(10, capacity=capacity)


@pytest.mark.parametrize("capacity", ["3", 2.5, True])
def test_capacity_must_be_a_whole_number(capacity):
    with pytest.raises(ValueError, match="capacity"):
        mentor(10, capacity=capacity)


def test_capacity_zero_takes_nobody():
    result = match([team(1)], [mentor(10, capacity=0), mentor(11, capacity=1, offset=300)])
    assert [(m.team_id, m.mentor_id) for m in result.matches] == [(1, 11)]


def test_unknown_codes_are_refused():
    with pytest.raises(ValueError, match="unknown expertise: 'cooking'"):
        mentor(10, expertise=("cooking",))
    with pytest.raises(ValueError, match="unknown expertise"):
        team(1, needs=("juggling",))
    with pytest.raises(ValueError, match="unknown theme"):
        team(1, themes=("sports",))
    with pytest.raises(ValueError, match="utc_offset_minutes"):
        team(1, offset=15 * 60)


def test_ids_must_be_integers():
    with pytest.raises(ValueError, match="id must be an integer"):
        team("seven")
    with pytest.raises(ValueError, match="id must be an integer"):
        mentor(None)


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="only once"):
        match([team(1), team(1)], [mentor(10)])


def test_inputs_are_frozen_and_accept_plain_collections():
    t = TeamRequest(1, ["video"], ["fr"], 0, False, {"inclusion"}, [10])
    assert t.needs == frozenset({"video"}) and t.excluded_mentors == frozenset({10})
    with pytest.raises(AttributeError):
        t.has_minors = True
