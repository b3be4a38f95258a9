"""The sessions list: each signed-in browser with its device and network, ended one by one or everywhere else
at once (remember-me cookies included); a new password ends the others too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry, User, UserSession
from app.twofactor import sessions
from tests.factories import PASSWORD
from tests.pages import text
from tests.twofactor.conftest import password_step, post_on

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


def _browser(new_client, email: str, agent: str, address: str, remember: bool = False):
    client = new_client()
    client.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address})
    extra = {"remember": "y"} if remember else {}
    assert password_step(client, email, **extra).status_code == 302
    return client


def _live(user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                              UserSession.ended_at.is_(None))))


def test_the_account_page_lists_the_sessions_with_device_place_and_this_device(new_client, create_user):
    create_user(email="amira@example.org")
    laptop = _browser(new_client, "amira@example.org", FIREFOX, "203.0.113.57")
    _browser(new_client, "amira@example.org", IPHONE, "2001:db8:1234:5678::9")

    page = text(laptop.get("/account"))

    assert "Where you are signed in" in page
    assert "Firefox on Windows this device 203.0.113.*" in page
    assert "Safari on iPhone 2001:db8:1234::/48" in page
    assert "End the session on Safari on iPhone since" in page
    assert "End the session on Firefox on Windows" not in page  # this device signs out instead
    assert "Sign out everywhere else" in page


def test_the_full_address_is_never_kept(new_client, create_user):
    user = create_user(email="amira@example.org")
    _browser(new_client, "amira@example.org", FIREFOX, "203.0.113.57")
    [row] = _live(user)
    assert row.ip_address == "203.0.113.0/24" and "57" not in row.ip_address


def test_ending_a_session_signs_that_browser_out_remember_cookie_and_all(new_client, create_user):
    user = create_user(email="amira@example.org")
    laptop = _browser(new_client, "amira@example.org", FIREFOX, "203.0.113.57")
    phone = _browser(new_client, "amira@example.org", IPHONE, "198.51.100.4", remember=True)
    phone_row = next(row for row in _live(user) if "iPhone" in row.user_agent)

    response = post_on(laptop, "/account", f"/account/sessions/{phone_row.id}/end")

    assert response.headers["Location"] == "/account#sessions"
    assert "The session on Safari on iPhone is ended." in text(laptop.get("/account"))
    phone.delete_cookie("session")  # even after the browser restarts, its remember cookie is dead
    assert phone.get("/dashboard").status_code == 302
    assert phone.get_cookie("remember_token") is None
    assert laptop.get("/dashboard").status_code == 200
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.sessions_ended")).one()
    assert entry.actor_id == user.id and entry.detail == {"count": 1, "scope": "one", "session": phone_row.id,
                                                          "reason": "ended_by_user"}


def test_nobody_ends_someone_else_s_session(client, login, create_user):
    owner = create_user()
    row = sessions.create(owner, user_agent=FIREFOX, ip_address="203.0.113.5")
    login(create_user("coordinator"))
    assert post_on(client, "/account", f"/account/sessions/{row.id}/end").status_code == 403
    assert post_on(client, "/account", "/account/sessions/999999/end").status_code == 404
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).ended_at is None


def test_sign_out_everywhere_else(new_client, create_user):
    user = create_user(email="amira@example.org")
    laptop = _browser(new_client, "amira@example.org", FIREFOX, "203.0.113.57", remember=True)
    phone = _browser(new_client, "amira@example.org", IPHONE, "198.51.100.4", remember=True)
    tablet = _browser(new_client, "amira@example.org", FIREFOX, "192.0.2.8")
    version = user.session_version

    response = post_on(laptop, "/account", "/account/sessions/end-others")

    assert response.headers["Location"] == "/account#sessions"
    assert "You are signed out everywhere else. This device stays signed in." in text(laptop.get("/account"))
    assert [row.user_agent for row in _live(user)] == [FIREFOX]
    assert db.session.get(User, user.id).session_version == version + 1
    for other in (phone, tablet):
        other.delete_cookie("session")
        assert other.get("/dashboard").status_code == 302
    # This browser carries on, even after a restart: its remember cookie was issued again.
    laptop.delete_cookie("session")
    assert laptop.get("/dashboard").status_code == 200
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.sessions_ended")).one()
    assert entry.detail == {"count": 2, "scope": "others", "reason": "signed_out_everywhere"}


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(new_client, create_user):
    user = create_user(email="amira@example.org")
    laptop = _browser(new_client, "amira@example.org", FIREFOX, "203.0.113.57")
    phone = _browser(new_client, "amira@example.org", IPHONE, "198.51.100.4")

    response = post_on(laptop, "/account/password", data={"current_password": PASSWORD,
                                                          "password": "a brand new passphrase"})

    assert response.headers["Location"] == "/account"
    assert [row.user_agent for row in _live(user)] == [FIREFOX]
    assert laptop.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 302


def test_any_other_sign_in_gets_a_session_row_too(app, create_user):
    """Signing in straight after sign-up calls login_user() itself: it gets its own committed row."""
    from flask import session
    from flask_login import login_user

    user = create_user()
    with app.test_request_context("/"):
        login_user(user)
        user_id, version, token = sessions.parse_login_id(session["_user_id"])
    [row] = _live(user)
    assert (user_id, version, token) == (user.id, user.session_version, row.token)


def test_last_seen_moves_at_most_once_a_minute(client, login, create_user, count_queries):
    user = create_user()
    login(user)
    client.get("/dashboard")
    [row] = _live(user)
    seen = row.last_seen_at

    steady = count_queries(lambda: client.get("/dashboard"))
    assert _live(user)[0].last_seen_at == seen

    row.last_seen_at = seen - timedelta(minutes=2)
    db.session.flush()
    client.get("/dashboard")
    assert _live(user)[0].last_seen_at > seen - timedelta(minutes=2)
    assert count_queries(lambda: client.get("/dashboard")) == steady


def test_device_descriptions():
    assert sessions.describe_device(FIREFOX) == "Firefox on Windows"
    assert sessions.describe_device(IPHONE) == "Safari on iPhone"
    assert sessions.describe_device("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36") \
        == "Chrome on Linux"
    assert sessions.describe_device("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Edg/126.0") == "Edge on macOS"
    assert sessions.describe_device("") == "Unknown device"


def test_addresses_are_cut_to_their_network():
    assert sessions.approximate_address("203.0.113.57") == "203.0.113.0/24"
    assert sessions.approximate_address("2001:db8:1234:5678::9") == "2001:db8:1234::/48"
    assert sessions.approximate_address("not an address") == ""
    assert sessions.describe_place("203.0.113.0/24") == "203.0.113.*"
    assert sessions.describe_place("") == "Unknown"
