"""Everything the portal holds about a person, as JSON plus the files they uploaded, in one zip.

Each section is one query (or a few, whatever the number of rows) over the rows that are about the person:
their account, what they wrote, decided, gave or received. Other people appear by first name at most, never
by email address; another team's private data never appears. Messages and comments are the person's own.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from typing import IO

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

from app import audit, db
from app.accounts.models import (
    AuditEntry,
    ConsentRecord,
    ErasureRequest,
    GuardianConsent,
    RecoveryCode,
    User,
    UserSession,
)
from app.calls.models import Call
from app.db import utcnow
from app.ledger.models import Contribution, Grant
from app.mentoring.models import MentorConflict, MentorProfile, Mentorship, MentorVetting
from app.notices.models import Notification, NotificationPreference, ProposalComment
from app.payments.models import Disbursement, Payee
from app.projects.models import (
    DueDateChange,
    EvidenceFile,
    EvidenceSubmission,
    GrantAgreement,
    MilestoneFeedback,
    ProjectMilestone,
)
from app.proposals.models import Attachment, Proposal
from app.reviews.models import ReviewAssignment
from app.safety.models import Appeal, ModerationAction, Report
from app.storage import InvalidKey, get_storage
from app.teams.models import Invitation, Membership, Team
from app.teamspace.models import MeetingLog, TeamMessage, TeamThread

SPOOL_IN_MEMORY = 8 * 1024 * 1024
FORMAT_VERSION = 1


def _first(name: str | None) -> str:
    """Another person, as the export names them: by first name only."""
    return name.split()[0] if name and name.strip() else ""


def _rows(query, *names: str) -> list[dict]:
    return [dict(zip(names, row, strict=True)) for row in db.session.execute(query)]


# -- sections ---------------------------------------------------------------------------------------
def _account(user: User) -> list[dict]:
    return [{
        "id": user.id, "email": user.email, "name": user.display_name, "birth_date": user.birth_date,
        "country": user.country, "region": user.region, "organisation": user.organisation,
        "language": user.locale, "time_zone": user.timezone, "created_at": user.created_at,
        "email_confirmed_at": user.email_confirmed_at, "code_of_conduct_accepted_at": user.conduct_accepted_at,
        "two_factor_enabled_at": user.totp_enabled_at, "suspended_at": user.suspended_at,
    }]


def _roles(user: User) -> list[dict]:
    return [{"role": grant.role, "granted_at": grant.granted_at} for grant in user.role_grants]


def _consent_requests_for_you(user: User) -> list[dict]:
    """The guardian's answers about the person; the guardian's address is theirs, not the person's."""
    return _rows(select(GuardianConsent.state, GuardianConsent.requested_at, GuardianConsent.decided_at,
                        GuardianConsent.text_version, GuardianConsent.text_agreed, GuardianConsent.reason)
                 .where(GuardianConsent.minor_id == user.id).order_by(GuardianConsent.id),
                 "state", "requested_at", "decided_at", "text_version", "text_agreed", "reason")


def _consent_requests_you_answered(user: User) -> list[dict]:
    rows = db.session.execute(
        select(User.display_name, GuardianConsent.state, GuardianConsent.decided_at, GuardianConsent.text_version,
               GuardianConsent.reason)
        .join(User, User.id == GuardianConsent.minor_id)
        .where(GuardianConsent.guardian_id == user.id).order_by(GuardianConsent.id))
    return [{"young_person": _first(name), "state": state, "decided_at": decided, "text_version": version,
             "reason": reason} for name, state, decided, version, reason in rows]


def _consents(user: User) -> list[dict]:
    subject = aliased(User)
    rows = db.session.execute(
        select(ConsentRecord, subject.display_name).join(subject, subject.id == ConsentRecord.subject_id)
        .where(or_(ConsentRecord.subject_id == user.id, ConsentRecord.given_by_id == user.id))
        .order_by(ConsentRecord.id))
    return [{"about": "you" if record.subject_id == user.id else _first(name),
             "given_by_you": record.given_by_id == user.id, "purpose": record.purpose, "given_as": record.given_as,
             "method": record.method, "wording_version": record.wording_version,
             # The wording names the young person in full: only their own record carries it.
             "wording": record.wording if record.subject_id == user.id else None,
             "given_at": record.given_at, "withdrawn_at": record.withdrawn_at,
             "withdrawal_reason": record.withdrawal_reason} for record, name in rows]


def _teams(user: User) -> list[dict]:
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.joined_at)
        .options(selectinload(Membership.team).selectinload(Team.memberships).selectinload(Membership.user)))
    return [{"team": m.team.name, "description": m.team.description, "country": m.team.country,
             "languages": m.team.languages, "joined_at": m.joined_at, "you_lead_it": m.team.lead_id == user.id,
             "members": [_first(other.user.display_name) for other in m.team.memberships
                         if other.user_id != user.id]} for m in memberships]


def _invitations(user: User) -> list[dict]:
    inviter = aliased(User)
    rows = db.session.execute(
        select(Team.name, inviter.display_name, Invitation.state, Invitation.created_at, Invitation.responded_at)
        .join(Team, Team.id == Invitation.team_id).outerjoin(inviter, inviter.id == Invitation.invited_by_id)
        .where(Invitation.email == user.email).order_by(Invitation.id))
    return [{"team": team, "invited_by": _first(name), "state": state, "sent_at": sent, "answered_at": answered}
            for team, name, state, sent, answered in rows]


def _proposals(user: User) -> list[dict]:
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.created_by_id == user.id).order_by(Proposal.id)
        .options(selectinload(Proposal.team), selectinload(Proposal.call)))
    return [{"id": p.id, "team": p.team.name, "call": p.call.title, "title": p.title, "summary": p.summary,
             "problem": p.problem, "approach": p.approach, "audience": p.audience,
             "expected_reach": p.expected_reach, "themes": p.themes, "amount_requested": p.amount_requested,
             "amount_awarded": p.amount_awarded, "currency": p.call.currency, "state": p.state,
             "created_at": p.created_at, "submitted_at": p.submitted_at,
             "budget": [{"category": line.category, "description": line.description, "amount": line.amount}
                        for line in p.budget_lines],
             "milestones": [{"title": m.title, "deliverable": m.deliverable, "due_date": m.due_date,
                             "tranche": m.tranche_amount} for m in p.milestones]} for p in proposals]


def _proposal_comments(user: User) -> list[dict]:
    return _rows(select(Proposal.title, ProposalComment.visibility, ProposalComment.body, ProposalComment.created_at)
                 .join(Proposal, Proposal.id == ProposalComment.proposal_id)
                 .where(ProposalComment.author_id == user.id).order_by(ProposalComment.id),
                 "proposal", "visibility", "body", "written_at")


def _team_threads(user: User) -> list[dict]:
    return _rows(select(Team.name, TeamThread.title, TeamThread.created_at)
                 .join(Team, Team.id == TeamThread.team_id)
                 .where(TeamThread.created_by_id == user.id).order_by(TeamThread.id),
                 "team", "title", "started_at")


def _team_messages(user: User) -> list[dict]:
    return _rows(select(Team.name, TeamThread.title, TeamMessage.body, TeamMessage.created_at)
                 .join(TeamThread, TeamThread.id == TeamMessage.thread_id).join(Team, Team.id == TeamThread.team_id)
                 .where(TeamMessage.author_id == user.id).order_by(TeamMessage.id),
                 "team", "thread", "body", "written_at")


def _meeting_logs(user: User) -> list[dict]:
    return _rows(select(Team.name, MeetingLog.met_on, MeetingLog.minutes, MeetingLog.topics, MeetingLog.next_steps,
                        MeetingLog.created_at)
                 .join(Team, Team.id == MeetingLog.team_id)
                 .where(MeetingLog.mentor_id == user.id).order_by(MeetingLog.id),
                 "team", "met_on", "minutes", "topics", "next_steps", "logged_at")


def _reviews(user: User) -> list[dict]:
    assignments = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id).order_by(ReviewAssignment.id)
        .options(selectinload(ReviewAssignment.proposal).selectinload(Proposal.call).selectinload(Call.criteria)))
    reviews = []
    for a in assignments:
        titles = {criterion.id: criterion.title for criterion in a.proposal.call.criteria}
        reviews.append({
            "proposal": a.proposal.title, "state": a.state, "assigned_at": a.assigned_at, "due_at": a.due_at,
            "conflict_reason": a.conflict_reason, "recommendation": a.recommendation, "comment": a.comment,
            "submitted_at": a.submitted_at,
            "scores": [{"criterion": titles.get(s.criterion_id, ""), "score": s.score, "comment": s.comment}
                       for s in a.scores]})
    return reviews


def _mentor_profile(user: User) -> list[dict]:
    return _rows(select(MentorProfile.expertise, MentorProfile.languages, MentorProfile.timezone,
                        MentorProfile.capacity, MentorProfile.accepting_teams, MentorProfile.availability,
                        MentorProfile.bio, MentorProfile.preferred_themes, MentorProfile.conduct_accepted_at,
                        MentorProfile.updated_at).where(MentorProfile.user_id == user.id),
                 "expertise", "languages", "time_zone", "capacity", "accepting_teams", "availability", "bio",
                 "preferred_themes", "code_of_conduct_accepted_at", "updated_at")


def _vetting(user: User) -> list[dict]:
    return _rows(select(MentorVetting.kind, MentorVetting.checked_on, MentorVetting.expires_on, MentorVetting.note,
                        MentorVetting.recorded_at)
                 .where(MentorVetting.mentor_id == user.id).order_by(MentorVetting.id),
                 "kind", "checked_on", "expires_on", "note", "recorded_at")


def _mentor_conflicts(user: User) -> list[dict]:
    return _rows(select(Team.name, MentorConflict.reason, MentorConflict.declared_at)
                 .join(Team, Team.id == MentorConflict.team_id).where(MentorConflict.mentor_id == user.id),
                 "team", "reason", "declared_at")


def _mentorships(user: User) -> list[dict]:
    mentor = aliased(User)
    my_teams = select(Membership.team_id).where(Membership.user_id == user.id)
    rows = db.session.execute(
        select(Mentorship, Team.name, mentor.display_name)
        .join(Team, Team.id == Mentorship.team_id).join(mentor, mentor.id == Mentorship.mentor_id)
        .where(or_(Mentorship.mentor_id == user.id, Mentorship.team_id.in_(my_teams))).order_by(Mentorship.id))
    return [{"you_are": "mentor" if m.mentor_id == user.id else "team member", "team": team,
             "mentor": "you" if m.mentor_id == user.id else _first(name), "state": m.state,
             "offered_at": m.offered_at, "accepted_at": m.accepted_at, "ended_at": m.ended_at,
             "end_reason": m.end_reason if m.mentor_id == user.id or m.ended_by_id == user.id else None}
            for m, team, name in rows]


def _notices(user: User) -> list[dict]:
    from app.notices.services import sentence

    notices = db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                 .order_by(Notification.id))
    return [{"kind": n.kind, "text": sentence(n), "created_at": n.created_at, "read_at": n.read_at}
            for n in notices]


def _notice_preferences(user: User) -> list[dict]:
    return _rows(select(NotificationPreference.kind, NotificationPreference.email)
                 .where(NotificationPreference.user_id == user.id).order_by(NotificationPreference.kind),
                 "kind", "by_email")


def _reports(user: User) -> list[dict]:
    return _rows(select(Report.subject_type, Report.subject_id, Report.category, Report.detail, Report.state,
                        Report.created_at, Report.closed_at)
                 .where(Report.reporter_id == user.id).order_by(Report.id),
                 "about", "about_id", "category", "detail", "state", "reported_at", "closed_at")


def _moderation(user: User) -> list[dict]:
    return _rows(select(ModerationAction.kind, ModerationAction.subject_type, ModerationAction.subject_id,
                        ModerationAction.reason, ModerationAction.warning, ModerationAction.created_at,
                        ModerationAction.statement_sent_at, ModerationAction.reversed_at)
                 .where(ModerationAction.affected_user_id == user.id).order_by(ModerationAction.id),
                 "kind", "about", "about_id", "reason", "warning", "decided_at", "statement_sent_at", "reversed_at")


def _appeals(user: User) -> list[dict]:
    return _rows(select(Appeal.grounds, Appeal.state, Appeal.created_at, Appeal.decided_at, Appeal.decision_reason)
                 .where(Appeal.appellant_id == user.id).order_by(Appeal.id),
                 "grounds", "state", "appealed_at", "decided_at", "decision_reason")


def _contributions(user: User) -> list[dict]:
    return _rows(select(Call.title, Contribution.contributor_name, Contribution.amount, Contribution.currency,
                        Contribution.method, Contribution.state, Contribution.reference, Contribution.created_at,
                        Contribution.completed_at)
                 .join(Call, Call.id == Contribution.call_id)
                 .where(Contribution.contributor_id == user.id).order_by(Contribution.id),
                 "call", "name_on_receipt", "amount", "currency", "method", "state", "reference", "created_at",
                 "completed_at")


def _payee(user: User) -> list[dict]:
    return _rows(select(Team.name, Payee.kind, Payee.organisation, Payee.country, Payee.stripe_account_id,
                        Payee.payouts_enabled, Payee.bank_reference, Payee.created_at, Payee.updated_at)
                 .join(Team, Team.id == Payee.team_id).where(Payee.user_id == user.id).order_by(Payee.id),
                 "team", "kind", "organisation", "country", "stripe_account", "payouts_enabled", "bank_reference",
                 "named_at", "updated_at")


def _payments_received(user: User) -> list[dict]:
    return _rows(select(Team.name, Disbursement.amount, Disbursement.currency, Disbursement.method,
                        Disbursement.state, Disbursement.manual_reference, Disbursement.paid_at)
                 .join(Payee, Payee.id == Disbursement.payee_id).join(Team, Team.id == Payee.team_id)
                 .where(Payee.user_id == user.id).order_by(Disbursement.id),
                 "team", "amount", "currency", "method", "state", "reference", "paid_at")


def _agreements(user: User) -> list[dict]:
    rows = db.session.execute(
        select(GrantAgreement, Proposal.title).join(Grant, Grant.id == GrantAgreement.grant_id)
        .join(Proposal, Proposal.id == Grant.proposal_id)
        .where(or_(GrantAgreement.accepted_by_id == user.id, GrantAgreement.countersigned_by_id == user.id))
        .order_by(GrantAgreement.id))
    return [{"project": title, "version": a.version,
             "accepted_at": a.accepted_at if a.accepted_by_id == user.id else None,
             "countersigned_at": a.countersigned_at if a.countersigned_by_id == user.id else None,
             "countersigned_as": a.countersigner_kind if a.countersigned_by_id == user.id else None,
             "text": a.text_accepted} for a, title in rows]


def _evidence(user: User) -> list[dict]:
    return _rows(select(ProjectMilestone.title, EvidenceSubmission.number, EvidenceSubmission.report,
                        EvidenceSubmission.links, EvidenceSubmission.people_reached,
                        EvidenceSubmission.content_pieces, EvidenceSubmission.events_held,
                        EvidenceSubmission.submitted_at)
                 .join(ProjectMilestone, ProjectMilestone.id == EvidenceSubmission.milestone_id)
                 .where(EvidenceSubmission.submitted_by_id == user.id).order_by(EvidenceSubmission.id),
                 "milestone", "number", "report", "links", "people_reached", "content_pieces", "events_held",
                 "submitted_at")


def _milestone_feedback(user: User) -> list[dict]:
    return _rows(select(ProjectMilestone.title, MilestoneFeedback.verdict, MilestoneFeedback.body,
                        MilestoneFeedback.created_at)
                 .join(ProjectMilestone, ProjectMilestone.id == MilestoneFeedback.milestone_id)
                 .where(MilestoneFeedback.author_id == user.id).order_by(MilestoneFeedback.id),
                 "milestone", "verdict", "body", "written_at")


def _due_date_requests(user: User) -> list[dict]:
    return _rows(select(ProjectMilestone.title, DueDateChange.current_date, DueDateChange.proposed_date,
                        DueDateChange.reason, DueDateChange.state, DueDateChange.requested_at)
                 .join(ProjectMilestone, ProjectMilestone.id == DueDateChange.milestone_id)
                 .where(DueDateChange.requested_by_id == user.id).order_by(DueDateChange.id),
                 "milestone", "due_date", "proposed_date", "reason", "state", "requested_at")


def _sessions(user: User) -> list[dict]:
    return _rows(select(UserSession.created_at, UserSession.last_seen_at, UserSession.user_agent,
                        UserSession.ip_address, UserSession.two_factor_at, UserSession.ended_at)
                 .where(UserSession.user_id == user.id).order_by(UserSession.id),
                 "signed_in_at", "last_seen_at", "browser", "ip_address", "second_factor_at", "ended_at")


def _recovery_codes(user: User) -> list[dict]:
    """When each was made and used; the codes themselves are not kept, only their hashes, which stay here."""
    return _rows(select(RecoveryCode.created_at, RecoveryCode.used_at)
                 .where(RecoveryCode.user_id == user.id).order_by(RecoveryCode.id), "created_at", "used_at")


def _erasure_requests(user: User) -> list[dict]:
    minor = aliased(User)
    rows = db.session.execute(
        select(ErasureRequest, minor.display_name).outerjoin(minor, minor.id == ErasureRequest.minor_id)
        .where(or_(ErasureRequest.minor_id == user.id, ErasureRequest.requested_by_id == user.id))
        .order_by(ErasureRequest.id))
    return [{"about": "you" if r.minor_id == user.id else _first(name),
             "reason": r.reason if r.requested_by_id == user.id else None, "state": r.state,
             "requested_at": r.created_at, "decided_at": r.decided_at, "decision_note": r.decision_note}
            for r, name in rows]


def _audit_log(user: User) -> list[dict]:
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id))
    return [{"action": e.action, "record": e.subject_type, "record_id": e.subject_id,
             "detail": _own_detail(e.detail or {}, user.email), "at": e.created_at} for e in entries]


def _own_detail(detail: dict, own_email: str) -> dict:
    """Details hold ids and codes; an address another person gave (an invitation's) is left out."""
    return {key: value for key, value in detail.items()
            if not (isinstance(value, str) and "@" in value and value != own_email)}


def _uploads(user: User) -> list[dict]:
    attachments = db.session.execute(
        select(Attachment, Proposal.title).join(Proposal, Proposal.id == Attachment.proposal_id)
        .where(Attachment.uploaded_by_id == user.id).order_by(Attachment.id))
    evidence = db.session.execute(
        select(EvidenceFile, ProjectMilestone.title)
        .join(EvidenceSubmission, EvidenceSubmission.id == EvidenceFile.submission_id)
        .join(ProjectMilestone, ProjectMilestone.id == EvidenceSubmission.milestone_id)
        .where(EvidenceFile.uploaded_by_id == user.id).order_by(EvidenceFile.id))
    files = [{"kind": a.kind, "for": title, "filename": a.filename, "content_type": a.content_type, "size": a.size,
              "sha256": a.sha256, "uploaded_at": a.uploaded_at, "path": f"files/attachments/{a.id}-{a.filename}",
              "storage_key": a.storage_key} for a, title in attachments]
    files += [{"kind": "evidence", "for": title, "filename": f.filename, "content_type": f.content_type,
               "size": f.size, "sha256": f.sha256, "uploaded_at": f.uploaded_at,
               "path": f"files/evidence/{f.id}-{f.filename}", "storage_key": f.storage_key} for f, title in evidence]
    return files


SECTIONS: tuple[tuple[str, Callable[[User], list[dict]]], ...] = (
    ("account", _account), ("roles", _roles), ("consent_requests_about_you", _consent_requests_for_you),
    ("consent_requests_you_answered", _consent_requests_you_answered), ("consents", _consents),
    ("teams", _teams), ("invitations_to_you", _invitations), ("proposals_you_started", _proposals),
    ("proposal_comments", _proposal_comments), ("team_threads_you_started", _team_threads),
    ("team_messages", _team_messages), ("meetings_you_logged", _meeting_logs), ("reviews", _reviews),
    ("mentor_profile", _mentor_profile), ("background_checks", _vetting), ("mentor_conflicts", _mentor_conflicts),
    ("mentorships", _mentorships), ("notices", _notices), ("notice_preferences", _notice_preferences),
    ("reports_you_made", _reports), ("moderation_decisions_about_you", _moderation), ("appeals", _appeals),
    ("contributions", _contributions), ("payee", _payee), ("payments_received", _payments_received),
    ("grant_agreements", _agreements), ("milestone_evidence", _evidence), ("milestone_feedback", _milestone_feedback),
    ("due_date_requests", _due_date_requests), ("sessions", _sessions), ("recovery_codes", _recovery_codes),
    ("erasure_requests", _erasure_requests), ("audit_log", _audit_log), ("files", _uploads),
)


def collect(user: User) -> dict:
    """The person's data by section; dates stay Python objects until written (see dumps). Files carry their
    storage key, which build_zip takes out."""
    data: dict = {"format": FORMAT_VERSION, "exported_at": utcnow(), "portal": "Passerelle"}
    for name, section in SECTIONS:
        data[name] = section(user)
    return data


def _iso(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def dumps(data: dict) -> str:
    return json.dumps(data, default=_iso, ensure_ascii=False, indent=2)


def build_zip(user: User) -> tuple[IO[bytes], str]:
    """(a readable zip, its file name): data.json and files/…; records the export in the audit log."""
    data = collect(user)
    keys = {item["path"]: item.pop("storage_key") for item in data["files"]}
    storage = get_storage()
    archive_file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the caller
    missing = []
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, key in keys.items():
            try:
                with storage.open(key) as stored, archive.open(path, "w", force_zip64=True) as out:
                    while chunk := stored.read(64 * 1024):
                        out.write(chunk)
            except (FileNotFoundError, InvalidKey):
                missing.append(path)
        for item in data["files"]:
            item["included"] = item["path"] not in missing
        archive.writestr("data.json", dumps(data))
    archive_file.seek(0)
    audit.record(user, "privacy.exported", user, files=len(keys) - len(missing))
    name = f"passerelle-data-{user.id}-{utcnow().date().isoformat()}.zip"
    return archive_file, name
