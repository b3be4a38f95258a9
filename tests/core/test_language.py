"""Choosing the language: the browser's preference, the switch, and a signed-in person's own setting."""

from __future__ import annotations

import pytest

from app import db
from app.accounts.models import User
from tests.clients import isolated_client
from tests.conftest import csrf_token
from tests.pages import html_lang


def switch(client, lang: str, next_url: str = "/"):
    return client.post("/language", data={"lang": lang, "next": next_url, "csrf_token": csrf_token(client)})


@pytest.mark.parametrize(("accept", "lang"), [
    ("fr", "fr"),
    ("fr-CA,fr;q=0.9,en;q=0.5", "fr"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE,de;q=0.9", "en"),  # not offered: the default
    (None, "en"),
])
def test_an_anonymous_visitor_gets_their_browser_language(client, accept, lang):
    headers = {"Accept-Language": accept} if accept else {}
    assert html_lang(client.get("/", headers=headers)) == lang


def test_the_switch_overrides_the_browser_and_lasts(client):
    french_browser = {"Accept-Language": "fr"}
    response = switch(client, "en", "/conduct")
    assert response.status_code == 302
    assert response.headers["Location"] == "/conduct"
    assert html_lang(client.get("/", headers=french_browser)) == "en"
    assert html_lang(client.get("/signin", headers=french_browser)) == "en"

    switch(client, "fr")
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_the_switch_ignores_languages_not_offered(client):
    switch(client, "en")
    switch(client, "de")
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_the_switch_does_not_redirect_off_site(client):
    response = switch(client, "fr", "https://evil.example/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_switch_needs_the_csrf_token(client):
    response = client.post("/language", data={"lang": "fr"})
    assert response.status_code == 400
    assert html_lang(client.get("/")) == "en"


def test_a_signed_in_persons_language_wins_over_the_browser(client, login, create_user):
    login(create_user(locale="fr"))
    assert html_lang(client.get("/dashboard", headers={"Accept-Language": "en"})) == "fr"


def test_switching_while_signed_in_saves_the_choice(client, new_client_for_app, login, create_user):
    user = create_user(email="amira@example.org", locale="en")
    login(user)

    switch(client, "fr", "/dashboard")

    assert html_lang(client.get("/dashboard")) == "fr"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "fr"
    # Another device, with an English browser, follows the saved choice.
    from tests.conftest import sign_in

    other = new_client_for_app()
    sign_in(other, user)
    assert html_lang(other.get("/dashboard", headers={"Accept-Language": "en"})) == "fr"


@pytest.fixture
def new_client_for_app(app):
    return lambda: isolated_client(app)


def test_a_visitor_switches_with_a_link_and_the_page_sets_no_cookie(client):
    page = client.get("/calls/", headers={"Accept-Language": "en"})
    assert "Set-Cookie" not in page.headers  # no form token, no session: the page is the same for every visitor
    assert 'href="/language/fr?next=/calls/?"' in page.get_data(as_text=True)
    assert 'name="csrf_token"' not in page.get_data(as_text=True)

    response = client.get("/language/fr?next=/calls/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/calls/"
    assert html_lang(client.get("/calls/", headers={"Accept-Language": "en"})) == "fr"


def test_the_link_ignores_languages_not_offered_and_off_site_returns(client):
    response = client.get("/language/de?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "fr"


def test_a_signed_in_person_switches_with_the_form_that_saves_the_choice(client, login, create_user):
    login(create_user(locale="en"))
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'action="/language"' in page
    assert "/language/fr" not in page
