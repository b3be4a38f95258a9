"""Setting two-factor sign-in up, recovery codes shown once, turning it off, new codes; each change is emailed
and audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry, RecoveryCode, User
from app.twofactor import services, totp
from tests.factories import PASSWORD
from tests.pages import field_error, text
from tests.twofactor.conftest import code_for, password_step, post_on, token_on, turn_on

SETUP = "/account/two-factor/setup"
OFF = "/account/two-factor/off"
RENEW = "/account/two-factor/recovery-codes"


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _actions(user) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == user.id,
                                                                    AuditEntry.subject_type == "users")
                                   .order_by(AuditEntry.id)))


def _codes_on(response) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))


def _set_up(client, user):
    token = token_on(client, SETUP)
    return client.post(SETUP, data={"csrf_token": token, "code": code_for(_fresh(user))})


def test_the_setup_page_offers_a_qr_code_and_the_key_by_hand(client, login, create_user):
    person = create_user(email="lina@example.org")
    login(person)

    response = client.get(SETUP)

    body = response.get_data(as_text=True)
    secret = _fresh(person).totp_secret
    assert secret and _fresh(person).totp_enabled_at is None  # kept, not on yet
    assert re.search(r'<svg role="img" aria-label="QR code to scan with your authenticator app"', body)
    assert "data:" not in body
    assert totp.grouped(secret) in text(response)
    assert response.headers["Cache-Control"] == "no-store"
    # The same secret on a reload, so a code from the scanned QR code still works.
    client.get(SETUP)
    assert _fresh(person).totp_secret == secret


def test_a_wrong_confirming_code_keeps_it_off(client, login, create_user):
    person = create_user()
    login(person)
    token = token_on(client, SETUP)
    right = code_for(_fresh(person))

    response = client.post(SETUP, data={"csrf_token": token, "code": f"{(int(right) + 1) % 1_000_000:06d}"})

    assert response.status_code == 200
    assert field_error(response, "code").startswith("That code is not right.")
    assert _fresh(person).totp_enabled_at is None


def test_the_right_code_turns_it_on_and_shows_ten_recovery_codes_once(client, login, create_user, outbox):
    person = create_user(email="amira@example.org")
    login(person)

    response = _set_up(client, person)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = _codes_on(response)
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code) for code in codes)
    fresh = _fresh(person)
    assert fresh.totp_enabled_at is not None and fresh.totp_last_step is not None
    assert all(services.recovery_code_matches(code, stored) for code, stored in zip(
        codes, db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == person.id)
                                  .order_by(RecoveryCode.id)), strict=True))
    assert "account.two_factor_enabled" in _actions(person)
    [email] = outbox("amira@example.org", kind="two_factor_enabled")
    assert "Two-factor sign-in was just turned on" in email.body
    # The browser that set it up stays signed in; the account page says it is on.
    page = text(client.get("/account"))
    assert "On: signing in asks for a code from your authenticator app. 10 recovery codes left." in page
    assert not _codes_on(client.get("/account"))


def test_turning_it_on_signs_out_the_other_sessions(client, new_client, login, create_user):
    person = create_user()
    other = new_client()
    from tests.conftest import sign_in

    sign_in(other, person)
    assert other.get("/dashboard").status_code == 200
    login(person)

    _set_up(client, person)

    assert other.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_the_recovery_codes_download_as_a_text_file(client, login, create_user):
    person = create_user()
    login(person)
    codes = _codes_on(_set_up(client, person))

    response = post_on(client, "/account", "/account/two-factor/recovery-codes.txt",
                       {"code": [*codes, "<script>alert(1)</script>"]})

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == 'attachment; filename="passerelle-recovery-codes.txt"'
    body = response.get_data(as_text=True)
    assert all(code in body for code in codes)
    assert "script" not in body


def test_turning_it_off_needs_the_password_and_a_code(client, login, create_user, outbox):
    person = create_user(email="amira@example.org")
    turn_on(person)
    login(person)

    wrong_password = post_on(client, OFF, data={"password": "not my password", "code": code_for(person)})
    assert field_error(wrong_password, "password") == "That is not your current password."
    wrong_code = post_on(client, OFF, data={"password": PASSWORD, "code": "000000"})
    assert field_error(wrong_code, "code").startswith("That code is not right.")
    assert _fresh(person).totp_enabled_at is not None

    response = post_on(client, OFF, data={"password": PASSWORD, "code": code_for(person)})

    assert response.headers["Location"] == "/account"
    fresh = _fresh(person)
    assert (fresh.totp_secret, fresh.totp_enabled_at, fresh.totp_last_step) == (None, None, None)
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all() == []
    assert "account.two_factor_disabled" in _actions(person)
    [email] = outbox("amira@example.org", kind="two_factor_disabled")
    assert "Two-factor sign-in was just turned off" in email.body
    assert "Off: signing in asks only for your password." in text(client.get("/account"))


def test_a_recovery_code_can_turn_it_off_after_losing_the_phone(client, login, create_user):
    person = create_user()
    codes = turn_on(person)
    login(person)
    response = post_on(client, OFF, data={"password": PASSWORD, "code": codes[3]})
    assert response.headers["Location"] == "/account"
    assert _fresh(person).totp_enabled_at is None


def test_new_recovery_codes_replace_the_old_ones(client, new_client, login, create_user, outbox):
    person = create_user(email="amira@example.org")
    old = turn_on(person)
    login(person)

    refused = post_on(client, RENEW, data={"password": "not my password"})
    assert field_error(refused, "password") == "That is not your current password."
    response = post_on(client, RENEW, data={"password": PASSWORD})

    new = _codes_on(response)
    assert len(new) == 10 and not set(new) & set(old)
    assert "account.recovery_codes_renewed" in _actions(person)
    assert outbox("amira@example.org", kind="recovery_codes_renewed")
    assert not services.use_recovery_code(_fresh(person), old[0])
    assert services.use_recovery_code(_fresh(person), new[0])


def test_pages_that_need_two_factor_on_are_refused_without_it(client, login, create_user):
    login(create_user())
    assert client.get(OFF).status_code == 403
    assert client.get(RENEW).status_code == 403


def test_a_setup_page_with_two_factor_already_on_leads_back_to_the_account(client, login, create_user):
    person = create_user()
    turn_on(person)
    login(person)
    assert client.get(SETUP).headers["Location"] == "/account"


def test_signing_in_after_setup_asks_for_the_code(client, new_client, login, create_user):
    person = create_user(email="amira@example.org")
    login(person)
    _set_up(client, person)
    browser = new_client()
    assert password_step(browser, "amira@example.org").headers["Location"] == "/signin/code"
