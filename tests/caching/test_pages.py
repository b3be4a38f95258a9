"""Pages kept in the result cache: public pages shared by visitors, a signed-in person's busiest pages kept for them
alone; both change as soon as the data under them does."""

from __future__ import annotations

import re

from sqlalchemy import event

from app import db
from app.db import get_database
from tests.conftest import sign_in
from tests.factories import create_call, create_project, create_proposal, create_team, create_user
from tests.pages import html_lang, text
from tests.showcase.conftest import publish_directly


def _token(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


# -- public pages -----------------------------------------------------------------------------------
def test_a_visitor_is_served_the_kept_page_without_a_query(client, new_client, result_cache,
                                                           count_queries):
    create_call(title="Voices 2027")
    db.commit()
    first = client.get("/calls/")
    assert "Voices 2027" in text(first)

    other_visitor = new_client()
    again = []
    assert count_queries(lambda: again.append(other_visitor.get("/calls/"))) == 0
    [kept] = again
    assert kept.get_data() == first.get_data()
    assert kept.headers["Cache-Control"] == "public, max-age=60"
    assert kept.headers["ETag"] == first.headers["ETag"]
    assert "Set-Cookie" not in kept.headers
    assert count_queries(lambda: again.append(
        other_visitor.get("/calls/", headers={"If-None-Match": first.headers["ETag"]}))) == 0
    assert again[-1].status_code == 304


def test_a_change_shows_on_the_public_pages_at_once(client, result_cache):
    call = create_call(title="Voices 2027")
    db.commit()
    client.get("/calls/")
    call.title = "Voices 2027, extended"
    db.commit()
    assert "Voices 2027, extended" in text(client.get("/calls/"))


def test_each_language_has_its_own_page(client, result_cache):
    create_call(title="Voices 2027")
    db.commit()
    assert html_lang(client.get("/calls/", headers={"Accept-Language": "en"})) == "en"
    assert html_lang(client.get("/calls/", headers={"Accept-Language": "fr"})) == "fr"
    assert html_lang(client.get("/calls/", headers={"Accept-Language": "en"})) == "en"


def test_a_withdrawn_project_leaves_the_showcase_at_once(client, result_cache):
    grant = create_project(create_team(create_user(name="Ines Lavoie"), name="Respect Lab"),
                           title="Voices Against Hate")
    publication = publish_directly(grant)
    db.commit()
    assert "Voices Against Hate" in text(client.get("/showcase/"))
    assert client.get(f"/showcase/{grant.id}").status_code == 200

    publication.published = False
    db.commit()

    assert "Voices Against Hate" not in text(client.get("/showcase/"))
    assert client.get(f"/showcase/{grant.id}").status_code == 404


def test_a_visitor_with_a_message_gets_a_page_of_their_own(client, new_client, result_cache):
    create_call(title="Voices 2027")
    db.commit()
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "You are signed out.")]
    mine = client.get("/calls/")
    assert "You are signed out." in text(mine)
    assert mine.headers["Cache-Control"] == "private, no-cache"

    someone_else = new_client().get("/calls/")
    assert "You are signed out." not in text(someone_else)
    assert "Voices 2027" in text(someone_else)


# -- a signed-in person's pages -----------------------------------------------------------------------
def test_a_kept_dashboard_costs_only_the_session_check(app, login, result_cache):
    client = login(create_user("coordinator", name="Cora Coordinator"))
    first = client.get("/dashboard")
    assert "Hello, Cora" in text(first)
    statements = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(get_database(app).engine, "before_cursor_execute", record)
    try:
        again = client.get("/dashboard")
    finally:
        event.remove(get_database(app).engine, "before_cursor_execute", record)
    assert "Hello, Cora" in text(again)
    # Besides the test's savepoint around the request: the session check, nothing else.
    assert [s for s in statements if "SAVEPOINT" not in s] == [statements[1]]
    assert statements[1].startswith("SELECT user_sessions.id")


def test_a_kept_page_carries_the_visiting_browsers_own_form_token(app, new_client, result_cache):
    user = create_user("coordinator", name="Cora Coordinator")
    db.commit()
    laptop, phone = new_client(), new_client()
    sign_in(laptop, user)
    sign_in(phone, user)
    laptop_page = laptop.get("/dashboard")
    phone_page = phone.get("/dashboard")  # the page kept from the laptop's visit

    assert _token(phone_page) != _token(laptop_page)
    answer = phone.post("/language", data={"lang": "fr", "next": "/dashboard", "csrf_token": _token(phone_page)})
    assert answer.status_code == 302  # the token is the phone's own: accepted
    assert html_lang(phone.get("/dashboard")) == "fr"  # the saved language is part of what the page depends on
    assert html_lang(laptop.get("/dashboard")) == "fr"


def test_no_one_gets_another_persons_kept_page(new_client, result_cache):
    cora, finn = create_user("coordinator", name="Cora Coordinator"), create_user("coordinator", name="Finn Other")
    db.commit()
    first, second = new_client(), new_client()
    sign_in(first, cora)
    sign_in(second, finn)
    assert "Hello, Cora" in text(first.get("/dashboard"))
    assert "Hello, Finn" in text(second.get("/dashboard"))
    assert "Hello, Cora" in text(first.get("/dashboard"))


def test_a_change_shows_on_a_kept_page_at_once(login, result_cache):
    lead = create_user(name="Ines Lavoie")
    proposal = create_proposal(create_team(lead), title="Voices Against Hate")
    db.commit()
    client = login(lead)
    assert "Voices Against Hate" in text(client.get(f"/proposals/{proposal.id}"))

    proposal.title = "Voices Against Hate, season 2"
    db.commit()

    assert "season 2" in text(client.get(f"/proposals/{proposal.id}"))


def test_a_page_with_a_message_is_shown_afresh_and_not_kept(login, result_cache, count_queries):
    client = login(create_user("coordinator", name="Cora Coordinator"))
    client.get("/dashboard")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your changes are saved.")]
    assert "Your changes are saved." in text(client.get("/dashboard"))
    assert "Your changes are saved." not in text(client.get("/dashboard"))
