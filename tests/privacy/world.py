"""A rich world around one person, Zéphyrine, who has done a bit of everything the portal allows: she is in
teams (leading one alone and one with a teammate), drafted and submitted proposals, uploaded files, wrote
messages and comments, mentors a team and logged a meeting, reviewed, contributed money, is a guardian who
consented for a minor and receives (received) that team's grant money, sent milestone evidence, reported a
concern, has sessions and recovery codes. Around her: the demo data, and people who wrote her full name."""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace

from flask import render_template
from sqlalchemy import select

from app import audit, db
from app.accounts import services as accounts
from app.accounts.models import ConsentRecord, RecoveryCode, UserSession
from app.db import utcnow
from app.ledger.models import Contribution, Tranche
from app.notices import services as notices
from app.payments import disbursements
from app.payments.models import Payee
from app.projects.models import EvidenceFile, EvidenceSubmission, GrantAgreement, ProjectMilestone
from app.proposals import services as proposals
from app.proposals.models import Attachment, ProposalVersion
from app.safety import services as safety
from app.storage import get_storage
from app.teams import services as teams
from app.teams.models import Invitation
from app.teamspace import services as teamspace
from app.uploads import check_upload
from tests import factories

NAME = "Zéphyrine Quillfeather"
FIRST, SURNAME = "Zéphyrine", "Quillfeather"
EMAIL = "zephyrine.quill@example.net"
BIRTH = date(2000, 7, 19)
BANK = "ZQ-BANK-778812"
BROWSER = "ZQBrowser/9.9"
IP = "203.0.113.77"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def needles() -> list[str]:
    """Everything that would identify her, as text."""
    return [EMAIL, NAME, FIRST, SURNAME, BIRTH.isoformat(), BANK, BROWSER, IP]


def stored_file(content: bytes = PDF, filename: str = "evidence.pdf"):
    return get_storage().save(io.BytesIO(content), filename=filename, content_type="application/pdf")


def build(with_demo: bool = True) -> SimpleNamespace:
    if with_demo:
        from app.demo import load_demo_data

        load_demo_data()
    w = SimpleNamespace()
    w.coordinator = factories.create_user("coordinator", name="Colette Coord")
    w.funder = factories.create_user("funder", name="Frank Funder")
    w.call = factories.create_call(w.funder, title="Privacy Call")
    w.z = factories.create_user("youth", "mentor", "funder", "guardian", email=EMAIL, name=NAME, age=25)
    w.z.birth_date = BIRTH
    w.lead = factories.create_user("youth", name="Lena Lead")
    w.mate = factories.create_user("youth", name="Gil Mate")

    # Team A: Lena leads, Zéphyrine is a member; a draft with her file, a submitted proposal, a finished project.
    w.team = factories.create_team(w.lead, w.z, name="Harbour Voices")
    db.session.add(Invitation(team_id=w.team.id, email=EMAIL, invited_by_id=w.lead.id, state="accepted",
                              responded_at=utcnow(), responder_id=w.z.id))
    w.draft = factories.create_proposal(w.team, w.call, title="Harbour draft")
    w.draft.created_by_id = w.z.id
    db.session.flush()
    w.draft_attachment = proposals.add_attachment(
        w.z, w.draft, check_upload(io.BytesIO(PDF), "pitch.pdf", "pitch_deck"))
    w.submitted = factories.create_proposal(w.team, w.call, state="submitted", title="Harbour podcasts")
    w.submitted.created_by_id = w.z.id
    kept = stored_file(filename="storyboard.pdf")
    w.kept_attachment = Attachment(proposal_id=w.submitted.id, kind="storyboard", filename="storyboard.pdf",
                                   content_type="application/pdf", size=kept.size, sha256=kept.sha256,
                                   storage_key=kept.key, uploaded_by_id=w.z.id)
    db.session.add(w.kept_attachment)
    db.session.flush()
    db.session.add(ProposalVersion(proposal_id=w.submitted.id, number=1, content=proposals.snapshot(w.submitted),
                                   submitted_by_id=w.z.id))
    notices.add_comment(w.z, w.submitted, "team", "I rewrote the budget section.")
    notices.add_comment(w.lead, w.submitted, "team", f"Thanks {NAME}, that reads well.")
    w.project = factories.create_project(w.team, w.call, state="completed", title="Harbour project")
    milestone = db.session.scalars(select(ProjectMilestone).where(ProjectMilestone.grant_id == w.project.id)
                                   .order_by(ProjectMilestone.position)).first()
    evidence = EvidenceSubmission(milestone_id=milestone.id, number=2, report="Photos of the harbour event.",
                                  links=["https://example.org/harbour"], submitted_by_id=w.z.id)
    db.session.add(evidence)
    db.session.flush()
    proof = stored_file(filename="event.pdf")
    w.evidence_file = EvidenceFile(submission_id=evidence.id, filename="event.pdf", content_type="application/pdf",
                                   size=proof.size, sha256=proof.sha256, storage_key=proof.key,
                                   uploaded_by_id=w.z.id)
    db.session.add(w.evidence_file)

    # The team's space: her thread, Lena's reply with her full name.
    w.thread = teamspace.start_thread(w.z, w.team, "Recording schedule", "I can record on Saturdays.")
    teamspace.post_message(w.lead, w.thread, f"Great, {NAME}! Saturday it is.")

    # Team E: she leads it alone, with a draft. Team F: she leads it with Gil, who takes over.
    w.alone = factories.create_team(w.z, name="Solo Sketches")
    w.alone_draft = factories.create_proposal(w.alone, w.call, title="Solo draft")
    w.shared = factories.create_team(w.z, w.mate, name="Duo Stories")
    teams.invite(w.z, w.shared, "friend.of.z@example.org")
    teams.invite(w.lead, w.team, "someone.else@example.org")
    w.pending_team = factories.create_team(w.lead, name="Pending Team")
    teams.invite(w.lead, w.pending_team, EMAIL)
    audit.record(w.lead, "team.invited", w.pending_team, email=EMAIL)  # as the log wrote it before it kept ids only

    # Mentoring: her profile and check, a team she mentors, a meeting she logged.
    factories.create_mentor(w.z, bio=f"I am {NAME}, a video editor.")
    from app.mentoring.models import MentorVetting

    db.session.add(MentorVetting(mentor_id=w.z.id, kind="references", checked_on=date.today() - timedelta(days=5),
                                 expires_on=date.today() + timedelta(days=300), note=f"Referee vouched for {NAME}."))
    w.mentee_lead = factories.create_user("youth", name="Mira Mentee")
    w.mentored = factories.create_team(w.mentee_lead, name="Mentored Makers")
    w.mentorship = factories.create_mentorship(w.mentored, w.z)
    teamspace.log_meeting(w.z, w.mentored, met_on=date.today(), minutes=30, topics="Storyboards.")
    notices.notify([w.mentee_lead], "mentorship_accepted", None, actor=w.z, mentor=NAME, team=w.mentored.name)

    # Reviews: one submitted, one she has not opened yet.
    other_team = factories.create_team(factories.create_user("youth", name="Otto Other"), name="Other Team")
    factories.create_assignment(factories.create_proposal(other_team, w.call, state="in_review"), w.z,
                                state="submitted", comment="Strong audience section.")
    factories.create_assignment(factories.create_proposal(other_team, w.call, state="in_review"), w.z)

    # Money in: her contribution to the pool.
    w.contribution = factories.contribute(w.call, 50_000, name=NAME, reference="WIRE-ZQ-1")
    w.contribution.contributor_id = w.z.id

    # Guardian: she consented for a minor, whose team finished a project; she is its payee and was paid once.
    w.minor = factories.create_user("youth", name="Milo Minor", age=14, region="CA-QC")
    consent = accounts.request_consent(w.minor, EMAIL)
    accounts.decide_consent(consent, w.z, give=True,
                            text=render_template("accounts/_consent_text.html", minor=w.minor))
    w.minor_team = factories.create_team(w.minor, name="Minor Makers")
    w.minor_project = factories.create_project(w.minor_team, w.call, state="completed", title="Minor project")
    agreement = db.session.scalar(select(GrantAgreement).where(GrantAgreement.grant_id == w.minor_project.id))
    agreement.countersign_required, agreement.countersigned_by_id = True, w.z.id
    agreement.countersigned_at, agreement.countersigner_kind = utcnow(), "guardian"
    w.payee = Payee(team_id=w.minor_team.id, user_id=w.z.id, kind="guardian", country="CA", bank_reference=BANK,
                    chosen_by_id=w.minor.id)
    db.session.add(w.payee)
    db.session.flush()
    tranche = db.session.scalars(select(Tranche).where(Tranche.grant_id == w.minor_project.id)
                                 .order_by(Tranche.position)).first()
    paid = disbursements.release(w.coordinator, tranche)
    disbursements.record_manual_payment(w.coordinator, paid, "PAYMENT-77")

    # Safety: she reports a message (Lena's); her own consent record for the showcase.
    safety.report(w.z, safety.find_subject(f"team_message:{w.thread.messages[-1].id}"), "other",
                  "This mentions me by name.")
    db.session.add(ConsentRecord(subject_id=w.z.id, purpose="showcase", given_as="self", given_by_id=w.z.id,
                                 wording_version="2026-11", wording=f"I, {NAME}, agree to appear in the showcase."))

    # Her sign-ins and settings.
    db.session.add_all([
        UserSession(token="zq-session-token", user_id=w.z.id, user_agent=BROWSER, ip_address=IP),
        RecoveryCode(user_id=w.z.id, code_hash="argon2-hash-of-a-code"),
    ])
    notices.save_preferences(w.z, {"comment": True})
    accounts.update_profile(w.z, display_name=NAME)
    db.session.flush()
    return w


def contributions_of(user_id: int) -> list[Contribution]:
    return list(db.session.scalars(select(Contribution).where(Contribution.contributor_id == user_id)))
