"""Signing in with two-factor on: the password alone signs nobody in; a right, fresh code does, once; a wrong,
reused or expired code is refused; recovery codes work once each; each try is in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry, RecoveryCode, User, UserSession
from app.db import utcnow
from tests.pages import field_error, text
from tests.twofactor.conftest import code_for, code_step, password_step, token_on, turn_on

WRONG_CODE = ("That code is not right. Enter the newest code your app shows, or a recovery code you have not "
              "used.")


def _audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def test_the_password_alone_does_not_sign_in_an_account_with_two_factor(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)

    response = password_step(client, "amira@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/signin/code"
    assert not _signed_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert "Enter your code" in text(client.get("/signin/code"))
    assert _audit("account.signed_in") == []


def test_the_right_code_completes_the_sign_in(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")

    response = code_step(client, code_for(user))

    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert _signed_in(client)
    [entry] = _audit("account.signed_in")
    assert entry.subject_id == user.id and entry.detail["method"] == "totp"
    row = db.session.get(UserSession, entry.detail["session"])
    assert row.user_id == user.id and row.two_factor_at is not None and row.ended_at is None


def test_the_code_step_keeps_where_the_person_was_going(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    from tests.twofactor.conftest import post_on

    post_on(client, "/signin?next=%2Fteams%2F", data={"email": "amira@example.org",
                                                       "password": "correct horse battery"})
    assert code_step(client, code_for(user)).headers["Location"] == "/teams/"


def test_a_wrong_code_is_refused_and_recorded(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")
    right = code_for(user)

    response = code_step(client, f"{(int(right) + 1) % 1_000_000:06d}")

    assert response.status_code == 200
    assert field_error(response, "code") == WRONG_CODE
    assert not _signed_in(client)
    [failure] = _audit("account.signin_failed")
    assert failure.actor_id is None and failure.subject_id == user.id
    assert failure.detail == {"reason": "code"}


def test_a_used_code_is_refused_the_second_time(client, new_client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    code = code_for(user)
    password_step(client, "amira@example.org")
    assert code_step(client, code).status_code == 302

    # Someone who saw the code over the shoulder tries it at once in another browser.
    other = new_client()
    password_step(other, "amira@example.org")
    response = code_step(other, code)

    assert response.status_code == 200
    assert field_error(response, "code") == WRONG_CODE
    assert not _signed_in(other)


def test_an_older_code_is_refused_once_a_newer_one_was_used(client, new_client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")
    assert code_step(client, code_for(user, +1)).status_code == 302
    other = new_client()
    password_step(other, "amira@example.org")
    assert code_step(other, code_for(user)).status_code == 200


def test_an_expired_code_is_refused(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")
    response = code_step(client, code_for(user, -2))  # a minute old
    assert field_error(response, "code") == WRONG_CODE
    assert not _signed_in(client)


def test_a_code_a_step_late_is_still_accepted(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")
    assert code_step(client, code_for(user, -1)).status_code == 302


def test_each_recovery_code_works_once(client, new_client, create_user):
    user = create_user(email="amira@example.org")
    first, second = turn_on(user)[:2]
    password_step(client, "amira@example.org")

    response = code_step(client, first.upper().replace("-", " "))  # as typed off paper

    assert response.status_code == 302
    assert "You signed in with a recovery code. 9 codes are left" in text(client.get("/dashboard"))
    [used] = _audit("account.recovery_code_used")
    assert used.subject_id == user.id and used.detail == {"left": 9}
    [entry] = _audit("account.signed_in")
    assert entry.detail["method"] == "recovery_code"

    again = new_client()
    password_step(again, "amira@example.org")
    assert field_error(code_step(again, first), "code") == WRONG_CODE
    assert code_step(again, second).status_code == 302


def test_recovery_codes_are_kept_only_as_hashes(create_user):
    user = create_user()
    codes = turn_on(user)
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == len(set(codes)) == 10
    for code in codes:
        assert not any(code in value or code.replace("-", "") in value for value in stored)


def test_the_code_step_waits_only_a_few_minutes(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")
    token = token_on(client, "/signin/code")
    with client.session_transaction() as session:
        session["two_factor_pending"] = {**session["two_factor_pending"],
                                         "at": session["two_factor_pending"]["at"] - 6 * 60}

    response = client.post("/signin/code", data={"csrf_token": token, "code": code_for(user)})

    assert response.status_code == 302 and response.headers["Location"] == "/signin"
    assert not _signed_in(client)
    assert "Sign in again: the code must follow the password within a few minutes." in text(client.get("/signin"))


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(client):
    response = client.get("/signin/code")
    assert response.status_code == 302 and response.headers["Location"] == "/signin"


def test_a_password_change_between_the_steps_voids_the_code_step(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")
    token = token_on(client, "/signin/code")
    user.session_version += 1
    db.session.flush()
    response = client.post("/signin/code", data={"csrf_token": token, "code": code_for(user)})
    assert response.headers["Location"] == "/signin"
    assert not _signed_in(client)


def test_guessing_codes_is_rate_limited_per_account(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")
    for _ in range(5):
        assert code_step(client, "000000").status_code == 200
    assert code_step(client, code_for(user)).status_code == 429


def test_a_session_that_never_passed_the_second_factor_is_not_signed_in(client, create_user):
    from app.twofactor import sessions

    user = create_user()
    turn_on(user)
    row = sessions.create(user, two_factor=False)
    with client.session_transaction() as session:
        session["_user_id"] = sessions.login_id(user, row)

    assert not _signed_in(client)


def test_remember_me_restores_the_same_session_and_its_second_factor(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org", remember="y")
    code_step(client, code_for(user))
    client.delete_cookie("session")  # the browser was closed

    assert _signed_in(client)
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(rows) == 1 and rows[0].two_factor_at is not None


# -- the audit trail of signing in --------------------------------------------------------------------
def test_a_failed_password_names_the_account_by_id_and_never_the_address(client, create_user):
    user = create_user(email="amira@example.org")
    password_step(client, "amira@example.org", "wrong password!")
    password_step(client, "nobody@example.org", "wrong password!")

    known, unknown = _audit("account.signin_failed")

    assert (known.subject_type, known.subject_id, known.detail) == ("users", user.id, {"reason": "password"})
    assert (unknown.subject_type, unknown.subject_id, unknown.detail) == ("none", None, {"reason": "password"})
    assert known.actor_id is None and unknown.actor_id is None
    assert "@" not in str(known.detail) + str(unknown.detail)


def test_signing_in_and_out_is_recorded_and_the_session_ends(client, create_user):
    user = create_user(email="amira@example.org")
    password_step(client, "amira@example.org")
    [signed_in] = _audit("account.signed_in")
    assert signed_in.actor_id == user.id and signed_in.detail["method"] == "password"
    session_id = signed_in.detail["session"]

    from tests.twofactor.conftest import post_on

    post_on(client, "/dashboard", "/signout")

    [signed_out] = _audit("account.signed_out")
    assert signed_out.actor_id == user.id and signed_out.detail == {"session": session_id}
    [ended] = _audit("account.sessions_ended")
    assert ended.detail["session"] == session_id and ended.detail["reason"] == "signed_out"
    assert db.session.get(UserSession, session_id).ended_at is not None
    assert not _signed_in(client)


# -- suspended accounts --------------------------------------------------------------------------------
def test_a_suspended_account_is_refused_at_sign_in_with_a_clear_message(client, create_user):
    user = create_user(email="amira@example.org")
    user.suspended_at = utcnow()
    db.session.flush()

    response = password_step(client, "amira@example.org")

    assert response.status_code == 200
    assert field_error(response, "password").startswith("This account is suspended, so it cannot sign in.")
    assert not _signed_in(client)
    [failure] = _audit("account.signin_failed")
    assert failure.subject_id == user.id and failure.detail == {"reason": "suspended"}


def test_a_suspended_account_is_signed_out_on_its_next_request(client, login, create_user):
    user = create_user()
    login(user)
    assert _signed_in(client)
    db.session.get(User, user.id).suspended_at = utcnow()
    db.session.flush()

    response = client.get("/dashboard")

    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    assert "This account is suspended, so you have been signed out." in text(client.get("/signin"))
    ended = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert ended.ended_at is not None
    # Lifting the suspension does not bring the ended session back.
    db.session.get(User, user.id).suspended_at = None
    db.session.flush()
    assert not _signed_in(client)


def test_a_suspended_account_with_two_factor_cannot_finish_the_code_step(client, create_user):
    user = create_user(email="amira@example.org")
    turn_on(user)
    password_step(client, "amira@example.org")
    token = token_on(client, "/signin/code")
    user.suspended_at = utcnow()
    db.session.flush()

    response = client.post("/signin/code", data={"csrf_token": token, "code": code_for(user)})

    assert response.headers["Location"] == "/signin"
    assert not _signed_in(client)


def test_codes_are_checked_against_the_clock(create_user, steady_clock):
    from app.twofactor import services

    user = create_user()
    turn_on(user)
    later = steady_clock + 600
    assert services.use_second_factor(user, code_for(user)) == "totp"
    assert services.use_second_factor(user, code_for(user), now=later) is None  # ten minutes later: expired
