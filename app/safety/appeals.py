"""Appeals: the person affected by a decision asks once for it to be reversed; another coordinator decides.

The coordinator who took the decision never decides its appeal: the service refuses, and the page does not
offer them the form. Upheld, the decision is reversed (app/safety/moderation.reverse); either way the person is
told, with the reason. Nothing here commits; the request does.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, db, policy
from app.accounts.models import User
from app.db import utcnow
from app.safety import moderation, statements
from app.safety.forms import GROUNDS_LIMIT, REASON_LIMIT
from app.safety.models import Appeal, ModerationAction
from app.validation import ValidationFailed

OUTCOMES = ("upheld", "rejected")


def appeal_of(action: ModerationAction) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.action_id == action.id))


def appeal_problem(person: User | None, action: ModerationAction):
    """Why this person cannot appeal this decision now, or None when they can."""
    if person is None or action.affected_user_id != person.id:
        return _l("Only the person a decision affects can appeal it.")
    if action.reversed_at is not None:
        return _l("This decision has already been reversed.")
    if appeal_of(action) is not None:
        return _l("You have already appealed this decision.")
    if utcnow() > statements.appeal_deadline(action):
        return _l("The time to appeal this decision has passed.")
    return None


def file_appeal(person: User, action: ModerationAction, grounds: str | None) -> Appeal:
    """Record the person's grounds (once) for the coordinators' queue."""
    problem = appeal_problem(person, action)
    if problem is not None:
        raise ValidationFailed([(None, problem)])
    grounds = (grounds or "").strip()
    if not grounds:
        raise ValidationFailed([("grounds", _l("Say why you think the decision is wrong."))])
    if len(grounds) > GROUNDS_LIMIT:
        raise ValidationFailed([("grounds", _l("Use at most %(num)d characters.", num=GROUNDS_LIMIT))])
    appeal = Appeal(action_id=action.id, appellant_id=person.id, grounds=grounds)
    try:
        with db.session.begin_nested():  # one appeal per decision: the unique constraint settles a double click
            db.session.add(appeal)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed([(None, _l("You have already appealed this decision."))]) from None
    audit.record(person, "moderation.appealed", appeal, decision=action.id, kind=action.kind)
    # Every coordinator but the one who decided: only they may decide the appeal.
    from app.notices.services import notify
    from app.safety.services import coordinators

    deciders = [user for user in coordinators() if user.id != action.actor_id]
    notify(deciders, "appeal_filed", None, path="/moderation/appeals")
    return appeal


def decide_appeal(coordinator: User, appeal: Appeal, outcome: str | None, reason: str | None) -> Appeal:
    """Uphold (reverse the decision) or reject, with a reason the appellant reads; never by the decision's author."""
    if not policy.can_moderate(coordinator):
        raise ValidationFailed([(None, _l("Only coordinators decide appeals."))])
    if appeal.state != "open":
        raise ValidationFailed([(None, _l("This appeal has already been decided."))])
    if appeal.action.actor_id == coordinator.id:
        raise ValidationFailed([(None, _l("You took this decision: another coordinator decides the appeal."))])
    reason = (reason or "").strip()
    problems = []
    if outcome not in OUTCOMES:
        problems.append(("outcome", _l("Choose whether the decision is reversed or stands.")))
    if not reason:
        problems.append(("reason", _l("Give the reason: the person who appealed reads it.")))
    elif len(reason) > REASON_LIMIT:
        problems.append(("reason", _l("Use at most %(num)d characters.", num=REASON_LIMIT)))
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    appeal.state, appeal.decided_by_id, appeal.decided_at, appeal.decision_reason = outcome, coordinator.id, now, reason
    if outcome == "upheld":
        moderation.reverse(appeal.action, coordinator, now)
    db.session.flush()
    audit.record(coordinator, f"moderation.appeal_{outcome}", appeal, decision=appeal.action_id,
                 kind=appeal.action.kind)
    statements.send_appeal_decision(appeal)
    return appeal


# -- the coordinators' queue ------------------------------------------------------------------------------------
def open_appeals_query() -> Select:
    """Appeals waiting for a decision, oldest first, with their decision and who took it."""
    return (select(Appeal).where(Appeal.state == "open")
            .options(selectinload(Appeal.appellant),
                     selectinload(Appeal.action).selectinload(ModerationAction.actor))
            .order_by(Appeal.created_at, Appeal.id))


def decided_appeals_query() -> Select:
    return (select(Appeal).where(Appeal.state != "open")
            .options(selectinload(Appeal.appellant), selectinload(Appeal.decided_by),
                     selectinload(Appeal.action).selectinload(ModerationAction.actor))
            .order_by(Appeal.decided_at.desc(), Appeal.id.desc()))


def open_count() -> int:
    return db.session.scalar(select(func.count(Appeal.id)).where(Appeal.state == "open")) or 0
