"""The showcase in the browser: the team lead writes the public page (reading the preview of who is named),
publishes, and the public, in a fresh anonymous browser, finds the project in the gallery, filters by theme and
opens its page; a French-speaking visitor reads the same pages in French, and a French-speaking lead sees the
form's problems in French. axe checks every page visited."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import flash, heading, visit
from tests.e2e.steps import signed_in as _signed_in

pytestmark = pytest.mark.e2e


def _project(live_server, tag: str, *, lead_locale: str = "en") -> dict:
    """An active project of a team with an adult mate and a minor whose guardian has not answered yet."""
    with live_server.app.app_context():
        lead = factories.create_user(email=f"lead-{tag}@example.org", name=f"Ines Lavoie{tag}", locale=lead_locale)
        mate = factories.create_user(email=f"mate-{tag}@example.org", name=f"Omar Haddad{tag}")
        minor = factories.create_user(email=f"minor-{tag}@example.org", name=f"Sami Tremblay{tag}", age=14,
                                      country="FR", consent="requested")
        team = factories.create_team(lead, mate, minor, name=f"Respect Lab {tag}")
        grant = factories.create_project(team, state="active", approved=1, title=f"Voices Against Hate {tag}")
        grant.proposal.themes = ["hate_speech"]
        db.commit()
        return {"grant_id": grant.id, "lead": lead.email, "title": grant.proposal.title,
                "surnames": [f"Lavoie{tag}", f"Haddad{tag}", f"Tremblay{tag}"], "minor": "Sami"}




def _expect_private(page: Page, project: dict) -> None:
    body = page.content()
    for word in (*project["surnames"], project["minor"], "@example.org"):
        assert word not in body, f"{page.url} shows {word!r}"


def test_the_lead_publishes_and_the_public_finds_the_project(live_server, new_page):
    project = _project(live_server, uuid.uuid4().hex[:6])
    lead = _signed_in(new_page, project["lead"])
    lead.goto(f"/projects/{project['grant_id']}")  # the project's page (the lead engineer's) links to the form
    lead.get_by_role("link", name="The public showcase").click()
    expect(heading(lead, "Your project in the public showcase")).to_be_visible()
    check_accessibility(lead)
    preview = lead.get_by_role("region", name="Preview: what the public will see")
    expect(preview.get_by_text(re.compile(r"^Sami is not named: under the age of consent"))).to_be_visible()

    lead.get_by_label("Public summary").fill("Weekly podcasts by teenagers in Montréal.")
    lead.get_by_label("Link 1 text").fill("Our podcast")
    lead.get_by_label("Link 1 web address").fill("javascript:alert(1)")
    lead.get_by_role("button", name="Update the preview").click()
    expect(lead.get_by_role("alert").get_by_text("There is 1 problem to fix")).to_be_visible()
    expect(lead.get_by_label("Public summary")).to_have_value("Weekly podcasts by teenagers in Montréal.")
    check_accessibility(lead)
    lead.get_by_label("Link 1 web address").fill("https://podcasts.test/voices")
    lead.get_by_role("button", name="Update the preview").click()
    expect(preview.get_by_text("Weekly podcasts by teenagers in Montréal.")).to_be_visible()
    expect(preview.get_by_role("link", name="Our podcast")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_role("button", name="Publish", exact=True).click()
    expect(flash(lead, "Your project is in the public showcase.")).to_be_visible()
    expect(heading(lead, project["title"])).to_be_visible()
    check_accessibility(lead)

    public = new_page()  # a fresh anonymous browser
    visit(public, "/")
    public.get_by_role("navigation", name="Main").get_by_role("link", name="Showcase").click()
    expect(heading(public, "Project showcase")).to_be_visible()
    check_accessibility(public)
    expect(public.get_by_role("link", name=project["title"])).to_be_visible()
    public.get_by_label("Theme").select_option(label="Inclusion")
    public.get_by_role("button", name="Filter").click()
    expect(public.get_by_role("link", name=project["title"])).to_have_count(0)
    check_accessibility(public)
    public.get_by_label("Theme").select_option(label="Countering hate speech")
    public.get_by_role("button", name="Filter").click()
    expect(public).to_have_url(re.compile(r"theme=hate_speech"))
    public.get_by_role("link", name=project["title"]).click()
    expect(heading(public, project["title"])).to_be_visible()
    check_accessibility(public)
    expect(public.get_by_text(re.compile(r"^Ines, Omar and 1 more member$"))).to_be_visible()
    expect(public.get_by_role("link", name="Our podcast")).to_have_attribute("rel", "noopener nofollow ugc")
    expect(public.locator('meta[property="og:title"]')).to_have_attribute("content", project["title"])
    _expect_private(public, project)

    french = new_page("fr-FR")
    visit(french, "/showcase/")
    expect(heading(french, FR["Project showcase"])).to_be_visible()
    french.get_by_label(FR["Theme"]).select_option("hate_speech")
    french.get_by_role("button", name=FR["Filter"]).click()
    french.get_by_role("link", name=project["title"]).click()
    expect(heading(french, project["title"])).to_be_visible()
    expect(french.get_by_text(FR["Progress"], exact=True)).to_be_visible()
    check_accessibility(french)
    _expect_private(french, project)


def test_a_french_speaking_lead_reads_the_form_and_its_problems_in_french(live_server, new_page):
    project = _project(live_server, uuid.uuid4().hex[:6], lead_locale="fr")
    lead = _signed_in(new_page, project["lead"], "fr-FR")
    visit(lead, f"/showcase/projects/{project['grant_id']}/publish")
    lead.get_by_label(FR["Public summary"]).fill("")
    lead.get_by_role("button", name=FR["Update the preview"]).click()
    expect(lead.get_by_role("alert").get_by_text(FR["There is 1 problem to fix"])).to_be_visible()
    problem = FR["Write a few sentences about the project for the public."]
    expect(lead.locator("#summary-error")).to_contain_text(problem)
    check_accessibility(lead)
