"""The call state machine: one table says which move is legal from which state, and who may make it.

Every state change goes through `transition`, which refuses an illegal move with a clear message, checks
the actor through app.policy, checks what the move itself needs (a complete rubric to publish, a closing
time in the future to reopen), and records actor, time and reason in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app import audit
from app.db import utcnow
from app.validation import ValidationFailed

# Who may make a move, as a relation app.policy resolves: a person managing the call (its owner and the
# funders added to it; coordinators count too).
CALL_MANAGER = "call_manager"
LEVELS = 5


@dataclass(frozen=True)
class Move:
    target: str
    actors: tuple[str, ...] = (CALL_MANAGER,)


TRANSITIONS: dict[tuple[str, str], Move] = {
    ("draft", "publish"): Move("published"),
    ("published", "close"): Move("closed"),
    ("closed", "reopen"): Move("published"),
    ("closed", "archive"): Move("archived"),
    ("draft", "archive"): Move("archived"),
}
ACTIONS = ("publish", "close", "reopen", "archive")

STATE_LABELS = {
    "draft": _l("draft"),
    "published": _l("published"),
    "closed": _l("closed"),
    "archived": _l("archived"),
}
ACTION_LABELS = {
    "publish": _l("Publish"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
    "archive": _l("Archive"),
}
# What the person is told once the move is made.
DONE_MESSAGES = {
    "publish": _l("The call is published: everyone can read it, and teams can propose projects once it opens."),
    "close": _l("The call is closed: teams can no longer submit proposals."),
    "reopen": _l("The call is open again until its new closing time."),
    "archive": _l("The call is archived."),
}


class IllegalMove(ValidationFailed):
    """The move does not exist from the call's current state."""


class NotAllowed(Exception):
    """The move exists, but this person may not make it."""


def move_for(state: str, action: str) -> Move | None:
    return TRANSITIONS.get((state, action))


def available_actions(call, user) -> list[str]:
    """The moves this person can make on the call now, in a stable order."""
    from app import policy

    return [action for action in ACTIONS
            if move_for(call.state, action) is not None and policy.can_move_call(user, call, action)]


def publishing_problems(call, now: datetime | None = None) -> list[tuple[str | None, str]]:
    """Everything that keeps the call from being published, each naming the field to fix."""
    now = now or utcnow()
    problems: list[tuple[str | None, str]] = []
    if not call.criteria:
        problems.append(("criteria", _l("Add at least one criterion to the rubric before publishing.")))
    for criterion in call.criteria:
        if not criterion.weight or criterion.weight <= 0:
            problems.append(("criteria", _l("Give “%(title)s” a weight greater than zero: a criterion that "
                                            "weighs nothing cannot be scored.", title=criterion.title)))
        descriptors = [text for text in (criterion.level_descriptors or []) if (text or "").strip()]
        if len(descriptors) != LEVELS:
            problems.append(("criteria", _l("Describe all five levels of “%(title)s” before publishing.",
                                            title=criterion.title)))
    if call.closes_at is not None and call.closes_at <= now:
        problems.append(("closes_at", _l("Move the closing time into the future before publishing.")))
    if call.opens_at is not None and call.closes_at is not None and call.closes_at <= call.opens_at:
        problems.append(("closes_at", _l("The call must close after it opens.")))
    if call.max_award is None or call.pool_amount is None or call.max_award <= 0:
        problems.append(("max_award", _l("Set a maximum award greater than zero.")))
    elif call.max_award > call.pool_amount:
        problems.append(("max_award", _l("The maximum award cannot be more than the total pool.")))
    return problems


def transition(call, action: str, actor, reason: str | None = None, now: datetime | None = None) -> Move:
    """Make the move or raise IllegalMove, NotAllowed or ValidationFailed; the caller commits."""
    from app import policy

    now = now or utcnow()
    move = move_for(call.state, action)
    if move is None:
        raise IllegalMove([(None, _l("A call that is %(state)s cannot be moved this way (%(action)s).",
                                     state=STATE_LABELS.get(call.state, call.state),
                                     action=ACTION_LABELS.get(action, action)))])
    if not policy.can_move_call(actor, call, action):
        raise NotAllowed(action)
    if action == "publish":
        problems = publishing_problems(call, now)
        if problems:
            raise ValidationFailed(problems)
    if action == "reopen" and call.closes_at <= now:
        raise ValidationFailed([("closes_at", _l("Move the closing time into the future (edit the call) "
                                                 "before reopening it."))])
    previous = call.state
    call.state = move.target
    if action == "publish" and call.published_at is None:
        call.published_at = now
    reason = (reason or "").strip() or None
    audit.record(actor, f"call.{action}", call, from_state=previous, to_state=move.target, reason=reason)
    return move
