"""Project pages through the test client: agreement, evidence with files, feedback, decisions, due dates."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import GuardianConsent
from app.payments.models import Disbursement
from app.projects.models import DueDateChange, EvidenceFile, GrantAgreement
from tests.conftest import post
from tests.factories import create_call, create_mentor, create_mentorship, create_project, create_team, create_user
from tests.pages import checked_values, field_error, text
from tests.projects.test_workflow import grant_milestone

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _evidence(**overrides):
    return {"report": "Four episodes are online.", "links": "https://example.org/ep1", "people_reached": "250",
            "content_pieces": "4", "events_held": "1", **overrides}


# -- the agreement ---------------------------------------------------------------------------------
def test_the_lead_reads_and_accepts_the_agreement(login):
    grant = create_project(state="awarded")
    lead = login(grant.team.lead)
    page = lead.get(f"/projects/{grant.id}/agreement")
    assert page.status_code == 200
    assert "Grant agreement" in text(page) and "Accept the agreement" in text(page)
    refused = post(lead, f"/projects/{grant.id}/agreement/accept", {"version": "1"})
    assert refused.status_code == 400
    assert field_error(refused, "confirm") == "Tick the box to say you have read and accept the agreement."
    accepted = post(lead, f"/projects/{grant.id}/agreement/accept", {"version": "1", "confirm": "y"},
                    follow_redirects=True)
    assert "the project is under way" in text(accepted)
    db.session.expire_all()
    assert grant.state == "active"


def test_the_guardian_countersigns_through_the_page(login):
    mother = create_user("guardian", name="Nadia Mother", age=44)
    minor = create_user(age=15, consent="given", guardian_email=mother.email, name="Sami Minor")
    db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == minor.id)).guardian_id = mother.id
    grant = create_project(create_team(create_user(name="Lea Lead"), minor), state="awarded")
    lead = login(grant.team.lead)
    post(lead, f"/projects/{grant.id}/agreement/accept", {"version": "1", "confirm": "y"})
    db.session.expire_all()
    assert grant.state == "awarded"
    guardian = login(mother)
    page = guardian.get(f"/projects/{grant.id}/agreement")
    assert "Countersign the agreement" in text(page)
    done = post(guardian, f"/projects/{grant.id}/agreement/countersign", {"confirm": "y"}, follow_redirects=True)
    assert "Countersigned by Nadia Mother, guardian" in text(done)
    db.session.expire_all()
    assert grant.state == "active"


def test_only_a_countersigner_may_countersign(login):
    grant = create_project(state="awarded")
    assert post(login(create_user("guardian", age=50)), f"/projects/{grant.id}/agreement/countersign",
                {"confirm": "y"}).status_code == 403


def test_a_funder_rewrites_the_agreement_and_chooses_who_approves(login):
    owner = create_user("funder")
    call = create_call(owner)
    funder = login(owner)
    assert "Grant agreement of" in text(funder.get(f"/projects/calls/{call.id}/agreement"))
    empty = post(funder, f"/projects/calls/{call.id}/agreement", {"body": "", "milestone_approver": "funder"})
    assert empty.status_code == 400 and field_error(empty, "body") == "Write the agreement's text."
    saved = post(funder, f"/projects/calls/{call.id}/agreement",
                 {"body": "## Our agreement\n\nBe kind.", "milestone_approver": "funder"}, follow_redirects=True)
    assert "version 2" in text(saved)
    db.session.expire_all()
    assert call.milestone_approver == "funder"


# -- evidence --------------------------------------------------------------------------------------
def test_a_member_sends_evidence_with_a_file_and_a_teammate_downloads_it(login, client):
    teammate = create_user(name="Tom Teammate")
    grant = create_project(create_team(create_user(name="Lea Lead"), teammate))
    milestone = grant_milestone(grant)
    lead = login(grant.team.lead)
    page = lead.get(f"/projects/milestones/{milestone.id}")
    assert "Send evidence" in text(page)
    sent = post(lead, f"/projects/milestones/{milestone.id}/evidence",
                {**_evidence(), "files": (io.BytesIO(PDF), "episodes.pdf")},
                content_type="multipart/form-data", follow_redirects=True)
    assert "Your evidence is sent" in text(sent)
    db.session.expire_all()
    assert milestone.state == "submitted"
    stored = db.session.scalar(select(EvidenceFile))
    assert (stored.filename, stored.content_type, stored.size) == ("episodes.pdf", "application/pdf", len(PDF))
    download = login(teammate).get(f"/projects/files/{stored.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Cache-Control"] == "private, no-store"
    assert login(create_user()).get(f"/projects/files/{stored.id}").status_code == 403


@pytest.mark.parametrize(("upload", "message"), [
    ((b"MZ\x90\x00 not a document", "tool.exe"), "This type of file is not accepted here"),
    ((PDF, "episodes.png"), "ends in .png"),
])
def test_a_disallowed_file_is_refused_beside_the_field_and_the_report_is_kept(login, upload, message):
    grant = create_project()
    milestone = grant_milestone(grant)
    lead = login(grant.team.lead)
    content, name = upload
    refused = post(lead, f"/projects/milestones/{milestone.id}/evidence",
                   {**_evidence(report="Our long report."), "files": (io.BytesIO(content), name)},
                   content_type="multipart/form-data")
    assert refused.status_code == 400
    assert message in field_error(refused, "files")
    assert "Our long report." in refused.get_data(as_text=True)
    assert milestone.state == "planned"


def test_an_oversized_file_is_refused(app, login):
    grant = create_project()
    milestone = grant_milestone(grant)
    app.config["UPLOAD_LIMITS"] = {"evidence": 20}
    try:
        refused = post(login(grant.team.lead), f"/projects/milestones/{milestone.id}/evidence",
                       {**_evidence(), "files": (io.BytesIO(PDF), "episodes.pdf")}, content_type="multipart/form-data")
    finally:
        app.config["UPLOAD_LIMITS"] = {}
    assert refused.status_code == 400 and "too large" in field_error(refused, "files")
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0


def test_bad_figures_and_links_stay_on_the_form(login):
    grant = create_project()
    milestone = grant_milestone(grant)
    refused = post(login(grant.team.lead), f"/projects/milestones/{milestone.id}/evidence",
                   _evidence(people_reached="many", links="javascript:alert(1)"))
    assert refused.status_code == 400
    assert field_error(refused, "people_reached") == "Enter a whole number, 0 or more."
    refused = post(login(grant.team.lead), f"/projects/milestones/{milestone.id}/evidence",
                   _evidence(links="javascript:alert(1)"))
    assert "is not a web address" in field_error(refused, "links")
    assert "javascript:alert(1)" in refused.get_data(as_text=True)


def test_evidence_after_completion_gets_a_message_not_an_error(login):
    grant = create_project(state="completed")
    milestone = grant_milestone(grant)
    refused = post(login(grant.team.lead), f"/projects/milestones/{milestone.id}/evidence", _evidence())
    assert refused.status_code == 400
    assert "This project is completed: its milestones are closed." in text(refused)


def test_outsiders_cannot_send_evidence(login):
    grant = create_project()
    milestone = grant_milestone(grant)
    for outsider in (create_user(), create_user("coordinator")):
        assert post(login(outsider), f"/projects/milestones/{milestone.id}/evidence", _evidence()).status_code == 403


# -- feedback and decision -------------------------------------------------------------------------
def test_the_mentor_signs_off_and_the_coordinator_approves(login):
    mentor = create_mentor(name="Marc Mentor")
    grant = create_project(submitted=1)
    create_mentorship(grant.team, mentor)
    milestone = grant_milestone(grant)
    signed = post(login(mentor), f"/projects/milestones/{milestone.id}/feedback",
                  {"verdict": "sign_off", "body": "Solid work."}, follow_redirects=True)
    assert "Marc Mentor signed off" in text(signed)
    coordinator = login(create_user("coordinator"))
    page = coordinator.get(f"/projects/milestones/{milestone.id}")
    assert "Decide" in text(page)
    approved = post(coordinator, f"/projects/milestones/{milestone.id}/decision", {"decision": "approve"},
                    follow_redirects=True)
    assert "its tranche is payable and waits on the payouts page" in text(approved)
    payouts = coordinator.get("/payouts/")
    assert "Approved, waiting to be released" in text(payouts) and milestone.title in text(payouts)


def test_asking_for_changes_without_a_reason_keeps_the_choice(login):
    grant = create_project(submitted=1)
    milestone = grant_milestone(grant)
    refused = post(login(create_user("coordinator")), f"/projects/milestones/{milestone.id}/decision",
                   {"decision": "request_changes", "reason": ""})
    assert refused.status_code == 400
    assert field_error(refused, "reason") == "Say what needs to change, so the team knows what to do."
    assert checked_values(refused, "decision") == ["request_changes"]
    assert milestone.state == "submitted"


def test_approval_by_someone_without_the_right_is_forbidden(login):
    owner = create_user("funder")
    grant = create_project(call=create_call(owner), submitted=1)
    milestone = grant_milestone(grant)
    mentor = create_mentor()
    create_mentorship(grant.team, mentor)
    for person in (grant.team.lead, owner, mentor):
        assert post(login(person), f"/projects/milestones/{milestone.id}/decision",
                    {"decision": "approve"}).status_code == 403
    assert milestone.state == "submitted"
    assert db.session.scalar(select(func.count(Disbursement.id))) == 0


def test_a_funder_approves_when_the_call_says_so(login):
    owner = create_user("funder")
    call = create_call(owner)
    call.milestone_approver = "funder"
    grant = create_project(call=call, submitted=1)
    milestone = grant_milestone(grant)
    assert post(login(owner), f"/projects/milestones/{milestone.id}/decision",
                {"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert milestone.state == "approved"


# -- due dates -------------------------------------------------------------------------------------
def test_a_team_asks_to_move_a_due_date_and_a_coordinator_answers(login):
    grant = create_project()
    milestone = grant_milestone(grant)
    lead = login(grant.team.lead)
    new = date.today() + timedelta(days=120)
    refused = post(lead, f"/projects/milestones/{milestone.id}/due-date", {"proposed_date": "", "reason": "Exams"})
    assert refused.status_code == 400 and field_error(refused, "proposed_date") == "Enter the new due date."
    assert "Exams" in refused.get_data(as_text=True)
    post(lead, f"/projects/milestones/{milestone.id}/due-date", {"proposed_date": new.isoformat(), "reason": "Exams"})
    coordinator = login(create_user("coordinator"))
    page = coordinator.get(f"/projects/milestones/{milestone.id}")
    assert "asks to move the due date" in text(page)
    change_id = db.session.scalar(select(func.max(DueDateChange.id)))
    moved = post(coordinator, f"/projects/due-date-changes/{change_id}", {"decision": "accept", "note": ""},
                 follow_redirects=True)
    assert "The team is told of your answer." in text(moved)
    db.session.expire_all()
    assert milestone.due_date == new
    lead = login(grant.team.lead)
    assert post(lead, f"/projects/due-date-changes/{change_id}", {"decision": "accept"}).status_code == 403


# -- lists and reading -----------------------------------------------------------------------------
def test_funders_see_their_calls_projects_and_coordinators_see_all(login):
    owner = create_user("funder")
    mine = create_project(call=create_call(owner), title="Mine")
    other = create_project(title="Someone else's")
    page = text(login(owner).get("/projects/"))
    assert "Mine" in page and "Someone else's" not in page
    page = text(login(create_user("coordinator")).get("/projects/?state=active"))
    assert "Mine" in page and "Someone else's" in page
    assert mine.id != other.id


def test_the_project_page_shows_the_agreement_and_each_milestone(login):
    grant = create_project(approved=1)
    page = text(login(grant.team.lead).get(f"/projects/{grant.id}"))
    assert "Signed (version 1)" in page
    assert "Step 1" in page and "approved" in page and "Step 2" in page and "planned" in page
    assert db.session.scalar(select(func.count(GrantAgreement.id))) == 1


def test_the_milestone_page_costs_the_same_queries_with_more_evidence(login, count_queries):
    grant = create_project(submitted=1)
    milestone = grant_milestone(grant)
    client = login(create_user("coordinator"))
    url = f"/projects/milestones/{milestone.id}"
    first = count_queries(lambda: client.get(url))
    from app.projects.models import EvidenceSubmission

    for number in range(2, 6):
        milestone.submissions.append(EvidenceSubmission(number=number, report="More.", links=[]))
    db.session.flush()
    assert count_queries(lambda: client.get(url)) == first


def test_the_dashboard_and_the_proposal_lead_to_the_agreement_waiting(login):
    mother = create_user("guardian", name="Nadia Mother", age=44)
    minor = create_user(age=15, consent="given", guardian_email=mother.email, name="Sami Minor")
    db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == minor.id)).guardian_id = mother.id
    grant = create_project(create_team(create_user(name="Lea Lead"), minor), state="awarded", title="Radio")
    lead = login(grant.team.lead)
    assert "Accept the agreement of “Radio”" in text(lead.get("/dashboard"))
    assert "Read the grant agreement" in text(lead.get(f"/proposals/{grant.proposal_id}"))
    post(lead, f"/projects/{grant.id}/agreement/accept", {"version": "1", "confirm": "y"})
    assert "Accept the agreement" not in text(lead.get("/dashboard"))
    guardian = login(mother)
    assert "Countersign the agreement of “Radio”" in text(guardian.get("/dashboard"))
    post(guardian, f"/projects/{grant.id}/agreement/countersign", {"confirm": "y"})
    assert "Grant agreements waiting for you" not in text(guardian.get("/dashboard"))
    assert "The project: its agreement and milestones" in text(login(grant.team.lead).get(
        f"/proposals/{grant.proposal_id}"))


def test_funders_find_the_agreement_and_coordinators_the_projects_from_the_pages_they_use(login):
    owner = create_user("funder")
    call = create_call(owner)
    page = login(owner).get(f"/calls/{call.id}/manage")
    assert f'href="/projects/calls/{call.id}/agreement"' in page.get_data(as_text=True)
    nav = login(create_user("coordinator")).get("/dashboard").get_data(as_text=True)
    assert 'href="/projects/"' in nav
    assert 'href="/projects/"' not in login(create_user()).get("/dashboard").get_data(as_text=True)
