"""A grant's delivery plan: one project milestone per tranche, copied from the proposal's planned milestones."""

from __future__ import annotations

from app import db
from app.ledger.models import Grant
from app.projects.models import ProjectMilestone


def plan_delivery(grant: Grant) -> list[ProjectMilestone]:
    """Called when the grant opens; the proposal's milestones stay as submitted, these carry the delivery."""
    milestones = []
    for tranche in grant.tranches:
        planned = tranche.milestone
        milestones.append(ProjectMilestone(
            grant_id=grant.id, planned_id=tranche.milestone_id, tranche_id=tranche.id, position=tranche.position,
            title=tranche.title, deliverable=planned.deliverable if planned else "",
            original_due_date=planned.due_date, due_date=planned.due_date))
    db.session.add_all(milestones)
    db.session.flush()
    return milestones
