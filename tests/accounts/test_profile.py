"""Editing one's profile: name, place, language and time zone."""

from __future__ import annotations

import pytest

from app import db
from app.accounts.models import User
from tests.conftest import post
from tests.pages import field_error, html_lang, input_value, text


def profile_data(**overrides) -> dict:
    data = {"display_name": "Amira H.", "country": "FR", "region": "", "locale": "fr", "timezone": "Europe/Paris"}
    data.update(overrides)
    return data


def reloaded(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_the_profile_needs_to_be_signed_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")


def test_the_profile_shows_the_current_values(client, login, create_user):
    user = create_user("youth", "mentor", email="amira@example.org", name="Amira Haddad", region="CA-QC")
    login(user)
    response = client.get("/account")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert input_value(response, "display_name") == "Amira Haddad"
    assert '<option selected value="CA">' in page
    assert '<option selected value="CA-QC">' in page
    assert '<option selected value="America/Toronto">' in page
    assert "amira@example.org" in text(response)


def test_saving_the_profile(client, login, create_user):
    user = create_user(email="amira@example.org", name="Amira Haddad", locale="en")
    login(user)

    response = post(client, "/account", profile_data(display_name="  Amira H.  "))

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    fresh = reloaded(user)
    assert (fresh.display_name, fresh.country, fresh.region, fresh.locale, fresh.timezone) == \
        ("Amira H.", "FR", None, "fr", "Europe/Paris")
    page = client.get("/account")
    assert html_lang(page) == "fr"  # the chosen language applies at once
    assert input_value(page, "display_name") == "Amira H."


def test_a_region_can_be_set_and_cleared(client, login, create_user):
    user = create_user()
    login(user)
    assert post(client, "/account", profile_data(country="CA", region="CA-QC")).status_code == 302
    assert reloaded(user).region == "CA-QC"
    assert post(client, "/account", profile_data(country="CA", region="")).status_code == 302
    assert reloaded(user).region is None


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone from the list."),
    ({"timezone": ""}, "timezone", "Choose a time zone from the list."),
    ({"country": "FR", "region": "CA-QC"}, "region", "This region is not in the country you chose."),
    ({"country": ""}, "country", "This field is required."),
    ({"country": "XX"}, "country", "Not a valid choice."),
    ({"display_name": ""}, "display_name", "This field is required."),
    ({"display_name": "x" * 81}, "display_name", "Use at most 80 characters."),
    ({"locale": "de"}, "locale", "Not a valid choice."),
])
def test_invalid_values_are_refused_beside_the_field(client, login, create_user, overrides, field, message):
    user = create_user(name="Amira Haddad")
    login(user)
    before = (user.display_name, user.country, user.region, user.locale, user.timezone)

    response = post(client, "/account", profile_data(**overrides))

    assert response.status_code == 200
    assert field_error(response, field) == message
    fresh = reloaded(user)
    assert (fresh.display_name, fresh.country, fresh.region, fresh.locale, fresh.timezone) == before
    # What was typed stays on the form.
    expected_name = overrides.get("display_name", "Amira H.")
    assert input_value(response, "display_name") == expected_name
