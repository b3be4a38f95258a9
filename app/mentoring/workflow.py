"""The mentorship state machine: one table says which move is legal from which state, and who may make it.

A confirmed matching round offers each mentor a team; the mentor accepts or declines (a declined team goes back
into the next round); the mentor, the team or a coordinator may end an active mentorship, and a coordinator may
withdraw an offer nobody has answered. Every move records actor, time and reason in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app import audit, policy
from app.db import utcnow
from app.validation import ValidationFailed

MENTOR, TEAM, COORDINATOR = "mentor", "team", "coordinator"


@dataclass(frozen=True)
class Move:
    target: str
    actors: tuple[str, ...]
    needs_reason: bool = False


TRANSITIONS: dict[tuple[str, str], Move] = {
    ("offered", "accept"): Move("active", (MENTOR,)),
    ("offered", "decline"): Move("declined", (MENTOR,)),
    ("offered", "withdraw"): Move("ended", (COORDINATOR,), needs_reason=True),
    ("active", "end"): Move("ended", (MENTOR, TEAM, COORDINATOR), needs_reason=True),
}
ACTIONS = tuple(sorted({action for _state, action in TRANSITIONS}))

STATE_LABELS = {
    "offered": _l("offered, waiting for the mentor"),
    "active": _l("active"),
    "declined": _l("declined by the mentor"),
    "ended": _l("ended"),
}
ACTION_LABELS = {
    "accept": _l("accept"),
    "decline": _l("decline"),
    "withdraw": _l("withdraw the offer"),
    "end": _l("end the mentorship"),
}


class IllegalMove(ValidationFailed):
    """The move does not exist from the mentorship's current state."""


class NotAllowed(Exception):
    """The actor holds none of the relations the move asks for."""


def move_for(state: str, action: str) -> Move | None:
    return TRANSITIONS.get((state, action))


def transition(mentorship, action: str, actor, reason: str | None = None) -> Move:
    """Make the move or raise: IllegalMove (no such move from here), NotAllowed, or ValidationFailed (reason)."""
    move = move_for(mentorship.state, action)
    if move is None:
        raise IllegalMove(
            [
                (
                    None,
                    _l(
                        "A mentorship that is %(state)s cannot be changed this way (%(action)s).",
                        state=STATE_LABELS[mentorship.state],
                        action=ACTION_LABELS.get(action, action),
                    ),
                )
            ]
        )
    if not policy.can_move_mentorship(actor, mentorship, action):
        raise NotAllowed(action)
    reason = (reason or "").strip() or None
    if move.needs_reason and not reason:
        raise ValidationFailed([("reason", _l("Give a reason: the other side and the audit trail will show it."))])
    previous, now = mentorship.state, utcnow()
    mentorship.state = move.target
    if move.target == "active":
        mentorship.accepted_at = now
    else:
        mentorship.ended_at = now
        mentorship.ended_by_id = actor.id
        mentorship.end_reason = reason
    audit.record(
        actor,
        f"mentorship.{action}",
        mentorship,
        from_state=previous,
        to_state=move.target,
        reason=reason,
        team_id=mentorship.team_id,
        mentor_id=mentorship.mentor_id,
    )
    return move
