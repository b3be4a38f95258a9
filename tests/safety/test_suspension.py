"""A suspended account can neither sign in nor act: the sign-in form and the user loader ask
policy.is_suspended (app/policy.py); the suspension itself is set and lifted by moderation decisions."""

from __future__ import annotations

from sqlalchemy import func, select

from app import db, policy
from app.accounts.models import User
from app.db import utcnow
from app.teamspace.models import TeamMessage
from tests.conftest import post, sign_in
from tests.factories import PASSWORD
from tests.teamspace.scene import build_scene, thread_with_message


def _suspend(user) -> None:
    """Set directly, as a decision would: the sign-in and the loader must see it without any other change."""
    db.session.get(User, user.id).suspended_at = utcnow()
    db.commit()


def test_is_suspended_reads_the_account():
    assert not policy.is_suspended(None)
    assert not policy.is_suspended(User(email="a@example.org", display_name="A"))
    assert policy.is_suspended(User(email="b@example.org", display_name="B", suspended_at=utcnow()))


def test_a_suspended_account_is_refused_at_sign_in(client):
    scene = build_scene()
    _suspend(scene.mentor)
    response = post(client, "/signin", {"email": scene.mentor.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "This account is suspended" in response.get_data(as_text=True)
    response = client.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_a_signed_in_account_is_signed_out_on_its_next_request_and_cannot_act(client):
    scene = build_scene()
    thread = thread_with_message(scene.team, scene.mentor)
    db.commit()
    sign_in(client, scene.mentor)
    assert client.get("/dashboard").status_code == 200
    _suspend(scene.mentor)
    response = client.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    before = db.session.scalar(select(func.count(TeamMessage.id)))
    response = post(client, f"/teams/{scene.team.id}/space/threads/{thread.id}/messages", {"body": "Still here?"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    assert db.session.scalar(select(func.count(TeamMessage.id))) == before
