"""Award suggestions checked by hand: amounts in cents, scores on the 1-5 scale."""

from __future__ import annotations

import math

import pytest

from app.reviews.awards import Candidate, Reason, suggest_awards
from app.reviews.scoring import ReviewScore, calibrate, rank


def c(pid, score, amount, uncertainty=0.0):
    return Candidate(proposal_id=pid, calibrated=score, uncertainty=uncertainty, amount_requested=amount)


def reasons(suggestion):
    return {d.candidate.proposal_id: d.reason for d in suggestion.decisions}


def test_exact_fit():
    s = suggest_awards([c("a", 4.5, 6_000), c("b", 4.0, 4_000), c("c", 3.5, 1_000)], pool=10_000, quality_floor=3.0)
    assert reasons(s) == {"a": Reason.FUNDED, "b": Reason.FUNDED, "c": Reason.NOT_REACHED}
    assert [x.proposal_id for x in s.funded] == ["a", "b"]
    assert (s.total, s.remaining, s.funding_line) == (10_000, 0, 4.0)
    assert s.decision_for("c").remaining_before == 0


def test_skip_the_big_one_and_fund_a_smaller_one_below_it():
    s = suggest_awards([c("a", 4.5, 7_000), c("b", 4.2, 5_000), c("c", 4.0, 2_500), c("d", 3.9, 1_000)],
                       pool=10_000, quality_floor=3.0)
    # a: 10000 -> 3000; b wants 5000 > 3000: skipped; c: 3000 -> 500; d wants 1000 > 500: skipped.
    assert reasons(s) == {"a": Reason.FUNDED, "b": Reason.DOES_NOT_FIT, "c": Reason.FUNDED,
                          "d": Reason.DOES_NOT_FIT}
    assert (s.total, s.remaining, s.funding_line) == (9_500, 500, 4.0)
    assert s.decision_for("b").remaining_before == 3_000
    assert s.decision_for("d").remaining_before == 500


def test_quality_floor_excludes_without_stopping_the_walk():
    s = suggest_awards([c("a", 4.5, 1_000), c("low", 2.9, 100), c("edge", 3.0, 1_000), c("lower", 1.0, 1)],
                       pool=1_000_000, quality_floor=3.0)
    assert reasons(s) == {"a": Reason.FUNDED, "low": Reason.BELOW_FLOOR, "edge": Reason.FUNDED,
                          "lower": Reason.BELOW_FLOOR}
    assert (s.total, s.remaining, s.funding_line) == (2_000, 998_000, 3.0)  # the floor itself is eligible


def test_empty_pool():
    s = suggest_awards([c("a", 4.5, 1_000, 0.3), c("b", 2.0, 500)], pool=0, quality_floor=3.0)
    assert reasons(s) == {"a": Reason.NOT_REACHED, "b": Reason.BELOW_FLOOR}
    assert (s.funded, s.total, s.remaining, s.funding_line, s.for_discussion) == ((), 0, 0, None, ())


def test_no_candidates():
    s = suggest_awards([], pool=5_000, quality_floor=3.0)
    assert (s.decisions, s.funded, s.total, s.remaining, s.funding_line) == ((), (), 0, 5_000, None)


def test_everything_fits():
    s = suggest_awards([c("a", 4.0, 1_500), c("b", 3.5, 2_500), c("c", 4.8, 1_000)], pool=10_000, quality_floor=1.0)
    assert all(r is Reason.FUNDED for r in reasons(s).values())
    assert [x.proposal_id for x in s.funded] == ["c", "a", "b"]  # walked in score order whatever the input order
    assert (s.total, s.remaining, s.funding_line) == (5_000, 5_000, 3.5)


def test_zero_request_still_funded_when_pool_is_used_up():
    s = suggest_awards([c("a", 4.0, 1_000), c("free", 3.5, 0), c("b", 3.4, 10)], pool=1_000, quality_floor=1.0)
    assert reasons(s) == {"a": Reason.FUNDED, "free": Reason.FUNDED, "b": Reason.NOT_REACHED}


def test_equal_scores_keep_the_input_order():
    s = suggest_awards([c("first", 4.0, 600), c("second", 4.0, 600)], pool=1_000, quality_floor=1.0)
    assert reasons(s) == {"first": Reason.FUNDED, "second": Reason.DOES_NOT_FIT}


def test_discussion_marks_intervals_straddling_the_funding_line():
    ranked = [c("sure", 4.6, 5_000, 0.1),      # [4.5, 4.7]: clearly above the line
              c("shaky", 4.3, 3_000, 0.5),     # [3.8, 4.8]: funded, might not deserve it
              c("marginal", 4.0, 2_000, 0.2),  # last funded: sets the line at 4.0, [3.8, 4.2]
              c("close", 3.9, 1_000, 0.2),     # [3.7, 4.1]: unfunded, might deserve it
              c("far", 3.5, 1_000, 0.2),       # [3.3, 3.7]: clearly below
              c("floor", 3.2, 1_000, 1.0)]     # [2.2, 4.2] but below the floor: policy, not a close call
    s = suggest_awards(ranked, pool=10_000, quality_floor=3.3)
    assert s.funding_line == 4.0
    assert reasons(s)["floor"] is Reason.BELOW_FLOOR
    assert s.for_discussion == ("shaky", "marginal", "close")
    assert [d.for_discussion for d in s.decisions] == [False, True, True, True, False, False]
    # A wider interval (k = 3) pulls "far" in: [2.9, 4.1]; "sure" stays out: [4.3, 4.9].
    assert suggest_awards(ranked, pool=10_000, quality_floor=3.3, k=3.0).for_discussion == (
        "shaky", "marginal", "close", "far")


def test_discussion_includes_a_skipped_proposal_above_the_line():
    s = suggest_awards([c("a", 4.5, 8_000, 0.0), c("big", 4.1, 5_000, 0.3), c("b", 4.0, 2_000, 0.0)],
                       pool=10_000, quality_floor=3.0)
    assert reasons(s)["big"] is Reason.DOES_NOT_FIT
    assert s.funding_line == 4.0
    assert s.for_discussion == ("big",)  # [3.8, 4.4] contains 4.0; certain "b" at the line is not a close call


@pytest.mark.parametrize(("ranked", "pool", "floor", "k", "message"), [
    ([], -1, 3.0, 1.0, "pool"),
    ([], 10.0, 3.0, 1.0, "pool"),
    ([], True, 3.0, 1.0, "pool"),
    ([c("a", 4.0, -5)], 100, 3.0, 1.0, "amount requested"),
    ([c("a", 4.0, 5.5)], 100, 3.0, 1.0, "amount requested"),
    ([c("a", 4.0, 5, -0.1)], 100, 3.0, 1.0, "uncertainty"),
    ([c("a", math.nan, 5)], 100, 3.0, 1.0, "score"),
    ([c("a", 4.0, 5), c("a", 3.0, 5)], 100, 3.0, 1.0, "more than once"),
    ([], 100, math.nan, 1.0, "floor"),
    ([], 100, 3.0, -1.0, "k must"),
])
def test_invalid_inputs_are_rejected(ranked, pool, floor, k, message):
    with pytest.raises(ValueError, match=message):
        suggest_awards(ranked, pool=pool, quality_floor=floor, k=k)


def test_from_reviews_to_awards():
    reviews = [ReviewScore(r, p, {"q": s}) for r, p, s in [
        ("r1", "p1", 5), ("r2", "p1", 4), ("r1", "p2", 4), ("r2", "p2", 4), ("r1", "p3", 2), ("r2", "p3", 1)]]
    ranked = rank(calibrate(reviews, {"q": 1.0}))
    amounts = {"p1": 6_000, "p2": 6_000, "p3": 1_000}
    s = suggest_awards([Candidate(x.proposal_id, x.calibrated, x.uncertainty, amounts[x.proposal_id])
                        for x in ranked], pool=10_000, quality_floor=3.0)
    assert reasons(s) == {"p1": Reason.FUNDED, "p2": Reason.DOES_NOT_FIT, "p3": Reason.BELOW_FLOOR}
    assert (s.total, s.remaining) == (6_000, 4_000)
