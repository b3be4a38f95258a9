"""The milestone state machine: which move is legal from which state, and who makes it.

The team sends evidence (planned or changes_requested → submitted); the approver — a coordinator, or the call's
funders when the call says so — approves it or asks for changes with a reason. A mentor's sign-off or concerns are
advice recorded beside the evidence and do not move the state: a team without a mentor can still be approved.
Every move writes a MilestoneEvent with actor, time and reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app import db
from app.projects.models import MilestoneEvent, ProjectMilestone
from app.validation import ValidationFailed

TEAM, APPROVER = "team", "approver"


@dataclass(frozen=True)
class Move:
    target: str
    actor: str
    needs_reason: bool = False


TRANSITIONS: dict[tuple[str, str], Move] = {
    ("planned", "submit"): Move("submitted", TEAM),
    ("changes_requested", "submit"): Move("submitted", TEAM),
    ("submitted", "approve"): Move("approved", APPROVER),
    ("submitted", "request_changes"): Move("changes_requested", APPROVER, needs_reason=True),
}
ACTIONS = tuple(sorted({action for _state, action in TRANSITIONS}))

STATE_LABELS = {
    "planned": _l("planned"),
    "submitted": _l("evidence sent, waiting for a decision"),
    "changes_requested": _l("changes requested"),
    "approved": _l("approved"),
}


class IllegalMove(ValidationFailed):
    """The move does not exist from the milestone's current state."""


def move_for(state: str, action: str) -> Move | None:
    return TRANSITIONS.get((state, action))


def transition(milestone: ProjectMilestone, action: str, actor, *, reason: str = "", **detail) -> MilestoneEvent:
    """Apply one move of the table; the caller has checked who the actor is (policy) beforehand."""
    move = move_for(milestone.state, action)
    if move is None:
        raise IllegalMove([(None, _l("This milestone is %(state)s: that is not possible now.",
                                     state=STATE_LABELS[milestone.state]))])
    reason = (reason or "").strip()
    if move.needs_reason and not reason:
        raise ValidationFailed([("reason", _l("Say what needs to change, so the team knows what to do."))])
    event = MilestoneEvent(milestone_id=milestone.id, action=action, from_state=milestone.state,
                           to_state=move.target, actor_id=getattr(actor, "id", None), reason=reason, detail=detail)
    milestone.state = move.target
    db.session.add(event)
    return event
