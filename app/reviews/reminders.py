"""Reminders to reviewers before the review deadline; safe to run as often as cron likes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db
from app.accounts.services import link
from app.db import utcnow
from app.mail.services import queue_email
from app.proposals.models import Proposal
from app.reviews.models import ReviewAssignment

REMIND_DAYS_BEFORE = 3


def due_reminders(now: datetime, days_before: int = REMIND_DAYS_BEFORE) -> list[ReviewAssignment]:
    """Open reviews whose deadline falls within the next `days_before` days and that got no reminder yet."""
    return list(db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.state.in_(("assigned", "accepted")), ReviewAssignment.reminder_sent_at.is_(None),
               ReviewAssignment.due_at.is_not(None), ReviewAssignment.due_at > now,
               ReviewAssignment.due_at <= now + timedelta(days=days_before))
        .options(selectinload(ReviewAssignment.reviewer),
                 selectinload(ReviewAssignment.proposal).selectinload(Proposal.call))
        .order_by(ReviewAssignment.due_at, ReviewAssignment.id)
    ))


def send_review_reminders(now: datetime | None = None, days_before: int = REMIND_DAYS_BEFORE) -> int:
    """Queue one reminder per open review close to its deadline; returns how many were queued."""
    now = now or utcnow()
    assignments = due_reminders(now, days_before)
    for assignment in assignments:
        reviewer = assignment.reviewer
        queue_email(reviewer.email, "review_reminder", reviewer.locale, reviewer=reviewer,
                    call=assignment.proposal.call, proposal_id=assignment.proposal_id, due_at=assignment.due_at,
                    url=link("reviews.show", assignment_id=assignment.id))
        assignment.reminder_sent_at = now
    db.session.flush()
    return len(assignments)
