"""The call transition table: every (state, action) pair, who may make each move, what publishing needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.calls import workflow
from app.calls.models import CALL_STATES, Call, CallFunder, Criterion
from app.db import utcnow
from app.validation import ValidationFailed
from tests.factories import create_call, create_user

ALLOWED = {
    ("draft", "publish"): "published",
    ("published", "close"): "closed",
    ("closed", "reopen"): "published",
    ("closed", "archive"): "archived",
    ("draft", "archive"): "archived",
}
PAIRS = [(state, action) for state in CALL_STATES for action in workflow.ACTIONS]


def test_the_table_is_exactly_the_product_rules():
    assert {key: move.target for key, move in workflow.TRANSITIONS.items()} == ALLOWED
    assert all(move.actors == (workflow.CALL_MANAGER,) for move in workflow.TRANSITIONS.values())
    assert set(workflow.ACTIONS) == {action for _state, action in workflow.TRANSITIONS}
    assert set(workflow.STATE_LABELS) == set(CALL_STATES)
    assert set(workflow.ACTION_LABELS) == set(workflow.ACTIONS) == set(workflow.DONE_MESSAGES)


def _call_in(state: str, owner=None) -> Call:
    """A call that meets every move's own needs, so only the table and the actor decide."""
    return create_call(owner, state=state, opens_in_days=-1, closes_in_days=30)


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_state_action_pair_for_the_owner(state, action):
    owner = create_user("funder")
    call = _call_in(state, owner)
    if (state, action) in ALLOWED:
        workflow.transition(call, action, owner)
        assert call.state == ALLOWED[(state, action)]
        db.session.flush()  # the database's CHECK constraints accept the new state
    else:
        with pytest.raises(workflow.IllegalMove) as raised:
            workflow.transition(call, action, owner)
        assert call.state == state
        assert "cannot be moved this way" in str(raised.value)


@pytest.mark.parametrize(("state", "action"), list(ALLOWED), ids=[f"{s}-{a}" for s, a in ALLOWED])
@pytest.mark.parametrize("who", ["coordinator", "co_funder"])
def test_other_managers_may_make_every_move(state, action, who):
    call = _call_in(state)
    if who == "coordinator":
        actor = create_user("coordinator")
    else:
        actor = create_user("funder")
        call.funders.append(CallFunder(user_id=actor.id))
        db.session.flush()
    workflow.transition(call, action, actor)
    assert call.state == ALLOWED[(state, action)]


@pytest.mark.parametrize(("state", "action"), list(ALLOWED), ids=[f"{s}-{a}" for s, a in ALLOWED])
@pytest.mark.parametrize("who", ["another_funder", "youth", "mentor", "guardian", "anonymous"])
def test_people_who_do_not_manage_the_call_may_not_move_it(state, action, who):
    from flask_login import AnonymousUserMixin

    call = _call_in(state)
    actor = {
        "another_funder": lambda: create_user("funder"),
        "youth": lambda: create_user("youth"),
        "mentor": lambda: create_user("mentor"),
        "guardian": lambda: create_user("guardian"),
        "anonymous": AnonymousUserMixin,
    }[who]()
    with pytest.raises(workflow.NotAllowed):
        workflow.transition(call, action, actor)
    assert call.state == state


def test_a_move_is_recorded_in_the_audit_trail():
    owner = create_user("funder")
    call = _call_in("published", owner)
    workflow.transition(call, "close", owner, reason="  Enough proposals  ")
    db.session.flush()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.close")).one()
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (owner.id, "calls", call.id)
    assert entry.detail == {"from_state": "published", "to_state": "closed", "reason": "Enough proposals"}


def test_publishing_sets_the_publication_time_once():
    owner = create_user("funder")
    call = _call_in("draft", owner)
    workflow.transition(call, "publish", owner)
    first = call.published_at
    assert first is not None
    workflow.transition(call, "close", owner)
    workflow.transition(call, "reopen", owner)
    assert call.published_at == first


def test_available_actions_follow_the_table_and_the_person():
    owner = create_user("funder")
    call = _call_in("closed", owner)
    assert workflow.available_actions(call, owner) == ["reopen", "archive"]
    assert workflow.available_actions(call, create_user("funder")) == []
    assert workflow.available_actions(_call_in("draft", owner), owner) == ["publish", "archive"]
    assert workflow.available_actions(_call_in("archived", owner), owner) == []


# -- what publishing and reopening need ----------------------------------------------------------
def _messages(error: ValidationFailed) -> list[str]:
    return [str(message) for _field, message in error.errors]


def test_publishing_needs_at_least_one_criterion():
    coordinator = create_user("coordinator")
    call = create_call(state="draft", criteria=[("Impact", 1, False)])
    call.criteria.clear()
    db.session.flush()
    with pytest.raises(ValidationFailed) as raised:
        workflow.transition(call, "publish", coordinator)
    assert raised.value.errors[0][0] == "criteria"
    assert "at least one criterion" in _messages(raised.value)[0]
    assert call.state == "draft"


def test_publishing_refuses_a_rubric_weighing_zero():
    coordinator = create_user("coordinator")
    call = create_call(state="draft", criteria=[("Impact", 1, False), ("Reach", 1, False)])
    with db.session.no_autoflush:  # the database would refuse the weight too; the rule speaks first
        for criterion in call.criteria:
            criterion.weight = 0
        with pytest.raises(ValidationFailed) as raised:
            workflow.transition(call, "publish", coordinator)
        assert call.state == "draft"
        messages = _messages(raised.value)
        assert any("“Impact” a weight greater than zero" in message for message in messages)
        assert any("“Reach” a weight greater than zero" in message for message in messages)
        db.session.rollback()


def test_publishing_needs_five_level_descriptors_per_criterion():
    owner = create_user("funder")
    call = create_call(owner, state="draft", criteria=[("Impact", 1, False), ("Reach", 2, True)])
    call.criteria[1].level_descriptors = ["Weak", "Fair", "", "Very good", "Excellent"]
    db.session.flush()
    with pytest.raises(ValidationFailed) as raised:
        workflow.transition(call, "publish", owner)
    assert _messages(raised.value) == ["Describe all five levels of “Reach” before publishing."]


def test_publishing_needs_a_closing_time_in_the_future():
    owner = create_user("funder")
    call = create_call(owner, state="draft", opens_in_days=-10, closes_in_days=-1)
    with pytest.raises(ValidationFailed) as raised:
        workflow.transition(call, "publish", owner)
    assert raised.value.errors == [("closes_at", raised.value.errors[0][1])]
    assert "closing time into the future" in _messages(raised.value)[0]


def test_publishing_problems_cover_amounts_and_order_of_dates():
    now = utcnow()
    call = Call(title="Unsaved", currency="CAD", pool_amount=1000, max_award=5000, opens_at=now + timedelta(days=2),
                closes_at=now + timedelta(days=1), timezone="UTC", state="draft",
                criteria=[Criterion(title="Impact", weight=1, level_descriptors=["a", "b", "c", "d", "e"])])
    fields = [field for field, _message in workflow.publishing_problems(call, now)]
    assert fields == ["closes_at", "max_award"]
    call.max_award = 0
    assert ("max_award" in [field for field, _message in workflow.publishing_problems(call, now)])


def test_reopening_needs_the_closing_time_moved_into_the_future():
    owner = create_user("funder")
    call = create_call(owner, state="closed", opens_in_days=-20, closes_in_days=-1)
    with pytest.raises(ValidationFailed) as raised:
        workflow.transition(call, "reopen", owner)
    assert raised.value.errors[0][0] == "closes_at"
    assert call.state == "closed"
    call.closes_at = utcnow() + timedelta(days=7)
    workflow.transition(call, "reopen", owner)
    assert call.state == "published"


def test_closing_may_happen_before_the_deadline():
    owner = create_user("funder")
    call = create_call(owner, state="published", closes_in_days=20)
    workflow.transition(call, "close", owner)
    assert call.state == "closed"
