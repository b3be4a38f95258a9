"""Privacy: the showcase never shows an unpublished project, a minor without consent, a surname or an email,
on any of its pages, whoever reads it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import User
from app.showcase.privacy import surname_of
from tests.pages import text


def _pages(client, world) -> dict[str, object]:
    """Every public page of the showcase: the gallery, each filter and page of it, each project's page."""
    urls = ["/showcase/", "/showcase/?theme=hate_speech", "/showcase/?country=CA", "/showcase/?country=FR",
            "/showcase/?page=2", f"/showcase/{world['active'].id}", f"/showcase/{world['completed'].id}"]
    return {url: client.get(url) for url in urls}


def _forbidden_words() -> list[str]:
    """Every surname (and each longer part of it) and every email address of every account."""
    words = []
    for user in db.session.scalars(select(User)):
        surname = surname_of(user)
        words += [user.email, surname, *(part for part in surname.split() if len(part) >= 4)]
    return [word for word in words if word]


@pytest.mark.parametrize("signed_in_as", [None, "coordinator", "lead"])
def test_no_page_shows_a_surname_or_an_email(client, login, world, create_user, signed_in_as):
    if signed_in_as == "lead":
        login(world["lead"])
    elif signed_in_as:
        login(create_user(signed_in_as, name="Cora Quist"))
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in _forbidden_words()), re.I)
    for url, response in _pages(client, world).items():
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for where, content in (("text", text(response)), ("html", body)):
            found = pattern.search(content)
            assert found is None, f"{url} shows {found.group(0)!r} in its {where}"


def test_a_minor_without_consent_is_never_named_and_one_with_consent_is(client, world):
    for url, response in _pages(client, world).items():
        assert "Sami" not in response.get_data(as_text=True), url
        assert "Uma" not in response.get_data(as_text=True), url  # an unconfirmed account is not named either
    page = text(client.get(f"/showcase/{world['active'].id}"))
    assert "Members Ines, Omar, Zoé and 2 more members" in page


def test_a_team_whose_members_are_all_unnamed_says_how_many_without_naming(client, world):
    world["lead"].email_confirmed_at = None
    world["adult"].email_confirmed_at = None
    world["minor_with"].consent_requests[0].state = "refused"
    db.session.flush()
    page = text(client.get(f"/showcase/{world['active'].id}"))
    assert "Members 5 members, not named" in page
    for name in ("Ines", "Omar", "Zoé", "Sami", "Uma"):
        assert name not in page


@pytest.mark.parametrize("kind", ["unpublished", "awarded", "cancelled", "never"])
def test_a_project_that_is_not_public_is_in_no_gallery_and_its_page_is_404(client, login, world, kind):
    grant = world["hidden"][kind]
    title = grant.proposal.title
    for url, response in _pages(client, world).items():
        assert title not in response.get_data(as_text=True), url
    assert client.get(f"/showcase/{grant.id}").status_code == 404
    login(grant.team.lead)  # not even its own team sees a public page that is not public
    assert client.get(f"/showcase/{grant.id}").status_code == 404


def test_withdrawing_or_cancelling_removes_the_project_at_once(client, world):
    from app.projects.models import Publication

    url = f"/showcase/{world['active'].id}"
    assert client.get(url).status_code == 200
    publication = db.session.scalar(select(Publication).where(Publication.grant_id == world["active"].id))
    publication.published = False
    db.session.flush()
    assert client.get(url).status_code == 404
    assert "Voices Against Hate" not in text(client.get("/showcase/"))
    publication.published = True
    world["active"].state = "cancelled"
    db.session.flush()
    assert client.get(url).status_code == 404
    assert "Voices Against Hate" not in text(client.get("/showcase/"))


def test_nothing_about_money_or_payees_is_shown(client, world):
    page = text(client.get(f"/showcase/{world['active'].id}"))
    assert "CA$" not in page and "$" not in page
    for word in ("budget", "amount", "payee", "tranche", "Microphones"):
        assert word.lower() not in page.lower()
