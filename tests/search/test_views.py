"""The search page through the test client: who may search, filters, pages, messages, escaping, query count."""

from __future__ import annotations

import re

import pytest

from app import db
from tests.factories import create_call, create_project, create_proposal, create_team, create_user
from tests.pages import field_error, input_value, text
from tests.search.conftest import WORD


def _titles(response) -> list[str]:
    """The results' titles, in order."""
    body = response.get_data(as_text=True)
    items = re.findall(r"<h3><a href=\"[^\"]*\">(.*?)</a></h3>", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


def _links(response) -> list[str]:
    return re.findall(r"<h3><a href=\"([^\"]*)\">", response.get_data(as_text=True))


# -- who may search -------------------------------------------------------------------------------------------
def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get("/search?q=lumiere")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin?next=")


@pytest.mark.parametrize("role", ["youth", "guardian"])
def test_youth_and_guardians_do_not_search_and_see_no_link(login, role):
    client = login(create_user(role))
    assert client.get("/search?q=lumiere").status_code == 403
    assert 'href="/search"' not in client.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize("role", ["mentor", "funder", "coordinator"])
def test_the_main_menu_leads_searchers_to_search(login, role):
    page = login(create_user(role)).get("/dashboard").get_data(as_text=True)
    assert re.search(r'<a href="/search">Search</a>', page)


def test_an_unconfirmed_mentor_cannot_search_yet(login):
    assert login(create_user("mentor", confirmed=False)).get("/search").status_code == 403


def test_only_coordinators_search_people_and_only_they_see_emails(login, world):
    funder = login(world.funder_a)
    assert funder.get(f"/search?q={WORD}&kind=people").status_code == 403
    page = funder.get(f"/search?q={WORD}&kind=teams")
    assert "People (" not in text(page) and "@example.org" not in page.get_data(as_text=True)

    coordinator = login(world.coordinator)
    page = coordinator.get("/search?q=Mina&kind=people")
    assert _titles(page) == ["Mina Lumière"]
    assert world.minor.email in text(page)
    assert _links(page) == [f"/admin/people?q={world.minor.email}"]


# -- what the page shows --------------------------------------------------------------------------------------
def test_the_first_visit_shows_the_form_and_no_message(login, world):
    response = login(world.coordinator).get("/search")
    assert response.status_code == 200
    assert "Words to find" in text(response) and field_error(response, "q") is None
    assert "results for" not in text(response)


@pytest.mark.parametrize(("query", "message"), [
    ("", "Type the words you are looking for."),
    ("   ", "Type the words you are looking for."),
    ("a", "Type a word of at least 2 letters or digits."),
    ("l' ?", "Type a word of at least 2 letters or digits."),
    ("x" * 201, "Use at most 200 characters."),
])
def test_an_empty_or_too_short_query_is_explained_beside_the_field(login, world, query, message):
    response = login(world.coordinator).get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert field_error(response, "q") == message
    assert input_value(response, "q") == query
    assert "results for" not in text(response)


def test_results_announce_their_number_and_each_kind_s(login, world):
    response = login(world.coordinator).get("/search?q=Équipe+lumière&kind=teams")
    page = text(response)
    assert "4 results for “Équipe lumière”" in page
    assert "Search: 4 results · Passerelle" in page  # the title, read first when the page opens
    assert "Proposals (0) Projects (0) Teams (4) People (0)" in page
    assert '<a href="/search?q=%C3%89quipe+lumi%C3%A8re&amp;kind=teams" aria-current="page">' in \
        response.get_data(as_text=True)


def test_the_words_found_are_marked_and_every_value_is_escaped(login, world):
    create_proposal(create_team(), world.call_a, state="submitted", title='<script>alert("x")</script> Lumière')
    client = login(world.coordinator)
    body = client.get("/search?q=LUMIERE").get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>Lumière</mark>" in body
    body = client.get("/search", query_string={"q": "lumiere <img src=x onerror=alert(1)>"}).get_data(as_text=True)
    assert "<img src=x" not in body
    assert "0 results for “lumiere &lt;img src=x onerror=alert(1)&gt;”" in body


def test_a_reviewer_s_result_opens_the_review_page_and_hides_a_blind_call_s_team(login, world):
    world.call_b.blind_review = True
    db.session.flush()
    response = login(world.reviewer).get(f"/search?q={WORD}")
    assert _links(response) == [f"/reviews/{world.review.id}"]
    assert "you review it" in text(response) and "Équipe Lumière B" not in text(response)


def test_a_mentor_opens_the_proposal_and_the_project_pages(login, world):
    client = login(world.mentor_a)
    assert f"/proposals/{world.a_submitted.id}" in _links(client.get(f"/search?q={WORD}"))
    assert _links(client.get(f"/search?q={WORD}&kind=projects")) == [f"/projects/{world.a_project.id}"]
    assert _links(client.get(f"/search?q={WORD}&kind=teams")) == [f"/teams/{world.team_a.id}"]


# -- filters --------------------------------------------------------------------------------------------------
def test_proposals_filter_by_call_state_theme_and_country(login, world):
    world.c_review.themes = ["inclusion", "hate_speech"]
    db.session.flush()
    client = login(world.coordinator)
    by_call = client.get(f"/search?q={WORD}&call={world.call_b.id}")
    assert sorted(_titles(by_call)) == ["Brouillon Lumière B", "Projet Lumière C", "Théâtre Lumière M",
                                        "Vidéo Lumière B"]
    assert _titles(client.get(f"/search?q={WORD}&state=draft")) == ["Brouillon Lumière B", "Brouillon Lumière A"]
    assert _titles(client.get(f"/search?q={WORD}&theme=inclusion")) == ["Radio Lumière C"]
    assert _titles(client.get(f"/search?q={WORD}&country=FR")) == ["Brouillon Lumière B", "Vidéo Lumière B"]
    both = client.get(f"/search?q={WORD}&country=FR&state=in_review&call={world.call_b.id}")
    assert _titles(both) == ["Vidéo Lumière B"]


def test_projects_filter_by_their_own_states_and_teams_by_the_calls_they_applied_to(login, world):
    client = login(world.coordinator)
    assert _titles(client.get(f"/search?q={WORD}&kind=projects&state=completed")) == ["Projet Lumière C"]
    teams = client.get(f"/search?q={WORD}&kind=teams&call={world.call_a.id}")
    assert sorted(_titles(teams)) == ["Équipe Lumière A", "Équipe Lumière C"]
    people = client.get(f"/search?q={WORD}&kind=people&country=SN")
    assert _titles(people) == []
    world.payee.country = "SN"
    db.session.flush()
    assert _titles(client.get(f"/search?q={WORD}&kind=people&country=SN")) == ["Paule Lumière"]


def test_a_funder_filters_only_by_calls_they_may_find_proposals_in(login, world):
    client = login(world.funder_a)
    page = client.get(f"/search?q={WORD}")
    assert "Appel Lumière A" in text(page) and "Appel Lumière B" not in text(page).split("Any call")[1].split(
        "State")[0]
    response = client.get(f"/search?q={WORD}&call={world.call_b.id}")
    assert response.status_code == 400
    assert field_error(response, "call") == "Choose one of the options in the list."


@pytest.mark.parametrize("args", ["state=paid", "theme=peace", "country=ZZ", "call=abc"])
def test_a_filter_the_list_does_not_offer_is_a_bad_request_with_a_message(login, world, args):
    response = login(world.coordinator).get(f"/search?q={WORD}&{args}")
    assert response.status_code == 400
    name = args.split("=")[0]
    assert field_error(response, name) == "Choose one of the options in the list."
    assert input_value(response, "q") == WORD


def test_links_to_other_kinds_keep_the_words_and_filters_but_not_a_state(login, world):
    body = login(world.coordinator).get(f"/search?q={WORD}&state=draft&country=FR").get_data(as_text=True)
    assert f'href="/search?q={WORD}&amp;kind=projects&amp;country=FR"' in body


# -- pages and queries ----------------------------------------------------------------------------------------
def test_results_come_in_pages(login, app):
    coordinator = create_user("coordinator")
    call = create_call(title="Appel")
    team = create_team(name="Les Ondes")
    for number in range(app.config["PAGE_SIZE"] + 2):
        create_proposal(team, call, state="submitted", title=f"Onde {number:02d}")
    client = login(coordinator)
    first = client.get("/search?q=onde")
    assert "27 results for “onde”" in text(first) and len(_titles(first)) == 25
    assert _titles(first)[0] == "Onde 26"  # equally good matches: the newest first
    assert "Page 1 of 2" in text(first)
    assert 'href="/search?page=2&amp;q=onde&amp;kind=proposals" rel="next"' in first.get_data(as_text=True)
    second = client.get("/search?q=onde&page=2")
    assert _titles(second) == ["Onde 01", "Onde 00"]
    assert '<ol class="results" start="26">' in second.get_data(as_text=True)
    past = client.get("/search?q=onde&page=9")
    assert "This page is past the last one: the results end on page 2." in text(past)


def _programme(size: int, funder, mentor) -> None:
    from tests.factories import create_mentorship

    call = create_call(funder, title=f"Appel {size}", pool=50_000_000)
    for number in range(size):
        team = create_team(name=f"Équipe Nuage {size}-{number}")
        create_mentorship(team, mentor)
        create_proposal(team, call, state="submitted", title=f"Nuage {number}")
        create_project(team, call, title=f"Projet Nuage {number}")


@pytest.mark.parametrize("who", ["coordinator", "funder", "mentor"])
@pytest.mark.parametrize("kind", ["proposals", "projects", "teams"])
def test_the_number_of_queries_does_not_grow_with_the_results(login, count_queries, who, kind):
    from tests.factories import create_mentor

    people = {"coordinator": create_user("coordinator"), "funder": create_user("funder"),
              "mentor": create_mentor(create_user("mentor"))}
    client = login(people[who])
    _programme(2, people["funder"], people["mentor"])
    few = count_queries(lambda: client.get(f"/search?q=nuage&kind={kind}"))
    _programme(12, people["funder"], people["mentor"])
    response = client.get(f"/search?q=nuage&kind={kind}")
    assert f"{28 if kind == 'proposals' else 14} results for" in text(response)  # a project has its proposal
    many = count_queries(lambda: client.get(f"/search?q=nuage&kind={kind}"))
    assert many == few
    assert many <= 25  # the person's relations, the filters' choices, the page, its relations, the counts


def test_the_page_speaks_french_to_a_french_speaking_coordinator(login):
    create_proposal(create_team(), create_call(), state="submitted", title="Onde de choc")
    response = login(create_user("coordinator", locale="fr")).get("/search?q=ONDE")
    assert "1 résultat pour «\u00a0ONDE\u00a0»" in response.get_data(as_text=True)
    page = text(response)  # no-break spaces read as spaces here
    assert "Recherche : 1 résultat · Passerelle" in page
    assert "Mots à chercher" in page and "Propositions (1)" in page
