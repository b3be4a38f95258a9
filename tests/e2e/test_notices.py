"""Comment threads and notices in a real browser: coordination writes, the team reads only what is shared."""

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
    with live_server.app.app_context():
        result = build()
        db.commit()
        return result


def test_coordination_comments_and_the_team_reads_only_the_shared_thread(live_server, new_page, unique_email):
    coordinator_email, lead_email = unique_email("coord"), unique_email("lead")

    def build():
        coordinator = factories.create_user("coordinator", email=coordinator_email, name="Camille Roy")
        lead = factories.create_user("youth", email=lead_email, name="Inès Bouchard")
        team = factories.create_team(lead, name=f"Echo Lab {lead_email[5:10]}")
        call = factories.create_call(factories.create_user("funder"))
        proposal = factories.create_proposal(team, call, state="submitted", title="Echo Podcast")
        return coordinator.id, proposal.id

    _coordinator_id, proposal_id = _committed(live_server, build)

    coordinator = new_page()
    visit(coordinator, "/signin")
    sign_in(coordinator, coordinator_email, factories.PASSWORD)
    visit(coordinator, f"/proposals/{proposal_id}")
    coordinator.get_by_label("Internal comment (reviewers and coordinators only)").fill("The budget looks thin.")
    coordinator.get_by_role("region", name=re.compile("^Internal comments")).get_by_role(
        "button", name="Post the comment").click()
    expect(flash(coordinator, "Your comment is posted.")).to_be_visible()
    coordinator.get_by_label("Comment shared with the team").fill("Great idea, tell us more about the audience.")
    coordinator.get_by_role("region", name="Comments shared with the team").get_by_role(
        "button", name="Post the comment").click()
    expect(flash(coordinator, "Your comment is posted.")).to_be_visible()
    expect(coordinator.get_by_text("The budget looks thin.")).to_be_visible()
    check_accessibility(coordinator)

    lead = new_page()
    visit(lead, "/signin")
    sign_in(lead, lead_email, factories.PASSWORD)
    visit(lead, f"/proposals/{proposal_id}")
    expect(lead.get_by_text("Great idea, tell us more about the audience.")).to_be_visible()
    expect(lead.get_by_text("The budget looks thin.")).to_have_count(0)
    expect(lead.get_by_label("Internal comment (reviewers and coordinators only)")).to_have_count(0)
    check_accessibility(lead)

    lead.get_by_role("link", name="Notices (1)").click()
    expect(heading(lead, "Notices")).to_be_visible()
    expect(lead.get_by_role("link", name="Camille commented on “Echo Podcast”.")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_role("button", name="Mark every notice as read").click()
    expect(lead.get_by_role("link", name="Notices (0)")).to_be_visible()
    check_accessibility(lead)
