"""Signed-in browsers: one UserSession row each, listed on the account page and ended one by one or all at once.

The row's random token travels inside Flask-Login's user id, "<user id>:<session version>:<token>", so it is in
the signed session cookie and, with "keep me signed in", in the remember-me cookie too: a remember cookie
restores the very session it was issued with, and ending that session kills both cookies. A session version
bump ("sign out everywhere", a new password) kills every cookie carrying the old version at once.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app import audit, db
from app.accounts.models import User, UserSession
from app.db import utcnow

# last_seen_at is written at most this often, so a busy session costs no write per request.
TOUCH_INTERVAL = timedelta(minutes=1)
_LOGIN_ID = re.compile(r"(\d+):(\d+):([A-Za-z0-9_-]{20,64})")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def login_id(user: User, row: UserSession) -> str:
    return f"{user.id}:{user.session_version}:{row.token}"


def parse_login_id(value: str) -> tuple[int, int, str] | None:
    """(user id, session version, token), or None for anything else (including ids from before sessions)."""
    match = _LOGIN_ID.fullmatch(value or "")
    return (int(match[1]), int(match[2]), match[3]) if match else None


def approximate_address(address: str | None) -> str:
    """The network, not the device: IPv4 cut to /24, IPv6 to /48. Enough to tell places apart, no more."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def create(user: User, *, two_factor: bool = False, user_agent: str | None = None,
           ip_address: str | None = None) -> UserSession:
    """A new session row for this browser (described from the current request unless told)."""
    if has_request_context():
        user_agent = request.headers.get("User-Agent", "") if user_agent is None else user_agent
        ip_address = request.remote_addr if ip_address is None else ip_address
    now = utcnow()
    row = UserSession(token=new_token(), user_id=user.id, created_at=now, last_seen_at=now,
                      user_agent=(user_agent or "")[:255], ip_address=approximate_address(ip_address),
                      two_factor_at=now if two_factor else None)
    db.session.add(row)
    db.session.flush()
    return row


def find(user_id: int, token: str) -> tuple[UserSession, User] | None:
    """The session row with its user, in one query: every signed-in request asks, so the user's roles and consent
    records (which the policy reads on most pages) come joined rather than by two more round trips."""
    found = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token == token, UserSession.user_id == user_id)
        .options(joinedload(User.role_grants), joinedload(User.consent_requests))).unique().first()
    return (found[0], found[1]) if found else None


def current() -> UserSession | None:
    """This request's session row, once the loader has accepted it."""
    return g.get("user_session") if has_request_context() else None


def touch(row: UserSession) -> bool:
    """Move last_seen_at forward when it is over a minute old; True when the row changed."""
    now = utcnow()
    if now - row.last_seen_at < TOUCH_INTERVAL:
        return False
    row.last_seen_at = now
    return True


def active(user: User) -> list[UserSession]:
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


# -- starting and ending ----------------------------------------------------------------------------
def begin(user: User, *, remember: bool = False, two_factor: bool = False, method: str = "password") -> UserSession:
    """Sign this browser in with a fresh session row: the one place a sign-in completes."""
    row = create(user, two_factor=two_factor)
    g.user_session = row
    login_user(user, remember=remember)  # _attach_on_login below puts the row's token in the user id
    audit.record(user, "account.signed_in", user, method=method, session=row.id, remember=remember or None)
    return row


def attach_on_login(_app, user: User, **_extra) -> None:
    """Flask-Login's user_logged_in signal: every login_user() call gets a session row.

    begin() has made the row already; elsewhere (signing in after sign-up, staying signed in after a password
    change) the browser keeps its live row or gets a new one, committed here because those callers have
    committed their own work before calling login_user()."""
    row = current()
    if row is None or row.user_id != user.id or row.ended_at is not None:
        row = create(user)
        g.user_session = row
        audit.record(user, "account.signed_in", user, method="automatic", session=row.id)
        db.session.commit()
    session["_user_id"] = login_id(user, row)


def end(row: UserSession, user: User, *, actor: User | None, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at = utcnow()
        audit.record(actor, "account.sessions_ended", user, count=1, scope="one", session=row.id, reason=reason)
        db.session.flush()


def end_others(user: User, *, actor: User | None, reason: str, keep_current: bool = True) -> int:
    """End every live session of the user except this request's own; returns how many ended."""
    keep = current() if keep_current else None
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None and keep.user_id == user.id:
        query = query.where(UserSession.id != keep.id)
    ended = db.session.execute(query.values(ended_at=utcnow()).execution_options(synchronize_session="fetch"))
    count = ended.rowcount or 0
    if count:
        audit.record(actor, "account.sessions_ended", user, count=count, scope="others", reason=reason)
    db.session.flush()
    return count


def sign_out_everywhere_else(user: User) -> int:
    """End the other sessions and bump the session version, so any cookie they still hold stops working;
    this browser carries on with the new version (its remember cookie, if any, is issued again)."""
    count = end_others(user, actor=user, reason="signed_out_everywhere")
    user.session_version += 1
    db.session.flush()
    row = current()
    if row is not None and has_request_context():
        session["_user_id"] = login_id(user, row)
        if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
            session["_remember"] = "set"
    return count


# -- describing a session ---------------------------------------------------------------------------
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
             ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"))


def describe_device(user_agent: str) -> str:
    """"Firefox on Windows", from the browser's own description; good enough to recognise one's devices."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return str(_l("%(browser)s on %(system)s", browser=browser, system=system))
    return browser or system or str(_l("Unknown device"))


def describe_place(network: str) -> str:
    """The stored network shown as a person reads it: 203.0.113.* or 2001:db8:1::/48."""
    if not network:
        return str(_l("Unknown"))
    address, _, prefix = network.partition("/")
    if prefix == "24" and address.endswith(".0"):
        return address[:-1] + "*"
    return network
