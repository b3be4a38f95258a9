"""Review verbs: assign reviewers, declare conflicts, score, rank and decide. They flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit, db
from app.accounts.models import RoleGrant, User
from app.calls.models import Call
from app.db import utcnow
from app.proposals import workflow
from app.proposals.models import Proposal
from app.reviews import assignment as matching
from app.reviews import awards, scoring
from app.reviews.models import CriterionScore, ReviewAssignment
from app.teams.models import Membership, Team
from app.validation import ValidationFailed

REVIEWER_ROLES = ("funder", "mentor", "coordinator")
REVIEWABLE_STATES = ("in_review", "changes_requested", "awarded", "declined")


def _organisation_key(value: str | None) -> str | None:
    return (value or "").strip().casefold() or None


def proposal_info(proposal: Proposal) -> matching.ProposalInfo:
    team = proposal.team
    return matching.ProposalInfo(
        id=proposal.id,
        member_ids=frozenset(m.user_id for m in team.memberships),
        organisation=_organisation_key(team.organisation),
    )


def reviewer_info(user: User, declared: frozenset[int] = frozenset()) -> matching.ReviewerInfo:
    return matching.ReviewerInfo(id=user.id, organisation=_organisation_key(user.organisation),
                                 declared_conflicts=declared)


def known_conflicts(reviewer: User, proposal: Proposal) -> list[str]:
    """Conflicts the portal knows without being told: team member, same organisation (mentors later)."""
    return matching.conflicts(reviewer_info(reviewer), proposal_info(proposal))


def eligible_reviewers() -> list[User]:
    return list(db.session.scalars(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role.in_(REVIEWER_ROLES), User.email_confirmed_at.is_not(None))
        .distinct().order_by(User.display_name, User.id)
    ))


def proposals_in_review(call: Call) -> list[Proposal]:
    return list(db.session.scalars(
        select(Proposal).where(Proposal.call_id == call.id, Proposal.state == "in_review")
        .options(selectinload(Proposal.team).selectinload(Team.memberships))
        .order_by(Proposal.id)
    ))


def assignments_for_call(call: Call) -> list[ReviewAssignment]:
    return list(db.session.scalars(
        select(ReviewAssignment).join(Proposal).where(Proposal.call_id == call.id)
        .options(selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.proposal_id, ReviewAssignment.id)
    ))


def suggest_assignments(call: Call, reviewers: list[User]) -> matching.Suggestion:
    """Balance new reviews across the chosen reviewers until each proposal has the call's minimum.

    Reviewers already assigned but not chosen this time keep their reviews (capacity 0: nothing new)."""
    current = assignments_for_call(call)
    existing = [(a.proposal_id, a.reviewer_id) for a in current if a.state != "conflict_declared"]
    declared: dict[int, set[int]] = {}
    for a in current:
        if a.state == "conflict_declared":
            declared.setdefault(a.reviewer_id, set()).add(a.proposal_id)
    chosen = {user.id: user for user in reviewers}
    others = {a.reviewer_id: a.reviewer for a in current if a.reviewer_id not in chosen}
    infos = [reviewer_info(user, frozenset(declared.get(user.id, ()))) for user in chosen.values()]
    infos += [matching.ReviewerInfo(id=user.id, organisation=_organisation_key(user.organisation), capacity=0,
                                    declared_conflicts=frozenset(declared.get(user.id, ())))
              for user in others.values()]
    proposals = [proposal_info(p) for p in proposals_in_review(call)]
    return matching.suggest_assignments(proposals, infos, existing, call.min_reviews)


def assign(actor: User, proposal: Proposal, reviewer: User) -> ReviewAssignment:
    if proposal.state != "in_review":
        raise ValidationFailed([(None, _l("Reviewers can be assigned only while the proposal is in review."))])
    reasons = known_conflicts(reviewer, proposal)
    if reasons:
        raise ValidationFailed([("reviewer", _l("%(name)s has a conflict of interest with this proposal.",
                                                name=reviewer.display_name))])
    if db.session.scalar(select(ReviewAssignment.id).where(ReviewAssignment.proposal_id == proposal.id,
                                                           ReviewAssignment.reviewer_id == reviewer.id)):
        raise ValidationFailed([("reviewer", _l("%(name)s is already assigned to this proposal.",
                                                name=reviewer.display_name))])
    assignment = ReviewAssignment(proposal_id=proposal.id, reviewer_id=reviewer.id, assigned_by_id=actor.id,
                                  due_at=proposal.call.review_deadline)
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor, "review.assigned", proposal, reviewer_id=reviewer.id)
    return assignment


def declare_conflict(assignment: ReviewAssignment, reason: str) -> None:
    """Said before the reviewer sees the proposal (or on realising it later); from then on they can neither
    see nor score it."""
    if assignment.state not in ("assigned", "accepted"):
        raise ValidationFailed([(None, _l("This review can no longer be changed."))])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _l("Say briefly what the conflict is, for the coordinators."))])
    assignment.state = "conflict_declared"
    assignment.conflict_reason = reason
    assignment.conflict_declared_at = utcnow()
    db.session.flush()
    audit.record(assignment.reviewer, "review.conflict_declared", assignment.proposal, reason=reason)


def accept(assignment: ReviewAssignment) -> None:
    """The reviewer states they have no conflict; only then may they read and score the proposal."""
    if assignment.state != "assigned":
        raise ValidationFailed([(None, _l("This review can no longer be changed."))])
    assignment.state = "accepted"
    assignment.accepted_at = utcnow()
    db.session.flush()
    audit.record(assignment.reviewer, "review.accepted", assignment.proposal)


def submit_review(assignment: ReviewAssignment, *, scores: dict[int, int | None], comments: dict[int, str],
                  recommendation: str, comment: str) -> None:
    """Store a complete review; a criterion may be left 'not applicable' only where the rubric allows it."""
    if assignment.state != "accepted":
        raise ValidationFailed([(None, _l("This review can no longer be changed."))])
    proposal = assignment.proposal
    errors: list[tuple[str, object]] = []
    for criterion in proposal.call.criteria:
        value = scores.get(criterion.id)
        missing = value is None and not criterion.allow_not_applicable
        if missing or (value is not None and not 1 <= value <= 5):
            errors.append((f"criterion_{criterion.id}", _l("Give a score from 1 to 5.")))
    if recommendation not in ("fund", "fund_with_changes", "do_not_fund"):
        errors.append(("recommendation", _l("Choose a recommendation.")))
    if errors:
        raise ValidationFailed(errors)
    assignment.scores = [CriterionScore(criterion_id=c.id, score=scores.get(c.id), comment=comments.get(c.id, ""))
                         for c in proposal.call.criteria]
    assignment.recommendation = recommendation
    assignment.comment = comment.strip()
    assignment.state = "submitted"
    assignment.submitted_at = utcnow()
    db.session.flush()
    audit.record(assignment.reviewer, "review.submitted", proposal, recommendation=recommendation)


# -- ranking and decisions --------------------------------------------------------------------------
@dataclass
class RankingRow:
    proposal: Proposal
    score: scoring.ProposalScore | None
    decision: awards.Decision | None


@dataclass
class Ranking:
    rows: list[RankingRow]
    suggestion: awards.AwardSuggestion
    committed: int
    available: int


def committed_amount(call: Call) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Proposal.amount_awarded), 0))
                             .where(Proposal.call_id == call.id, Proposal.state == "awarded")) or 0


def ranking(call: Call, quality_floor: float) -> Ranking:
    """The call's proposals with raw and calibrated scores and the award set that fits what is left of the pool."""
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.call_id == call.id, Proposal.state.in_(REVIEWABLE_STATES))
        .options(selectinload(Proposal.team)).order_by(Proposal.id)))
    rubric = {str(c.id): c.weight for c in call.criteria}
    reviews = [
        scoring.ReviewScore(reviewer_id=a.reviewer_id, proposal_id=a.proposal_id,
                            scores={str(s.criterion_id): s.score for s in a.scores})
        for a in assignments_for_call(call) if a.state == "submitted"
    ]
    calibration = scoring.calibrate(reviews, rubric) if reviews else None
    committed = committed_amount(call)
    available = max(call.pool_amount - committed, 0)
    candidates = [
        awards.Candidate(proposal_id=p.id, calibrated=calibration.proposals[p.id].calibrated,
                         uncertainty=calibration.proposals[p.id].uncertainty, amount_requested=p.amount_requested)
        for p in proposals if p.state == "in_review" and calibration and p.id in calibration.proposals
    ]
    suggestion = awards.suggest_awards(candidates, available, quality_floor)
    by_score = {pid: s for pid, s in (calibration.proposals.items() if calibration else [])}
    rows = [RankingRow(p, by_score.get(p.id), suggestion.decision_for(p.id) if p.state == "in_review" and
                       p.id in by_score else None) for p in proposals]
    rows.sort(key=lambda r: (r.score is None, -(r.score.calibrated if r.score else 0), r.proposal.id))
    return Ranking(rows=rows, suggestion=suggestion, committed=committed, available=available)


def award(actor: User, proposal: Proposal, amount: int, reason: str) -> None:
    """Commit money from the call's pool; concurrent awards queue on the call's row and cannot over-commit."""
    call = db.session.scalar(select(Call).where(Call.id == proposal.call_id).with_for_update())
    if amount <= 0 or amount > proposal.amount_requested:
        raise ValidationFailed([("amount", _l("Award between 0 and the amount requested."))])
    if committed_amount(call) + amount > call.pool_amount:
        raise ValidationFailed([("amount", _l("The pool does not hold enough money left for this award."))])
    workflow.transition(proposal, "award", actor, reason)
    proposal.amount_awarded = amount
    _scale_tranches(proposal, amount)
    db.session.flush()


def _scale_tranches(proposal: Proposal, amount: int) -> None:
    """A smaller award shrinks every tranche in proportion; the last one absorbs the rounding."""
    requested = proposal.amount_requested
    if amount == requested or not proposal.milestones or requested == 0:
        return
    remaining = amount
    for milestone in proposal.milestones[:-1]:
        share = milestone.tranche_amount * amount // requested
        milestone.tranche_amount = share
        remaining -= share
    proposal.milestones[-1].tranche_amount = remaining


def team_member_ids(team_id: int) -> set[int]:
    return set(db.session.scalars(select(Membership.user_id).where(Membership.team_id == team_id)))
