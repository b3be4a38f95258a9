"""Delivering a project's milestones: evidence, a mentor's feedback, the approver's decision (which makes the
tranche payable), and requests to move a due date. Everything flushes; the request commits."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit, db, policy
from app.accounts.models import RoleGrant, User
from app.db import utcnow
from app.ledger.models import Grant
from app.mentoring.models import Mentorship
from app.notices.services import notify
from app.payments import disbursements
from app.projects import workflow
from app.projects.models import (
    DueDateChange,
    EvidenceFile,
    EvidenceSubmission,
    MilestoneEvent,
    MilestoneFeedback,
    ProjectMilestone,
)
from app.storage import get_storage
from app.validation import ValidationFailed

REPORT_LIMIT = 20_000
MAX_LINKS = 10
LINK_LIMIT = 500
MAX_FILES = 10
FIGURE_LIMIT = 100_000_000
NOTE_LIMIT = 2_000


# -- reading ---------------------------------------------------------------------------------------
def milestones_of(grant: Grant) -> list[ProjectMilestone]:
    return list(db.session.scalars(
        select(ProjectMilestone).where(ProjectMilestone.grant_id == grant.id)
        .options(selectinload(ProjectMilestone.tranche),
                 selectinload(ProjectMilestone.submissions).selectinload(EvidenceSubmission.files))
        .order_by(ProjectMilestone.position)))


def history(milestone: ProjectMilestone) -> list[MilestoneEvent]:
    return list(db.session.scalars(
        select(MilestoneEvent).where(MilestoneEvent.milestone_id == milestone.id)
        .options(selectinload(MilestoneEvent.actor)).order_by(MilestoneEvent.created_at, MilestoneEvent.id)))


def feedback_on(milestone: ProjectMilestone) -> list[MilestoneFeedback]:
    return list(db.session.scalars(
        select(MilestoneFeedback).where(MilestoneFeedback.milestone_id == milestone.id)
        .options(selectinload(MilestoneFeedback.author)).order_by(MilestoneFeedback.created_at, MilestoneFeedback.id)))


def due_date_changes(milestone: ProjectMilestone) -> list[DueDateChange]:
    return list(db.session.scalars(
        select(DueDateChange).where(DueDateChange.milestone_id == milestone.id)
        .options(selectinload(DueDateChange.requested_by), selectinload(DueDateChange.decided_by))
        .order_by(DueDateChange.requested_at.desc(), DueDateChange.id.desc())))


def pending_change(milestone: ProjectMilestone) -> DueDateChange | None:
    return db.session.scalar(select(DueDateChange).where(DueDateChange.milestone_id == milestone.id,
                                                         DueDateChange.state == "pending"))


def team_mentors(grant: Grant) -> list[User]:
    """Active mentors of the team who may still mentor it (vetting can expire)."""
    mentors = db.session.scalars(select(User).join(Mentorship, Mentorship.mentor_id == User.id).where(
        Mentorship.team_id == grant.team_id, Mentorship.state == "active"))
    return [mentor for mentor in mentors if policy.may_mentor(mentor, grant.team)]


def approvers(grant: Grant) -> list[User]:
    """Who decides the project's milestones: coordinators, or the call's owner and funders."""
    if grant.call.milestone_approver == "funder":
        ids = {funder.user_id for funder in grant.call.funders} | ({grant.call.owner_id} - {None})
        users = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else []
        return [user for user in users if policy.is_milestone_approver(user, grant)]
    return coordinators()


def coordinators() -> list[User]:
    return list(db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                   .where(RoleGrant.role == "coordinator").order_by(User.id)))


def _path(milestone: ProjectMilestone) -> str:
    return f"/projects/milestones/{milestone.id}"


def _params(milestone: ProjectMilestone) -> dict:
    return {"milestone": milestone.title}


def _must_be_active(grant: Grant) -> None:
    if grant.state == "awarded":
        raise ValidationFailed([(None, _l("The grant agreement is not signed yet: milestones start once it is."))])
    if grant.state != "active":
        raise ValidationFailed([(None, _l("This project is %(state)s: its milestones are closed.",
                                          state=GRANT_STATE_WORDS.get(grant.state, grant.state)))])


GRANT_STATE_WORDS = {"completed": _l("completed"), "cancelled": _l("cancelled")}


# -- evidence --------------------------------------------------------------------------------------
def clean_links(lines: list[str]) -> list[str]:
    """The links the team typed, one per line; raises with a message naming the first bad one."""
    links = [line.strip() for line in lines if line.strip()]
    if len(links) > MAX_LINKS:
        raise ValidationFailed([("links", _l("At most %(count)s links.", count=MAX_LINKS))])
    for link in links:
        parts = urlsplit(link)
        if len(link) > LINK_LIMIT or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationFailed([("links", _l("“%(link)s” is not a web address: it must start with https:// "
                                                 "or http://.", link=link[:80]))])
    return links


def submit_evidence(actor: User, milestone: ProjectMilestone, *, report: str, links: list[str],
                    people_reached: int, content_pieces: int, events_held: int, files=(),
                    sensitive: bool = False) -> EvidenceSubmission:
    """A new submission; `files` have passed app.uploads.check_upload (kind "evidence")."""
    grant = milestone.grant
    _must_be_active(grant)
    if workflow.move_for(milestone.state, "submit") is None:
        raise workflow.IllegalMove([(None, _l("This milestone is %(state)s: no more evidence can be sent.",
                                              state=workflow.STATE_LABELS[milestone.state]))])
    problems = []
    report = (report or "").strip()
    if not report:
        problems.append(("report", _l("Describe what the team delivered for this milestone.")))
    elif len(report) > REPORT_LIMIT:
        problems.append(("report", _l("The report is too long: at most %(limit)s characters.", limit=REPORT_LIMIT)))
    for field, value in (("people_reached", people_reached), ("content_pieces", content_pieces),
                         ("events_held", events_held)):
        if value is None or value < 0 or value > FIGURE_LIMIT:
            problems.append((field, _l("Enter a whole number, 0 or more.")))
    if len(files) > MAX_FILES:
        problems.append(("files", _l("At most %(count)s files at a time.", count=MAX_FILES)))
    try:
        links = clean_links(links)
    except ValidationFailed as error:
        problems.extend(error.errors)
    if problems:
        raise ValidationFailed(problems)
    submission = EvidenceSubmission(number=len(milestone.submissions) + 1, report=report, links=links,
                                    people_reached=people_reached, content_pieces=content_pieces,
                                    events_held=events_held, submitted_by_id=actor.id, submitted_at=utcnow())
    milestone.submissions.append(submission)
    db.session.flush()
    for checked in files:
        stored = get_storage().save(checked.stream, filename=checked.filename, content_type=checked.content_type)
        submission.files.append(EvidenceFile(filename=checked.filename, content_type=checked.content_type,
                                             size=stored.size, sha256=stored.sha256, storage_key=stored.key,
                                             uploaded_by_id=actor.id, sensitive=bool(sensitive)))
    milestone.submitted_at = submission.submitted_at
    workflow.transition(milestone, "submit", actor, number=submission.number)
    db.session.flush()
    audit.record(actor, "milestone.submitted", milestone, number=submission.number, files=len(files),
                 sensitive=True if files and sensitive else None)
    notify([*team_mentors(grant), *approvers(grant)], "milestone_submitted", grant.proposal, actor=actor,
           path=_path(milestone), **_params(milestone))
    return submission


def mark_evidence_sensitive(actor: User, file: EvidenceFile, sensitive: bool) -> bool:
    """Mark an evidence file sensitive or lift the mark, whatever the milestone's state; False when unchanged.
    The view has checked policy.can_mark_sensitive."""
    if file.sensitive == sensitive:
        return False
    file.sensitive = sensitive
    db.session.flush()
    audit.record(actor, "milestone.evidence_sensitivity_changed", file.submission.milestone, file=file.id,
                 number=file.submission.number, sensitive=sensitive)
    return True


# -- the mentor's feedback -------------------------------------------------------------------------
def give_feedback(actor: User, milestone: ProjectMilestone, *, verdict: str, body: str) -> MilestoneFeedback:
    if milestone.state != "submitted" or milestone.latest_submission is None:
        raise workflow.IllegalMove([(None, _l("There is no evidence waiting for feedback on this milestone."))])
    body = (body or "").strip()
    if verdict not in ("sign_off", "concerns"):
        raise ValidationFailed([("verdict", _l("Choose whether you sign off or raise concerns."))])
    if verdict == "concerns" and not body:
        raise ValidationFailed([("body", _l("Say what worries you, so the team and the approver can act on it."))])
    if len(body) > NOTE_LIMIT:
        raise ValidationFailed([("body", _l("At most %(limit)s characters.", limit=NOTE_LIMIT))])
    submission = milestone.latest_submission
    already = db.session.scalar(select(MilestoneFeedback.id).where(
        MilestoneFeedback.submission_id == submission.id, MilestoneFeedback.author_id == actor.id))
    if already is not None:
        raise ValidationFailed([(None, _l("You have already given your feedback on this evidence."))])
    feedback = MilestoneFeedback(milestone_id=milestone.id, submission_id=submission.id, author_id=actor.id,
                                 verdict=verdict, body=body, created_at=utcnow())
    db.session.add(feedback)
    db.session.add(MilestoneEvent(milestone_id=milestone.id, action=verdict, actor_id=actor.id, reason=body,
                                  detail={"number": submission.number}))
    db.session.flush()
    audit.record(actor, f"milestone.{verdict}", milestone, number=submission.number)
    grant = milestone.grant
    notify([*grant.team.members, *approvers(grant)], "milestone_feedback", grant.proposal, actor=actor,
           path=_path(milestone), **_params(milestone))
    return feedback


# -- the approver's decision -----------------------------------------------------------------------
def approve(actor: User, milestone: ProjectMilestone):
    """Approve the evidence: the tranche becomes payable (and is paid at once when the payee is ready)."""
    grant = milestone.grant
    _must_be_active(grant)
    workflow.transition(milestone, "approve", actor)
    milestone.approved_at, milestone.approved_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "milestone.approved", milestone, tranche_id=milestone.tranche_id)
    disbursement = None
    if milestone.tranche is not None:
        disbursement = disbursements.make_payable(actor, milestone.tranche)
    remaining = db.session.scalar(select(func.count(ProjectMilestone.id)).where(
        ProjectMilestone.grant_id == grant.id, ProjectMilestone.state != "approved"))
    if remaining == 0:
        grant.state, grant.completed_at = "completed", utcnow()
        audit.record(actor, "grant.completed", grant)
    db.session.flush()
    notify(grant.team.members, "milestone_approved", grant.proposal, actor=actor, path=_path(milestone),
           **_params(milestone))
    return disbursement


def request_changes(actor: User, milestone: ProjectMilestone, reason: str) -> None:
    _must_be_active(milestone.grant)
    workflow.transition(milestone, "request_changes", actor, reason=reason)
    db.session.flush()
    audit.record(actor, "milestone.changes_requested", milestone, reason=reason.strip())
    grant = milestone.grant
    notify([*grant.team.members, *team_mentors(grant)], "milestone_changes_requested", grant.proposal, actor=actor,
           path=_path(milestone), **_params(milestone))


# -- moving a due date -----------------------------------------------------------------------------
def request_due_date_change(actor: User, milestone: ProjectMilestone, *, proposed: date | None, reason: str,
                            today: date | None = None) -> DueDateChange:
    _must_be_active(milestone.grant)
    if milestone.state == "approved":
        raise ValidationFailed([(None, _l("This milestone is approved: its due date no longer matters."))])
    if pending_change(milestone) is not None:
        raise ValidationFailed([(None, _l("A request to move this due date is already waiting for an answer."))])
    problems = []
    today = today or date.today()
    if proposed is None:
        problems.append(("proposed_date", _l("Enter the new due date.")))
    elif proposed == milestone.due_date:
        problems.append(("proposed_date", _l("That is the current due date: choose another one.")))
    elif proposed < today:
        problems.append(("proposed_date", _l("The new due date cannot be in the past.")))
    reason = (reason or "").strip()
    if not reason:
        problems.append(("reason", _l("Explain why the date needs to move.")))
    elif len(reason) > NOTE_LIMIT:
        problems.append(("reason", _l("At most %(limit)s characters.", limit=NOTE_LIMIT)))
    if problems:
        raise ValidationFailed(problems)
    change = DueDateChange(milestone_id=milestone.id, current_date=milestone.due_date, proposed_date=proposed,
                           reason=reason, requested_by_id=actor.id, requested_at=utcnow())
    db.session.add(change)
    db.session.add(MilestoneEvent(milestone_id=milestone.id, action="due_date_requested", actor_id=actor.id,
                                  reason=reason, detail={"from": milestone.due_date.isoformat(),
                                                         "to": proposed.isoformat()}))
    db.session.flush()
    audit.record(actor, "milestone.due_date_requested", milestone, proposed=proposed.isoformat())
    grant = milestone.grant
    notify(coordinators(), "due_date_requested", grant.proposal, actor=actor, path=_path(milestone),
           **_params(milestone))
    return change


def decide_due_date_change(actor: User, change: DueDateChange, *, accept: bool, note: str) -> None:
    milestone = change.milestone
    if change.state != "pending":
        raise ValidationFailed([(None, _l("This request has already been answered."))])
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationFailed([("note", _l("Say why the date cannot move, so the team understands."))])
    if len(note) > NOTE_LIMIT:
        raise ValidationFailed([("note", _l("At most %(limit)s characters.", limit=NOTE_LIMIT))])
    change.state = "accepted" if accept else "refused"
    change.decided_by_id, change.decided_at, change.decision_note = actor.id, utcnow(), note
    detail = {"from": change.current_date.isoformat(), "to": change.proposed_date.isoformat()}
    if accept:
        milestone.due_date = change.proposed_date
        # The new date gets its own reminder, and the milestone is no longer late for the old one.
        milestone.reminder_sent_at = milestone.overdue_since = None
    db.session.add(MilestoneEvent(milestone_id=milestone.id,
                                  action="due_date_moved" if accept else "due_date_refused",
                                  actor_id=actor.id, reason=note, detail=detail))
    db.session.flush()
    audit.record(actor, "milestone.due_date_" + change.state, milestone, **detail)
    grant = milestone.grant
    notify(grant.team.members, "due_date_decided", grant.proposal, actor=actor, path=_path(milestone),
           **_params(milestone))
