"""Search never returns what the searcher may not open: every result is checked against the policy.

The cross-check runs every kind of search for every kind of searcher in tests/search/conftest.py's world and
compares the results with the policy's own answer for every record: the same set, nothing more, nothing less.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db, policy
from app.accounts.models import User
from app.ledger.models import Grant
from app.proposals.models import Proposal
from app.reviews.models import ReviewAssignment
from app.search import services
from app.search.services import Filters
from app.teams.models import Team
from tests.search.conftest import WORD


def _found(user, kind: str, query: str = WORD) -> set:
    page = services.search(user, query, kind, Filters(), 1, 1000)
    return {hit.record for hit in page.items}


def _may_open_proposal(user, proposal) -> bool:
    """Its page (can_view_proposal), or the review page of an assignment the reviewer may read."""
    assignment = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal.id,
                                                                  ReviewAssignment.reviewer_id == user.id))
    return policy.can_view_proposal(user, proposal) or (
        assignment is not None and policy.can_read_for_review(user, assignment))


ALLOWED = {
    "proposals": (Proposal, _may_open_proposal),
    "projects": (Grant, policy.can_view_project),
    "teams": (Team, policy.can_find_team),
    "people": (User, lambda user, _person: policy.can_view_people(user)),
}


def test_every_result_is_one_the_policy_lets_the_searcher_open_and_none_is_missing(world):
    checked = 0
    for user in world.searchers:
        for kind in services.kinds_for(user):
            model, allowed = ALLOWED[kind]
            expected = {record for record in db.session.scalars(select(model)) if allowed(user, record)}
            expected &= _found(world.coordinator, kind)  # the records that hold the word
            assert _found(user, kind) == expected, f"{user.display_name} searching {kind}"
            checked += len(expected)
    assert checked > 40  # the world gives most searchers something to find


def test_a_mentor_finds_the_teams_they_mentor_and_never_another_team_s(world):
    assert _found(world.mentor_a, "proposals") == {world.a_draft, world.a_submitted, world.a_project.proposal}
    assert _found(world.mentor_a, "projects") == {world.a_project}
    assert _found(world.mentor_a, "teams") == {world.team_a}
    assert not _found(world.mentor_a, "proposals", "Vidéo Lumière B")  # team B's, searched by its title


@pytest.mark.parametrize("who", ["mentor_offered", "mentor_ended", "mentor_unvetted"])
def test_an_offered_ended_or_unvetted_mentor_finds_nothing_of_the_team(world, who):
    for kind in ("proposals", "projects", "teams"):
        assert _found(getattr(world, who), kind) == set()


def test_a_reviewer_finds_the_proposal_they_review_and_opens_it_on_the_review_page(world):
    page = services.search(world.reviewer, WORD, "proposals", Filters(), 1, 25)
    assert [(hit.record, hit.review_assignment_id) for hit in page.items] == [(world.b_review, world.review.id)]


@pytest.mark.parametrize("who", ["reviewer_conflict", "reviewer_known", "reviewer_unopened"])
def test_a_reviewer_never_finds_a_conflicted_or_unopened_proposal(world, who):
    """A declared conflict, a conflict the portal knows (the team's sponsor is their organisation), or an
    assignment not yet opened (the reviewer has not said they have no conflict)."""
    assert _found(getattr(world, who), "proposals", "Vidéo Lumière B") == set()


def test_funders_find_what_was_submitted_to_their_calls_never_drafts(world):
    for funder in (world.funder_a, world.co_funder):
        assert _found(funder, "proposals") == {world.a_submitted, world.a_project.proposal, world.c_review}
        assert _found(funder, "projects") == {world.a_project}
        assert _found(funder, "teams") == {world.team_a, world.team_c}
    assert _found(world.funder_b, "proposals") == {world.b_review, world.c_project.proposal, world.m_submitted}


def test_a_member_finds_their_own_team_s_drafts(world):
    assert world.b_draft not in _found(world.mentor_member, "proposals")
    assert _found(world.mentor_member, "proposals") == {world.c_review, world.c_project.proposal}


def test_those_who_countersign_find_the_project_and_not_the_proposals(world):
    """The team's payee, and the guardian of a young member."""
    assert _found(world.payee, "projects") == {world.c_project}
    assert _found(world.guardian, "projects") == {world.a_project}
    for who in (world.payee, world.guardian):
        assert _found(who, "proposals") == set() and _found(who, "teams") == set()


def test_coordinators_find_everything_including_drafts_and_people(world):
    assert {world.a_draft, world.b_draft, world.m_submitted} <= _found(world.coordinator, "proposals")
    assert {world.minor, world.funder_b} <= _found(world.coordinator, "people")


def test_only_coordinators_search_people(world):
    assert services.kinds_for(world.funder_a) == ("proposals", "projects", "teams")
    with pytest.raises(PermissionError):
        services.search(world.funder_a, WORD, "people", Filters(), 1, 25)
    with pytest.raises(PermissionError):
        services.search(world.youth, WORD, "proposals", Filters(), 1, 25)


def test_the_counts_are_the_totals_of_each_kind(world):
    for user in (world.coordinator, world.funder_a, world.mentor_a, world.reviewer):
        counts = services.counts(user, WORD, Filters(), "proposals")
        assert counts == {kind: len(_found(user, kind)) for kind in services.kinds_for(user)}


@pytest.mark.parametrize("visibility", ["limited", "removed"])
def test_a_proposal_moderation_hid_is_found_only_by_its_team_and_coordinators(world, visibility):
    from app.safety.models import ContentStatus

    db.session.add(ContentStatus(subject_type="proposal", subject_id=world.a_submitted.id, visibility=visibility))
    db.session.flush()
    assert world.a_submitted not in _found(world.funder_a, "proposals")
    assert world.a_submitted in _found(world.coordinator, "proposals")
    lead = db.session.get(User, world.team_a.lead_id)
    if policy.can_search(lead):
        assert world.a_submitted in _found(lead, "proposals")


def test_a_content_warning_alone_keeps_the_proposal_findable(world):
    from app.safety.models import ContentStatus

    db.session.add(ContentStatus(subject_type="proposal", subject_id=world.a_submitted.id, visibility="normal",
                                 warning="Quotes extremist slogans"))
    db.session.flush()
    assert world.a_submitted in _found(world.funder_a, "proposals")
