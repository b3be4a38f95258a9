"""The milestone transition table, every (state, action) pair, and the moves' records."""

from __future__ import annotations

import pytest

from app.projects import workflow
from app.projects.models import MILESTONE_STATES, MilestoneEvent
from app.validation import ValidationFailed
from tests.factories import create_project

LEGAL = {
    ("planned", "submit"): "submitted",
    ("changes_requested", "submit"): "submitted",
    ("submitted", "approve"): "approved",
    ("submitted", "request_changes"): "changes_requested",
}


def test_the_table_is_exactly_the_documented_moves():
    assert {key: move.target for key, move in workflow.TRANSITIONS.items()} == LEGAL
    assert set(workflow.STATE_LABELS) == set(MILESTONE_STATES)


@pytest.mark.parametrize("state", MILESTONE_STATES)
@pytest.mark.parametrize("action", workflow.ACTIONS)
def test_every_state_and_action(state, action):
    grant = create_project()
    milestone = grant_milestone(grant)
    milestone.state = state
    if state == "approved":
        from app.db import utcnow

        milestone.approved_at = utcnow()
    if (state, action) in LEGAL:
        event = workflow.transition(milestone, action, grant.team.lead, reason="Because.")
        assert milestone.state == LEGAL[(state, action)]
        assert (event.from_state, event.to_state, event.action, event.actor_id) == (
            state, LEGAL[(state, action)], action, grant.team.lead_id)
    else:
        with pytest.raises(workflow.IllegalMove):
            workflow.transition(milestone, action, grant.team.lead, reason="Because.")
        assert milestone.state == state


def test_asking_for_changes_needs_a_reason_and_records_it(app):
    from app import db

    grant = create_project(submitted=1)
    milestone = grant_milestone(grant)
    with pytest.raises(ValidationFailed) as refused:
        workflow.transition(milestone, "request_changes", None, reason="   ")
    assert refused.value.errors[0][0] == "reason"
    assert milestone.state == "submitted"
    workflow.transition(milestone, "request_changes", None, reason="Add the video link.")
    db.session.flush()
    event = db.session.query(MilestoneEvent).filter_by(milestone_id=milestone.id).one()
    assert event.reason == "Add the video link."


def grant_milestone(grant, position: int = 1):
    from sqlalchemy import select

    from app import db
    from app.projects.models import ProjectMilestone

    return db.session.scalar(select(ProjectMilestone).where(ProjectMilestone.grant_id == grant.id,
                                                           ProjectMilestone.position == position))
