"""Funding calls in a real browser: a funder writes a call with its rubric, publishes it, and anyone finds it."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from app import db
from app.db import utcnow
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e

LEVELS = ("No link with the theme", "A loose link", "A clear link", "A strong link", "The heart of the theme")


def _fill_criterion(page, number: int, title: str, weight: str, levels=LEVELS) -> None:
    row = page.get_by_role("group", name=f"Criterion {number}", exact=True)
    row.get_by_label("Name of the criterion").fill(title)
    row.get_by_label("What reviewers look for").fill(f"How well the project does on {title.lower()}.")
    row.get_by_label("Weight").fill(weight)
    for level, text in enumerate(levels, start=1):
        row.get_by_label(f"Level {level}").fill(text)


def test_a_funder_writes_publishes_a_call_and_a_visitor_finds_it(live_server, new_page, unique_email):
    funder_email = unique_email("funder")
    title = f"Voices Against Hate {uuid.uuid4().hex[:6]}"
    year = utcnow().year + 1
    with live_server.app.app_context():
        factories.create_user("funder", email=funder_email, name="Fatima Benali")
        db.commit()

    funder = new_page()
    visit(funder, "/signin")
    sign_in(funder, funder_email, factories.PASSWORD)
    funder.get_by_role("navigation", name="Main").get_by_role("link", name="Manage calls").click()
    expect(heading(funder, "Manage calls")).to_be_visible()
    check_accessibility(funder)
    funder.get_by_role("link", name="Create a call").click()
    expect(heading(funder, "Create a funding call")).to_be_visible()
    check_accessibility(funder)

    funder.get_by_label("Title of the call").fill(title)
    funder.get_by_label("Description").fill("Projects that **answer** online hate.\n\n- videos\n- podcasts")
    themes = funder.get_by_role("group", name="Themes")
    themes.get_by_role("checkbox", name="Counter-narratives").check()
    themes.get_by_role("checkbox", name="Countering hate speech").check()
    funder.get_by_label("Currency").select_option("CAD")
    funder.get_by_label("Total pool").fill("20 000")
    funder.get_by_label("Largest award to one team").fill("5 000,00")
    funder.get_by_label("Time zone of the dates").select_option("America/Toronto")
    funder.get_by_label("Opening time").fill(f"{year}-02-01T09:00")
    funder.get_by_label("Closing time").fill(f"{year}-01-15T23:59")  # before the opening: a mistake
    _fill_criterion(funder, 1, "Relevance", "3")

    funder.get_by_role("button", name="Add a criterion").click()
    expect(funder.get_by_role("group", name="Criterion 2", exact=True)).to_be_visible()
    expect(funder.get_by_label("Title of the call")).to_have_value(title)
    expect(funder.get_by_role("group", name="Criterion 1", exact=True).get_by_label("Name of the criterion")) \
        .to_have_value("Relevance")
    check_accessibility(funder)
    _fill_criterion(funder, 2, "Reach", "1", levels=("Nobody", "A few", "A class", "A school", "A city"))
    funder.get_by_role("button", name="Save the draft", exact=True).click()

    expect(funder.get_by_role("alert")).to_contain_text("The closing time must come after the opening time.")
    expect(funder.get_by_label("Title of the call")).to_have_value(title)
    expect(funder.get_by_label("Total pool")).to_have_value("20 000")
    expect(funder.get_by_role("group", name="Criterion 2", exact=True).get_by_label("Level 5")).to_have_value("A city")
    check_accessibility(funder)
    funder.get_by_label("Closing time").fill(f"{year}-03-15T23:59")
    funder.get_by_role("button", name="Save the draft", exact=True).click()

    expect(heading(funder, f"Manage “{title}”")).to_be_visible()
    expect(flash(funder, f"The call “{title}” is saved as a draft. Publish it when it is ready.")).to_be_visible()
    check_accessibility(funder)
    funder.get_by_role("button", name="Publish").click()
    expect(flash(funder, "The call is published: everyone can read it, and teams can propose projects once it "
                         "opens.")).to_be_visible()
    check_accessibility(funder)

    visitor = new_page()
    visit(visitor, "/")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Funding calls").click()
    expect(heading(visitor, "Funding calls")).to_be_visible()
    check_accessibility(visitor)
    visitor.get_by_role("link", name=title).click()
    expect(heading(visitor, title)).to_be_visible()
    expect(visitor.get_by_text(f"closes 15 March {year} at 23:59 (America/Toronto)").first).to_be_visible()
    expect(visitor.get_by_role("heading", name="Relevance", level=3)).to_be_visible()
    expect(visitor.get_by_text("A city")).to_be_visible()
    expect(visitor.get_by_text("CA$5,000.00")).to_be_visible()
    check_accessibility(visitor)
