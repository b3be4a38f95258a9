"""How Flask-Login finds the signed-in user from the session or remember-me cookie.

The user id Flask-Login keeps is "<user id>:<session version>:<session token>" (app/twofactor/sessions.py).
A request is signed in only when that session row exists, is not ended, belongs to a user whose session
version still matches (a password change or "sign out everywhere" bumps it), who is not suspended, and
who, if two-factor sign-in is on, passed the second factor in that session. Anything else signs the browser
out, remember-me cookie included.
"""

from flask import flash, g, session
from flask_babel import gettext as _

from app import db, policy
from app.extensions import login_manager
from app.twofactor import sessions

# What Flask-Login keeps in the session for a signed-in browser.
_LOGIN_KEYS = ("_user_id", "_fresh", "_id")


@login_manager.user_loader
def load_user(login_id: str):
    parsed = sessions.parse_login_id(login_id)
    found = sessions.find(parsed[0], parsed[2]) if parsed else None
    if found is None:
        return _signed_out()
    row, user = found
    if row.ended_at is not None or user.session_version != parsed[1]:
        return _signed_out()
    if policy.is_suspended(user):
        sessions.end(row, user, actor=None, reason="suspended")
        db.commit()
        flash(_("This account is suspended, so you have been signed out. The message we sent you explains "
                "why and how to appeal."), "error")
        return _signed_out()
    if user.totp_enabled_at is not None and row.two_factor_at is None:
        return _signed_out()  # a session that never passed the second factor is no session
    if sessions.touch(row):
        db.commit()
    g.user_session = row
    return user


def _signed_out() -> None:
    """Forget the sign-in in this browser; "clear" also makes Flask-Login delete the remember-me cookie
    instead of trying it."""
    for key in _LOGIN_KEYS:
        session.pop(key, None)
    session["_remember"] = "clear"
    return None
