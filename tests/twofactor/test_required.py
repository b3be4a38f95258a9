"""Two-factor sign-in required for coordinators and funders: without it they reach nothing but its setup (and
signing out, the language switch, static files and health checks), on every route the app has."""

from __future__ import annotations

import pytest

from app import db
from app.twofactor.views import OPEN_ENDPOINTS
from tests.clients import isolated_client
from tests.conftest import sign_in
from tests.pages import text
from tests.test_authorization_matrix import MATRIX, _world
from tests.twofactor.conftest import code_for, password_step, post_on, token_on, turn_on

SETUP = "/account/two-factor/setup"


def _gated(entry) -> bool:
    return entry.endpoint not in OPEN_ENDPOINTS and not entry.endpoint.startswith("health.")


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_without_two_factor_every_route_leads_to_its_setup(app, required_roles, role):
    world = _world(role)
    client = isolated_client(app)
    sign_in(client, world.requester)
    token = token_on(client, SETUP)
    reached = []

    for entry in (entry for entry in MATRIX if _gated(entry)):
        url = entry.url(world)
        if entry.method == "POST":
            response = client.post(url, data={"csrf_token": token})
        else:
            response = client.open(url, method=entry.method)
        if response.status_code != 302 or response.headers["Location"] != SETUP:
            reached.append(f"{entry.method} {url} → {response.status_code}")

    assert not reached, f"a {role} without two-factor reached: {reached}"


def test_the_setup_page_says_why_and_unknown_addresses_are_gated_too(client, login, create_user, required_roles):
    login(create_user("coordinator"))
    assert client.get("/no/such/page").headers["Location"] == SETUP
    page = text(client.get(SETUP))
    assert "Your role on Passerelle requires two-factor sign-in. Set it up to continue" in page


def test_what_stays_open_without_two_factor(client, login, create_user, required_roles):
    login(create_user("funder"))
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get(SETUP).status_code == 200
    switched = post_on(client, SETUP, "/language", {"lang": "fr", "next": SETUP})
    assert switched.headers["Location"] == SETUP
    assert "Configurer la connexion en deux étapes" in text(client.get(SETUP))
    signed_out = post_on(client, SETUP, "/signout")
    assert signed_out.headers["Location"] == "/"
    assert client.get("/dashboard").headers["Location"].startswith("/signin")


def test_other_roles_are_not_gated(client, login, create_user, required_roles):
    login(create_user("youth", "mentor", "guardian"))
    assert client.get("/dashboard").status_code == 200


def test_the_rule_is_off_when_no_role_is_listed(client, login, create_user):
    login(create_user("coordinator"))
    assert client.get("/dashboard").status_code == 200


def test_with_two_factor_on_a_coordinator_works_as_usual(client, login, create_user, required_roles):
    user = create_user("coordinator")
    turn_on(user)
    login(user)
    assert client.get("/dashboard").status_code == 200
    assert client.get(SETUP).headers["Location"] == "/account"


def test_a_coordinator_with_two_factor_whose_session_skipped_it_is_refused(client, create_user, required_roles):
    from app.twofactor import sessions

    user = create_user("coordinator")
    turn_on(user)
    row = sessions.create(user, two_factor=False)
    with client.session_transaction() as session:
        session["_user_id"] = sessions.login_id(user, row)

    response = client.get("/dashboard")

    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_signing_in_sends_a_funder_to_setup_and_once_it_is_on_the_portal_opens(client, create_user, required_roles):
    user = create_user("funder", email="fatima@example.org")
    assert password_step(client, "fatima@example.org").headers["Location"] == "/dashboard"
    assert client.get("/dashboard").headers["Location"] == SETUP

    token = token_on(client, SETUP)  # showing the page makes the secret the app scans
    db.session.expire(user)
    client.post(SETUP, data={"csrf_token": token, "code": code_for(user)})

    assert client.get("/dashboard").status_code == 200
