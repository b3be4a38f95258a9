"""The impact report in a real browser: a funder finds it from the calls they manage, filters it to one call,
downloads the CSV and opens the printable page; a French-speaking funder reads it in French. axe checks every page,
and the printable page also as it prints."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app import db
from app.calls.models import CallFunder
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import heading, sign_in, visit
from tests.impact.conftest import build_world

pytestmark = pytest.mark.e2e


def _setup(live_server) -> dict:
    """The hand-computed world of tests/impact, committed; a second funder of call A reads French."""
    with live_server.app.app_context():
        world = build_world()
        french = factories.create_user("funder", name="Fanny Financeuse", locale="fr")
        db.session.add(CallFunder(call_id=world.call_a.id, user_id=french.id))
        db.commit()
        return {"funder": world.funder_a.email, "french": french.email, "call_a": world.call_a.id,
                "call_b_title": world.call_b.title}


def _sign_in(page, email: str) -> None:
    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)


def test_a_funder_reads_filters_downloads_and_prints_the_impact_report(live_server, new_page, tmp_path):
    data = _setup(live_server)
    page = new_page()
    _sign_in(page, data["funder"])

    # -- from the calls the funder manages to the overall report ----------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Manage calls").click()
    page.get_by_role("link", name="Impact report: what the funded projects have done").click()
    expect(heading(page, "Impact report")).to_be_visible()
    check_accessibility(page)
    calls = page.get_by_role("table", name="Each call that has awarded grants")
    expect(calls.get_by_role("row")).to_have_count(3)  # the header, Voices Against Hate, and the total
    expect(page.get_by_text(data["call_b_title"])).to_have_count(0)  # not a call this funder manages

    # -- filtered to one call ------------------------------------------------------------------------------------
    page.get_by_label("Call", exact=True).select_option(label="Voices Against Hate")
    page.get_by_role("button", name="Show the report").click()
    expect(heading(page, "Impact report: Voices Against Hate")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/impact/calls/{data['call_a']}$"))
    check_accessibility(page)
    themes = page.get_by_role("table", name="Reach by theme")
    expect(themes.get_by_role("row", name=re.compile("^Counter-narratives"))).to_contain_text("2 250 5 2")
    expect(page.get_by_role("img", name=re.compile("^Bar chart: people reached by theme"))).to_be_visible()

    # -- the CSV ---------------------------------------------------------------------------------------------------
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"impact-call-{data['call_a']}-voices-against-hate.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    content = target.read_bytes()
    assert content.startswith("\ufeff".encode())
    assert f"Money,{data['call_a']},Voices Against Hate,,Money awarded,CAD,8000.00" in content.decode("utf-8-sig")

    # -- the printable page, on screen and as it prints --------------------------------------------------------
    page.get_by_role("link", name="Printable page").click()
    expect(heading(page, "Impact report: Voices Against Hate")).to_be_visible()
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.locator("form")).to_have_count(0)
    check_accessibility(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Back to the report")).to_be_hidden()
    expect(page.get_by_role("heading", name="What the numbers mean")).to_be_visible()
    check_accessibility(page)


def test_the_impact_report_in_french(live_server, new_page):
    data = _setup(live_server)
    page = new_page("fr-FR")
    visit(page, "/signin")
    page.get_by_label(FR["Email address"]).fill(data["french"])
    page.get_by_label(FR["Password"]).fill(factories.PASSWORD)
    page.get_by_role("button", name=FR["Sign in"]).click()

    visit(page, "/impact/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading(page, FR["Impact report"])).to_be_visible()
    expect(page.get_by_role("table", name=FR["Reach by country"]).get_by_role("row", name=re.compile("^Canada")))\
        .to_be_visible()
    page.get_by_label(FR["Call"], exact=True).select_option(label="Voices Against Hate")
    page.get_by_role("button", name=FR["Show the report"]).click()
    expect(heading(page, FR["Impact report: %(title)s"] % {"title": "Voices Against Hate"})).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name=FR["Printable page"]).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    check_accessibility(page)
