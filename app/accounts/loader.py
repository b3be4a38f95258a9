"""How Flask-Login finds the signed-in user from the session or remember-me cookie."""

from app import db
from app.accounts.models import User
from app.extensions import login_manager


@login_manager.user_loader
def load_user(user_id: str):
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    # A password change bumps session_version, which signs out every other session.
    if user is None or user.session_version != int(version):
        return None
    return user
