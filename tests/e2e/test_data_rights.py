"""Data rights in a real browser: a member downloads everything the portal holds about them, then deletes their
account; a French-speaking member does the same in French, mistyping the password first; a guardian asks for a
minor's data to be erased and a coordinator carries it out."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import heading, sign_in, visit

pytestmark = pytest.mark.e2e


def _committed(live_server, build):
    with live_server.app.app_context():
        result = build()
        db.commit()
        return result


def _member(live_server, email: str, name: str, locale: str = "en") -> None:
    def build():
        person = factories.create_user("youth", email=email, name=name, locale=locale)
        teammate = factories.create_user("youth", name="Sacha Teammate")
        team = factories.create_team(teammate, person, name=f"Data Team {email[:8]}")
        from app.teamspace import services as teamspace

        teamspace.start_thread(person, team, "Our plan", "I will film on Sunday.")
    _committed(live_server, build)


def test_a_member_exports_their_data_then_deletes_their_account(live_server, page, unique_email, tmp_path):
    email = unique_email("leaving")
    _member(live_server, email, "Noa Leaving")
    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)
    expect(heading(page, "Hello, Noa")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
    page.get_by_role("link", name="Download or delete your data").click()
    expect(heading(page, "Your data")).to_be_visible()
    check_accessibility(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert re.fullmatch(r"passerelle-data-\d+-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(zipfile.ZipFile(saved).read("data.json"))
    assert data["account"][0]["email"] == email
    assert [message["body"] for message in data["team_messages"]] == ["I will film on Sunday."]
    assert data["teams"][0]["members"] == ["Sacha"]

    page.get_by_role("link", name="Delete my account").click()
    expect(heading(page, "Delete your account")).to_be_visible()
    expect(page.get_by_role("heading", name="What is erased")).to_be_visible()
    expect(page.get_by_role("heading", name="What is kept, without the name")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_label("I understand that my account is deleted for good and cannot be restored").check()
    page.get_by_role("button", name="Delete my account for good").click()

    expect(heading(page, "Your account is deleted")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    check_accessibility(page)

    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("The email address or password is not right.")


def test_the_same_in_french_with_a_mistyped_password_first(live_server, page_fr, unique_email):
    page, email = page_fr, unique_email("depart")
    _member(live_server, email, "Élise Départ", locale="fr")
    visit(page, "/signin")
    sign_in_fr(page, email)

    page.get_by_role("navigation", name=FR["Main"]).get_by_role("link", name=FR["My account"]).click()
    page.get_by_role("link", name=FR["Download or delete your data"]).click()
    expect(heading(page, FR["Your data"])).to_be_visible()
    expect(page.get_by_role("button", name=FR["Download my data"])).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name=FR["Delete my account"]).click()
    expect(heading(page, FR["Delete your account"])).to_be_visible()
    check_accessibility(page)
    page.get_by_label(FR["Your password"]).fill("not the password at all")
    page.get_by_label(FR["I understand that my account is deleted for good and cannot be restored"]).check()
    page.get_by_role("button", name=FR["Delete my account for good"]).click()
    expect(page.get_by_role("alert")).to_contain_text(FR["That is not your password."])
    check_accessibility(page)

    page.get_by_label(FR["Your password"]).fill(factories.PASSWORD)
    page.get_by_label(FR["I understand that my account is deleted for good and cannot be restored"]).check()
    page.get_by_role("button", name=FR["Delete my account for good"]).click()
    expect(heading(page, FR["Your account is deleted"])).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    check_accessibility(page)


def sign_in_fr(page, email: str) -> None:
    expect(heading(page, FR["Sign in"])).to_be_visible()
    page.get_by_label(FR["Email address"]).fill(email)
    page.get_by_label(FR["Password"]).fill(factories.PASSWORD)
    page.get_by_role("button", name=FR["Sign in"]).click()
    expect(heading(page, re.compile("^Bonjour, "))).to_be_visible()


def test_a_guardian_asks_for_a_minors_data_to_be_erased_and_a_coordinator_does_it(live_server, new_page,
                                                                                     unique_email):
    guardian_email, coordinator_email = unique_email("parent"), unique_email("coord")

    def build():
        from flask import render_template

        from app.accounts import services as accounts

        guardian = factories.create_user("guardian", email=guardian_email, name="Paula Parent", age=45)
        minor = factories.create_user("youth", name="Kai Young", age=14, region="CA-QC")
        consent = accounts.request_consent(minor, guardian_email)
        accounts.decide_consent(consent, guardian, give=True,
                                text=render_template("accounts/_consent_text.html", minor=minor))
        factories.create_user("coordinator", email=coordinator_email, name="Corinne Coord")
        factories.create_user("coordinator", name="Second Coord")
        return minor.id

    minor_id = _committed(live_server, build)

    guardian = new_page()
    visit(guardian, "/signin")
    sign_in(guardian, guardian_email, factories.PASSWORD)
    expect(heading(guardian, "Hello, Paula")).to_be_visible()
    guardian.get_by_role("link", name="Ask for Kai Young's data to be erased").click()
    expect(heading(guardian, "Ask for Kai Young's data to be erased")).to_be_visible()
    check_accessibility(guardian)
    guardian.get_by_role("button", name="Send the request").click()
    expect(guardian.get_by_role("alert")).to_contain_text("Say why, so the coordinators can act on it.")
    check_accessibility(guardian)
    guardian.get_by_label("Why you ask for this").fill("Kai no longer takes part.")
    guardian.get_by_role("button", name="Send the request").click()
    expect(guardian.get_by_role("status")).to_contain_text("Your request is sent.")

    coordinator = new_page()
    visit(coordinator, "/signin")
    sign_in(coordinator, coordinator_email, factories.PASSWORD)
    nav = coordinator.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name=re.compile(r"^Erasure requests")).click()
    expect(heading(coordinator, "Erasure requests")).to_be_visible()
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name=re.compile("^Kai Young")).click()
    expect(coordinator.get_by_text("Kai no longer takes part.")).to_be_visible()
    check_accessibility(coordinator)
    coordinator.get_by_label("I have checked this request: erase this young person's data").check()
    coordinator.get_by_role("button", name="Erase the data").click()
    expect(coordinator.get_by_role("status")).to_contain_text("The young person's data is erased.")
    coordinator.get_by_role("link", name="carried out").click()
    expect(coordinator.get_by_role("link", name=re.compile(f"^Former member #{minor_id}"))).to_be_visible()
    check_accessibility(coordinator)
