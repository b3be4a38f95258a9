"""Sign-up through the form: what is stored, what is emailed, and what the person sees when it fails."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry, User
from tests.accounts.helpers import signup_data
from tests.conftest import link_in, post
from tests.factories import PASSWORD
from tests.pages import field_error, input_value, text


def users_with(email: str) -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User).where(User.email == email)))


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_the_form_is_offered(client):
    response = client.get("/signup")
    assert response.status_code == 200
    page = text(response)
    assert "Create your account" in page
    assert "I have read and accept the code of conduct" in page
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_sign_up_creates_an_unconfirmed_youth_and_emails_a_confirmation_link(client, outbox):
    response = post(client, "/signup", signup_data(email="  Amira.Haddad@Example.ORG "))

    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/check-email"
    [user] = users_with("amira.haddad@example.org")
    assert user.display_name == "Amira Haddad"
    assert user.roles == {"youth"}
    assert user.email_confirmed_at is None
    assert user.conduct_accepted_at is not None
    assert user.country == "CA" and user.region is None and user.timezone == "America/Toronto"
    assert user.password_hash.startswith("$argon2") and "correct horse" not in user.password_hash
    assert user.consent_requests == []  # an adult needs nobody's consent
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.subject_id == user.id,
                                                             AuditEntry.subject_type == "users")) == "account.created"

    [message] = outbox("amira.haddad@example.org")
    assert message.kind == "confirm_email"
    assert "Hello Amira," in message.body
    assert outbox(kind="consent_request") == []

    # Not signed in until the address is confirmed.
    assert client.get("/dashboard").status_code == 302
    assert "Check your email" in text(client.get("/signup/check-email"))

    confirm = client.get(link_in(message))
    assert confirm.status_code == 302
    assert confirm.headers["Location"] == "/signin"
    [user] = users_with("amira.haddad@example.org")
    assert user.email_confirmed_at is not None
    assert "Your email address is confirmed." in text(client.get("/signin"))


def test_a_signed_in_person_is_sent_to_the_dashboard(client, login, create_user):
    login(create_user())
    response = client.get("/signup")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_a_registered_address_gets_the_same_answer_and_its_owner_gets_an_email(client, create_user, outbox):
    owner = create_user(email="taken@example.org", name="Owner Person")
    owner_hash = owner.password_hash
    before = user_count()

    response = post(client, "/signup", signup_data(email="Taken@Example.org", display_name="Someone Else"))

    # Exactly what a new account gets: nothing on the page says the address is registered.
    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/check-email"
    assert user_count() == before
    [owner] = users_with("taken@example.org")
    assert owner.display_name == "Owner Person" and owner.password_hash == owner_hash
    [message] = outbox("taken@example.org")
    assert message.kind == "account_exists"
    assert "Hello Owner," in message.body
    assert "/signin" in message.body and "/password/forgot" in message.body
    assert outbox(kind="confirm_email") == []


def test_a_registered_address_with_other_mistakes_shows_only_those_mistakes(client, create_user, outbox):
    create_user(email="taken@example.org")
    response = post(client, "/signup", signup_data(email="taken@example.org", password="short"))

    assert response.status_code == 200
    assert field_error(response, "password") == "Use at least 10 characters."
    assert field_error(response, "email") is None
    assert outbox() == []


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"password": "password123"}, "password", "This password is too easy to guess. Try a few unrelated words."),
    ({"password": "short"}, "password", "Use at least 10 characters."),
    ({"password": "a1b2c3d4" * 16 + "x"}, "password", "Use at most 128 characters."),
    ({"password": "amira.haddad forever", "email": "amira.haddad@example.org"}, "password",
     "Do not use your name or email address in your password."),
    ({"email": "not-an-email"}, "email", "Enter an email address like name@example.org."),
    ({"email": ""}, "email", "This field is required."),
    ({"accept_conduct": None}, "accept_conduct", "You must accept the code of conduct to join."),
    ({"birth_date": (date.today() + timedelta(days=1)).isoformat()}, "birth_date", "Enter your real date of birth."),
    ({"birth_date": "1890-01-01"}, "birth_date", "Enter your real date of birth."),
    ({"birth_date": "not a date"}, "birth_date", "Not a valid date value."),
    ({"age": 12, "guardian_email": "parent@example.org"}, "birth_date",
     "Passerelle is for people aged 13 and over."),
    ({"age": 16, "account_type": "guardian"}, "account_type",
     "Guardians and sponsoring organisations must be adults."),
    ({"display_name": "x" * 81}, "display_name", "Use at most 80 characters."),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone from the list."),
    ({"country": "FR", "region": "CA-QC"}, "region", "This region is not in the country you chose."),
    ({"age": 14, "country": "FR"}, "guardian_email",
     "At your age, where you live, a parent or guardian must agree before you take part. "
     "Enter their email address."),
    ({"age": 14, "country": "FR", "guardian_email": "amira@example.org"}, "guardian_email",
     "Enter your guardian's own email address, not yours."),
])
def test_each_problem_is_shown_beside_its_field_and_what_was_typed_is_kept(client, outbox, overrides, field,
                                                                             message):
    data = signup_data(**{"display_name": "Amira Haddad", **overrides})
    before = user_count()

    response = post(client, "/signup", data)

    assert response.status_code == 200
    assert field_error(response, field) == message
    page = response.get_data(as_text=True)
    # The field points at its error for screen readers, and the summary at the top links to the field.
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error"', page)
    assert re.search(rf'<div class="error-summary" role="alert".*href="#{field}(-0)?">', page, flags=re.S)
    # What the person typed is still there (except the password, which is never sent back).
    assert input_value(response, "display_name") == data["display_name"]
    if field != "email":
        assert input_value(response, "email") == data["email"].strip().lower()
    assert data["password"] not in page
    assert user_count() == before
    assert outbox() == []


def test_typed_values_survive_several_errors_at_once(client):
    data = signup_data(display_name="Jonas Weber", email="jonas@example.org", accept_conduct=None,
                       guardian_email="mum at example", timezone="Europe/Berlin", country="DE")
    response = post(client, "/signup", data)

    assert response.status_code == 200
    assert field_error(response, "accept_conduct") == "You must accept the code of conduct to join."
    assert field_error(response, "guardian_email") == "Enter an email address like name@example.org."
    assert field_error(response, "email") is None
    assert "There are 2 problems to fix" in text(response)
    assert input_value(response, "display_name") == "Jonas Weber"
    assert input_value(response, "email") == "jonas@example.org"
    assert input_value(response, "guardian_email") == "mum at example"
    page = response.get_data(as_text=True)
    assert '<option selected value="Europe/Berlin">' in page
    assert '<option selected value="DE">' in page
    assert PASSWORD not in page


@pytest.mark.parametrize(("age", "country", "region"), [
    (14, "FR", ""),  # France: under 15
    (13, "CA", "CA-QC"),  # Québec: under 14
    (15, "DE", ""),  # Germany: under 16
])
def test_a_minor_names_a_guardian_who_is_asked_for_consent(client, outbox, age, country, region):
    data = signup_data(email="minor@example.org", age=age, country=country, region=region,
                       guardian_email="Parent@Example.org")
    response = post(client, "/signup", data)

    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/check-email"
    [minor] = users_with("minor@example.org")
    assert minor.roles == {"youth"}
    [consent] = minor.consent_requests
    assert consent.state == "requested"
    assert consent.guardian_email == "parent@example.org"
    assert consent.guardian_id is None and consent.decided_at is None
    assert len(consent.nonce) == 16
    [request] = outbox("parent@example.org")
    assert request.kind == "consent_request"
    assert "Amira Haddad asks for your consent" in request.subject
    assert link_in(request).startswith("/consent/")
    assert [m.kind for m in outbox("minor@example.org")] == ["confirm_email"]


@pytest.mark.parametrize(("age", "country", "region"), [
    (15, "FR", ""),
    (14, "CA", "CA-QC"),
    (13, "CA", ""),
    (13, "US", ""),
])
def test_at_the_consent_age_nobody_is_asked(client, outbox, age, country, region):
    # A guardian address typed in by someone who does not need one is not used.
    data = signup_data(email="teen@example.org", age=age, country=country, region=region,
                       guardian_email="parent@example.org")
    response = post(client, "/signup", data)

    assert response.status_code == 302
    [teen] = users_with("teen@example.org")
    assert teen.consent_requests == []
    assert outbox("parent@example.org") == []


def test_an_adult_can_join_as_a_guardian(client):
    response = post(client, "/signup", signup_data(email="parent@example.org", age=40, account_type="guardian"))
    assert response.status_code == 302
    [parent] = users_with("parent@example.org")
    assert parent.roles == {"guardian"}
