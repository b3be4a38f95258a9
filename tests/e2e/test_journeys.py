"""Whole journeys through the portal in headless Chromium, as the people who use it take them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, check_accessibility
from tests.e2e.steps import expect_dashboard, fill_sign_up, flash, heading, sign_in, sign_up_and_confirm, visit

pytestmark = pytest.mark.e2e


def test_a_team_lead_signs_up_creates_a_team_and_a_teammate_joins_by_invitation(new_page, email_link, unique_email):
    lead_email, mate_email = unique_email("lead"), unique_email("mate")
    lead = new_page()
    sign_up_and_confirm(lead, email_link, name="Amina Diallo", email=lead_email)
    sign_in(lead, lead_email)
    expect_dashboard(lead, "Amina")
    expect(lead.get_by_text("You are not in a team yet.")).to_be_visible()

    lead.get_by_role("link", name="Create a team").click()
    expect(heading(lead, "Create a team")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_label("Team name").fill("Bridges Not Walls")
    lead.get_by_label("What your team is about").fill("Short videos that answer hate with facts and humour.")
    lead.get_by_label("Country", exact=True).select_option(label="Canada")
    languages = lead.get_by_role("group", name="Working languages")
    expect(languages.get_by_role("checkbox", name="English", exact=True)).to_be_checked()
    languages.get_by_role("checkbox", name="French", exact=True).check()
    lead.get_by_role("button", name="Create the team").click()
    expect(heading(lead, "Bridges Not Walls")).to_be_visible()
    expect(flash(lead, "Your team “Bridges Not Walls” is created. Invite your teammates below.")).to_be_visible()
    check_accessibility(lead)

    lead.get_by_label("Email address of the person to invite").fill(mate_email)
    lead.get_by_role("button", name="Send invitation").click()
    expect(flash(lead, f"We sent an invitation to {mate_email}.")).to_be_visible()
    expect(heading(lead, "Invitations waiting for an answer", level=3)).to_be_visible()
    expect(lead.get_by_role("button", name=f"Withdraw the invitation to {mate_email}")).to_be_visible()
    check_accessibility(lead)
    team_url = lead.url

    mate = new_page()
    visit(mate, email_link(mate_email, "team_invitation"))
    expect(heading(mate, "Invitation to join “Bridges Not Walls”")).to_be_visible()
    mate.get_by_role("link", name="Create an account").click()
    expect(heading(mate, "Create your account")).to_be_visible()
    check_accessibility(mate)
    expect(mate.get_by_label("Email address", exact=True)).to_have_value(mate_email)
    fill_sign_up(mate, name="Lucas Tremblay", email=None)
    expect(flash(mate, "Welcome to Passerelle, Lucas.")).to_be_visible()
    expect(heading(mate, "Invitation to join “Bridges Not Walls”")).to_be_visible()
    check_accessibility(mate)
    mate.get_by_role("button", name="Join the team").click()
    expect(flash(mate, "Welcome to “Bridges Not Walls”.")).to_be_visible()
    expect(heading(mate, "Bridges Not Walls")).to_be_visible()
    check_accessibility(mate)

    members = mate.get_by_role("table", name="Members of Bridges Not Walls")
    expect(members.get_by_role("cell", name="Amina Diallo", exact=True)).to_be_visible()
    expect(members.get_by_role("cell", name="Lucas Tremblay", exact=True)).to_be_visible()
    expect(members.get_by_role("row")).to_have_count(3)  # the header and two members

    lead.goto(team_url)
    check_accessibility(lead)
    members = lead.get_by_role("table", name="Members of Bridges Not Walls")
    expect(members.get_by_role("cell", name="Lucas Tremblay", exact=True)).to_be_visible()
    expect(lead.get_by_role("heading", name="Invitations waiting for an answer")).to_have_count(0)


def test_password_reset_replaces_the_old_password(page, email_link, unique_email):
    email = unique_email("reset")
    sign_up_and_confirm(page, email_link, name="Noor Haddad", email=email)

    page.get_by_role("link", name="Forgot your password?").click()
    expect(heading(page, "Reset your password")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"If an account uses {email}, we have sent it a link")
    check_accessibility(page)

    visit(page, email_link(email, "reset_password"))
    expect(heading(page, "Choose a new password")).to_be_visible()
    page.get_by_label("New password").fill("copper kettle whistle dawn")
    page.get_by_role("button", name="Save the new password").click()
    expect(flash(page, "Your password is changed. Sign in with your new password.")).to_be_visible()
    check_accessibility(page)

    sign_in(page, email)  # the old password
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("The email address or password is not right.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page)

    sign_in(page, email, "copper kettle whistle dawn")
    expect_dashboard(page, "Noor")


def test_a_minor_waits_for_the_guardian_who_creates_an_account_and_consents(new_page, email_link, unique_email):
    minor_email, guardian_email = unique_email("minor"), unique_email("guardian")
    minor = new_page()
    visit(minor, "/signup")
    fill_sign_up(minor, name="Chloé Gagnon", email=minor_email, birth_date=_birth_date(13), country="Canada",
                 region="Québec (Canada)")
    # Forgot the guardian: the form says what to fix, beside the field, and keeps what was typed.
    expect(minor.get_by_role("alert").get_by_role("heading", name="There is 1 problem to fix")).to_be_visible()
    guardian_field = minor.get_by_label("Your parent or guardian's email address")
    expect(guardian_field).to_have_attribute("aria-invalid", "true")
    expect(guardian_field).to_have_accessible_description(re.compile("a parent or guardian must agree"))
    expect(minor.get_by_label("Your name")).to_have_value("Chloé Gagnon")
    expect(minor.get_by_label("Province or region")).to_have_value("CA-QC")
    check_accessibility(minor)
    guardian_field.fill(guardian_email)
    minor.get_by_label("Password", exact=True).fill(PASSWORD)
    minor.get_by_role("button", name="Create account").click()
    expect(heading(minor, "Check your email")).to_be_visible()
    check_accessibility(minor)
    minor.get_by_role("link", name="Go to sign in").click()
    expect(heading(minor, "Sign in")).to_be_visible()
    check_accessibility(minor)
    sign_in(minor, minor_email)
    expect_dashboard(minor, "Chloé")
    expect(heading(minor, "Waiting for your guardian's consent", level=2)).to_be_visible()
    expect(minor.get_by_text(f"We asked {guardian_email} to agree that you take part.")).to_be_visible()

    guardian = new_page()
    visit(guardian, email_link(guardian_email, "consent_request"))
    expect(heading(guardian, "Consent request")).to_be_visible()
    guardian.get_by_role("link", name="Create a guardian account").click()
    expect(heading(guardian, "Create your account")).to_be_visible()
    expect(guardian.get_by_text("Chloé asked you to consent to their taking part.")).to_be_visible()
    check_accessibility(guardian)
    expect(guardian.get_by_label("Email address", exact=True)).to_have_value(guardian_email)
    expect(guardian.get_by_role("radio", name="A parent, guardian or sponsoring organisation")).to_be_checked()
    fill_sign_up(guardian, name="Isabelle Gagnon", email=None, birth_date="1981-09-03", country="Canada",
                 region="Québec (Canada)")
    expect(flash(guardian, "Welcome to Passerelle, Isabelle.")).to_be_visible()
    expect(heading(guardian, "Consent for Chloé Gagnon")).to_be_visible()
    check_accessibility(guardian)
    guardian.get_by_role("radio", name="I give my consent").check()
    guardian.get_by_role("checkbox", name="I am this young person's parent or legal guardian").check()
    guardian.get_by_role("button", name="Send my answer").click()
    expect(flash(guardian, "Thank you. Your consent is recorded.")).to_be_visible()
    expect_dashboard(guardian, "Isabelle")
    expect(heading(guardian, "Young people in your care", level=2)).to_be_visible()

    minor.reload()
    check_accessibility(minor)
    expect(minor.get_by_text("Your guardian has given consent.")).to_be_visible()
    expect(heading(minor, "Waiting for your guardian's consent", level=2)).to_have_count(0)


def test_keyboard_alone_reaches_main_content_and_submits_a_form(page, unique_email, email_link):
    email = unique_email("keys")
    sign_up_and_confirm(page, email_link, name="Kofi Mensah", email=email)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    # From main, Tab moves into the sign-in form; type into each field and press Enter to send it.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect_dashboard(page, "Kofi")


def test_the_sign_in_page_fits_a_small_phone(new_page):
    phone = new_page(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    visit(phone, "/signin")
    expect(heading(phone, "Sign in")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    phone.get_by_role("button", name="Sign in").click()  # empty form: errors must fit too
    expect(phone.get_by_role("alert")).to_be_visible()
    check_accessibility(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320


def _birth_date(age: int) -> str:
    from tests.factories import birth_date_for

    return birth_date_for(age).isoformat()
