"""The public gallery and project pages: what they say, filters, pages, metadata, caching and query counts."""

from __future__ import annotations

import re
from datetime import timedelta

from app import db
from app.db import utcnow
from tests.factories import create_call, create_project, create_team, create_user
from tests.pages import text
from tests.showcase.conftest import publish_directly, with_themes


def _titles(response) -> list[str]:
    return re.findall(r'<h2><a href="/showcase/\d+">([^<]+)</a></h2>', response.get_data(as_text=True))


def _meta(response, attribute: str, name: str) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', response.get_data(as_text=True))
    return match.group(1) if match else None


def _published_projects(count: int, *, country: str = "CA", theme: str = "inclusion") -> list:
    call = create_call(create_user("funder"), pool=100_000_000, max_award=500_000)
    grants = []
    for number in range(count):
        lead = create_user(name=f"Kim Lead{number}")
        team = create_team(lead, create_user(name=f"Sam Mate{number}", age=14, country="FR", consent="given"),
                           name=f"Crew {number}", country=country)
        grant = with_themes(create_project(team, call, approved=number % 3, title=f"Project {number:02d}"), theme)
        publication = publish_directly(grant, summary=f"Summary {number}.")
        publication.published_at = utcnow() - timedelta(hours=count - number)  # the last one is the newest
        grants.append(grant)
    db.session.flush()
    return grants


def test_the_gallery_lists_public_projects_newest_first_with_what_the_public_may_know(client, world):
    response = client.get("/showcase/")
    assert response.status_code == 200
    assert _titles(response) == ["Dialogue Bridges", "Voices Against Hate"]  # created last, so published last
    page = text(response)
    assert "2 projects" in page
    assert ("Voices Against Hate Weekly podcasts by teenagers in Montréal. Team Respect Lab "
            "Members Ines, Omar, Zoé and 2 more members Country Canada "
            "Themes Countering hate speech, Counter-narratives Progress 1 of 2 milestones reached") in page
    assert "Team Labo Dialogue Members Léa Country France Themes Intercultural dialogue " \
           "Progress 2 of 2 milestones reached" in page


def test_the_project_page_says_what_the_project_is_with_safe_links(client, world):
    response = client.get(f"/showcase/{world['active'].id}")
    assert response.status_code == 200
    page = text(response)
    assert "Voices Against Hate Weekly podcasts by teenagers in Montréal." in page
    assert "See the project's work Our podcast (podcasts.test)" in page
    assert '<a href="https://podcasts.test/voices" rel="noopener nofollow ugc">Our podcast</a>' in \
        response.get_data(as_text=True)
    assert "Edit this public page" not in page and "Remove from the showcase" not in page


def test_filters_by_theme_and_country(client, world):
    assert _titles(client.get("/showcase/?theme=hate_speech")) == ["Voices Against Hate"]
    assert _titles(client.get("/showcase/?theme=intercultural_dialogue")) == ["Dialogue Bridges"]
    assert _titles(client.get("/showcase/?country=FR")) == ["Dialogue Bridges"]
    assert _titles(client.get("/showcase/?country=CA&theme=counter_narratives")) == ["Voices Against Hate"]
    empty = client.get("/showcase/?country=CA&theme=intercultural_dialogue")
    assert _titles(empty) == [] and "No project matches these filters." in text(empty)


def test_the_filter_form_offers_labelled_selects_and_keeps_the_choice(client, world):
    body = client.get("/showcase/?theme=hate_speech&country=FR").get_data(as_text=True)
    assert '<label for="theme">Theme</label>' in body and '<label for="country">Country</label>' in body
    assert '<option selected value="hate_speech">Countering hate speech</option>' in body
    assert '<option selected value="FR">France</option>' in body
    # Only countries with a public project are offered; a project never published adds none.
    countries = re.search(r'<select id="country".*?</select>', body, flags=re.S).group(0)
    assert re.findall(r'<option[^>]*value="(\w*)"', countries) == ["", "CA", "FR"]


def test_unknown_filter_values_are_ignored_not_refused(client, world):
    for query in ("theme=nope", "country=ZZ", "theme=%25", "page=abc", "page=-3"):
        response = client.get(f"/showcase/?{query}")
        assert response.status_code == 200, query
        assert len(_titles(response)) == 2, query


def test_a_theme_like_pattern_does_not_match_other_themes(client, world):
    """The theme is matched as a whole code: LIKE wildcards in it are escaped."""
    assert _titles(client.get("/showcase/?theme=hate_speech")) == ["Voices Against Hate"]
    with_themes(world["completed"], "hate-speech-like")
    assert _titles(client.get("/showcase/?theme=hate_speech")) == ["Voices Against Hate"]


def test_pages_of_twelve_keep_the_filters_in_their_links(client):
    _published_projects(14)
    first = client.get("/showcase/?theme=inclusion")
    assert _titles(first) == [f"Project {number:02d}" for number in range(13, 1, -1)]
    body = first.get_data(as_text=True)
    assert "Page 1 of 2" in text(first)
    assert 'href="/showcase/?page=2&amp;theme=inclusion" rel="next"' in body
    second = client.get("/showcase/?theme=inclusion&page=2")
    assert _titles(second) == ["Project 01", "Project 00"]
    assert _titles(client.get("/showcase/?theme=inclusion&page=9")) == ["Project 01", "Project 00"]


def test_metadata_for_sharing(client, world):
    response = client.get(f"/showcase/{world['active'].id}")
    body = response.get_data(as_text=True)
    assert "<title>Voices Against Hate · Passerelle</title>" in body
    assert _meta(response, "name", "description") == "Weekly podcasts by teenagers in Montréal."
    assert _meta(response, "property", "og:title") == "Voices Against Hate"
    assert _meta(response, "property", "og:description") == "Weekly podcasts by teenagers in Montréal."
    assert _meta(response, "property", "og:type") == "article"
    url = f"http://localhost/showcase/{world['active'].id}"
    assert _meta(response, "property", "og:url") == url
    assert f'<link rel="canonical" href="{url}">' in body
    gallery = client.get("/showcase/")
    assert _meta(gallery, "property", "og:url") == "http://localhost/showcase/"
    assert _meta(gallery, "property", "og:type") == "website"
    assert _meta(gallery, "name", "description")


def test_a_long_summary_is_cut_at_a_word_in_the_description(client, world):
    from app.showcase.views import excerpt

    long = "Teenagers record weekly podcasts " * 20
    assert excerpt(long).endswith("…") and len(excerpt(long)) <= 160
    assert excerpt("Short\n\nand sweet.") == "Short and sweet."


def test_public_pages_are_cacheable_for_anonymous_visitors_with_a_working_etag(client, world):
    for url in ("/showcase/", f"/showcase/{world['active'].id}", "/showcase/?theme=hate_speech"):
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert {"Accept-Language", "Cookie"} <= {v.strip() for v in first.headers["Vary"].split(",")}
        etag = first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.get_data() == b""
        assert again.headers["ETag"] == etag


def test_the_etag_changes_when_the_page_does(client, world):
    url = f"/showcase/{world['active'].id}"
    etag = client.get(url).headers["ETag"]
    world["active"].proposal.title = "Voices Against Hate, season 2"
    db.session.flush()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "season 2" in text(changed)
    french = client.get(url, headers={"Accept-Language": "fr"})
    assert french.headers["ETag"] != changed.headers["ETag"]


def test_a_signed_in_visitor_gets_a_personal_page_that_is_not_cached(login, world):
    client = login(world["lead"])
    response = client.get(f"/showcase/{world['active'].id}")
    assert response.status_code == 200
    assert "public" not in response.headers.get("Cache-Control", "")
    assert "ETag" not in response.headers
    assert "Edit this public page" in text(response)


def test_the_gallery_needs_the_same_queries_for_two_or_twelve_projects(client, count_queries):
    grants = _published_projects(12)
    for grant in grants[2:]:
        grant.state = "cancelled"
    db.session.flush()
    few = count_queries(lambda: client.get("/showcase/"))
    assert len(_titles(client.get("/showcase/"))) == 2
    for grant in grants[2:]:
        grant.state = "active"
    db.session.flush()
    many = count_queries(lambda: client.get("/showcase/"))
    assert len(_titles(client.get("/showcase/"))) == 12
    # countries, count, the page of projects, their members with consent requests, their consent records; + the
    # test's SAVEPOINT and ROLLBACK TO
    assert few == many <= 5 + 2


def test_a_project_page_needs_the_same_queries_for_small_and_large_teams(client, count_queries, world):
    small = count_queries(lambda: client.get(f"/showcase/{world['completed'].id}"))
    large = count_queries(lambda: client.get(f"/showcase/{world['active'].id}"))
    assert small == large <= 3 + 2  # the project, its members, their consent records; + SAVEPOINT and ROLLBACK TO
