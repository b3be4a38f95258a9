"""Error pages: clear HTML pages (or JSON when asked), never a traceback; production refuses bad settings."""

from __future__ import annotations

import pytest

from app import create_app
from app.db import get_database
from config import ProductionConfig, TestConfig
from tests.pages import text


def test_404_is_a_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = text(response)
    assert "Page not found · Passerelle" in page
    assert "There is nothing at this address." in page
    assert "Error code: 404" in page


def test_404_answers_json_to_json_clients(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": {
        "status": 404, "title": "Page not found",
        "message": "There is nothing at this address. It may have moved, or the link may be mistyped."}}


def test_a_browser_accept_header_gets_html(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/no/such/page", headers={"Accept": accept})
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_403_for_a_youth_on_a_coordinator_page(client, login, create_user):
    login(create_user("youth"))
    response = client.get("/admin/people")
    assert response.status_code == 403
    page = text(response)
    assert "You are not allowed to do this" in page
    assert "ask a coordinator" in page


def test_the_coordinator_page_opens_for_a_coordinator(client, login, create_user):
    login(create_user("coordinator"))
    assert client.get("/admin/people").status_code == 200


def test_405_for_get_on_sign_out(client):
    response = client.get("/signout")
    assert response.status_code == 405
    assert "This action is not possible here" in text(response)
    assert "POST" in response.headers["Allow"]


def test_a_missing_team_is_404(client, login, create_user):
    login(create_user())
    assert client.get("/teams/999999").status_code == 404


@pytest.fixture
def fresh_app(database_url):
    """A new app, to which a test may still add routes (the shared one has served requests already)."""
    app = create_app(TestConfig, DATABASE_URL=database_url)
    yield app
    get_database(app).engine.dispose()


def test_an_unexpected_exception_gives_the_500_page_not_a_traceback(fresh_app, caplog):
    @fresh_app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = fresh_app.test_client().get("/boom")

    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong on our side" in text(response)
    assert "Traceback" not in body and "secret internal detail" not in body and "RuntimeError" not in body
    assert "unhandled error on GET /boom" in caplog.text  # but it is logged for the people running the site


def test_the_500_answer_is_json_for_json_clients(fresh_app):
    @fresh_app.route("/boom")
    def boom():
        raise ZeroDivisionError

    response = fresh_app.test_client().get("/boom", headers={"Accept": "application/json"})

    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
    assert response.get_json()["error"]["title"] == "Something went wrong on our side"


def test_a_database_error_is_rolled_back_and_gives_the_500_page(fresh_app):
    from sqlalchemy import text as sql

    from app import db

    @fresh_app.route("/bad-query")
    def bad_query():
        db.session.execute(sql("SELECT * FROM no_such_table"))
        return "unreachable"

    @fresh_app.route("/good-query")
    def good_query():
        return str(db.session.execute(sql("SELECT 1")).scalar())

    client = fresh_app.test_client()
    assert client.get("/bad-query").status_code == 500
    # The connection is usable afterwards (PostgreSQL refuses every statement in a failed transaction).
    assert client.get("/good-query").get_data(as_text=True) == "1"


@pytest.mark.parametrize("missing", [("SECRET_KEY",), ("DATABASE_URL",), ("SECRET_KEY", "DATABASE_URL")])
def test_production_refuses_to_start_without_its_secrets(missing):
    values = {"SECRET_KEY": "a-real-secret", "DATABASE_URL": "sqlite://"}
    values.update(dict.fromkeys(missing))
    config = type("IncompleteProductionConfig", (ProductionConfig,), values)

    with pytest.raises(RuntimeError) as raised:
        create_app(config)

    for name in missing:
        assert name in str(raised.value)


def test_production_starts_with_its_secrets():
    config = type("CompleteProductionConfig", (ProductionConfig,),
                  {"SECRET_KEY": "a-real-secret", "DATABASE_URL": "sqlite://"})
    app = create_app(config)
    assert app.config["SECRET_KEY"] == "a-real-secret"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.testing is False and app.debug is False
    get_database(app).engine.dispose()
