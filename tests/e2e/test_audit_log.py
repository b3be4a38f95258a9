"""Sensitive files and the audit log in a real browser: the team's lead marks an attachment sensitive and opens it
after the warning; the call's funder sees it is there but cannot open it; a coordinator finds the change in the
audit log, in English and in French. axe-clean on every page visited."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _signed_in(new_page, email: str):
    page = new_page()
    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)
    return page


def test_a_sensitive_attachment_and_its_trace_in_the_audit_log(live_server, new_page, unique_email):
    emails = {who: unique_email(who) for who in ("lead", "funder", "coordinator")}
    filename = f"quotes-{emails['lead'][5:11]}.pdf"

    def build():
        from app.proposals.models import Attachment
        from app.storage import get_storage

        factories.create_user("coordinator", email=emails["coordinator"], name="Camille Roy")
        funder = factories.create_user("funder", email=emails["funder"], name="Fatou Diallo")
        lead = factories.create_user(email=emails["lead"], name="Léa Nguyen")
        team = factories.create_team(lead, name=f"Team {filename}")
        proposal = factories.create_proposal(team, factories.create_call(funder), state="submitted",
                                             title=f"Voices {filename}")
        stored = get_storage().save(io.BytesIO(PDF), filename=filename, content_type="application/pdf")
        db.session.add(Attachment(proposal_id=proposal.id, kind="pitch_deck", filename=filename,
                                  content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                                  storage_key=stored.key))
        db.commit()
        return proposal.id

    with live_server.app.app_context():
        proposal_id = build()

    # The lead marks the file sensitive from the proposal's page, then opens it after the warning.
    lead = _signed_in(new_page, emails["lead"])
    visit(lead, f"/proposals/{proposal_id}")
    lead.get_by_role("button", name=f"Mark “{filename}” as sensitive").click()
    expect(flash(lead, f"“{filename}” is marked sensitive: a warning comes first, and only the team, its mentors, "
                       "coordinators and assigned reviewers can open it.")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_role("link", name=f"Download “{filename}”").click()
    expect(heading(lead, "A sensitive file")).to_be_visible()
    check_accessibility(lead)
    with lead.expect_download() as download_info:
        lead.get_by_role("link", name="Open the file").click()
    assert download_info.value.suggested_filename == filename

    # The call's funder sees that the file is there and marked, with no way to open it.
    funder = _signed_in(new_page, emails["funder"])
    visit(funder, f"/proposals/{proposal_id}")
    files = funder.get_by_role("region", name="Attachments")
    expect(files.get_by_text("Only the team, its mentors, coordinators and assigned reviewers can open a sensitive "
                             "file.")).to_be_visible()
    expect(files.get_by_role("link")).to_have_count(0)

    # A coordinator finds the change in the audit log.
    coordinator = _signed_in(new_page, emails["coordinator"])
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(heading(coordinator, "Audit log")).to_be_visible()
    check_accessibility(coordinator)
    coordinator.get_by_label("Action").select_option(label="Sensitive mark of an attachment changed")
    coordinator.get_by_label("Who (name or email address)").fill("Léa")
    coordinator.get_by_role("button", name="Apply the filters").click()
    rows = coordinator.get_by_role("table", name="Audit entries, newest first").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Léa Nguyen")
    expect(rows.first).to_contain_text("sensitive: true")
    check_accessibility(coordinator)

    # The same page, filters kept, in French.
    coordinator.get_by_role("button", name="Français").click()
    expect(heading(coordinator, FR["Audit log"])).to_be_visible()
    expect(coordinator.get_by_role("heading", name=FR["Filter the log"], level=2)).to_be_visible()
    table = coordinator.get_by_role("table", name=FR["Audit entries, newest first"])
    expect(table.locator("tbody tr")).to_have_count(1)
    check_accessibility(coordinator)
    coordinator.get_by_role("navigation", name=FR["Main"]).get_by_role("link", name=FR["Audit log"]).click()
    expect(heading(coordinator, FR["Audit log"])).to_be_visible()
    check_accessibility(coordinator)
