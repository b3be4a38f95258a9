"""The proposal state machine: one table says which move is legal from which state, and who may make it.

Every state change goes through `transition`, which refuses an illegal move with a clear message, checks
the actor through app.policy, and records actor, time and reason in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app import audit
from app.db import utcnow
from app.notices import services as notices
from app.validation import ValidationFailed

# Who may make a move, as relations app.policy resolves: the proposal's team, a coordinator, or a person
# managing the call (its funders; coordinators count too).
TEAM, COORDINATOR, CALL_MANAGER = "team", "coordinator", "call_manager"


@dataclass(frozen=True)
class Move:
    target: str
    actors: tuple[str, ...]
    needs_reason: bool = False


TRANSITIONS: dict[tuple[str, str], Move] = {
    ("draft", "submit"): Move("submitted", (TEAM,)),
    ("changes_requested", "resubmit"): Move("in_review", (TEAM,)),
    ("submitted", "start_screening"): Move("screening", (COORDINATOR,)),
    ("submitted", "pass_to_review"): Move("in_review", (COORDINATOR,)),
    ("screening", "pass_to_review"): Move("in_review", (COORDINATOR,)),
    ("submitted", "decline"): Move("declined", (COORDINATOR,), needs_reason=True),
    ("screening", "decline"): Move("declined", (COORDINATOR,), needs_reason=True),
    ("in_review", "decline"): Move("declined", (CALL_MANAGER,), needs_reason=True),
    ("in_review", "request_changes"): Move("changes_requested", (CALL_MANAGER,), needs_reason=True),
    ("in_review", "award"): Move("awarded", (CALL_MANAGER,), needs_reason=True),
    ("draft", "withdraw"): Move("withdrawn", (TEAM,)),
    ("submitted", "withdraw"): Move("withdrawn", (TEAM,)),
    ("screening", "withdraw"): Move("withdrawn", (TEAM,)),
    ("in_review", "withdraw"): Move("withdrawn", (TEAM,)),
    ("changes_requested", "withdraw"): Move("withdrawn", (TEAM,)),
}
ACTIONS = tuple(sorted({action for _state, action in TRANSITIONS}))
FINAL_STATES = ("awarded", "declined", "withdrawn")

STATE_LABELS = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "screening": _l("in screening"),
    "in_review": _l("in review"),
    "changes_requested": _l("changes requested"),
    "awarded": _l("awarded"),
    "declined": _l("declined"),
    "withdrawn": _l("withdrawn"),
}
ACTION_LABELS = {
    "submit": _l("Submit"),
    "resubmit": _l("Resubmit"),
    "start_screening": _l("Start screening"),
    "pass_to_review": _l("Pass to review"),
    "decline": _l("Decline"),
    "request_changes": _l("Request changes"),
    "award": _l("Award"),
    "withdraw": _l("Withdraw"),
}


class IllegalMove(ValidationFailed):
    """The move does not exist from the proposal's current state."""


class NotAllowed(Exception):
    """The move exists, but this person may not make it."""


def move_for(state: str, action: str) -> Move | None:
    return TRANSITIONS.get((state, action))


def available_actions(proposal, user) -> list[str]:
    """The moves this person can make on the proposal now, in a stable order."""
    from app import policy

    return [action for (state, action) in TRANSITIONS
            if state == proposal.state and policy.can_move(user, proposal, action)]


def transition(proposal, action: str, actor, reason: str | None = None):
    """Make the move or raise; the caller does the move's own work (snapshot, amounts, notices)."""
    from app import policy

    move = move_for(proposal.state, action)
    if move is None:
        raise IllegalMove([(None, _l("A proposal that is %(state)s cannot be moved this way (%(action)s).",
                                     state=STATE_LABELS[proposal.state], action=ACTION_LABELS.get(action, action)))])
    if not policy.can_move(actor, proposal, action):
        raise NotAllowed(action)
    reason = (reason or "").strip() or None
    if move.needs_reason and not reason:
        raise ValidationFailed([("reason", _l("Give a reason: the team and the audit trail will show it."))])
    previous = proposal.state
    proposal.state = move.target
    proposal.updated_at = utcnow()
    audit.record(actor, f"proposal.{action}", proposal, from_state=previous, to_state=move.target, reason=reason)
    notices.notify_state_change(proposal, action, actor)
    return move
