"""Fixtures for the review pages: a closed call with a two-criterion rubric, a coordinator, a team of two
and reviewers; proposals submitted before the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from tests.factories import create_call, create_proposal, create_team, create_user


@pytest.fixture
def coordinator():
    return create_user("coordinator", name="Cora Coordinator")


@pytest.fixture
def owner():
    return create_user("funder", name="Fanny Funder")


@pytest.fixture
def call(owner):
    """Impact (weight 2, must be scored) and Feasibility (weight 1, may be "not applicable")."""
    return create_call(owner, title="Voices 2027", state="closed", opens_in_days=-30, closes_in_days=-1,
                       review_deadline=utcnow() + timedelta(days=14), min_reviews=2)


@pytest.fixture
def lead():
    return create_user("youth", name="Lina Lead")


@pytest.fixture
def mate():
    return create_user("youth", name="Mo Mate")


@pytest.fixture
def team(lead, mate):
    return create_team(lead, mate, name="Bridges")


@pytest.fixture
def reviewer():
    return create_user("mentor", name="Rita Reviewer")


@pytest.fixture
def submitted(call):
    """make(team=None, title=None, state="submitted"): a proposal submitted the day before the call closed."""
    def make(team=None, *, title=None, state="submitted"):
        proposal = create_proposal(team or create_team(create_user(), create_user()), call, state=state, title=title)
        proposal.submitted_at = call.closes_at - timedelta(days=1)
        return proposal
    return make

