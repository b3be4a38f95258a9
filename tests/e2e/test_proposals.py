"""A team lead drafts a proposal in a real browser, fails a submission, fixes it and submits: in English, then
in French. Elements are found by their labels and roles; axe checks every page on the way."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e


def _committed(live_server, build):
    with live_server.app.app_context():
        result = build()
        db.commit()
        return result


def _lead_team_and_call(live_server, email: str, *, locale: str = "en", call_title: str, team_name: str):
    def build():
        lead = factories.create_user(email=email, name="Inès Bouchard", locale=locale)
        mate = factories.create_user(name="Yanis Côté", locale=locale)
        factories.create_team(lead, mate, name=team_name)
        return factories.create_call(title=call_title, max_award=500_000).id

    return _committed(live_server, build)


def _in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def test_a_lead_drafts_fails_a_submission_fixes_it_and_submits(live_server, page, unique_email):
    email = unique_email("lead")
    call_id = _lead_team_and_call(live_server, email, call_title="Voices Against Hate (e2e)",
                                  team_name=f"Respect Lab {email[5:10]}")
    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)

    visit(page, f"/calls/{call_id}")
    expect(heading(page, "Voices Against Hate (e2e)")).to_be_visible()
    page.get_by_role("link", name="Start a proposal").click()
    expect(heading(page, "Start a proposal")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Start the draft").click()

    expect(heading(page, "Edit the proposal")).to_be_visible()
    expect(flash(page, "Your draft is started. Fill it in at your own pace: save it as often as you like.")) \
        .to_be_visible()
    check_accessibility(page)
    page.get_by_label("Project title").fill("Micro ouvert")
    page.get_by_label("Summary").fill("Podcasts where teenagers answer online hate.")
    page.get_by_label("The problem").fill("Hateful memes spread faster than answers.")
    page.get_by_label("Your approach").fill("Ten episodes, each from a real situation.")
    page.get_by_role("group", name="Themes").get_by_role("checkbox", name="Counter-narratives").check()
    page.get_by_label("Amount requested").fill("3000")

    page.get_by_role("button", name="Add a budget line").click()
    line = page.get_by_role("group", name="Budget line 1")
    expect(line).to_be_visible()
    expect(page.get_by_label("Project title")).to_have_value("Micro ouvert")  # nothing typed is lost
    check_accessibility(page)
    line.get_by_label("Category").select_option(label="Equipment")
    line.get_by_label("What it pays for").fill("Microphones and an audio interface")
    line.get_by_label("Amount", exact=True).fill("3000")

    page.get_by_role("button", name="Add a milestone").click()
    milestone = page.get_by_role("group", name="Milestone 1")
    expect(milestone).to_be_visible()
    expect(line.get_by_label("What it pays for")).to_have_value("Microphones and an audio interface")
    check_accessibility(page)
    milestone.get_by_label("Milestone", exact=True).fill("Season online")
    milestone.get_by_label("What you will deliver").fill("Ten episodes published")
    milestone.get_by_label("Due date").fill(_in_days(90))
    milestone.get_by_label("Tranche paid when it is approved").fill("2000")

    page.get_by_role("button", name="Submit the proposal").click()
    problems = page.get_by_role("alert").filter(has_text="There is 1 problem to fix")
    expect(problems).to_be_visible()
    expect(problems.get_by_role("link", name="Milestone plan: The tranches add up to CA$2,000.00, but you ask for "
                                              "CA$3,000.00. They must be equal.")).to_be_visible()
    check_accessibility(page)
    expect(page.get_by_label("Project title")).to_have_value("Micro ouvert")
    expect(page.get_by_label("Summary")).to_have_value("Podcasts where teenagers answer online hate.")
    expect(page.get_by_label("Amount requested")).to_have_value("3000")
    milestone = page.get_by_role("group", name="Milestone 1")
    expect(milestone.get_by_label("Milestone", exact=True)).to_have_value("Season online")
    expect(milestone.get_by_label("Tranche paid when it is approved")).to_have_value("2000")

    milestone.get_by_label("Tranche paid when it is approved").fill("3000")
    page.get_by_role("button", name="Submit the proposal").click()

    expect(heading(page, "Micro ouvert")).to_be_visible()
    expect(flash(page, "Your proposal is submitted. Your team has been told by email.")).to_be_visible()
    check_accessibility(page)
    expect(page.get_by_role("definition").filter(has_text="submitted").first).to_be_visible()
    history = page.get_by_role("table", name="Who changed what, and when, oldest first")
    expect(history.get_by_role("row").filter(has_text="started the draft")).to_have_count(1)
    expect(history.get_by_role("row").filter(has_text="From draft to submitted.")).to_have_count(1)
    expect(history.get_by_role("cell", name="Inès Bouchard").first).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Proposals").click()
    expect(heading(page, "My proposals")).to_be_visible()
    check_accessibility(page)
    expect(page.get_by_role("link", name="Micro ouvert")).to_be_visible()


def test_the_same_journey_in_french(live_server, page_fr, unique_email):
    page, email = page_fr, unique_email("fr-lead")
    call_id = _lead_team_and_call(live_server, email, locale="fr", call_title="Voix contre la haine (e2e)",
                                  team_name=f"Labo Respect {email[8:13]}")
    visit(page, "/signin")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading(page, FR["Sign in"])).to_be_visible()
    page.get_by_label(FR["Email address"]).fill(email)
    page.get_by_label(FR["Password"]).fill(factories.PASSWORD)
    page.get_by_role("button", name=FR["Sign in"]).click()
    expect(page.get_by_role("navigation", name=FR["Main"])).to_be_visible()

    visit(page, f"/calls/{call_id}")
    page.get_by_role("link", name=FR["Start a proposal"]).click()
    expect(heading(page, FR["Start a proposal"])).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name=FR["Start the draft"]).click()

    expect(heading(page, FR["Edit the proposal"])).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    check_accessibility(page)
    page.get_by_label(FR["Project title"]).fill("Micro ouvert")
    page.get_by_label(FR["Summary"]).fill("Des balados où des ados répondent à la haine en ligne.")
    page.get_by_label(FR["The problem"]).fill("Les mèmes haineux circulent plus vite que les réponses.")
    page.get_by_label(FR["Your approach"]).fill("Dix épisodes, chacun tiré d'une situation réelle.")
    page.get_by_role("group", name=FR["Themes"]).get_by_role("checkbox", name=FR["Counter-narratives"]).check()
    page.get_by_label(FR["Amount requested"]).fill("3 000")

    page.get_by_role("button", name=FR["Add a budget line"]).click()
    line = page.get_by_role("group", name=FR["Budget line 1"])
    expect(page.get_by_label(FR["Project title"])).to_have_value("Micro ouvert")
    check_accessibility(page)
    line.get_by_label(FR["Category"]).select_option(label=FR["Equipment"])
    line.get_by_label(FR["What it pays for"]).fill("Micros et interface audio")
    line.get_by_label(FR["Amount"], exact=True).fill("3 000,00")

    page.get_by_role("button", name=FR["Add a milestone"]).click()
    milestone = page.get_by_role("group", name=FR["Milestone 1"])
    check_accessibility(page)
    milestone.get_by_label(FR["Milestone"], exact=True).fill("Saison en ligne")
    milestone.get_by_label(FR["What you will deliver"]).fill("Dix épisodes publiés")
    milestone.get_by_label(FR["Due date"]).fill(_in_days(90))
    milestone.get_by_label(FR["Tranche paid when it is approved"]).fill("2 000")

    page.get_by_role("button", name=FR["Submit the proposal"]).click()
    problems = page.get_by_role("alert").filter(has_text=FR["There is 1 problem to fix"])
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("2\u202f000,00")  # amounts written the French way
    expect(problems).to_contain_text("3\u202f000,00")
    check_accessibility(page)
    expect(page.get_by_label(FR["Summary"])).to_have_value("Des balados où des ados répondent à la haine en ligne.")
    expect(page.get_by_label(FR["Amount requested"])).to_have_value("3 000")
    milestone = page.get_by_role("group", name=FR["Milestone 1"])
    expect(milestone.get_by_label(FR["Tranche paid when it is approved"])).to_have_value("2 000")

    milestone.get_by_label(FR["Tranche paid when it is approved"]).fill("3 000")
    page.get_by_role("button", name=FR["Submit the proposal"]).click()
    expect(heading(page, "Micro ouvert")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    check_accessibility(page)
    expect(page.get_by_role("heading", name=FR["History"], level=2)).to_be_visible()
