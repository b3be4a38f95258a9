"""Delivering a project in a real browser: the team's lead accepts the grant agreement and the guardian
countersigns it (in French), the team sends evidence with a file, the mentor signs off, the coordinator approves
and the tranche appears as payable on the payouts page; the lead then publishes the project in the showcase."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _signed_in(new_page, email: str, locale: str = "en-US"):
    page = new_page(locale)
    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)
    return page


def test_from_the_agreement_to_a_payable_tranche(live_server, new_page, unique_email):
    emails = {who: unique_email(who) for who in ("lead", "mother", "mentor", "coordinator")}
    title = f"Radio Pont {emails['lead'][5:10]}"

    def build():
        from app.accounts.models import GuardianConsent
        from app.ledger.services import grant_of

        factories.create_user("coordinator", email=emails["coordinator"], name="Camille Roy")
        mother = factories.create_user("guardian", email=emails["mother"], name="Nadia Haddad", age=44, locale="fr")
        minor = factories.create_user(age=15, consent="given", guardian_email=mother.email, name="Sami Haddad")
        db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == minor.id)).guardian_id = mother.id
        lead = factories.create_user(email=emails["lead"], name="Léa Nguyen")
        team = factories.create_team(lead, minor, name=f"Team {title}")
        mentor = factories.create_mentor(factories.create_user("mentor", email=emails["mentor"], name="Marc Gagnon"))
        factories.create_mentorship(team, mentor)
        proposal = factories.create_proposal(team, state="awarded", title=title, amount=300_000)
        grant = grant_of(proposal)
        db.commit()
        return grant.id

    with live_server.app.app_context():
        grant_id = build()

    # The lead reads the agreement; accepting without ticking the box is explained beside it.
    lead = _signed_in(new_page, emails["lead"])
    lead.get_by_role("link", name=f"Accept the agreement of “{title}”").click()
    expect(heading(lead, f"Grant agreement: {title}")).to_be_visible()
    lead.get_by_role("button", name="Accept the agreement").click()
    expect(lead.get_by_text("Tick the box to say you have read and accept the agreement.").first).to_be_visible()
    check_accessibility(lead)
    lead.get_by_label("I have read the agreement and accept it on behalf of my team.").check()
    lead.get_by_role("button", name="Accept the agreement").click()
    expect(flash(lead, "You accepted the agreement. A guardian or the sponsoring organisation now countersigns "
                       "it; they have been told.")).to_be_visible()

    # Sami's mother countersigns, in French.
    mother = _signed_in(new_page, emails["mother"])  # her account says French: the pages follow it
    check_accessibility(mother)
    mother.get_by_role("link", name=FR["Countersign the agreement of “%(title)s” (%(team)s)"] % {
        "title": title, "team": f"Team {title}"}).click()
    expect(heading(mother, FR["Countersign the agreement"], level=2)).to_be_visible()
    check_accessibility(mother)
    mother.get_by_label(FR["I have read the agreement and countersign it on the team's behalf."]).check()
    mother.get_by_role("button", name=FR["Countersign"], exact=True).click()
    expect(flash(mother, FR["You countersigned the agreement: the project is under way."])).to_be_visible()
    check_accessibility(mother)

    # The lead sends the first milestone's evidence with a file, from the project's page.
    visit(lead, f"/projects/{grant_id}")
    expect(heading(lead, f"Project: {title}")).to_be_visible()
    lead.get_by_role("link", name="Step 1").click()
    expect(heading(lead, "Milestone: Step 1")).to_be_visible()
    lead.get_by_label("Milestone report").fill("Three **episodes** are online.")
    lead.get_by_label("Links (optional)").fill("https://example.org/radio-pont")
    lead.get_by_label("People reached").fill("420")
    lead.get_by_label("Pieces of content").fill("3")
    lead.get_by_label("Events held").fill("1")
    lead.get_by_label("Files (optional)").set_input_files(
        {"name": "episodes.pdf", "mimeType": "application/pdf", "buffer": PDF})
    check_accessibility(lead)
    lead.get_by_role("button", name="Send the evidence").click()
    expect(flash(lead, "Your evidence is sent. The approver decides next.")).to_be_visible()
    expect(lead.get_by_role("link", name="Download episodes.pdf")).to_be_visible()
    milestone_url = lead.url

    # The mentor signs off.
    mentor = _signed_in(new_page, emails["mentor"])
    visit(mentor, milestone_url)
    mentor.get_by_label("I sign off: the evidence shows the milestone is delivered").check()
    mentor.get_by_label("Comment").fill("Clear report, good reach.")
    check_accessibility(mentor)
    mentor.get_by_role("button", name="Send my feedback").click()
    expect(flash(mentor, "Your feedback is recorded; the team and the approver can read it.")).to_be_visible()
    expect(mentor.get_by_text("Marc Gagnon signed off")).to_be_visible()

    # The coordinator approves; the tranche is payable and waits on the payouts page (no payee named yet).
    coordinator = _signed_in(new_page, emails["coordinator"])
    visit(coordinator, milestone_url)
    coordinator.get_by_label("Approve: the tranche becomes payable").check()
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Record the decision").click()
    expect(flash(coordinator, "The milestone is approved: its tranche is payable and waits on the payouts page "
                              "until the payee can receive it.")).to_be_visible()
    visit(coordinator, "/payouts/")
    waiting = coordinator.locator("section", has=heading(coordinator, "Approved, waiting to be released", level=2))
    expect(waiting.get_by_role("row", name=re.compile(f"Team {title}"))).to_be_visible()
    check_accessibility(coordinator)

    # The lead publishes the project; the public finds it in the showcase.
    visit(lead, f"/projects/{grant_id}")
    lead.get_by_role("link", name="The public showcase").click()
    expect(heading(lead, "Your project in the public showcase")).to_be_visible()
    lead.get_by_label("Public summary").fill("A radio show by teenagers in Montréal.")
    lead.get_by_role("button", name="Publish", exact=True).click()
    expect(flash(lead, "Your project is in the public showcase.")).to_be_visible()
    public = new_page()
    visit(public, "/showcase/")
    public.get_by_role("link", name=title).click()
    expect(heading(public, title)).to_be_visible()
    expect(public.get_by_text("A radio show by teenagers in Montréal.")).to_be_visible()
    expect(public.get_by_text("Haddad")).to_have_count(0)  # first names only, never a surname
    check_accessibility(public)

    # Sami's mother follows the project in French: the milestone approved, its evidence, its history.
    visit(mother, f"/projects/{grant_id}")
    expect(heading(mother, FR["Project: %(title)s"] % {"title": title})).to_be_visible()
    mother.get_by_role("link", name="Step 1").click()
    expect(mother.get_by_text(FR["approved"], exact=True).first).to_be_visible()
    check_accessibility(mother)
