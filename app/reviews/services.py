"""Review verbs: assign reviewers, declare conflicts, score, rank and decide. They flush; the request commits."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app import audit, db, policy
from app.accounts.models import AuditEntry, RoleGrant, User
from app.accounts.services import link
from app.calls.models import Call
from app.db import utcnow
from app.ledger import services as ledger
from app.mail.services import queue_email
from app.proposals import workflow
from app.proposals.models import Proposal, ProposalVersion
from app.proposals.services import submission_problems
from app.reviews import assignment as matching
from app.reviews import awards, scoring
from app.reviews.models import CriterionScore, ReviewAssignment
from app.teams.models import Membership, Team
from app.validation import ValidationFailed

REVIEWER_ROLES = ("funder", "mentor", "coordinator")
REVIEWABLE_STATES = ("in_review", "changes_requested", "awarded", "declined")
SCREENING_STATES = ("submitted", "screening")
SCREENING_ACTIONS = ("start_screening", "pass_to_review", "decline")
# Assignments that still count as work for the reviewer; a declared conflict and a submitted review do not.
OPEN_STATES = ("assigned", "accepted")

CONFLICT_LABELS = {
    matching.TEAM_MEMBER: _l("is a member of the team"),
    matching.MENTOR_OF_TEAM: _l("mentors the team"),
    matching.SAME_ORGANISATION: _l("works for the organisation that sponsors the team"),
    matching.DECLARED: _l("declared a conflict of interest"),
}
# The same reasons as nouns, for sentences addressed to the reviewer ("… with this team (member of the team)").
CONFLICT_NOUNS = {
    matching.TEAM_MEMBER: _l("you are a member of the team"),
    matching.MENTOR_OF_TEAM: _l("you mentor the team"),
    matching.SAME_ORGANISATION: _l("you work for the organisation that sponsors the team"),
    matching.DECLARED: _l("you declared a conflict of interest"),
}
SHORTFALL_LABELS = {
    matching.NOT_ENOUGH_ELIGIBLE: _l("not enough of the chosen reviewers are free of a conflict with this team"),
    matching.REVIEWERS_AT_CAPACITY: _l("the chosen reviewers have no room for more reviews"),
}


def _organisation_key(value: str | None) -> str | None:
    return (value or "").strip().casefold() or None


def mentor_ids_by_team(team_ids: Iterable[int]) -> dict[int, set[int]]:
    """Everyone who mentors, is offered or has mentored each team: one query for all the teams."""
    from app.mentoring.models import Mentorship

    found: dict[int, set[int]] = {}
    team_ids = set(team_ids)
    if team_ids:
        for team_id, mentor_id in db.session.execute(select(Mentorship.team_id, Mentorship.mentor_id).where(
                Mentorship.team_id.in_(team_ids), Mentorship.state != "declined")):
            found.setdefault(team_id, set()).add(mentor_id)
    return found


def proposal_info(proposal: Proposal, mentor_ids: Iterable[int] | None = None) -> matching.ProposalInfo:
    team = proposal.team
    if mentor_ids is None:
        mentor_ids = mentor_ids_by_team([team.id]).get(team.id, ())
    return matching.ProposalInfo(
        id=proposal.id,
        member_ids=frozenset(m.user_id for m in team.memberships),
        mentor_ids=frozenset(mentor_ids),
        organisation=_organisation_key(team.organisation),
    )


def reviewer_info(user: User, declared: frozenset[int] = frozenset()) -> matching.ReviewerInfo:
    return matching.ReviewerInfo(id=user.id, organisation=_organisation_key(user.organisation),
                                 declared_conflicts=declared)


def known_conflicts(reviewer: User, proposal: Proposal, info: matching.ProposalInfo | None = None) -> list[str]:
    """Conflicts the portal knows without being told: team member, mentor of the team, same organisation.

    Pass ``info`` (from proposal_info) when checking many reviewers against one proposal."""
    return matching.conflicts(reviewer_info(reviewer), info or proposal_info(proposal))


def conflict_text(reasons: Iterable[str]) -> str:
    """The reasons as a person reads them: "is a member of the team, works for ..."."""
    return ", ".join(str(CONFLICT_LABELS.get(reason, reason)) for reason in reasons)


def conflict_text_for_reviewer(reasons: Iterable[str]) -> str:
    """The reasons addressed to the reviewer: "you are a member of the team, ..."."""
    return ", ".join(str(CONFLICT_NOUNS.get(reason, reason)) for reason in reasons)


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
    in_review = proposals_in_review(call)
    mentors = mentor_ids_by_team(p.team_id for p in in_review)
    proposals = [proposal_info(p, mentors.get(p.team_id, ())) for p in in_review]
    return matching.suggest_assignments(proposals, infos, existing, call.min_reviews)


def assignment_problem(proposal: Proposal, reviewer: User) -> str | None:
    """Why this reviewer cannot be given this proposal, or None: the same rule for every way of assigning."""
    if proposal.state != "in_review":
        return str(_l("“%(title)s” is no longer in review.", title=proposal.title))
    reasons = known_conflicts(reviewer, proposal)
    if reasons:
        return str(_l("%(name)s has a conflict of interest with this proposal: %(reasons)s.",
                      name=reviewer.display_name, reasons=conflict_text(reasons)))
    if not policy.can_be_reviewer(reviewer):
        return str(_l("%(name)s cannot review: only confirmed funders, mentors and coordinators can.",
                      name=reviewer.display_name))
    existing = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal.id,
                                                                ReviewAssignment.reviewer_id == reviewer.id))
    if existing is not None and existing.state == "conflict_declared":
        return str(_l("%(name)s has a conflict of interest with this proposal: %(reasons)s (“%(reason)s”).",
                      name=reviewer.display_name, reasons=conflict_text([matching.DECLARED]),
                      reason=existing.conflict_reason))
    if existing is not None:
        return str(_l("%(name)s is already assigned to this proposal.", name=reviewer.display_name))
    return None


def assign(actor: User, proposal: Proposal, reviewer: User) -> ReviewAssignment:
    """Give the proposal to a reviewer who has no known conflict with it, and tell them by email."""
    if proposal.state != "in_review":
        raise ValidationFailed([(None, _l("Reviewers can be assigned only while the proposal is in review."))])
    problem = assignment_problem(proposal, reviewer)
    if problem:
        raise ValidationFailed([("reviewer", problem)])
    assignment = ReviewAssignment(proposal_id=proposal.id, reviewer_id=reviewer.id, assigned_by_id=actor.id,
                                  due_at=proposal.call.review_deadline)
    try:
        with db.session.begin_nested():  # another coordinator may have assigned them a moment ago
            db.session.add(assignment)
    except IntegrityError:
        raise ValidationFailed([("reviewer", _l("%(name)s is already assigned to this proposal.",
                                                name=reviewer.display_name))]) from None
    audit.record(actor, "review.assigned", proposal, reviewer_id=reviewer.id)
    _tell_reviewer(assignment, proposal, reviewer)
    return assignment


def _tell_reviewer(assignment: ReviewAssignment, proposal: Proposal, reviewer: User) -> None:
    """The email names the call and the proposal's number only: the reviewer first says whether they have a
    conflict, then reads."""
    queue_email(reviewer.email, "review_assigned", reviewer.locale, reviewer=reviewer, call=proposal.call,
                proposal_id=proposal.id, due_at=assignment.due_at,
                url=link("reviews.show", assignment_id=assignment.id))


def apply_suggestion(actor: User, call: Call, pairs: Iterable[tuple[int, int]]) -> list[ReviewAssignment]:
    """Assign every (proposal id, reviewer id) pair, or none: each is checked again here, since the pairs come
    back from the browser and the call may have changed since the suggestion was made."""
    pairs = list(dict.fromkeys(pairs))
    proposals = {p.id: p for p in db.session.scalars(
        select(Proposal).where(Proposal.id.in_({p for p, _r in pairs}), Proposal.call_id == call.id)
        .options(selectinload(Proposal.team).selectinload(Team.memberships)))}
    reviewers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r for _p, r in pairs})))}
    problems: list[tuple[str | None, str]] = []
    for proposal_id, reviewer_id in pairs:
        proposal, reviewer = proposals.get(proposal_id), reviewers.get(reviewer_id)
        if proposal is None or reviewer is None:
            problems.append((None, str(_l("One of the suggested pairs names a proposal or a person this call "
                                          "does not have."))))
            continue
        problem = assignment_problem(proposal, reviewer)
        if problem:
            problems.append((None, problem))
    if problems:
        raise ValidationFailed(problems)
    return [assign(actor, proposals[p], reviewers[r]) for p, r in pairs]


def unassign(actor: User, assignment: ReviewAssignment) -> None:
    """Take a review back before it is submitted; a declared conflict stays on record."""
    if assignment.state not in OPEN_STATES:
        raise ValidationFailed([(None, _l("A submitted review or a declared conflict stays on record: it cannot be "
                                          "removed."))])
    proposal = assignment.proposal
    db.session.delete(assignment)
    db.session.flush()
    audit.record(actor, "review.removed", proposal, reviewer_id=assignment.reviewer_id)


def declare_conflict(assignment: ReviewAssignment, reason: str) -> None:
    """Said before the reviewer sees the proposal (or on realising it later); from then on they can neither
    see nor score it. Recorded on the assignment, not the proposal, so the team never learns who or why."""
    if assignment.state not in ("assigned", "accepted"):
        raise ValidationFailed([(None, _l("This review can no longer be changed."))])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _l("Say briefly what the conflict is, for the coordinators."))])
    assignment.state = "conflict_declared"
    assignment.conflict_reason = reason
    assignment.conflict_declared_at = utcnow()
    db.session.flush()
    audit.record(assignment.reviewer, "review.conflict_declared", assignment, proposal_id=assignment.proposal_id,
                 reason=reason)


def accept(assignment: ReviewAssignment) -> None:
    """The reviewer states they have no conflict; only then may they read and score the proposal."""
    if assignment.state != "assigned":
        raise ValidationFailed([(None, _l("This review can no longer be changed."))])
    reasons = known_conflicts(assignment.reviewer, assignment.proposal)
    if reasons:
        raise ValidationFailed([(None, _l("You have a conflict of interest with this team (%(reasons)s). "
                                          "Declare it below.", reasons=conflict_text_for_reviewer(reasons)))])
    assignment.state = "accepted"
    assignment.accepted_at = utcnow()
    db.session.flush()
    audit.record(assignment.reviewer, "review.accepted", assignment, proposal_id=assignment.proposal_id,
                 version=assignment.proposal.version)


def submit_review(assignment: ReviewAssignment, *, scores: dict[int, int | None], comments: dict[int, str],
                  recommendation: str, comment: str) -> None:
    """Store a complete review; a criterion may be left 'not applicable' only where the rubric allows it."""
    if assignment.state != "accepted":
        raise ValidationFailed([(None, _l("This review can no longer be changed."))])
    proposal = assignment.proposal
    if proposal.state != "in_review":
        raise ValidationFailed([(None, _l("This proposal is %(state)s: it takes no reviews now.",
                                          state=workflow.STATE_LABELS[proposal.state]))])
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
    assignment.scores = [CriterionScore(criterion_id=c.id, score=scores.get(c.id),
                                        comment=(comments.get(c.id) or "").strip()) for c in proposal.call.criteria]
    assignment.recommendation = recommendation
    assignment.comment = (comment or "").strip()
    assignment.state = "submitted"
    assignment.submitted_at = utcnow()
    db.session.flush()
    audit.record(assignment.reviewer, "review.submitted", assignment, proposal_id=proposal.id,
                 recommendation=recommendation, version=proposal.version)


# -- screening --------------------------------------------------------------------------------------
def screening_query(call: Call) -> Select:
    """The call's proposals waiting for screening, with everything the checks read loaded up front."""
    return (select(Proposal).where(Proposal.call_id == call.id, Proposal.state.in_(SCREENING_STATES))
            .options(selectinload(Proposal.team).selectinload(Team.memberships).selectinload(Membership.user),
                     selectinload(Proposal.attachments))
            .order_by(Proposal.submitted_at, Proposal.id))


def screening_checks(proposal: Proposal, actor: User, now: datetime | None = None) -> list[tuple[str | None, str]]:
    """The submission checks run again now (ages, team size, consent, budget, plan), less the two that are
    about the act of submitting: the call's deadline is judged at the time it was submitted, and the
    submitter's own account is not the coordinator's."""
    problems = [(name, message) for name, message in submission_problems(proposal, actor, now)
                if name not in ("deadline", "submitter")]
    call = proposal.call
    if proposal.submitted_at is not None and proposal.submitted_at > call.closes_at:
        problems.insert(0, ("deadline", _l("It was submitted after the call's deadline.")))
    return problems


def screen(actor: User, proposal: Proposal, action: str, reason: str | None = None) -> None:
    """Start screening, pass to review or decline; a declined team is told why by email."""
    if action not in SCREENING_ACTIONS:
        raise workflow.IllegalMove([(None, _l("This is not a screening step."))])
    if action == "decline" and proposal.state not in SCREENING_STATES:
        # Declining after screening is a decision on the reviews, made elsewhere.
        raise workflow.IllegalMove([(None, _l("A proposal that is %(state)s cannot be declined at screening.",
                                              state=workflow.STATE_LABELS[proposal.state]))])
    workflow.transition(proposal, action, actor, reason)
    db.session.flush()
    if action == "decline":
        url = link("proposals.show", proposal_id=proposal.id)
        for member in proposal.team.members:
            queue_email(member.email, "proposal_declined", member.locale, proposal=proposal, member=member,
                        reason=(reason or "").strip(), url=url)


# -- reading, for the pages -------------------------------------------------------------------------
@dataclass
class ReviewerLoad:
    reviewer: User
    open: int = 0
    submitted: int = 0
    conflicts: int = 0

    @property
    def total(self) -> int:
        return self.open + self.submitted


def load_per_reviewer(assignments: Iterable[ReviewAssignment]) -> list[ReviewerLoad]:
    loads: dict[int, ReviewerLoad] = {}
    for a in assignments:
        row = loads.setdefault(a.reviewer_id, ReviewerLoad(a.reviewer))
        if a.state == "submitted":
            row.submitted += 1
        elif a.state == "conflict_declared":
            row.conflicts += 1
        else:
            row.open += 1
    return sorted(loads.values(), key=lambda row: (-row.total, row.reviewer.display_name, row.reviewer.id))


def in_review_query(call: Call) -> Select:
    return (select(Proposal).where(Proposal.call_id == call.id, Proposal.state == "in_review")
            .options(selectinload(Proposal.team).selectinload(Team.memberships))
            .order_by(Proposal.id))


def assignments_of_query(user: User) -> Select:
    """A reviewer's own assignments, newest first, each with its proposal and call in the same query; the list
    shows titles and states only, so nothing else (scores, budgets, plans, rubrics) is loaded."""
    proposal = joinedload(ReviewAssignment.proposal)
    return (select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id)
            .options(lazyload(ReviewAssignment.scores), proposal.lazyload("*"),
                     proposal.joinedload(Proposal.call).lazyload("*"))
            .order_by(ReviewAssignment.assigned_at.desc(), ReviewAssignment.id.desc()))


@dataclass
class CallToCoordinate:
    call: Call
    counts: dict[str, int] = field(default_factory=dict)


def calls_to_coordinate() -> list[CallToCoordinate]:
    """Calls with proposals to screen or in review, for the coordinators' list: one grouped query."""
    rows = db.session.execute(
        select(Proposal.call_id, Proposal.state, func.count())
        .where(Proposal.state.in_((*SCREENING_STATES, "in_review"))).group_by(Proposal.call_id, Proposal.state))
    counts: dict[int, dict[str, int]] = {}
    for call_id, state, number in rows:
        counts.setdefault(call_id, {})[state] = number
    if not counts:
        return []
    calls = db.session.scalars(select(Call).where(Call.id.in_(counts)).order_by(Call.closes_at.desc(), Call.id))
    return [CallToCoordinate(call, counts[call.id]) for call in calls]


def assignments_for_proposal(proposal: Proposal) -> list[ReviewAssignment]:
    return list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal.id)
        .options(selectinload(ReviewAssignment.reviewer)).order_by(ReviewAssignment.id)))


def submitted_reviews(proposal: Proposal) -> list[ReviewAssignment]:
    return list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal.id,
                                       ReviewAssignment.state == "submitted")
        .options(selectinload(ReviewAssignment.reviewer)).order_by(ReviewAssignment.submitted_at,
                                                                    ReviewAssignment.id)))


def review_mean(assignment: ReviewAssignment, call: Call) -> float | None:
    """The review's weighted mean on the call's rubric; "not applicable" is left out, never counted as 0."""
    weights = {str(c.id): c.weight for c in call.criteria}
    return scoring.weighted_mean({str(s.criterion_id): s.score for s in assignment.scores
                                  if str(s.criterion_id) in weights}, weights)


def latest_version(proposal: Proposal) -> ProposalVersion | None:
    return db.session.scalar(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
                             .order_by(ProposalVersion.number.desc()).limit(1))


def seen_version(assignment: ReviewAssignment) -> int | None:
    """The version the reviewer last read: the one current when they accepted, or when they submitted."""
    details = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.subject_type == ReviewAssignment.__tablename__, AuditEntry.subject_id == assignment.id,
        AuditEntry.action.in_(("review.accepted", "review.submitted"))))
    numbers = [d.get("version") for d in details if isinstance(d, dict) and isinstance(d.get("version"), int)]
    return max(numbers) if numbers else None


def version_content(proposal: Proposal, number: int) -> dict | None:
    return db.session.scalar(select(ProposalVersion.content).where(ProposalVersion.proposal_id == proposal.id,
                                                                   ProposalVersion.number == number))


# -- ranking and decisions --------------------------------------------------------------------------
@dataclass
class RankingRow:
    proposal: Proposal
    score: scoring.ProposalScore | None
    decision: awards.Decision | None


@dataclass
class Ranking:
    rows: list[RankingRow]  # the rows asked for (every row unless a window was given), best first
    suggestion: awards.AwardSuggestion
    committed: int
    available: int
    contributed: int = 0
    total: int = 0  # rows in the whole ranking
    offset: int = 0  # the place of rows[0] in the whole ranking


def committed_amount(call: Call) -> int:
    """Money promised to grants, from the ledger."""
    return ledger.balances(call).awarded


def available_amount(call: Call) -> int:
    """Money in the pool that no award has promised yet: contributions received minus awards, from the ledger."""
    return max(ledger.balances(call).available, 0)


# Calibrations already computed, by call and by a fingerprint of the submitted reviews they come from (how many,
# their ids, reviewers and latest time, aggregated in SQL): a submitted review never changes nor goes away and a
# published call's rubric is fixed, so the memo gives what a fresh computation would. Kept per process and small;
# each worker computes a call's calibration again after a new review.
_CALIBRATIONS: OrderedDict[tuple, scoring.Calibration | None] = OrderedDict()
CALIBRATION_MEMO_SIZE = 32


def submitted_scores(call: Call) -> list[scoring.ReviewScore]:
    """Every submitted review of the call with its scores, read as plain rows in one query."""
    rows = db.session.execute(
        select(ReviewAssignment.id, ReviewAssignment.reviewer_id, ReviewAssignment.proposal_id,
               CriterionScore.criterion_id, CriterionScore.score)
        .join(Proposal, Proposal.id == ReviewAssignment.proposal_id)
        .outerjoin(CriterionScore, CriterionScore.assignment_id == ReviewAssignment.id)
        .where(Proposal.call_id == call.id, ReviewAssignment.state == "submitted")
        .order_by(ReviewAssignment.proposal_id, ReviewAssignment.id, CriterionScore.id))
    by_assignment: dict[int, scoring.ReviewScore] = {}
    for assignment_id, reviewer_id, proposal_id, criterion_id, score in rows:
        review = by_assignment.setdefault(assignment_id, scoring.ReviewScore(
            reviewer_id=reviewer_id, proposal_id=proposal_id, scores={}))
        if criterion_id is not None:
            review.scores[str(criterion_id)] = score
    return list(by_assignment.values())


def call_calibration(call: Call) -> scoring.Calibration | None:
    """The calibration of the call's submitted reviews (None before the first one), computed once per set."""
    rubric = tuple(sorted((str(c.id), c.weight) for c in call.criteria))
    fingerprint = tuple(db.session.execute(
        select(func.count(), func.sum(ReviewAssignment.id), func.sum(ReviewAssignment.reviewer_id),
               func.max(ReviewAssignment.submitted_at))
        .join(Proposal, Proposal.id == ReviewAssignment.proposal_id)
        .where(Proposal.call_id == call.id, ReviewAssignment.state == "submitted")).one())
    key = (call.id, rubric, fingerprint)
    if key in _CALIBRATIONS:
        _CALIBRATIONS.move_to_end(key)
        return _CALIBRATIONS[key]
    reviews = submitted_scores(call)
    calibration = scoring.calibrate(reviews, dict(rubric)) if reviews else None
    _CALIBRATIONS[key] = calibration
    while len(_CALIBRATIONS) > CALIBRATION_MEMO_SIZE:
        _CALIBRATIONS.popitem(last=False)
    return calibration


def ranking(call: Call, quality_floor: float, *, offset: int = 0, limit: int | None = None,
            holding: int | None = None) -> Ranking:
    """The call's proposals with raw and calibrated scores and the award set that fits what is left of the pool.

    The order and the suggestion come from every proposal of the call (plain rows); the proposals themselves are
    loaded for the rows asked for only (`limit` rows from `offset`, or the window of `limit` rows holding the
    proposal `holding`), so a page of a large call reads a page of rows."""
    facts = db.session.execute(
        select(Proposal.id, Proposal.state, Proposal.amount_requested)
        .where(Proposal.call_id == call.id, Proposal.state.in_(REVIEWABLE_STATES)).order_by(Proposal.id)).all()
    calibration = call_calibration(call)
    money = ledger.balances(call)
    committed, available = money.awarded, max(money.available, 0)
    by_score = dict(calibration.proposals) if calibration else {}
    candidates = [
        awards.Candidate(proposal_id=pid, calibrated=by_score[pid].calibrated, uncertainty=by_score[pid].uncertainty,
                         amount_requested=amount)
        for pid, state, amount in facts if state == "in_review" and pid in by_score
    ]
    suggestion = awards.suggest_awards(candidates, available, quality_floor)
    calibrated = {pid: score.calibrated for pid, score in by_score.items()}
    ordered = sorted(facts, key=lambda f: (f[0] not in calibrated, -calibrated.get(f[0], 0.0), f[0]))
    if limit:
        ids = [f[0] for f in ordered]
        offset = ids.index(holding) if holding in ids else offset
        offset = min(max(0, offset), max(0, len(ordered) - 1)) // limit * limit  # past the end: the last window
    shown = ordered[offset:] if limit is None else ordered[offset:offset + limit]
    query = select(Proposal).options(joinedload(Proposal.team), lazyload(Proposal.budget_lines),
                                     lazyload(Proposal.milestones))
    if limit is None and offset == 0:
        query = query.where(Proposal.call_id == call.id, Proposal.state.in_(REVIEWABLE_STATES))
    else:
        query = query.where(Proposal.id.in_([f[0] for f in shown]))
    proposals = {p.id: p for p in db.session.scalars(query)} if shown else {}
    rows = [RankingRow(proposals[pid], by_score.get(pid),
                       suggestion.decision_for(pid) if state == "in_review" and pid in by_score else None)
            for pid, state, _amount in shown]
    return Ranking(rows=rows, suggestion=suggestion, committed=committed, available=available,
                   contributed=money.contributed, total=len(ordered), offset=offset)


def award(actor: User, proposal: Proposal, amount: int, reason: str) -> None:
    """Commit money from the call's pool as a grant; concurrent awards queue on the call's row, and the ledger
    refuses to promise more than the contributions received."""
    call = ledger.locked_call(proposal.call_id)
    if amount <= 0 or amount > proposal.amount_requested:
        raise ValidationFailed([("amount", _l("Award between 0 and the amount requested."))])
    if amount > ledger.balances(call).available:
        raise ValidationFailed([("amount", _l("The pool does not hold enough money left for this award."))])
    workflow.transition(proposal, "award", actor, reason)
    proposal.amount_awarded = amount
    _scale_tranches(proposal, amount)
    db.session.flush()
    ledger.open_grant(actor, proposal, amount)


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
