"""CSRF on every POST, security headers, cookie flags."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import User
from app.teams.models import Team
from tests.accounts.helpers import signup_data
from tests.clients import isolated_client
from tests.conftest import post
from tests.factories import PASSWORD
from tests.pages import text

CSRF_MESSAGE = "Your form expired or was sent from another site. Go back, reload the page and send it again."


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("url", "data", "signed_in", "model"), [
    ("/signin", {"email": "amira@example.org", "password": PASSWORD}, False, None),
    ("/signup", signup_data(email="new@example.org"), False, User),
    ("/teams/new", {"name": "Peace Makers", "description": "Videos", "country": "CA", "languages": "en"}, True,
     Team),
    ("/password/forgot", {"email": "amira@example.org"}, False, None),
    ("/account", {"display_name": "Changed", "country": "CA", "locale": "en", "timezone": "UTC"}, True, None),
])
def test_a_post_without_the_csrf_token_is_refused(client, login, create_user, outbox, url, data, signed_in, model):
    user = create_user(email="amira@example.org", name="Amira Haddad")
    if signed_in:
        login(user)
    before = count(model) if model else None

    response = client.post(url, data=data)

    assert response.status_code == 400
    page = text(response)
    assert "Something in the request was not right" in page
    assert CSRF_MESSAGE in page
    if model:
        assert count(model) == before
    assert outbox() == []
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Amira Haddad"
    if url == "/signin":
        assert client.get("/dashboard").status_code == 302  # not signed in


def test_a_wrong_csrf_token_is_refused_too(client, create_user):
    create_user(email="amira@example.org")
    response = client.post("/signin", data={"email": "amira@example.org", "password": PASSWORD,
                                            "csrf_token": "forged"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)


def test_a_csrf_token_from_another_browser_is_refused(client, app, create_user):
    create_user(email="amira@example.org")
    from tests.conftest import csrf_token

    stolen = csrf_token(isolated_client(app))
    response = client.post("/signin", data={"email": "amira@example.org", "password": PASSWORD,
                                            "csrf_token": stolen})
    assert response.status_code == 400


def test_the_same_form_with_the_token_works(client, create_user):
    create_user(email="amira@example.org")
    assert post(client, "/signin", {"email": "amira@example.org", "password": PASSWORD}).status_code == 302


def test_csrf_errors_answer_json_to_json_clients(client):
    response = client.post("/signin", data={}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400
    assert response.get_json()["error"]["message"] == CSRF_MESSAGE


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize("url", ["/", "/signin", "/signup", "/does-not-exist"])
def test_security_headers(client, url):
    response = client.get(url)
    csp = directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp.get("default-src", [])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_pages_carry_no_inline_script(client):
    for url in ("/", "/signin", "/signup", "/conduct"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body and " onclick=" not in body and "javascript:" not in body


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_session_cookie_is_httponly_and_samesite_lax(client, create_user):
    create_user(email="amira@example.org")
    response = post(client, "/signin", {"email": "amira@example.org", "password": PASSWORD})
    assert response.status_code == 302
    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True and ProductionConfig.REMEMBER_COOKIE_HTTPONLY is True
