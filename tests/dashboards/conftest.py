"""Helpers for the dashboards' tests: rows written directly, as the other capabilities would leave them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app import db
from app.dashboards import panels
from app.db import utcnow
from app.ledger.models import Grant, LedgerEntry
from app.projects.models import DueDateChange, EvidenceSubmission, MilestoneFeedback, ProjectMilestone


def dashboard_of(app, user, now: datetime | None = None, **args):
    """The dashboard's numbers for the person, with the query string's filters, as the page computes them."""
    query = MultiDict({key: str(value) for key, value in args.items()})
    with app.test_request_context("/dashboard", query_string=query):
        return panels.build(user, query, now=now)


def milestones_of(grant: Grant) -> list[ProjectMilestone]:
    return list(db.session.scalars(select(ProjectMilestone).where(ProjectMilestone.grant_id == grant.id)
                                   .order_by(ProjectMilestone.position)))


def set_milestone(milestone: ProjectMilestone, *, state: str | None = None, due: date | None = None,
                  overdue_since: datetime | None = None) -> ProjectMilestone:
    if state is not None:
        milestone.state = state
        milestone.approved_at = utcnow() if state == "approved" else None
        if state in ("submitted", "changes_requested", "approved") and not milestone.submissions:
            submit(milestone)
    if due is not None:
        milestone.due_date = due
    milestone.overdue_since = overdue_since
    db.session.flush()
    return milestone


def submit(milestone: ProjectMilestone) -> EvidenceSubmission:
    """Another round of evidence for the milestone (the state is left to the caller)."""
    submission = EvidenceSubmission(number=len(milestone.submissions) + 1, report="Here it is.", links=[])
    milestone.submissions.append(submission)
    milestone.submitted_at = utcnow()
    db.session.flush()
    return submission


def feedback(milestone: ProjectMilestone, mentor, verdict: str = "sign_off",
             submission: EvidenceSubmission | None = None) -> MilestoneFeedback:
    submission = submission or milestone.submissions[-1]
    row = MilestoneFeedback(milestone_id=milestone.id, submission_id=submission.id, author_id=mentor.id,
                            verdict=verdict, body="Seen.")
    db.session.add(row)
    db.session.flush()
    return row


def due_date_change(milestone: ProjectMilestone, days: int = 14) -> DueDateChange:
    change = DueDateChange(milestone_id=milestone.id, current_date=milestone.due_date,
                           proposed_date=milestone.due_date + timedelta(days=days), reason="Exams.")
    db.session.add(change)
    db.session.flush()
    return change


def ledger(grant: Grant, kind: str, amount: int) -> LedgerEntry:
    entry = LedgerEntry(call_id=grant.call_id, grant_id=grant.id, kind=kind, amount=amount, currency=grant.currency)
    db.session.add(entry)
    db.session.flush()
    return entry


def disbursement(grant: Grant, state: str = "failed", amount: int | None = None):
    """A payment of the grant's first tranche to a payee made for the team."""
    from app.payments.models import Disbursement, Payee

    payee = db.session.scalar(select(Payee).where(Payee.team_id == grant.team_id))
    if payee is None:
        payee = Payee(team_id=grant.team_id, user_id=grant.team.lead_id, kind="guardian", country="CA",
                      bank_reference="BANK")
        db.session.add(payee)
        db.session.flush()
    tranche = grant.tranches[0]
    row = Disbursement(tranche_id=tranche.id, grant_id=grant.id, payee_id=payee.id, amount=amount or tranche.amount,
                       currency=grant.currency, method="manual", state=state,
                       paid_at=utcnow() if state == "paid" else None,
                       last_error="Refused" if state == "failed" else None)
    db.session.add(row)
    db.session.flush()
    return row


def table_rows(page: str, table_id: str) -> list[tuple[str, str]]:
    """(row heading, first cell) of each row of the table with that id."""
    match = re.search(rf'<table id="{re.escape(table_id)}">(.*?)</table>', page, re.S)
    assert match, f"no table {table_id}"
    return [(head.strip(), cell.strip()) for head, cell in
            re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>', match.group(1), re.S)]


def svg_of(page: str, key: str) -> str:
    match = re.search(rf'<svg[^>]*aria-labelledby="{re.escape(key)}-title".*?</svg>', page, re.S)
    assert match, f"no chart {key}"
    return match.group(0)
