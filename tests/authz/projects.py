"""Authorization matrix rows for project delivery: the projects list, a project, its agreement, each milestone's
evidence, feedback, decision and due-date changes, and evidence files.

build() uses world.grant (the ledger module's signed grant of world.team in world.call): its first milestone has
evidence with a file waiting for a decision, its second a pending due-date request. world.awarded_grant is a second
grant of world.team whose agreement is not accepted yet.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from app import db
from app.ledger.services import grant_of
from app.projects.models import DueDateChange, EvidenceFile, EvidenceSubmission, ProjectMilestone
from app.storage import get_storage
from tests.authz import SIGNIN, cells, row
from tests.factories import create_proposal


def build(world) -> None:
    first, second = db.session.scalars(select(ProjectMilestone).where(ProjectMilestone.grant_id == world.grant.id)
                                       .order_by(ProjectMilestone.position)).all()
    submission = EvidenceSubmission(number=1, report="Done.", links=[], submitted_by_id=world.lead.id)
    first.submissions.append(submission)
    first.state = "submitted"
    stored = get_storage().save(io.BytesIO(b"%PDF-1.4\n"), filename="proof.pdf", content_type="application/pdf")
    submission.files.append(EvidenceFile(filename="proof.pdf", content_type="application/pdf", size=stored.size,
                                         sha256=stored.sha256, storage_key=stored.key))
    db.session.add(DueDateChange(milestone_id=second.id, current_date=second.due_date,
                                 proposed_date=second.due_date.replace(year=second.due_date.year + 1),
                                 reason="Exams", requested_by_id=world.lead.id))
    db.session.flush()
    world.submitted_milestone, world.planned_milestone = first, second
    world.due_change = db.session.scalar(select(DueDateChange).where(DueDateChange.milestone_id == second.id))
    world.evidence_file = submission.files[0]
    world.awarded_grant = grant_of(create_proposal(world.team, world.call, state="awarded", amount=100_000,
                                                   title="Matrix Unsigned"))


def _project_readers(status):
    """The team, its mentor, the call's funders and coordinators."""
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=status, member=status, call_funder=status,
                 team_mentor=status)


def _team_only(status):
    return cells(SIGNIN, 403, 403, 403, 403, 403, lead=status, member=status, call_funder=403, team_mentor=403)


ROWS = [
    row("projects.index", "GET", "/projects/",
        cells(SIGNIN, 403, 403, 403, 200, 200, lead=403, member=403, call_funder=200, team_mentor=403)),
    row("projects.show", "GET", lambda w: f"/projects/{w.grant.id}", _project_readers(200)),
    row("projects.agreement", "GET", lambda w: f"/projects/{w.grant.id}/agreement", _project_readers(200)),
    # The lead gets the page back asking to tick the box; a member may read but not accept.
    row("projects.accept_agreement", "POST", lambda w: f"/projects/{w.awarded_grant.id}/agreement/accept",
        cells(SIGNIN, 403, 403, 403, 403, 403, lead=400, member=403, call_funder=403, team_mentor=403)),
    # Only a guardian of the team's minors or its payee countersigns: nobody in this world is either.
    row("projects.countersign", "POST", lambda w: f"/projects/{w.awarded_grant.id}/agreement/countersign",
        cells(SIGNIN, 403, 403, 403, 403, 403, lead=403, member=403, call_funder=403, team_mentor=403)),
    row("projects.agreement_template", "GET", lambda w: f"/projects/calls/{w.call.id}/agreement",
        cells(SIGNIN, 403, 403, 403, 403, 200, call_funder=200)),
    # Fields left out of the POST keep the current text and setting: saved as they are.
    row("projects.agreement_template", "POST", lambda w: f"/projects/calls/{w.call.id}/agreement",
        cells(SIGNIN, 403, 403, 403, 403, 302, call_funder=302)),
    row("projects.milestone", "GET", lambda w: f"/projects/milestones/{w.planned_milestone.id}",
        _project_readers(200)),
    row("projects.submit_evidence", "POST", lambda w: f"/projects/milestones/{w.planned_milestone.id}/evidence",
        _team_only(400)),
    row("projects.give_feedback", "POST", lambda w: f"/projects/milestones/{w.submitted_milestone.id}/feedback",
        cells(SIGNIN, 403, 403, 403, 403, 403, lead=403, member=403, call_funder=403, team_mentor=400)),
    # The call lets coordinators approve (the default), so its funders may not.
    row("projects.decide", "POST", lambda w: f"/projects/milestones/{w.submitted_milestone.id}/decision",
        cells(SIGNIN, 403, 403, 403, 403, 400, lead=403, member=403, call_funder=403, team_mentor=403)),
    row("projects.request_due_date", "POST", lambda w: f"/projects/milestones/{w.planned_milestone.id}/due-date",
        _team_only(400)),
    row("projects.decide_due_date", "POST", lambda w: f"/projects/due-date-changes/{w.due_change.id}",
        cells(SIGNIN, 403, 403, 403, 403, 400, lead=403, member=403, call_funder=403, team_mentor=403)),
    row("projects.evidence_file", "GET", lambda w: f"/projects/files/{w.evidence_file.id}", _project_readers(200)),
    # Empty: no new value for the mark (400); the team and coordinators may set it, nobody else.
    row("projects.mark_sensitive", "POST", lambda w: f"/projects/files/{w.evidence_file.id}/sensitive",
        cells(SIGNIN, 403, 403, 403, 403, 400, lead=400, member=400, call_funder=403, team_mentor=403)),
]
