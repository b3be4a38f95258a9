"""The team's space in a real browser: a mentor writes and logs a meeting, a young member replies and reports
the mentor's message, and a coordinator closes the report with a note."""

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


def _signed_in(new_page, email: str):
    page = new_page()
    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)
    expect(heading(page, re.compile("^Hello, "))).to_be_visible()
    return page


def test_mentor_member_and_coordinator_in_the_team_space(live_server, new_page, unique_email):
    mentor_email, minor_email, coordinator_email = unique_email("mentor"), unique_email("minor"), unique_email("coord")
    team_name = f"Open Mic {mentor_email[7:12]}"

    def build():
        factories.create_user("coordinator", email=coordinator_email, name="Camille Roy")
        lead = factories.create_user("youth", name="Inès Bouchard")
        minor = factories.create_user("youth", email=minor_email, name="Léa Martin", age=15, consent="given")
        team = factories.create_team(lead, minor, name=team_name)
        mentor = factories.create_mentor(factories.create_user("mentor", email=mentor_email, name="Tess Moreau"))
        factories.create_mentorship(team, mentor)
        return team.id

    team_id = _committed(live_server, build)

    # The mentor opens the team's space, starts a thread, and logs a meeting (a mistake first).
    mentor = _signed_in(new_page, mentor_email)
    visit(mentor, f"/teams/{team_id}/space")
    expect(heading(mentor, f"Team space of {team_name}")).to_be_visible()
    expect(mentor.get_by_text("There are no private messages.", exact=False)).to_be_visible()
    mentor.get_by_label("Subject of the thread").fill("Feedback on your draft")
    mentor.get_by_label("First message").fill("The **audience** section is strong. Tell me your budget.")
    mentor.get_by_role("button", name="Start the thread").click()
    expect(flash(mentor, "Your thread is started.")).to_be_visible()
    expect(heading(mentor, "Feedback on your draft")).to_be_visible()
    expect(mentor.locator(".prose strong", has_text="audience")).to_be_visible()
    check_accessibility(mentor)

    mentor.get_by_role("navigation", name="Team space").get_by_role("link", name="Meeting log").click()
    expect(heading(mentor, f"Meeting log of {team_name}")).to_be_visible()
    check_accessibility(mentor)
    mentor.get_by_label("Length in minutes").fill("3")
    mentor.get_by_label("Topics discussed").fill("We read the draft together.")
    mentor.get_by_label("Next steps (optional)").fill("Send the budget by Friday.")
    mentor.get_by_role("button", name="Log the meeting").click()
    expect(mentor.get_by_role("alert")).to_contain_text("Give a length from 5 to 480 minutes (8 hours).")
    expect(mentor.get_by_label("Topics discussed")).to_have_value("We read the draft together.")
    expect(mentor.get_by_label("Next steps (optional)")).to_have_value("Send the budget by Friday.")
    check_accessibility(mentor)
    mentor.get_by_label("Length in minutes").fill("45")
    mentor.get_by_role("button", name="Log the meeting").click()
    expect(flash(mentor, "The meeting is logged. The team can read it here.")).to_be_visible()
    expect(mentor.get_by_text("45 minutes")).to_be_visible()
    check_accessibility(mentor)

    # A young member finds the space from the team's page, replies, and reports the mentor's message.
    minor = _signed_in(new_page, minor_email)
    visit(minor, f"/teams/{team_id}")
    minor.get_by_role("link", name="Team space").click()
    expect(heading(minor, f"Team space of {team_name}")).to_be_visible()
    check_accessibility(minor)
    minor.get_by_role("link", name="Feedback on your draft").click()
    expect(heading(minor, "Feedback on your draft")).to_be_visible()
    minor.get_by_label("Your reply").fill("Thanks! The budget is coming.")
    minor.get_by_role("button", name="Post the message").click()
    expect(flash(minor, "Your message is posted.")).to_be_visible()
    expect(minor.get_by_text("Thanks! The budget is coming.")).to_be_visible()
    check_accessibility(minor)

    minor.get_by_role("link", name=re.compile(r"^Report the message by Tess Moreau")).click()
    expect(heading(minor, "Report a concern")).to_be_visible()
    expect(minor.get_by_text("The **audience** section is strong.", exact=False)).to_be_visible()
    check_accessibility(minor)
    minor.get_by_role("button", name="Send the report").click()
    expect(minor.get_by_role("alert")).to_contain_text("Choose the kind of concern closest to what you saw.")
    check_accessibility(minor)
    minor.get_by_role("radio", name="Harassment or bullying").check()
    minor.get_by_label("Anything the coordinators should know (optional)").fill("It made me uncomfortable.")
    minor.get_by_role("button", name="Send the report").click()
    expect(flash(minor, "Thank you: the coordinators have been told.")).to_be_visible()
    expect(heading(minor, "Feedback on your draft")).to_be_visible()
    check_accessibility(minor)

    # A coordinator sees the report in the queue, opens it and closes it with a note (forgotten first).
    coordinator = _signed_in(new_page, coordinator_email)
    main_nav = coordinator.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name=re.compile(r"^Concerns \(\d+ open\)$")).click()
    expect(heading(coordinator, "Concerns reported")).to_be_visible()
    check_accessibility(coordinator)
    row = coordinator.get_by_role("row").filter(has_text=team_name)
    expect(row).to_contain_text("Léa Martin")
    row.get_by_role("link", name=re.compile("^Harassment or bullying")).click()
    expect(heading(coordinator, re.compile(r"^Report \d+: Harassment or bullying$"))).to_be_visible()
    expect(coordinator.get_by_text("It made me uncomfortable.")).to_be_visible()
    expect(coordinator.get_by_role("link", name="Read it in context")).to_be_visible()
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Close the report").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Say what was done, for the record.")
    check_accessibility(coordinator)
    coordinator.get_by_label("Resolution note").fill("Talked with the mentor and the team; all is well.")
    coordinator.get_by_role("button", name="Close the report").click()
    expect(flash(coordinator, "The report is closed.")).to_be_visible()
    expect(heading(coordinator, "Concerns reported")).to_be_visible()
    expect(coordinator.get_by_role("row").filter(has_text=team_name)).to_have_count(0)
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name="Closed", exact=True).click()
    expect(coordinator.get_by_role("row").filter(has_text=team_name)).to_have_count(1)
    check_accessibility(coordinator)
