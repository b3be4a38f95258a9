"""Rubric scoring and reviewer calibration, kept pure so the arithmetic can be checked by hand.

Funders score proposals on a weighted rubric (each criterion 1-5, or "not applicable"). Two problems make
raw averages unfair to teams:

* "not applicable" must not drag a score down, so it is left out of the weighted mean, never counted as 0;
* reviewers differ in harshness, and with only three reviews per proposal the luck of which reviewers a
  proposal drew can move it across the funding line.

`calibrate` fits ``review_mean[r, p] = mu + a_p + b_r + noise`` by ridge-regularised least squares and
reports ``mu + a_p``: the score a neutral reviewer (b = 0) would have given. Nothing here touches the
database or Flask; the services feed plain values in and store what comes out.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SCALE_MIN = 1
SCALE_MAX = 5

DEFAULT_LAMBDA_A = 0.1
DEFAULT_LAMBDA_B = 1.0
DEFAULT_DISAGREEMENT_SPREAD = 2.0
DEFAULT_TOLERANCE = 1e-10
DEFAULT_PRIOR_NOISE_SD = 0.5
DEFAULT_PRIOR_NOISE_WEIGHT = 2.0


@dataclass(frozen=True)
class Criterion:
    """One rubric line. Kept unvalidated on purpose: `validate_rubric` reports every problem at once."""

    id: str
    weight: float = 1.0


@dataclass(frozen=True)
class ReviewScore:
    """One reviewer's scores for one proposal; a score of None means "not applicable"."""

    reviewer_id: Hashable
    proposal_id: Hashable
    scores: Mapping[str, int | None]


@dataclass(frozen=True)
class ProposalScore:
    """What the ranking page needs to show a proposal and justify its place.

    `calibrated` is not clamped to the 1-5 scale: a proposal given a 5 by a harsh reviewer honestly
    deserves a little more than 5, and clamping would create ties the ranking cannot break. Clamp for
    display only.
    """

    proposal_id: Hashable
    calibrated: float
    uncertainty: float
    raw_mean: float
    spread: float
    n_reviews: int
    disagreement: bool
    split_criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class Calibration:
    """The fitted model. `unscored` lists proposals whose every review was all "not applicable", so they are
    visible to the coordinator instead of silently vanishing from the ranking."""

    proposals: dict[Hashable, ProposalScore]
    reviewer_bias: dict[Hashable, float]
    mu: float | None
    residual_sd: float
    lambda_a: float
    lambda_b: float
    iterations: int = 0
    converged: bool = True
    unscored: tuple[Hashable, ...] = field(default=())


# --------------------------------------------------------------------------------------------------------
# Rubric and weighted mean


def _is_real(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _weight_problems(weights: Mapping[str, float]) -> list[str]:
    return [f"criterion {cid!r}: weight must be a positive number, got {w!r}"
            for cid, w in weights.items() if not _is_real(w) or w <= 0]


def validate_rubric(criteria: Iterable[Criterion] | Iterable[tuple[str, float]] | Mapping[str, float],
                    ) -> dict[str, float]:
    """Check a rubric and return it as ``{criterion_id: weight}``.

    All problems are collected into one ValueError so a coordinator editing a rubric fixes everything in
    one pass instead of discovering errors one save at a time.
    """
    pairs = list(criteria.items()) if isinstance(criteria, Mapping) else [
        (c.id, c.weight) if isinstance(c, Criterion) else tuple(c) for c in criteria]
    problems: list[str] = []
    if not pairs:
        problems.append("the rubric has no criteria")
    weights: dict[str, float] = {}
    for cid, weight in pairs:
        if cid in weights:
            problems.append(f"criterion {cid!r} appears more than once")
            continue
        weights[cid] = weight
    problems.extend(_weight_problems(weights))
    if problems:
        raise ValueError("invalid rubric: " + "; ".join(problems))
    return weights


def _check_score(criterion_id: str, score: object) -> None:
    if score is None:
        return
    if not isinstance(score, int) or isinstance(score, bool) or not SCALE_MIN <= score <= SCALE_MAX:
        raise ValueError(f"criterion {criterion_id!r}: score must be an integer {SCALE_MIN}-{SCALE_MAX} "
                         f"or None (not applicable), got {score!r}")


def weighted_mean(scores: Mapping[str, int | None], weights: Mapping[str, float]) -> float | None:
    """Weighted mean over the answered criteria only, or None when nothing was answered.

    "Not applicable" leaves both numerator and denominator, so marking a criterion n/a can never lower
    (or raise) a proposal's score: the remaining criteria simply carry their relative weights. A criterion
    of the rubric missing from `scores` counts as unanswered; a score for a criterion outside the rubric is
    an error, because it would mean the review was made against a different rubric.
    """
    problems = _weight_problems(weights)
    if problems:
        raise ValueError("; ".join(problems))
    unknown = sorted(str(cid) for cid in scores if cid not in weights)
    if unknown:
        raise ValueError(f"scores for criteria not in the rubric: {', '.join(unknown)}")
    total = 0.0
    weight_sum = 0.0
    for cid, score in scores.items():
        _check_score(cid, score)
        if score is not None:
            total += weights[cid] * score
            weight_sum += weights[cid]
    return None if weight_sum == 0 else total / weight_sum


# --------------------------------------------------------------------------------------------------------
# Calibration


def _solve_ridge(obs: Sequence[tuple[int, int, float]], n_a: int, n_b: int, lambda_a: float, lambda_b: float,
                 tol: float, max_iter: int) -> tuple[list[float], int, bool]:
    """Solve the normal equations of the ridge problem by Jacobi-preconditioned conjugate gradients.

    The unknowns are x = [mu, a_1..a_P, b_1..b_R]; the normal matrix N = X'X + diag(0, lambda_a.., lambda_b..)
    is symmetric positive definite as soon as there is one observation (mu is pinned by the data, a and b
    by their penalties), even when reviewers form disconnected groups. CG needs only N @ v, which costs one
    pass over the reviews, so a call with thousands of proposals stays cheap in pure Python, and it reaches
    the exact minimiser instead of the slow zig-zag of alternating updates along the weakly identified
    "shift mu, shift every a_p back" direction. Stops when ||N x - rhs|| <= tol * ||rhs||.
    """
    off_b = 1 + n_a
    dim = off_b + n_b
    diag = [0.0] * dim
    rhs = [0.0] * dim
    for p, r, y in obs:
        for i in (0, 1 + p, off_b + r):
            diag[i] += 1.0
            rhs[i] += y
    for i in range(1, off_b):
        diag[i] += lambda_a
    for i in range(off_b, dim):
        diag[i] += lambda_b

    def matvec(v: list[float]) -> list[float]:
        out = [0.0] * dim
        for p, r, _ in obs:
            s = v[0] + v[1 + p] + v[off_b + r]
            out[0] += s
            out[1 + p] += s
            out[off_b + r] += s
        for i in range(1, off_b):
            out[i] += lambda_a * v[i]
        for i in range(off_b, dim):
            out[i] += lambda_b * v[i]
        return out

    x = [0.0] * dim
    x[0] = rhs[0] / diag[0]  # start from the grand mean: usually most of the answer
    nx = matvec(x)
    res = [b - q for b, q in zip(rhs, nx, strict=True)]
    target = tol * math.sqrt(sum(b * b for b in rhs))
    z = [ri / di for ri, di in zip(res, diag, strict=True)]
    d = list(z)
    rz = sum(ri * zi for ri, zi in zip(res, z, strict=True))
    for iteration in range(max_iter + 1):
        if math.sqrt(sum(ri * ri for ri in res)) <= target:
            return x, iteration, True
        if iteration == max_iter:
            break
        nd = matvec(d)
        alpha = rz / sum(di * ndi for di, ndi in zip(d, nd, strict=True))
        x = [xi + alpha * di for xi, di in zip(x, d, strict=True)]
        res = [ri - alpha * ndi for ri, ndi in zip(res, nd, strict=True)]
        z = [ri / di for ri, di in zip(res, diag, strict=True)]
        rz_new = sum(ri * zi for ri, zi in zip(res, z, strict=True))
        d = [zi + (rz_new / rz) * di for zi, di in zip(z, d, strict=True)]
        rz = rz_new
    return x, max_iter, False


def _index(ids: Iterable[Hashable]) -> dict[Hashable, int]:
    out: dict[Hashable, int] = {}
    for i in ids:
        out.setdefault(i, len(out))
    return out


def calibrate(reviews: Sequence[ReviewScore],
              rubric: Iterable[Criterion] | Iterable[tuple[str, float]] | Mapping[str, float], *,
              lambda_a: float = DEFAULT_LAMBDA_A, lambda_b: float = DEFAULT_LAMBDA_B,
              disagreement_spread: float = DEFAULT_DISAGREEMENT_SPREAD, tol: float = DEFAULT_TOLERANCE,
              prior_noise_sd: float = DEFAULT_PRIOR_NOISE_SD,
              prior_noise_weight: float = DEFAULT_PRIOR_NOISE_WEIGHT) -> Calibration:
    """Fit ``review_mean = mu + a_p + b_r + noise`` and return each proposal's neutral-reviewer score.

    Minimises  sum (y_rp - mu - a_p - b_r)^2 + lambda_a * sum a_p^2 + lambda_b * sum b_r^2  (mu free).

    Why these penalties: lambda_b = 1.0 acts like one extra review at zero bias for every reviewer, so a
    reviewer who scored a single proposal is not declared harsh on the strength of one opinion (that
    would move the proposal back onto the raw mean, the safe default). lambda_a = 0.1 is deliberately
    small: proposal quality is what we want to measure, so it is barely shrunk; it is only there so the
    problem has one solution when reviewers fall into disconnected groups (who is harsh versus which
    group got the better proposals cannot be told apart from the data; the penalties split it evenly
    instead of leaving it undefined).

    Uncertainty (a standard error for comparing proposals within this call): the posterior variance of a_p
    with the biases held fixed, sigma^2 / (n_p + lambda_a), plus the variance of the bias corrections
    propagated through a_p = sum_r (y - mu - b_r) / (n_p + lambda_a), with Var(b_r) ~ sigma^2 / (n_r +
    lambda_b). This is cheaper than the exact diagonal of the inverse normal matrix (one linear solve per
    proposal) yet still says what matters: few reviews, or reviews by reviewers we know little about, mean
    a wider interval. mu's own variance is left out because it is shared by all proposals and cancels in
    any comparison. sigma^2 is the residual variance, pulled towards `prior_noise_sd`^2 with the weight of
    `prior_noise_weight` observations, so a call where every proposal has a single review (residuals ~ 0)
    does not claim perfect certainty.

    Reviews whose every criterion is "not applicable" carry no score and are left out of the fit.
    """
    if lambda_a <= 0 or lambda_b <= 0:
        raise ValueError("lambda_a and lambda_b must be positive: they keep the problem well-posed")
    weights = validate_rubric(rubric)

    seen: set[tuple[Hashable, Hashable]] = set()
    means: list[tuple[Hashable, Hashable, float]] = []
    criterion_scores: dict[Hashable, dict[str, set[int]]] = {}
    all_proposals: list[Hashable] = []
    for review in reviews:
        key = (review.reviewer_id, review.proposal_id)
        if key in seen:
            raise ValueError(f"reviewer {review.reviewer_id!r} reviewed proposal {review.proposal_id!r} twice")
        seen.add(key)
        all_proposals.append(review.proposal_id)
        mean = weighted_mean(review.scores, weights)
        if mean is None:
            continue
        means.append((review.reviewer_id, review.proposal_id, mean))
        per_criterion = criterion_scores.setdefault(review.proposal_id, {})
        for cid, score in review.scores.items():
            if score is not None:
                per_criterion.setdefault(cid, set()).add(score)

    p_index = _index(p for _, p, _ in means)
    r_index = _index(r for r, _, _ in means)
    unscored = tuple(_index(p for p in all_proposals if p not in p_index))
    if not means:
        return Calibration(proposals={}, reviewer_bias={}, mu=None, residual_sd=prior_noise_sd,
                           lambda_a=lambda_a, lambda_b=lambda_b, unscored=unscored)

    obs = [(p_index[p], r_index[r], y) for r, p, y in means]
    n_a, n_b = len(p_index), len(r_index)
    x, iterations, converged = _solve_ridge(obs, n_a, n_b, lambda_a, lambda_b, tol,
                                            max_iter=10 * (1 + n_a + n_b) + 100)
    mu = x[0]
    a = x[1:1 + n_a]
    b = x[1 + n_a:]

    n_p = [0] * n_a
    n_r = [0] * n_b
    ssr = 0.0
    for p, r, y in obs:
        n_p[p] += 1
        n_r[r] += 1
        ssr += (y - mu - a[p] - b[r]) ** 2
    # Effective parameters as if a and b were orthogonal: each costs n / (n + lambda) of a degree of freedom.
    dof = 1 + sum(n / (n + lambda_a) for n in n_p) + sum(n / (n + lambda_b) for n in n_r)
    resid_dof = max(0.0, len(obs) - dof)
    sigma2 = (ssr + prior_noise_weight * prior_noise_sd ** 2) / (resid_dof + prior_noise_weight)

    var_b = [sigma2 / (n + lambda_b) for n in n_r]
    propagated = [0.0] * n_a
    review_means: list[list[float]] = [[] for _ in range(n_a)]
    for p, r, y in obs:
        propagated[p] += var_b[r]
        review_means[p].append(y)

    proposals: dict[Hashable, ProposalScore] = {}
    for pid, p in p_index.items():
        shrink = n_p[p] + lambda_a
        variance = sigma2 / shrink + propagated[p] / shrink ** 2
        ys = review_means[p]
        spread = max(ys) - min(ys)
        split = tuple(sorted(cid for cid, given in criterion_scores.get(pid, {}).items()
                             if SCALE_MIN in given and SCALE_MAX in given))
        proposals[pid] = ProposalScore(
            proposal_id=pid, calibrated=mu + a[p], uncertainty=math.sqrt(variance), raw_mean=sum(ys) / len(ys),
            spread=spread, n_reviews=n_p[p], disagreement=spread >= disagreement_spread or bool(split),
            split_criteria=split)
    return Calibration(proposals=proposals, reviewer_bias={rid: b[r] for rid, r in r_index.items()}, mu=mu,
                       residual_sd=math.sqrt(sigma2), lambda_a=lambda_a, lambda_b=lambda_b,
                       iterations=iterations, converged=converged, unscored=unscored)


def rank(calibration: Calibration) -> list[ProposalScore]:
    """Best first. Ties on the calibrated score fall back to the raw mean (what reviewers actually wrote),
    then to the proposal id so the order never depends on dict order between two page loads."""
    return sorted(calibration.proposals.values(), key=lambda s: (-s.calibrated, -s.raw_mean, s.proposal_id))
