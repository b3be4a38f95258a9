"""Review services against the database: conflicts, scoring rules, ranking and the award suggestion."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry, RoleGrant
from app.reviews import services
from app.reviews.models import ReviewAssignment
from app.validation import ValidationFailed
from tests.factories import create_call, create_mentor, create_mentorship, create_proposal, create_team, create_user


@pytest.fixture
def in_review():
    call = create_call(state="closed", closes_in_days=-1, opens_in_days=-30, pool=1_000_000, max_award=600_000)
    coordinator = create_user("coordinator")
    team = create_team()
    proposal = create_proposal(team, call, state="in_review", amount=400_000)
    return call, coordinator, team, proposal


def _scores(call, values):
    return {criterion.id: value for criterion, value in zip(call.criteria, values, strict=True)}


def test_a_team_member_cannot_be_assigned_to_review_their_own_proposal(in_review):
    call, coordinator, team, proposal = in_review
    with pytest.raises(ValidationFailed) as error:
        services.assign(coordinator, proposal, team.lead)
    assert error.value.errors[0][0] == "reviewer"
    assert "conflict of interest" in str(error.value.errors[0][1])


@pytest.mark.parametrize("state", ["offered", "active", "ended"])
def test_the_team_s_mentor_is_conflicted_whether_offered_active_or_past(in_review, state):
    call, coordinator, team, proposal = in_review
    mentor = create_mentor(name="Mia Mentor")
    create_mentorship(team, mentor, state=state)
    assert services.known_conflicts(mentor, proposal) == ["mentor_of_team"]
    with pytest.raises(ValidationFailed) as error:
        services.assign(coordinator, proposal, mentor)
    assert "mentors the team" in str(error.value.errors[0][1])
    suggestion = services.suggest_assignments(call, [mentor])
    assert suggestion.assignments == ()


def test_a_mentor_who_declined_the_team_may_review_it(in_review):
    call, coordinator, team, proposal = in_review
    mentor = create_mentor()
    create_mentorship(team, mentor, state="declined")
    assert services.known_conflicts(mentor, proposal) == []
    assert services.assign(coordinator, proposal, mentor).reviewer_id == mentor.id


def test_the_same_organisation_is_a_conflict_and_assignment_is_recorded_otherwise(in_review):
    call, coordinator, team, proposal = in_review
    team.organisation = "École Saint-Laurent"
    colleague = create_user("funder")
    colleague.organisation = "  école saint-laurent "
    outsider = create_user("funder")
    with pytest.raises(ValidationFailed):
        services.assign(coordinator, proposal, colleague)
    assignment = services.assign(coordinator, proposal, outsider)
    assert assignment.state == "assigned" and assignment.reviewer_id == outsider.id
    with pytest.raises(ValidationFailed):
        services.assign(coordinator, proposal, outsider)  # twice
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == proposal.id,
                                                                 AuditEntry.subject_type == "proposals")).all()
    assert "review.assigned" in actions


def test_a_declared_conflict_needs_a_reason_and_ends_the_review(in_review):
    call, coordinator, team, proposal = in_review
    reviewer = create_user("funder")
    assignment = services.assign(coordinator, proposal, reviewer)
    with pytest.raises(ValidationFailed):
        services.declare_conflict(assignment, "  ")
    services.declare_conflict(assignment, "My cousin is on this team.")
    assert assignment.state == "conflict_declared" and assignment.conflict_declared_at is not None
    with pytest.raises(ValidationFailed):
        services.accept(assignment)
    with pytest.raises(ValidationFailed):
        services.submit_review(assignment, scores=_scores(call, [4, 4]), comments={}, recommendation="fund",
                               comment="")


def test_not_applicable_is_allowed_only_where_the_rubric_allows_it(in_review):
    call, coordinator, team, proposal = in_review
    assignment = services.assign(coordinator, proposal, create_user("funder"))
    with pytest.raises(ValidationFailed):  # nobody scores before saying they have no conflict
        services.submit_review(assignment, scores=_scores(call, [4, 4]), comments={}, recommendation="fund",
                               comment="")
    services.accept(assignment)
    impact, feasibility = call.criteria  # Impact forbids n/a; Feasibility allows it
    with pytest.raises(ValidationFailed) as error:
        services.submit_review(assignment, scores={impact.id: None, feasibility.id: None}, comments={},
                               recommendation="fund", comment="")
    assert [field for field, _ in error.value.errors] == [f"criterion_{impact.id}"]
    with pytest.raises(ValidationFailed) as error:
        services.submit_review(assignment, scores={impact.id: 6, feasibility.id: 3}, comments={},
                               recommendation="maybe", comment="")
    assert {field for field, _ in error.value.errors} == {f"criterion_{impact.id}", "recommendation"}
    services.submit_review(assignment, scores={impact.id: 4, feasibility.id: None}, comments={impact.id: "Clear"},
                           recommendation="fund", comment="Good plan")
    assert assignment.state == "submitted"
    assert {s.criterion_id: s.score for s in assignment.scores} == {impact.id: 4, feasibility.id: None}


def test_ranking_leaves_not_applicable_out_and_suggests_what_fits_the_pool(in_review):
    call, coordinator, team, first = in_review
    second = create_proposal(create_team(), call, state="in_review", amount=500_000)
    third = create_proposal(create_team(), call, state="in_review", amount=300_000)
    reviewers = [create_user("funder") for _ in range(2)]
    # Weighted means (Impact ×2, Feasibility ×1): first 5,5 → 5.0; second 4,n/a → 4.0 (n/a is not a zero);
    # third 2,2 → 2.0.
    marks = {first.id: [5, 5], second.id: [4, None], third.id: [2, 2]}
    for proposal in (first, second, third):
        for reviewer in reviewers:
            assignment = services.assign(coordinator, proposal, reviewer)
            services.accept(assignment)
            services.submit_review(assignment, scores=_scores(call, marks[proposal.id]), comments={},
                                   recommendation="fund", comment="")

    ranking = services.ranking(call, quality_floor=3.0)

    order = [row.proposal.id for row in ranking.rows]
    assert order == [first.id, second.id, third.id]
    by_id = {row.proposal.id: row for row in ranking.rows}
    assert by_id[first.id].score.raw_mean == pytest.approx(5.0)
    assert by_id[second.id].score.raw_mean == pytest.approx(4.0)
    # Pool 10,000.00: first (4,000) and second (5,000) fit; third is below the floor of 3.0.
    assert [c.proposal_id for c in ranking.suggestion.funded] == [first.id, second.id]
    assert by_id[third.id].decision.reason == "below_floor"
    assert ranking.available == 1_000_000 and ranking.committed == 0


def test_assignment_suggestion_reaches_the_minimum_without_conflicts(in_review):
    call, coordinator, team, proposal = in_review
    other = create_proposal(create_team(), call, state="in_review")
    reviewers = [create_user("funder") for _ in range(3)] + [team.lead]
    team.lead.role_grants.append(RoleGrant(role="mentor"))
    db.session.flush()

    suggestion = services.suggest_assignments(call, reviewers)

    assert not suggestion.shortfalls
    assert len(suggestion.for_proposal(proposal.id)) == call.min_reviews == len(suggestion.for_proposal(other.id))
    assert team.lead.id not in suggestion.for_proposal(proposal.id)
    assert max(suggestion.load.values()) - min(suggestion.load.values()) <= 1
    assert db.session.scalar(select(ReviewAssignment.id)) is None  # a suggestion changes nothing by itself


def test_a_race_to_assign_the_same_reviewer_is_refused_not_a_crash(in_review, monkeypatch):
    call, coordinator, team, proposal = in_review
    reviewer = create_user("funder")
    services.assign(coordinator, proposal, reviewer)
    # Another coordinator's request checked a moment before this one was committed.
    monkeypatch.setattr(services, "assignment_problem", lambda *_args: None)
    with pytest.raises(ValidationFailed) as error:
        services.assign(coordinator, proposal, reviewer)
    assert "already assigned" in str(error.value)
    assert len(db.session.scalars(select(ReviewAssignment)).all()) == 1


def test_accepting_is_refused_while_the_portal_knows_a_conflict(in_review):
    call, coordinator, team, proposal = in_review
    reviewer = create_user("mentor")
    assignment = services.assign(coordinator, proposal, reviewer)
    reviewer.organisation, team.organisation = "MJC Nord", "mjc nord"
    with pytest.raises(ValidationFailed) as error:
        services.accept(assignment)
    assert "you work for the organisation that sponsors the team" in str(error.value)
    assert assignment.state == "assigned"


def test_reviews_are_recorded_on_the_assignment_with_the_version_read(in_review):
    call, coordinator, team, proposal = in_review
    assignment = services.assign(coordinator, proposal, create_user("funder"))
    services.accept(assignment)
    assert services.seen_version(assignment) == proposal.version == 1
    proposal.version = 2
    services.submit_review(assignment, scores=_scores(call, [4, None]), comments={}, recommendation="fund", comment="")
    assert services.seen_version(assignment) == 2
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
        ("review.accepted", "review.submitted")))).all()
    assert {(e.subject_type, e.subject_id) for e in entries} == {("review_assignments", assignment.id)}
    assert services.review_mean(assignment, call) == pytest.approx(4.0)  # n/a is left out, not a zero


def test_a_proposal_out_of_review_takes_no_review(in_review):
    call, coordinator, team, proposal = in_review
    assignment = services.assign(coordinator, proposal, create_user("funder"))
    services.accept(assignment)
    proposal.state = "changes_requested"
    with pytest.raises(ValidationFailed) as error:
        services.submit_review(assignment, scores=_scores(call, [4, 4]), comments={}, recommendation="fund",
                               comment="")
    assert "changes requested" in str(error.value)


def test_only_an_open_assignment_can_be_removed(in_review):
    call, coordinator, team, proposal = in_review
    open_one = services.assign(coordinator, proposal, create_user("funder"))
    declared = services.assign(coordinator, proposal, create_user("funder"))
    services.declare_conflict(declared, "Neighbour")
    services.unassign(coordinator, open_one)
    with pytest.raises(ValidationFailed):
        services.unassign(coordinator, declared)
    assert [a.id for a in db.session.scalars(select(ReviewAssignment))] == [declared.id]
