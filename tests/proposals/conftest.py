"""Fixtures for proposals: a team of two adults, an open call, and the edit form as a browser sends it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import create_call, create_team, create_user


@pytest.fixture
def lead():
    return create_user("youth", name="Lina Lead", email="lina@example.org")


@pytest.fixture
def mate():
    return create_user("youth", name="Mo Mate", email="mo@example.org")


@pytest.fixture
def team(lead, mate):
    return create_team(lead, mate, name="Bridges")


@pytest.fixture
def call():
    return create_call(title="Voices 2027", max_award=500_000)


def due(days: int = 90) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def edit_form(proposal, action: str = "save", **fields) -> dict:
    """What the edit page sends: every field, as text, with the lock version the page was shown with."""
    data = {
        "lock_version": str(proposal.lock_version), "action": action,
        "title": "Voices of Peace", "summary": "Podcasts by teenagers.", "problem": "Hate speech online.",
        "approach": "Weekly episodes.", "audience": "Teenagers in Montréal", "expected_reach": "2 000",
        "themes": ["counter_narratives"], "amount_requested": "3000",
        "budget_lines-0-category": "equipment", "budget_lines-0-description": "Microphones",
        "budget_lines-0-amount": "3000",
        "milestones-0-title": "First episodes", "milestones-0-deliverable": "Three episodes online",
        "milestones-0-due_date": due(60), "milestones-0-tranche_amount": "1500",
        "milestones-1-title": "Season online", "milestones-1-deliverable": "Ten episodes",
        "milestones-1-due_date": due(120), "milestones-1-tranche_amount": "1500",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}
