"""Moderation decisions: dismiss a report, add a content warning, limit visibility, remove, suspend an account.

Every decision is a coordinator's (nothing here runs by itself), records its reason and the rule it rests on,
writes an audit entry and sends the person affected a statement of reasons with a way to appeal
(app/safety/statements.py). How content is shown follows from the decisions still standing: reversing one
(an upheld appeal) recomputes the content's status or the account's suspension from the others.
Nothing here commits; the request does.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit, db, policy
from app.accounts.models import AuditEntry, User
from app.db import utcnow
from app.safety import statements
from app.safety.forms import REASON_LIMIT, WARNING_LIMIT
from app.safety.labels import RULES
from app.safety.models import MODERATION_KINDS, ContentFlag, ContentStatus, ModerationAction, Report
from app.safety.services import MOVES
from app.safety.subjects import Subject
from app.validation import ValidationFailed

# Decisions about a piece of content (its ContentStatus); mildest first.
CONTENT_KINDS = ("content_warning", "limit_visibility", "remove")
VISIBILITY_OF = {"limit_visibility": "limited", "remove": "removed"}


def _problems(coordinator: User, kind: str, reason: str, rule: str, warning: str, subject: Subject | None,
              report: Report | None) -> list:
    if not policy.can_moderate(coordinator):
        return [(None, _l("Only coordinators take moderation decisions."))]
    if kind not in MODERATION_KINDS:
        return [("kind", _l("Choose what to do."))]
    problems = []
    if kind == "dismiss" and (report is None or report.state != "open"):
        problems.append(("kind", _l("Only an open report can be dismissed.")))
    if kind != "dismiss" and subject is None:
        problems.append((None, _l("The content is no longer there: close the report instead.")))
    if not reason:
        problems.append(("reason", _l("Give the reason: the person affected reads it in the statement of reasons.")))
    elif len(reason) > REASON_LIMIT:
        problems.append(("reason", _l("Use at most %(num)d characters.", num=REASON_LIMIT)))
    if rule not in RULES:
        problems.append(("rule", _l("Choose the rule the decision rests on.")))
    if kind == "content_warning" and not warning:
        problems.append(("warning", _l("Write the warning readers see before they open the content.")))
    elif len(warning) > WARNING_LIMIT:
        problems.append(("warning", _l("Use at most %(num)d characters.", num=WARNING_LIMIT)))
    if kind == "suspend" and subject is not None:
        account = subject.author
        if account is None:
            problems.append(("kind", _l("This content has no account behind it to suspend.")))
        elif account.id == coordinator.id:
            problems.append(("kind", _l("You cannot suspend your own account.")))
        elif policy.is_suspended(account):
            problems.append(("kind", _l("This account is already suspended.")))
    return problems


def decide(coordinator: User, *, kind: str, reason: str | None, rule: str | None, warning: str | None = None,
           subject: Subject | None = None, report: Report | None = None,
           flag: ContentFlag | None = None) -> ModerationAction:
    """Take one decision about a report's or a flag's subject; raises ValidationFailed naming the field to fix."""
    reason, rule, warning = (reason or "").strip(), (rule or "").strip(), (warning or "").strip()
    problems = _problems(coordinator, kind, reason, rule, warning, subject, report)
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    if kind == "dismiss":
        affected = report.reporter  # the person whose report is turned down is the one told, and who may appeal
        subject_type, subject_id = report.subject_type, report.subject_id
    else:
        affected = subject.author
        subject_type, subject_id = subject.type, subject.id
    action = ModerationAction(
        report_id=getattr(report, "id", None), kind=kind, subject_type=subject_type, subject_id=subject_id,
        affected_user_id=getattr(affected, "id", None), reason=reason,
        warning=warning if kind == "content_warning" else None, actor_id=coordinator.id, created_at=now)
    db.session.add(action)
    db.session.flush()
    if kind in CONTENT_KINDS:
        recompute_status(subject_type, subject_id, now)
    elif kind == "suspend":
        # The user loader asks policy.is_suspended on every request: open sessions end at the next one.
        affected.suspended_at = now
    if report is not None and report.state == "open":
        report.state, report.closed_at, report.closed_by_id = MOVES[("open", "decide")], now, coordinator.id
        report.resolution = reason
    reviewed = _mark_flags_reviewed(coordinator, subject_type, subject_id, now) if kind != "dismiss" else []
    if flag is not None and flag.reviewed_at is None:
        flag.reviewed_at, flag.reviewed_by_id = now, coordinator.id
        reviewed.append(flag.id)
    db.session.flush()
    audit.record(coordinator, f"moderation.{kind}", action, subject_type=subject_type, subject_id=subject_id,
                 report=getattr(report, "id", None), flags=reviewed or None, rule=rule,
                 affected=getattr(affected, "id", None))
    statements.send_statement(action, subject, rule)
    return action


def _mark_flags_reviewed(coordinator: User, subject_type: str, subject_id: int, now: datetime) -> list[int]:
    """A decision about content answers every flag still waiting on it."""
    flags = list(db.session.scalars(select(ContentFlag).where(
        ContentFlag.subject_type == subject_type, ContentFlag.subject_id == subject_id,
        ContentFlag.reviewed_at.is_(None))))
    for item in flags:
        item.reviewed_at, item.reviewed_by_id = now, coordinator.id
    return [item.id for item in flags]


# -- what follows from the decisions still standing --------------------------------------------------------
def recompute_status(subject_type: str, subject_id: int, now: datetime | None = None) -> ContentStatus | None:
    """The content's status from its standing decisions, oldest first: the latest visibility decision wins (a
    coordinator may relax a removal to limited visibility), and the latest warning stays until reversed."""
    standing = db.session.scalars(select(ModerationAction).where(
        ModerationAction.subject_type == subject_type, ModerationAction.subject_id == subject_id,
        ModerationAction.kind.in_(CONTENT_KINDS), ModerationAction.reversed_at.is_(None))
        .order_by(ModerationAction.created_at, ModerationAction.id))
    visibility, warning, last = "normal", None, None
    for action in standing:
        if action.kind == "content_warning":
            warning = action.warning
        else:
            visibility = VISIBILITY_OF[action.kind]
        last = action
    status = db.session.scalar(select(ContentStatus).where(
        ContentStatus.subject_type == subject_type, ContentStatus.subject_id == subject_id))
    if last is None:
        if status is not None:
            db.session.delete(status)  # no row means shown normally
        db.session.flush()
        return None
    if status is None:
        status = ContentStatus(subject_type=subject_type, subject_id=subject_id)
        db.session.add(status)
    status.visibility, status.warning, status.action_id = visibility, warning, last.id
    status.updated_at = now or utcnow()
    db.session.flush()
    return status


def recompute_suspension(account: User) -> None:
    """Suspended since the latest standing suspension of the account, or not at all."""
    account.suspended_at = db.session.scalar(select(func.max(ModerationAction.created_at)).where(
        ModerationAction.kind == "suspend", ModerationAction.affected_user_id == account.id,
        ModerationAction.reversed_at.is_(None)))


def reverse(action: ModerationAction, by: User, now: datetime | None = None) -> None:
    """Undo a decision (an upheld appeal): the content is shown as the other decisions say, the suspension is
    lifted, or a dismissed report goes back to the queue."""
    now = now or utcnow()
    action.reversed_at, action.reversed_by_id = now, by.id
    db.session.flush()
    if action.kind in CONTENT_KINDS:
        recompute_status(action.subject_type, action.subject_id, now)
    elif action.kind == "suspend" and action.affected_user is not None:
        recompute_suspension(action.affected_user)
    elif action.kind == "dismiss" and action.report is not None:
        _reopen(action.report)
    db.session.flush()


def _reopen(concern: Report) -> None:
    """Back in the queue, unless the reporter has since filed another open report on the same thing."""
    if concern.state != "closed":
        return
    if concern.reporter_id is not None and db.session.scalar(select(Report.id).where(
            Report.reporter_id == concern.reporter_id, Report.subject_type == concern.subject_type,
            Report.subject_id == concern.subject_id, Report.state == "open").limit(1)) is not None:
        return
    concern.state = MOVES[("closed", "reopen")]
    concern.closed_at = concern.closed_by_id = concern.resolution = None


# -- what the pages read ---------------------------------------------------------------------------------------
def rules_of(actions) -> dict[int, str]:
    """action id -> the rule it rests on, read from the decisions' audit entries in one query."""
    ids = [action.id for action in actions]
    if not ids:
        return {}
    rows = db.session.execute(select(AuditEntry.subject_id, AuditEntry.detail).where(
        AuditEntry.subject_type == ModerationAction.__tablename__, AuditEntry.subject_id.in_(ids),
        AuditEntry.action.in_([f"moderation.{kind}" for kind in MODERATION_KINDS])))
    return {subject_id: (detail or {}).get("rule", "respect") for subject_id, detail in rows}


def actions_on(subject_type: str, subject_id: int) -> list[ModerationAction]:
    """Every decision about one subject, newest first, with who took it."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.subject_type == subject_type,
                                       ModerationAction.subject_id == subject_id)
        .options(selectinload(ModerationAction.actor), selectinload(ModerationAction.affected_user))
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())))


def status_of(subject_type: str, subject_id: int) -> ContentStatus | None:
    return db.session.scalar(select(ContentStatus).where(
        ContentStatus.subject_type == subject_type, ContentStatus.subject_id == subject_id))
