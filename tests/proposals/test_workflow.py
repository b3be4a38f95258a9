"""The proposal transition table, cell by cell: every state × every action × every kind of person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.db import utcnow
from app.proposals.models import PROPOSAL_STATES
from app.proposals.workflow import (
    ACTIONS,
    CALL_MANAGER,
    COORDINATOR,
    TEAM,
    TRANSITIONS,
    IllegalMove,
    NotAllowed,
    available_actions,
    transition,
)
from app.validation import ValidationFailed
from tests.factories import create_call, create_proposal, create_team, create_user

ACTORS = ("team", "coordinator", "call_funder", "outsider")
# Which people each relation of the table lets in; coordinators manage every call.
LETS_IN = {TEAM: {"team"}, COORDINATOR: {"coordinator"}, CALL_MANAGER: {"call_funder", "coordinator"}}


def _setup(state: str):
    funder = create_user("funder")
    call = create_call(funder)
    member = create_user("youth")
    team = create_team(create_user("youth"), member)
    proposal = create_proposal(team, call, state=state)
    people = {"team": member, "coordinator": create_user("coordinator"), "call_funder": funder,
              "outsider": create_user("youth")}
    return proposal, people


def _finish_move(proposal) -> None:
    """What the service that makes the move does besides the state (the CHECK constraints ask for it)."""
    if proposal.state == "awarded":
        proposal.amount_awarded = proposal.amount_requested
    if proposal.state not in ("draft", "withdrawn") and proposal.submitted_at is None:
        proposal.submitted_at = utcnow()
    db.session.flush()


def _trail(proposal) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.subject_type == "proposals", AuditEntry.subject_id == proposal.id).order_by(AuditEntry.id)))


def test_the_table_only_names_known_states_and_relations():
    for (state, action), move in TRANSITIONS.items():
        assert state in PROPOSAL_STATES and move.target in PROPOSAL_STATES
        assert action in ACTIONS
        assert set(move.actors) <= set(LETS_IN)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", PROPOSAL_STATES)
def test_every_state_and_action(state, action, actor):
    proposal, people = _setup(state)
    person = people[actor]
    move = TRANSITIONS.get((state, action))

    if move is None:
        with pytest.raises(IllegalMove) as refused:
            transition(proposal, action, person, reason="Because.")
        assert proposal.state == state
        assert "cannot be moved this way" in str(refused.value.errors[0][1])
        return

    allowed = any(actor in LETS_IN[relation] for relation in move.actors)
    if not allowed:
        with pytest.raises(NotAllowed):
            transition(proposal, action, person, reason="Because.")
        assert proposal.state == state
        assert _trail(proposal) == []
        return

    transition(proposal, action, person, reason="Because.")
    _finish_move(proposal)
    assert proposal.state == move.target
    entry = _trail(proposal)[-1]
    assert entry.action == f"proposal.{action}"
    assert entry.actor_id == person.id
    assert entry.detail == {"from_state": state, "to_state": move.target, "reason": "Because."}
    assert entry.created_at is not None


@pytest.mark.parametrize(("state", "action"), [key for key, move in TRANSITIONS.items() if move.needs_reason])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_moves_that_need_a_reason_refuse_to_go_without_one(state, action, reason):
    proposal, people = _setup(state)
    with pytest.raises(ValidationFailed) as refused:
        transition(proposal, action, people["coordinator"], reason=reason)
    assert refused.value.errors[0][0] == "reason"
    assert proposal.state == state
    assert _trail(proposal) == []


@pytest.mark.parametrize(("state", "action"), [key for key, move in TRANSITIONS.items() if not move.needs_reason])
def test_other_moves_go_without_a_reason_and_record_none(state, action):
    proposal, people = _setup(state)
    actor = people["team"] if TEAM in TRANSITIONS[(state, action)].actors else people["coordinator"]
    transition(proposal, action, actor, reason="  ")
    _finish_move(proposal)
    assert "reason" not in _trail(proposal)[-1].detail


def test_a_minor_without_consent_cannot_submit_but_can_withdraw():
    minor = create_user("youth", age=13, region="CA-QC", consent="requested")
    team = create_team(create_user("youth"), minor)
    proposal = create_proposal(team, create_call())
    with pytest.raises(NotAllowed):
        transition(proposal, "submit", minor)
    transition(proposal, "withdraw", minor)
    db.session.flush()
    assert proposal.state == "withdrawn"
    assert proposal.submitted_at is None  # withdrawn before it was ever submitted


def test_an_unconfirmed_member_cannot_submit():
    member = create_user("youth", confirmed=False)
    proposal = create_proposal(create_team(create_user("youth"), member), create_call())
    with pytest.raises(NotAllowed):
        transition(proposal, "submit", member)


def test_available_actions_follow_the_table_and_the_person():
    proposal, people = _setup("in_review")
    assert available_actions(proposal, people["team"]) == ["withdraw"]
    assert set(available_actions(proposal, people["call_funder"])) == {"decline", "request_changes", "award"}
    assert available_actions(proposal, people["outsider"]) == []
