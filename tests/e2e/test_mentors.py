"""Mentors in a real browser: a mentor fills in their profile, then a coordinator finds them and records the
background check that makes them vetted."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.steps import expect_dashboard, flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e

BIO = "Documentary maker. I help teams **tell** their own story."


def test_a_mentor_fills_the_profile_and_a_coordinator_records_the_vetting(live_server, new_page, unique_email):
    mentor_email, coordinator_email = unique_email("mentor"), unique_email("coordinator")
    name = f"Mateo Mentor{uuid.uuid4().hex[:6]}"
    with live_server.app.app_context():
        factories.create_user("mentor", email=mentor_email, name=name)
        factories.create_user("coordinator", email=coordinator_email, name="Chloé Coordinator")
        db.commit()

    # The mentor fills in the profile, with capacity 0 first: the form comes back with everything kept.
    mentor = new_page()
    visit(mentor, "/signin")
    sign_in(mentor, mentor_email, factories.PASSWORD)
    expect_dashboard(mentor, "Mateo")
    mentor.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    expect(heading(mentor, "Your mentoring")).to_be_visible()
    check_accessibility(mentor)
    mentor.get_by_role("link", name="Your mentor profile").click()
    expect(heading(mentor, "Your mentor profile")).to_be_visible()
    expect(mentor.get_by_text("You are not vetted yet")).to_be_visible()
    check_accessibility(mentor)
    expertise = mentor.get_by_role("group", name="Expertise")
    expertise.get_by_role("checkbox", name="Video and storytelling").check()
    expertise.get_by_role("checkbox", name="Community organising").check()
    languages = mentor.get_by_role("group", name="Working languages")
    expect(languages.get_by_role("checkbox", name="English")).to_be_checked()  # their own language, to start
    languages.get_by_role("checkbox", name="Spanish").check()
    mentor.get_by_label("Time zone", exact=True).select_option("America/Toronto")
    mentor.get_by_label("How many teams at once").fill("0")
    mentor.get_by_label("Availability").fill("Weekday evenings")
    mentor.get_by_label("Short bio").fill(BIO)
    mentor.get_by_role("group", name="Themes you would like to work on").get_by_role(
        "checkbox", name="Intercultural dialogue").check()
    mentor.get_by_label("I have read and accept the mentor code of conduct").check()
    mentor.get_by_role("button", name="Save my profile").click()

    expect(mentor.get_by_role("alert")).to_contain_text(
        "Enter a number from 1 to 10: how many teams you can mentor at the same time.")
    expect(mentor.get_by_label("How many teams at once")).to_have_value("0")
    expect(mentor.get_by_label("Availability")).to_have_value("Weekday evenings")
    expect(mentor.get_by_label("Short bio")).to_have_value(BIO)
    expect(languages.get_by_role("checkbox", name="Spanish")).to_be_checked()
    check_accessibility(mentor)
    mentor.get_by_label("How many teams at once").fill("2")
    mentor.get_by_role("button", name="Save my profile").click()
    expect(flash(mentor, "Your mentor profile is saved.")).to_be_visible()
    expect(mentor.get_by_label("How many teams at once")).to_have_value("2")
    check_accessibility(mentor)

    # The coordinator finds the mentor and records the check, with the expiry before the check first.
    coordinator = new_page()
    visit(coordinator, "/signin")
    sign_in(coordinator, coordinator_email, factories.PASSWORD)
    expect_dashboard(coordinator, "Chloé")
    visit(coordinator, "/mentors")
    expect(heading(coordinator, "Mentors")).to_be_visible()
    coordinator.get_by_label("Name or email address").fill(name)
    coordinator.get_by_role("button", name="Search").click()
    row = coordinator.get_by_role("row").filter(has=coordinator.get_by_role("link", name=name))
    expect(row).to_contain_text("Video and storytelling, Community organising")
    expect(row).to_contain_text("Not vetted")
    check_accessibility(coordinator)
    row.get_by_role("link", name=name).click()
    expect(heading(coordinator, name)).to_be_visible()
    expect(coordinator.get_by_text("Weekday evenings")).to_be_visible()
    check_accessibility(coordinator)

    today = date.today()
    expires = today + timedelta(days=3 * 365)
    coordinator.get_by_label("Kind of check").select_option(label="Vulnerable sector check")
    coordinator.get_by_label("Date of the check").fill(today.isoformat())
    coordinator.get_by_label("Expiry date").fill((today - timedelta(days=1)).isoformat())
    coordinator.get_by_label("Note (optional)").fill("Ref. VS-2291")
    coordinator.get_by_role("button", name="Record the check").click()

    expect(coordinator.get_by_role("alert")).to_contain_text("The expiry date must come after the date of the check.")
    expect(coordinator.get_by_label("Kind of check")).to_have_value("vulnerable_sector_check")
    expect(coordinator.get_by_label("Date of the check")).to_have_value(today.isoformat())
    expect(coordinator.get_by_label("Note (optional)")).to_have_value("Ref. VS-2291")
    check_accessibility(coordinator)
    coordinator.get_by_label("Expiry date").fill(expires.isoformat())
    coordinator.get_by_role("button", name="Record the check").click()

    expect(flash(coordinator, f"The vetting of {name} is recorded.")).to_be_visible()
    expect(coordinator.get_by_text(f"Vetted until {format_date(expires, 'long', locale='en')}")).to_be_visible()
    expect(coordinator.get_by_role("region", name="Background checks, newest first")).to_contain_text(
        "Chloé Coordinator")
    check_accessibility(coordinator)

    # The mentor sees it too.
    visit(mentor, "/mentor/profile")
    expect(mentor.get_by_text(f"You are vetted until {format_date(expires, 'long', locale='en')}.")).to_be_visible()
