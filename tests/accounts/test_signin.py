"""Signing in and out: generic errors, remember-me, safe redirects, rate limits."""

from __future__ import annotations

import pytest

from app import db
from app.accounts.models import User
from tests.conftest import csrf_token, post
from tests.factories import PASSWORD
from tests.pages import field_error, input_value, text

WRONG = "The email address or password is not right."


def sign_in_form(client, email: str, password: str = PASSWORD, url: str = "/signin", **extra):
    return post(client, url, {"email": email, "password": password, **extra})


def test_the_right_password_signs_in(client, create_user):
    user = create_user(email="amira@example.org", name="Amira Haddad")

    response = sign_in_form(client, "amira@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "Hello, Amira" in text(dashboard)
    with client.session_transaction() as session:
        assert session["_user_id"].startswith(f"{user.id}:{user.session_version}:")  # then the session's token


def test_the_address_is_not_case_sensitive(client, create_user):
    create_user(email="amira@example.org")
    response = sign_in_form(client, "  AMIRA@Example.org ")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize(("email", "password"), [
    ("amira@example.org", "not the password at all"),  # wrong password
    ("nobody@example.org", PASSWORD),  # no such account
])
def test_a_failed_sign_in_says_the_same_thing_either_way(client, create_user, email, password):
    create_user(email="amira@example.org")

    response = sign_in_form(client, email, password)

    assert response.status_code == 200
    assert field_error(response, "password") == WRONG
    assert field_error(response, "email") is None
    assert input_value(response, "email") == email
    assert password not in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still signed out


def test_a_failed_sign_in_page_does_not_depend_on_whether_the_account_exists(client, new_client, create_user):
    create_user(email="amira@example.org")
    known = sign_in_form(client, "amira@example.org", "not the password at all")
    unknown = sign_in_form(new_client(), "nobody@example.org", "not the password at all")
    assert text(known).replace("amira@example.org", "X") == text(unknown).replace("nobody@example.org", "X")


def test_missing_fields_are_shown_beside_them(client):
    response = sign_in_form(client, "", "")
    assert response.status_code == 200
    assert field_error(response, "email") == "This field is required."
    assert field_error(response, "password") == "This field is required."


def test_remember_me_sets_a_lasting_cookie_that_keeps_the_person_signed_in(client, create_user):
    create_user(email="amira@example.org")

    response = sign_in_form(client, "amira@example.org", remember="y")

    assert response.status_code == 302
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires is not None
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    # The browser is closed: the session cookie is gone, the remember cookie stays.
    client.delete_cookie("session")
    assert client.get("/dashboard").status_code == 200


def test_without_remember_me_there_is_no_lasting_cookie(client, create_user):
    create_user(email="amira@example.org")
    sign_in_form(client, "amira@example.org")
    assert client.get_cookie("remember_token") is None
    client.delete_cookie("session")
    assert client.get("/dashboard").status_code == 302


def test_a_remember_cookie_stops_working_once_the_password_changes(client, create_user):
    user = create_user(email="amira@example.org")
    sign_in_form(client, "amira@example.org", remember="y")
    client.delete_cookie("session")
    user.session_version += 1  # what every password change does
    db.session.flush()

    response = client.get("/dashboard")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")


@pytest.mark.parametrize(("next_url", "expected"), [
    ("/teams/", "/teams/"),
    ("/account?tab=1", "/account?tab=1"),
    ("https://evil.example/", "/dashboard"),
    ("http://localhost.evil.example/", "/dashboard"),
    ("//evil.example", "/dashboard"),
    ("//evil.example/teams/", "/dashboard"),
    ("/\\evil.example", "/dashboard"),
    ("\\\\evil.example", "/dashboard"),
    ("/\t/evil.example", "/dashboard"),
    ("javascript:alert(1)", "/dashboard"),
    ("teams", "/dashboard"),
    ("", "/dashboard"),
])
def test_next_only_leads_within_the_site(client, create_user, next_url, expected):
    create_user(email="amira@example.org")

    response = sign_in_form(client, "amira@example.org", url="/signin?" + _query(next_url))

    assert response.status_code == 302
    assert response.headers["Location"] == expected


def _query(next_url: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": next_url})


def test_a_signed_in_visitor_of_the_sign_in_page_is_sent_on_safely(client, login, create_user):
    login(create_user())
    assert client.get("/signin?next=/teams/").headers["Location"] == "/teams/"
    assert client.get("/signin?" + _query("//evil.example")).headers["Location"] == "/dashboard"


def test_a_protected_page_sends_you_back_after_signing_in(client, create_user):
    create_user(email="amira@example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signin?next=%2Faccount"
    assert sign_in_form(client, "amira@example.org", url=response.headers["Location"]).headers["Location"] == \
        "/account"


def test_the_sixth_failed_attempt_on_one_account_is_refused(client, new_client, create_user):
    create_user(email="amira@example.org")
    for _ in range(5):
        assert sign_in_form(client, "amira@example.org", "wrong password!").status_code == 200

    # Even the right password, from another browser, waits: the limit is on the account.
    blocked = sign_in_form(new_client(), "Amira@example.org", PASSWORD)

    assert blocked.status_code == 429
    assert "Too many attempts" in text(blocked)
    assert blocked.headers.get("Retry-After")
    # Another account is not affected.
    create_user(email="other@example.org")
    assert sign_in_form(new_client(), "other@example.org").status_code == 302


def test_successful_sign_ins_are_not_counted(client, new_client, create_user):
    create_user(email="amira@example.org")
    for _ in range(4):
        assert sign_in_form(client, "amira@example.org", "wrong password!").status_code == 200
    for _ in range(3):
        assert sign_in_form(new_client(), "amira@example.org").status_code == 302

    assert sign_in_form(client, "amira@example.org", "wrong password!").status_code == 200  # the fifth failure
    assert sign_in_form(client, "amira@example.org", "wrong password!").status_code == 429


def test_an_unconfirmed_account_can_sign_in_and_is_asked_to_confirm(client, create_user):
    create_user(email="amira@example.org", confirmed=False)
    assert sign_in_form(client, "amira@example.org").status_code == 302
    assert "Confirm your email address" in text(client.get("/dashboard"))


# -- signing out ----------------------------------------------------------------------------------
def test_sign_out_is_not_possible_with_get(client, login, create_user):
    login(create_user())
    response = client.get("/signout")
    assert response.status_code == 405
    assert "This action is not possible here" in text(response)
    assert client.get("/dashboard").status_code == 200


def test_sign_out_without_the_csrf_token_is_refused(client, login, create_user):
    login(create_user())
    response = client.post("/signout")
    assert response.status_code == 400
    assert "Your form expired or was sent from another site." in text(response)
    assert client.get("/dashboard").status_code == 200


def test_sign_out_ends_the_session(client, create_user):
    create_user(email="amira@example.org")
    sign_in_form(client, "amira@example.org", remember="y")
    assert client.get("/dashboard").status_code == 200

    response = client.post("/signout", data={"csrf_token": csrf_token(client)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get_cookie("remember_token") is None
    assert "You are signed out." in text(client.get("/"))
    after = client.get("/dashboard")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/signin")


def test_the_user_row_is_untouched_by_a_failed_sign_in(client, create_user):
    user = create_user(email="amira@example.org")
    before = (user.password_hash, user.session_version)
    sign_in_form(client, "amira@example.org", "wrong password!")
    db.session.expire_all()
    reloaded = db.session.get(User, user.id)
    assert (reloaded.password_hash, reloaded.session_version) == before
