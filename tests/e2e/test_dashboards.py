"""Dashboards in a real browser: a coordinator and a funder open theirs, read a chart and the table of its numbers,
and narrow the figures with the filters, found by their labels and sent from the keyboard; in English and in
French, with axe checking every page."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from app import db
from app.ledger.balances import DISBURSEMENT
from app.ledger.models import LedgerEntry
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import heading, sign_in, visit

pytestmark = pytest.mark.e2e

ENGLISH = {key: key for key in FR}
LANGUAGES = {"en-US": ENGLISH, "fr-FR": FR}


def _programme(live_server, tag: str, locale: str) -> dict:
    """Fatima manages Voices (CAD) and Bridges (EUR); Other is someone else's. Teams in Canada and France."""
    language = locale[:2]
    with live_server.app.app_context():
        coordinator = factories.create_user("coordinator", email=f"cora-{tag}@example.org", name=f"Cora {tag}",
                                            locale=language)
        fatima = factories.create_user("funder", email=f"fatima-{tag}@example.org", name=f"Fatima {tag}",
                                       locale=language)
        voices = factories.create_call(fatima, title=f"Voices {tag}")
        bridges = factories.create_call(fatima, title=f"Bridges {tag}", currency="EUR")
        other = factories.create_call(title=f"Other {tag}")
        canada = factories.create_team(name=f"Montréal {tag}")
        france = factories.create_team(name=f"Lyon {tag}", country="FR")
        factories.create_proposal(canada, voices, state="submitted")
        factories.create_proposal(france, voices, state="in_review")
        podcast = factories.create_project(canada, voices, title=f"Podcast {tag}", amount=300_000)
        db.session.add(LedgerEntry(call_id=voices.id, grant_id=podcast.id, kind=DISBURSEMENT, amount=100_000,
                                   currency="CAD"))
        factories.create_proposal(france, bridges, state="submitted")
        factories.create_proposal(canada, other, state="in_review")
        db.commit()
        return {"coordinator": coordinator.email, "fatima": fatima.email, "voices": voices.title,
                "bridges": bridges.title, "other": other.title}


def _dashboard(new_page, email: str, locale: str) -> Page:
    page = new_page(locale)
    words = LANGUAGES[locale]
    visit(page, "/signin")
    if words is FR:
        page.get_by_label(FR["Email address"]).fill(email)
        page.get_by_label(FR["Password"]).fill(factories.PASSWORD)
        page.get_by_role("button", name=FR["Sign in"]).click()
    else:
        sign_in(page, email, factories.PASSWORD)
    expect(page.get_by_role("navigation", name=words["Main"])).to_be_visible()
    visit(page, "/dashboard")
    return page


def _filter(page: Page, words: dict, **choices: str) -> None:
    """Choose in the labelled lists, then send the form from the keyboard."""
    for label, option in choices.items():
        page.get_by_label(words[label], exact=True).select_option(label=option)
    page.get_by_role("button", name=words["Apply the filters"]).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _open_table(page: Page, words: dict, chart_title: str):
    """Open the chart's table with the keyboard and return it."""
    page.locator("summary", has_text=words["The numbers as a table"]).filter(has_text=chart_title).focus()
    page.keyboard.press("Enter")
    table = page.get_by_role("table", name=chart_title)
    expect(table).to_be_visible()
    return table


def _count(table, state: str):
    return table.get_by_role("row").filter(has=table.page.get_by_role("rowheader", name=state, exact=True)) \
        .get_by_role("cell")


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_a_coordinator_filters_the_programme_figures(live_server, new_page, locale):
    words = LANGUAGES[locale]
    tag = uuid.uuid4().hex[:6]
    data = _programme(live_server, tag, locale)
    page = _dashboard(new_page, data["coordinator"], locale)

    expect(heading(page, words["The programme now"], level=2)).to_be_visible()
    title = words["Proposals by state"]
    expect(page.get_by_role("img", name=title)).to_be_visible()

    _filter(page, words, Call=data["voices"])
    check_accessibility(page)
    table = _open_table(page, words, title)
    expect(_count(table, words["submitted"])).to_have_text("1")
    expect(_count(table, words["in review"])).to_have_text("1")
    expect(_count(table, words["awarded"])).to_have_text("1")
    expect(page.get_by_role("img", name=title)).to_be_visible()
    check_accessibility(page)

    _filter(page, words, Country="France")
    table = _open_table(page, words, title)
    expect(_count(table, words["submitted"])).to_have_text("0")
    expect(_count(table, words["in review"])).to_have_text("1")
    expect(page.get_by_label(words["Country"], exact=True)).to_have_value("FR")
    check_accessibility(page)

    page.get_by_role("link", name=words["Clear the filters"]).click()
    expect(page.get_by_label(words["Country"], exact=True)).to_have_value("")
    check_accessibility(page)


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_a_funder_sees_only_her_calls_and_filters_them(live_server, new_page, locale):
    words = LANGUAGES[locale]
    tag = uuid.uuid4().hex[:6]
    data = _programme(live_server, tag, locale)
    page = _dashboard(new_page, data["fatima"], locale)

    expect(heading(page, words["Your calls and reviews"], level=2)).to_be_visible()
    calls = page.get_by_label(words["Call"], exact=True).locator("option")
    expect(calls).to_have_text([words["All calls"], data["bridges"], data["voices"]])
    voices_chart = words["Proposals in “%(call)s” by state"].replace("%(call)s", data["voices"])
    expect(page.get_by_role("img", name=voices_chart)).to_be_visible()
    expect(page.get_by_text(data["other"])).to_have_count(0)

    _filter(page, words, Country="France")
    check_accessibility(page)
    table = _open_table(page, words, voices_chart)
    expect(_count(table, words["submitted"])).to_have_text("0")
    expect(_count(table, words["in review"])).to_have_text("1")
    expect(_count(table, words["awarded"])).to_have_text("0")
    check_accessibility(page)

    _filter(page, words, Call=data["voices"], Country=words["All countries"])
    expect(page.get_by_role("heading", name=data["bridges"])).to_have_count(0)
    table = _open_table(page, words, voices_chart)
    expect(_count(table, words["awarded"])).to_have_text("1")
    check_accessibility(page)
