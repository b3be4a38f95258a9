"""Forgotten passwords, reset links and changing one's password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry, User
from app.tokens import make_link_token
from tests.conftest import link_in, post
from tests.factories import PASSWORD
from tests.pages import field_error, text

NEW_PASSWORD = "purple lantern orchard"  # noqa: S105
TWO_HOURS = timedelta(hours=2).total_seconds()


def reloaded(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def can_sign_in(new_client, email: str, password: str) -> bool:
    return post(new_client(), "/signin", {"email": email, "password": password}).status_code == 302


def reset_link(client, outbox, email: str) -> str:
    assert post(client, "/password/forgot", {"email": email}).status_code == 302
    [message] = outbox(email, kind="reset_password")
    return link_in(message)


# -- forgotten password ---------------------------------------------------------------------------
def test_forgot_password_says_the_same_for_known_and_unknown_addresses(client, new_client, create_user, outbox):
    create_user(email="amira@example.org")
    pages = {}
    for email in ("amira@example.org", "nobody@example.org"):
        browser = new_client()
        response = post(browser, "/password/forgot", {"email": email})
        assert response.status_code == 302
        assert response.headers["Location"] == "/signin"
        pages[email] = text(browser.get("/signin")).replace(email, "X")

    assert pages["amira@example.org"] == pages["nobody@example.org"]
    assert "If an account uses X, we have sent it a link to choose a new password." in pages["amira@example.org"]
    assert [m.recipient for m in outbox(kind="reset_password")] == ["amira@example.org"]
    assert outbox("nobody@example.org") == []


def test_forgot_password_checks_the_address(client, outbox):
    response = post(client, "/password/forgot", {"email": "not an address"})
    assert response.status_code == 200
    assert field_error(response, "email") == "Enter an email address like name@example.org."
    assert outbox() == []


def test_the_reset_link_sets_a_new_password(client, new_client, create_user, outbox):
    user = create_user(email="amira@example.org")
    version = user.session_version
    url = reset_link(client, outbox, "amira@example.org")
    assert url.startswith("/password/reset/")
    assert "Choose a new password" in text(client.get(url))

    response = post(client, url, {"password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/signin"
    assert "Your password is changed. Sign in with your new password." in text(client.get("/signin"))
    assert reloaded(user).session_version == version + 1
    assert not can_sign_in(new_client, "amira@example.org", PASSWORD)
    assert can_sign_in(new_client, "amira@example.org", NEW_PASSWORD)
    assert [m.kind for m in outbox("amira@example.org")] == ["reset_password", "password_changed"]
    assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "account.password_changed")) \
        == {"reason": "reset"}


def test_a_reset_signs_out_the_other_sessions(client, new_client, login, create_user, outbox):
    user = create_user(email="amira@example.org")
    elsewhere = new_client()
    login(user)  # `client` is signed in ...
    from tests.conftest import sign_in

    sign_in(elsewhere, user)  # ... and so is another device
    url = reset_link(new_client(), outbox, "amira@example.org")

    post(new_client(), url, {"password": NEW_PASSWORD})

    for browser in (client, elsewhere):
        response = browser.get("/dashboard")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/signin")


def test_a_reset_link_proves_the_address(client, create_user, outbox):
    user = create_user(email="amira@example.org", confirmed=False)
    url = reset_link(client, outbox, "amira@example.org")
    post(client, url, {"password": NEW_PASSWORD})
    assert reloaded(user).is_confirmed


def test_a_used_reset_link_cannot_be_used_again(client, new_client, create_user, outbox):
    create_user(email="amira@example.org")
    url = reset_link(client, outbox, "amira@example.org")
    assert post(client, url, {"password": NEW_PASSWORD}).status_code == 302

    again = client.get(url)
    assert again.status_code == 400
    assert "This link has already been used. Ask for a new one if you still need it." in text(again)
    reuse = post(client, url, {"password": "another fine passphrase"})
    assert reuse.status_code == 400
    assert can_sign_in(new_client, "amira@example.org", NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(client, new_client, create_user, backdated_token):
    user = create_user(email="amira@example.org")
    token = backdated_token("reset", {"user": user.id, "h": user.password_hash[-16:]}, TWO_HOURS + 60)

    assert client.get(f"/password/reset/{token}").status_code == 400
    response = post(client, f"/password/reset/{token}", {"password": NEW_PASSWORD})

    assert response.status_code == 400
    assert "This link to reset your password has expired. Ask for a new one." in text(response)
    assert can_sign_in(new_client, "amira@example.org", PASSWORD)


def test_a_reset_link_under_two_hours_old_works(client, create_user, backdated_token):
    user = create_user(email="amira@example.org")
    token = backdated_token("reset", {"user": user.id, "h": user.password_hash[-16:]}, TWO_HOURS - 60)
    assert client.get(f"/password/reset/{token}").status_code == 200


@pytest.mark.parametrize("forge", [
    lambda token, user: token[:-2] + ("xx" if not token.endswith("xx") else "yy"),
    lambda token, user: make_link_token("confirm", {"user": user.id, "h": user.password_hash[-16:]}),
    lambda token, user: "garbage",
])
def test_a_forged_reset_link_is_refused(client, new_client, create_user, forge):
    user = create_user(email="amira@example.org")
    token = forge(make_link_token("reset", {"user": user.id, "h": user.password_hash[-16:]}), user)

    response = post(client, f"/password/reset/{token}", {"password": NEW_PASSWORD})

    assert response.status_code == 400
    assert "This link to reset your password is not valid." in text(response)
    assert can_sign_in(new_client, "amira@example.org", PASSWORD)


def test_a_weak_new_password_is_refused_on_the_page(client, new_client, create_user, outbox):
    user = create_user(email="amira@example.org")
    password_hash = user.password_hash
    url = reset_link(client, outbox, "amira@example.org")

    response = post(client, url, {"password": "password123"})

    assert response.status_code == 200
    assert field_error(response, "password") == "This password is too easy to guess. Try a few unrelated words."
    assert "Choose a new password" in text(response)
    assert reloaded(user).password_hash == password_hash
    assert outbox(kind="password_changed") == []
    # The link still works for a better password.
    assert post(client, url, {"password": NEW_PASSWORD}).status_code == 302


# -- changing the password ------------------------------------------------------------------------
def test_changing_the_password_needs_to_be_signed_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")


def test_the_current_password_must_be_right(client, login, create_user, outbox):
    user = create_user(email="amira@example.org")
    login(user)

    response = post(client, "/account/password", {"current_password": "not my password", "password": NEW_PASSWORD})

    assert response.status_code == 200
    assert field_error(response, "current_password") == "That is not your current password."
    assert field_error(response, "password") is None
    fresh = reloaded(user)
    assert fresh.session_version == user.session_version and fresh.password_hash == user.password_hash
    assert outbox() == []


def test_a_weak_new_password_is_refused_beside_the_field(client, login, create_user):
    user = create_user(email="amira@example.org")
    login(user)
    response = post(client, "/account/password", {"current_password": PASSWORD, "password": "amira1234567"})
    assert response.status_code == 200
    assert field_error(response, "password") == "Do not use your name or email address in your password."
    assert reloaded(user).password_hash == user.password_hash


def test_changing_the_password_signs_out_other_devices_but_not_this_one(client, new_client, login, create_user,
                                                                       outbox):
    user = create_user(email="amira@example.org")
    version = user.session_version
    other_device = new_client()
    assert post(other_device, "/signin", {"email": "amira@example.org", "password": PASSWORD}).status_code == 302
    assert other_device.get("/dashboard").status_code == 200
    login(user)

    response = post(client, "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Your password is changed. Other devices have been signed out." in text(client.get("/account"))
    assert client.get("/dashboard").status_code == 200
    signed_out = other_device.get("/dashboard")
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"].startswith("/signin")
    assert reloaded(user).session_version == version + 1
    [message] = outbox("amira@example.org")
    assert message.kind == "password_changed"
    assert can_sign_in(new_client, "amira@example.org", NEW_PASSWORD)
    assert not can_sign_in(new_client, "amira@example.org", PASSWORD)
