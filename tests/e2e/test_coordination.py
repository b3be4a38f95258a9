"""Coordinators in a real browser: granting a role, reading the outbox; a lead managing the team."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e


def _committed(live_server, build):
    """Create records in the live server's database and commit them, returning their ids."""
    with live_server.app.app_context():
        result = build()
        db.commit()
        return result


def test_a_coordinator_grants_the_mentor_role_and_reads_an_email(live_server, page, unique_email):
    coordinator_email, volunteer_email = unique_email("coord"), unique_email("volunteer")
    _committed(live_server, lambda: (
        factories.create_user("coordinator", email=coordinator_email, name="Camille Roy"),
        factories.create_user(email=volunteer_email, name="Théo Martin"),
    ))
    visit(page, "/signin")
    sign_in(page, coordinator_email, factories.PASSWORD)

    page.get_by_role("link", name="People and roles").click()
    expect(heading(page, "People and roles")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Search by name or email").fill(volunteer_email)
    page.get_by_label("Search by name or email").press("Enter")
    people = page.get_by_role("table", name="People and the roles they hold")
    expect(people.get_by_role("rowheader", name="Théo Martin")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Give Théo Martin the mentor role").click()
    expect(flash(page, "Théo Martin now has the mentor role.")).to_be_visible()
    expect(page.get_by_role("button", name="Take the mentor role from Théo Martin")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Email outbox").click()
    expect(heading(page, "Email outbox")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="sent", exact=True).click()
    outbox = page.get_by_role("table", name="Emails, newest first")
    expect(outbox.get_by_role("row").filter(has_text=volunteer_email)).to_have_count(1)
    outbox.get_by_role("row").filter(has_text=volunteer_email).get_by_role("link").click()
    expect(heading(page, "You now have the mentor role on Passerelle")).to_be_visible()
    expect(page.get_by_text(volunteer_email)).to_be_visible()
    check_accessibility(page)


def test_a_lead_hands_over_the_lead_and_then_leaves(live_server, new_page, unique_email):
    lead_email, mate_email = unique_email("lead"), unique_email("mate")

    def build():
        lead = factories.create_user(email=lead_email, name="Inès Bouchard")
        mate = factories.create_user(email=mate_email, name="Yanis Côté")
        return factories.create_team(lead, mate, name=f"Respect Lab {lead_email[5:10]}").id

    team_id = _committed(live_server, build)
    lead = new_page()
    visit(lead, "/signin")
    sign_in(lead, lead_email, factories.PASSWORD)
    visit(lead, f"/teams/{team_id}")
    lead.get_by_label("New team lead").select_option(label="Yanis Côté")
    lead.get_by_role("button", name="Hand over the lead").click()
    expect(flash(lead, "Yanis Côté now leads the team.")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_role("button", name="Leave").click()
    expect(lead.get_by_role("status").get_by_text(re.compile("^You have left"))).to_be_visible()
    expect(heading(lead, "Your teams")).to_be_visible()
    check_accessibility(lead)

    mate = new_page()
    visit(mate, "/signin")
    sign_in(mate, mate_email, factories.PASSWORD)
    visit(mate, f"/teams/{team_id}")
    members = mate.get_by_role("table")
    expect(members.get_by_role("row")).to_have_count(2)  # the header and the new lead
    expect(members.get_by_role("cell", name="Team lead")).to_be_visible()
