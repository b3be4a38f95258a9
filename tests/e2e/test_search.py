"""Search in a real browser: a coordinator searches from the main menu, narrows the results by country, opens
one, and looks at the teams; a French-speaking coordinator searches in French. Every page is checked by axe."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import heading, sign_in, visit

pytestmark = pytest.mark.e2e


def _setup(live_server, tag: str) -> dict:
    """Two coordinators (English, French) and three proposals whose titles share a word found only here."""
    word = f"Lanterne{tag}"
    with live_server.app.app_context():
        coordinator = factories.create_user("coordinator", email=f"coord-{tag}@example.org", name=f"Chloé Coord{tag}")
        french = factories.create_user("coordinator", email=f"coord-fr-{tag}@example.org", name=f"Aimé Coord{tag}",
                                       locale="fr")
        call = factories.create_call(title=f"Appel Lumière {tag}")
        team_fr = factories.create_team(name=f"Les Lucioles {word}", country="FR")
        team_ca = factories.create_team(name=f"Northern {word}", country="CA")
        podcast = factories.create_proposal(team_fr, call, state="submitted", title=f"Podcast {word} à l'école")
        factories.create_proposal(team_ca, call, state="in_review", title=f"Vidéos {word}")
        factories.create_proposal(team_ca, call, state="draft", title=f"Brouillon {word}")
        db.commit()
        return {"word": word, "coordinator": coordinator.email, "french": french.email, "podcast": podcast.title,
                "podcast_id": podcast.id, "team_fr": team_fr.name}


def _signed_in(page: Page, email: str) -> None:
    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_a_coordinator_searches_narrows_by_country_and_opens_a_result(live_server, page):
    tag = uuid.uuid4().hex[:8]
    data = _setup(live_server, tag)
    word = data["word"]
    _signed_in(page, data["coordinator"])

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(heading(page, "Search")).to_be_visible()
    check_accessibility(page)

    # -- one letter is not enough: the page says so beside the field -------------------------------------------
    page.get_by_label("Words to find").fill("l")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Type a word of at least 2 letters or digits.").first).to_be_visible()
    check_accessibility(page)

    # -- the word, typed without its capital, finds the three proposals, drafts included -----------------------
    page.get_by_label("Words to find").fill(word.lower())
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("region", name="Proposals")
    expect(results.get_by_role("status")).to_have_text(f"3 results for “{word.lower()}”")
    expect(page).to_have_title("Search: 3 results · Passerelle")
    expect(results.get_by_role("heading", level=3)).to_have_count(3)
    expect(page.get_by_role("navigation", name="Kinds of result").get_by_role("link", name="Teams (2)")).to_be_visible()
    check_accessibility(page)

    # -- narrowed to France, one is left; it opens on its own page ----------------------------------------------
    page.get_by_label("Country").select_option(label="France")
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_role("status")).to_have_text(f"1 result for “{word.lower()}”")
    expect(page.get_by_label("Country")).to_have_value("FR")
    check_accessibility(page)
    results.get_by_role("link", name=data["podcast"]).click()
    expect(page).to_have_url(re.compile(rf"/proposals/{data['podcast_id']}$"))
    expect(heading(page, data["podcast"])).to_be_visible()
    check_accessibility(page)

    # -- back on the search, the teams tab keeps the words and the country: the French team named with the word --
    page.go_back()
    page.get_by_role("navigation", name="Kinds of result").get_by_role("link", name=re.compile(r"^Teams \(")).click()
    teams = page.get_by_role("region", name="Teams")
    expect(teams.get_by_role("heading", level=3)).to_have_text([data["team_fr"]])
    expect(page.get_by_label("Country")).to_have_value("FR")
    check_accessibility(page)


def test_a_french_speaking_coordinator_searches_in_french(live_server, new_page):
    tag = uuid.uuid4().hex[:8]
    data = _setup(live_server, tag)
    page = new_page("fr-FR")
    visit(page, "/signin")
    page.get_by_label(FR["Email address"]).fill(data["french"])
    page.get_by_label(FR["Password"]).fill(factories.PASSWORD)
    page.get_by_role("button", name=FR["Sign in"]).click()
    main = page.get_by_role("navigation", name=FR["Main"])
    expect(main).to_be_visible()

    main.get_by_role("link", name=FR["Search"]).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading(page, FR["Search"])).to_be_visible()
    check_accessibility(page)
    page.get_by_label(FR["Words to find"]).fill(f"podcast {data['word']} ECOLE")  # accents and capitals aside
    page.get_by_role("button", name=FR["Search"]).click()
    results = page.get_by_role("region", name=FR["Proposals"])
    expect(results.get_by_role("link", name=data["podcast"])).to_be_visible()
    expect(results.get_by_role("heading", level=3)).to_have_count(1)
    check_accessibility(page)
