"""Email confirmation links: good, expired, forged, reused, or for an address the account no longer has."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry, User
from app.tokens import make_link_token
from tests.conftest import link_in, post
from tests.pages import text

THREE_DAYS = timedelta(days=3).total_seconds()


def reloaded(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def confirm_token(user: User, email: str | None = None) -> str:
    return make_link_token("confirm", {"user": user.id, "email": email or user.email})


def test_a_fresh_link_confirms_the_address(client, create_user):
    user = create_user(confirmed=False)
    response = client.get(f"/confirm/{confirm_token(user)}")

    assert response.status_code == 302
    assert response.headers["Location"] == "/signin"
    assert reloaded(user).email_confirmed_at is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.email_confirmed",
                                                      AuditEntry.subject_id == user.id)) is not None
    page = text(client.get("/signin"))
    assert "Your email address is confirmed." in page and "You can sign in now." in page


def test_a_signed_in_person_goes_back_to_the_dashboard(client, login, create_user):
    user = create_user(confirmed=False)
    login(user)
    assert "Confirm your email address" in text(client.get("/dashboard"))

    response = client.get(f"/confirm/{confirm_token(user)}")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert reloaded(user).is_confirmed
    assert "Confirm your email address" not in text(client.get("/dashboard"))


def test_a_link_nearly_three_days_old_still_works(client, create_user, backdated_token):
    user = create_user(confirmed=False)
    token = backdated_token("confirm", {"user": user.id, "email": user.email}, THREE_DAYS - 60)
    assert client.get(f"/confirm/{token}").status_code == 302
    assert reloaded(user).is_confirmed


def test_an_expired_link_is_refused(client, create_user, backdated_token):
    user = create_user(confirmed=False)
    token = backdated_token("confirm", {"user": user.id, "email": user.email}, THREE_DAYS + 60)

    response = client.get(f"/confirm/{token}")

    assert response.status_code == 400
    assert "This confirmation link has expired. Sign in and ask for a new one." in text(response)
    assert reloaded(user).email_confirmed_at is None


def forged_tokens(token: str, user: User) -> list[str]:
    payload, _, signature = token.rpartition(".")
    other_secret = URLSafeTimedSerializer("another-secret", salt="passerelle-confirm")
    return [
        payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:],  # tampered signature
        token[:-3],  # cut short when copied
        other_secret.dumps({"user": user.id, "email": user.email}),  # signed with someone else's key
        make_link_token("reset", {"user": user.id, "email": user.email}),  # a link made for another purpose
        "not-a-token",
    ]


@pytest.mark.parametrize("case", range(5))
def test_a_forged_link_is_refused(client, create_user, case):
    user = create_user(confirmed=False)
    forged = forged_tokens(confirm_token(user), user)[case]

    response = client.get(f"/confirm/{forged}")

    assert response.status_code == 400
    assert "This confirmation link is not valid. Check that you copied all of it." in text(response)
    assert reloaded(user).email_confirmed_at is None


def test_opening_the_link_twice_is_harmless(client, create_user):
    user = create_user(confirmed=False)
    token = confirm_token(user)
    assert client.get(f"/confirm/{token}").status_code == 302
    first = reloaded(user).email_confirmed_at

    again = client.get(f"/confirm/{token}")

    assert again.status_code == 302
    assert again.headers["Location"] == "/signin"
    assert reloaded(user).email_confirmed_at == first  # not moved
    confirmations = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.email_confirmed",
                                                                AuditEntry.subject_id == user.id)).all()
    assert len(confirmations) == 1


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(client, create_user):
    user = create_user(email="old@example.org", confirmed=False)
    token = confirm_token(user)
    user.email = "new@example.org"
    db.session.flush()

    response = client.get(f"/confirm/{token}")

    assert response.status_code == 400
    assert "This confirmation link is not valid" in text(response)
    assert reloaded(user).email_confirmed_at is None


def test_a_link_for_a_deleted_account_is_refused(client, create_user):
    user = create_user(confirmed=False)
    token = confirm_token(user)
    db.session.delete(user)
    db.session.flush()

    response = client.get(f"/confirm/{token}")

    assert response.status_code == 400
    assert "This confirmation link is not valid" in text(response)


def test_an_unconfirmed_person_can_ask_for_a_new_link(client, login, create_user, outbox):
    user = create_user(confirmed=False)
    login(user)

    response = post(client, "/confirm/resend")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    [message] = outbox(user.email, kind="confirm_email")
    assert f"We sent a new confirmation link to {user.email}." in text(client.get("/dashboard"))
    assert client.get(link_in(message)).status_code == 302
    assert reloaded(user).is_confirmed


def test_a_confirmed_person_gets_no_new_link(client, login, create_user, outbox):
    login(create_user())
    assert post(client, "/confirm/resend").status_code == 302
    assert outbox(kind="confirm_email") == []


def test_asking_for_a_new_link_needs_to_be_signed_in(client, outbox):
    response = post(client, "/confirm/resend")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")
    assert outbox() == []
