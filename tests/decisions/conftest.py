"""Fixtures for ranking and decisions: a closed call managed by a funder, with three proposals in review that two
reviewers have each scored (every reviewer scores every proposal, so the calibration can be worked out by hand)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.proposals.models import Proposal
from tests.factories import create_assignment, create_call, create_proposal, create_team, create_user

# Impact (weight 2) and Feasibility (weight 1, may be "not applicable"), as the factory's rubric.
# Reviewer A's and B's scores, and the weighted means they give (Impact counts twice):
#   "Podcast" (4,000.00): A 5,5 → 5   B 4,4 → 4   raw mean 4.5, spread 1
#   "Murals"  (3,000.00): A 4,1 → 3   B 2,5 → 3   raw mean 3.0, spread 0, a 1 and a 5 on Feasibility
#   "Theatre" (5,000.00): A 2,2 → 2   B 5,5 → 5   raw mean 3.5, spread 3
SCORES = {
    "Podcast": ([5, 5], [4, 4]),
    "Murals": ([4, 1], [2, 5]),
    "Theatre": ([2, 2], [5, 5]),
}
AMOUNTS = {"Podcast": 400_000, "Murals": 300_000, "Theatre": 500_000}


@dataclass
class Scene:
    call: object
    owner: object
    proposals: dict[str, Proposal]
    awarded: Proposal
    leads: dict[str, object]


@pytest.fixture
def owner():
    return create_user("funder", name="Fanny Funder")


@pytest.fixture
def scene(owner) -> Scene:
    """Pool 10,000.00 with 1,000.00 already awarded; three proposals in review, two reviews each."""
    call = create_call(owner, title="Voices 2027", state="closed", opens_in_days=-30, closes_in_days=-1,
                       pool=1_000_000, max_award=600_000)
    reviewers = (create_user("mentor", name="Rita Reviewer"), create_user("funder", name="Remy Reviewer"))
    proposals, leads = {}, {}
    for title, (a, b) in SCORES.items():
        lead = create_user("youth", name=f"{title} Lead")
        team = create_team(lead, create_user("youth"), name=f"Team {title}")
        proposal = create_proposal(team, call, state="in_review", title=title, amount=AMOUNTS[title],
                                   tranches=[AMOUNTS[title] // 4, AMOUNTS[title] - AMOUNTS[title] // 4])
        create_assignment(proposal, reviewers[0], state="submitted", scores=a)
        create_assignment(proposal, reviewers[1], state="submitted", scores=b)
        proposals[title], leads[title] = proposal, lead
    awarded = create_proposal(create_team(), call, state="awarded", title="Earlier award", amount=100_000)
    return Scene(call=call, owner=owner, proposals=proposals, awarded=awarded, leads=leads)

