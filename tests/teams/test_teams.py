"""Teams through the browser's eyes: creating, inviting, answering, leading, leaving, and who sees what."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import User
from app.teams.models import Invitation, Membership, Team
from app.tokens import make_link_token
from tests.clients import isolated_client
from tests.conftest import link_in, post

TEAM_FORM = {"name": "Voices of Peace", "description": "Podcasts against online hate.", "country": "CA",
             "languages": ["en", "fr"]}


def _memberships(team: Team, user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.team_id == team.id, Membership.user_id == user.id))


def _reload(obj):
    db.session.refresh(obj)
    return obj


def _invitation() -> Invitation:
    """The one invitation, as the database has it now."""
    return db.session.scalars(select(Invitation).execution_options(populate_existing=True)).one()


def _invite(client, team: Team, email: str):
    return post(client, f"/teams/{team.id}/invitations", {"email": email})


def _invitation_path(outbox, email: str) -> str:
    messages = outbox(recipient=email, kind="team_invitation")
    assert len(messages) == 1
    path = link_in(messages[0])
    assert re.fullmatch(r"/teams/invitations/[^/]+", path)
    return path


@pytest.fixture
def lead(create_user):
    return create_user("youth", name="Lina Lead", email="lina@example.org")


@pytest.fixture
def team(create_team, lead):
    return create_team(lead, name="Bridges")


# -- creating and editing -------------------------------------------------------------------------
def test_create_team_makes_the_creator_lead_and_member(client, create_user, login):
    creator = create_user("youth")
    login(creator)
    assert client.get("/teams/new").status_code == 200

    response = post(client, "/teams/new", TEAM_FORM)

    team = db.session.scalar(select(Team).where(Team.name == "Voices of Peace"))
    assert team is not None
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/teams/{team.id}")
    assert team.lead_id == creator.id
    assert team.has_member(creator)
    assert team.languages == ["en", "fr"]
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Voices of Peace" in page
    assert "Team lead" in page


def test_create_team_shows_errors_beside_fields_and_keeps_what_was_typed(client, create_user, login):
    login(create_user("youth"))

    response = post(client, "/teams/new", {"name": "", "description": "Typed with care", "country": "FR"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'id="name-error">.*?This field is required\.', page, re.S)
    assert re.search(r'id="languages-error">.*?Choose at least one language\.', page, re.S)
    assert "There are 2 problems to fix" in page
    assert "Typed with care</textarea>" in page
    assert re.search(r'<option selected value="FR">|<option value="FR" selected>', page)
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0


def test_create_team_rejects_a_too_long_name(client, create_user, login):
    login(create_user("youth"))
    response = post(client, "/teams/new", {**TEAM_FORM, "name": "x" * 81})
    assert response.status_code == 200
    assert "Use at most 80 characters." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0


def test_unconfirmed_user_cannot_create_a_team(client, create_user, login):
    login(create_user("youth", confirmed=False))
    assert client.get("/teams/new").status_code == 403
    assert post(client, "/teams/new", TEAM_FORM).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0


def test_lead_edits_the_team(client, login, lead, team):
    login(lead)
    assert client.get(f"/teams/{team.id}/edit").status_code == 200
    response = post(client, f"/teams/{team.id}/edit", {**TEAM_FORM, "name": "Bridges Renamed", "country": "FR"})
    assert response.status_code == 302
    assert _reload(team).name == "Bridges Renamed"
    assert team.country == "FR"


def test_member_cannot_edit_the_team(client, create_user, create_team, login, lead):
    member = create_user("youth")
    team = create_team(lead, member, name="Bridges")
    login(member)
    assert client.get(f"/teams/{team.id}/edit").status_code == 403
    assert post(client, f"/teams/{team.id}/edit", {**TEAM_FORM, "name": "Hijacked"}).status_code == 403
    assert _reload(team).name == "Bridges"


# -- inviting -------------------------------------------------------------------------------------
def test_lead_invites_by_email(client, login, outbox, lead, team):
    login(lead)
    response = _invite(client, team, " Friend@Example.org ")
    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation).where(Invitation.team_id == team.id))
    assert invitation.email == "friend@example.org"
    assert invitation.state == "pending"
    assert invitation.invited_by_id == lead.id
    message = outbox(recipient="friend@example.org", kind="team_invitation")[0]
    assert "Bridges" in message.subject
    assert _invitation_path(outbox, "friend@example.org")
    assert "friend@example.org" in client.get(f"/teams/{team.id}").get_data(as_text=True)


def test_inviting_a_member_is_refused_beside_the_field(client, create_user, create_team, login, outbox, lead):
    member = create_user("youth", email="already@example.org")
    team = create_team(lead, member)
    login(lead)
    response = _invite(client, team, "already@example.org")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="email-error">.*?already in the team', page, re.S)
    assert 'value="already@example.org"' in page
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert outbox(kind="team_invitation") == []


def test_inviting_twice_is_refused(client, login, outbox, lead, team):
    login(lead)
    assert _invite(client, team, "friend@example.org").status_code == 302
    response = _invite(client, team, "friend@example.org")
    assert response.status_code == 400
    assert re.search(r'id="email-error">.*?already been invited', response.get_data(as_text=True), re.S)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    assert len(outbox(kind="team_invitation")) == 1


def test_invalid_address_is_refused(client, login, lead, team):
    login(lead)
    response = _invite(client, team, "not-an-address")
    assert response.status_code == 400
    assert "Enter an email address like name@example.org." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_member_who_is_not_lead_cannot_invite(client, create_user, create_team, login, lead):
    member = create_user("youth")
    team = create_team(lead, member)
    login(member)
    assert _invite(client, team, "friend@example.org").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


# -- answering ------------------------------------------------------------------------------------
def test_invitee_with_an_account_accepts(client, create_user, login, outbox, lead, team):
    invitee = create_user("youth", email="friend@example.org")
    login(lead)
    _invite(client, team, "friend@example.org")
    path = _invitation_path(outbox, "friend@example.org")

    login(invitee)
    page = client.get(path)
    assert page.status_code == 200
    assert "Join the team" in page.get_data(as_text=True)
    response = post(client, f"{path}/accept")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/teams/{team.id}")
    assert _memberships(team, invitee) == 1
    invitation = _invitation()
    assert invitation.state == "accepted"
    assert invitation.responder_id == invitee.id
    assert len(outbox(recipient=lead.email, kind="invitation_accepted")) == 1
    assert "Bridges" in client.get("/teams/").get_data(as_text=True)


def test_invitee_declines(client, create_user, login, outbox, lead, team):
    invitee = create_user("youth", email="friend@example.org")
    login(lead)
    _invite(client, team, "friend@example.org")
    path = _invitation_path(outbox, "friend@example.org")

    login(invitee)
    response = post(client, f"{path}/decline")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/teams/")
    assert _memberships(team, invitee) == 0
    assert _invitation().state == "declined"
    assert "already been answered or withdrawn" in client.get(path).get_data(as_text=True)


def test_expired_link_is_refused(app, client, create_user, login, outbox, monkeypatch, lead, team):
    invitee = create_user("youth", email="friend@example.org")
    login(lead)
    _invite(client, team, "friend@example.org")
    path = _invitation_path(outbox, "friend@example.org")
    login(invitee)

    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", timedelta(seconds=-1))
    page = client.get(path)
    assert page.status_code == 400
    assert "This invitation has expired" in page.get_data(as_text=True)
    assert post(client, f"{path}/accept").status_code == 400
    monkeypatch.undo()

    assert _memberships(team, invitee) == 0
    assert _invitation().state == "pending"
    assert app.config["INVITATION_MAX_AGE"] == timedelta(days=14)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("forge", ["tampered", "other_purpose", "other_email", "missing"])
def test_forged_link_is_refused(client, create_user, login, outbox, lead, team, forge):
    invitee = create_user("youth", email="friend@example.org")
    login(lead)
    _invite(client, team, "friend@example.org")
    invitation = _invitation()
    good = _invitation_path(outbox, "friend@example.org").rsplit("/", 1)[1]
    token = {
        "tampered": good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb"),
        "other_purpose": make_link_token("confirm", {"invitation": invitation.id, "email": invitation.email}),
        "other_email": make_link_token("invitation", {"invitation": invitation.id, "email": "x@example.org"}),
        "missing": make_link_token("invitation", {"invitation": invitation.id + 1000, "email": invitation.email}),
    }[forge]
    login(invitee)

    page = client.get(f"/teams/invitations/{token}")
    assert page.status_code == 400
    assert "This invitation link is not valid" in page.get_data(as_text=True)
    assert post(client, f"/teams/invitations/{token}/accept").status_code == 400
    assert _memberships(team, invitee) == 0
    assert _reload(invitation).state == "pending"


def test_reused_link_cannot_add_a_second_membership(client, create_user, login, outbox, lead, team):
    invitee = create_user("youth", email="friend@example.org")
    login(lead)
    _invite(client, team, "friend@example.org")
    path = _invitation_path(outbox, "friend@example.org")
    login(invitee)
    assert post(client, f"{path}/accept").status_code == 302

    again = post(client, f"{path}/accept", follow_redirects=True)

    assert again.status_code == 200
    assert "This invitation has already been answered or withdrawn." in again.get_data(as_text=True)
    assert _memberships(team, invitee) == 1
    assert post(client, f"{path}/decline").status_code == 302
    assert _memberships(team, invitee) == 1
    assert _invitation().state == "accepted"


def test_invitee_signed_in_with_another_email_is_forbidden(client, create_user, login, outbox, lead, team):
    create_user("youth", email="friend@example.org")
    stranger = create_user("youth", email="stranger@example.org")
    login(lead)
    _invite(client, team, "friend@example.org")
    path = _invitation_path(outbox, "friend@example.org")

    login(stranger)
    page = client.get(path)
    assert page.status_code == 200
    assert "sent to another email address" in page.get_data(as_text=True)
    assert "Join the team" not in page.get_data(as_text=True)
    assert post(client, f"{path}/accept").status_code == 403
    assert _memberships(team, stranger) == 0
    assert _invitation().state == "pending"


def test_anonymous_invitee_is_offered_to_sign_up_or_sign_in(app, login, outbox, lead, team):
    _invite(login(lead), team, "friend@example.org")
    path = _invitation_path(outbox, "friend@example.org")
    client = isolated_client(app)

    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Create an account" in text
    assert "/signup?invitation=" in text
    response = post(client, f"{path}/accept")
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_new_person_signs_up_through_the_invitation_and_joins(app, login, outbox, lead, team):
    _invite(login(lead), team, "newcomer@example.org")
    path = _invitation_path(outbox, "newcomer@example.org")
    token = path.rsplit("/", 1)[1]
    client = isolated_client(app)

    form_page = client.get(f"/signup?invitation={token}")
    assert 'value="newcomer@example.org"' in form_page.get_data(as_text=True)
    birth = date.today().replace(year=date.today().year - 20) - timedelta(days=40)
    response = post(client, f"/signup?invitation={token}", {
        "display_name": "Nour Newcomer", "email": "newcomer@example.org", "password": "lantern orchard violet",
        "birth_date": birth.isoformat(), "country": "CA", "region": "", "locale": "en",
        "timezone": "America/Toronto", "account_type": "youth", "guardian_email": "", "accept_conduct": "y",
    })

    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(path)
    newcomer = db.session.scalar(select(User).where(User.email == "newcomer@example.org"))
    assert newcomer.is_confirmed
    assert outbox(recipient="newcomer@example.org", kind="confirm_email") == []
    page = client.get(path).get_data(as_text=True)
    assert "Join the team" in page  # signed in as the newcomer
    assert post(client, f"{path}/accept").status_code == 302
    assert _memberships(team, newcomer) == 1


def test_signing_up_with_another_address_than_the_invited_one_needs_confirmation(app, login, outbox, lead,
                                                                                   team):
    _invite(login(lead), team, "newcomer@example.org")
    token = _invitation_path(outbox, "newcomer@example.org").rsplit("/", 1)[1]
    client = isolated_client(app)
    birth = date.today().replace(year=date.today().year - 20) - timedelta(days=40)
    response = post(client, f"/signup?invitation={token}", {
        "display_name": "Other Person", "email": "other@example.org", "password": "lantern orchard violet",
        "birth_date": birth.isoformat(), "country": "CA", "region": "", "locale": "en",
        "timezone": "America/Toronto", "account_type": "youth", "guardian_email": "", "accept_conduct": "y",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/signup/check-email")
    other = db.session.scalar(select(User).where(User.email == "other@example.org"))
    assert not other.is_confirmed
    assert len(outbox(recipient="other@example.org", kind="confirm_email")) == 1


def test_lead_revokes_an_invitation(client, create_user, login, outbox, lead, team):
    invitee = create_user("youth", email="friend@example.org")
    login(lead)
    _invite(client, team, "friend@example.org")
    path = _invitation_path(outbox, "friend@example.org")
    invitation = _invitation()

    response = post(client, f"/teams/{team.id}/invitations/{invitation.id}/revoke")
    assert response.status_code == 302
    assert _reload(invitation).state == "revoked"

    login(invitee)
    assert "already been answered or withdrawn" in client.get(path).get_data(as_text=True)
    post(client, f"{path}/accept")
    assert _memberships(team, invitee) == 0
    assert _reload(invitation).state == "revoked"


def test_only_the_lead_revokes(client, create_user, create_team, login, outbox, lead):
    member = create_user("youth")
    team = create_team(lead, member)
    login(lead)
    _invite(client, team, "friend@example.org")
    invitation = _invitation()
    login(member)
    assert post(client, f"/teams/{team.id}/invitations/{invitation.id}/revoke").status_code == 403
    assert _reload(invitation).state == "pending"
    other = create_team(create_user("youth"))
    login(lead)
    assert post(client, f"/teams/{other.id}/invitations/{invitation.id}/revoke").status_code == 404


# -- members, lead, leaving -----------------------------------------------------------------------
def test_lead_removes_a_member(client, create_user, create_team, login, outbox, lead):
    member = create_user("youth", name="Moe Member")
    team = create_team(lead, member)
    login(lead)
    response = post(client, f"/teams/{team.id}/members/{member.id}/remove")
    assert response.status_code == 302
    assert _memberships(team, member) == 0
    assert len(outbox(recipient=member.email, kind="removed_from_team")) == 1


def test_only_the_lead_removes_and_the_lead_cannot_be_removed(client, create_user, create_team, login, lead):
    member = create_user("youth")
    other = create_user("youth")
    team = create_team(lead, member, other)
    login(member)
    assert post(client, f"/teams/{team.id}/members/{other.id}/remove").status_code == 403
    assert post(client, f"/teams/{team.id}/members/{lead.id}/remove").status_code == 403
    login(lead)
    assert post(client, f"/teams/{team.id}/members/{lead.id}/remove").status_code == 403
    assert _memberships(team, other) == 1
    assert _memberships(team, lead) == 1
    assert _reload(team).lead_id == lead.id


def test_lead_hands_over_to_a_member(client, create_user, create_team, login, outbox, lead):
    member = create_user("youth", name="Nia Next")
    team = create_team(lead, member, name="Bridges")
    login(lead)
    response = post(client, f"/teams/{team.id}/lead", {"new_lead": str(member.id)})
    assert response.status_code == 302
    assert _reload(team).lead_id == member.id
    assert _memberships(team, lead) == 1
    messages = outbox(recipient=member.email, kind="now_team_lead")
    assert len(messages) == 1
    assert "Bridges" in messages[0].subject
    # The old lead is now an ordinary member: no longer allowed to invite or hand over.
    assert _invite(client, team, "friend@example.org").status_code == 403
    assert post(client, f"/teams/{team.id}/lead", {"new_lead": str(lead.id)}).status_code == 403


def test_hand_over_to_a_non_member_is_refused(client, create_user, create_team, login, outbox, lead):
    member = create_user("youth")
    outsider = create_user("youth")
    team = create_team(lead, member)
    login(lead)
    response = post(client, f"/teams/{team.id}/lead", {"new_lead": str(outsider.id)}, follow_redirects=True)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _reload(team).lead_id == lead.id
    assert outbox(kind="now_team_lead") == []


def test_a_member_leaves(client, create_user, create_team, login, lead):
    member = create_user("youth")
    team = create_team(lead, member)
    login(member)
    response = post(client, f"/teams/{team.id}/leave")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/teams/")
    assert _memberships(team, member) == 0
    assert client.get(f"/teams/{team.id}").status_code == 200  # still visible, as a non-member
    assert member.email not in client.get(f"/teams/{team.id}").get_data(as_text=True)


def test_the_lead_cannot_leave(client, create_user, create_team, login, lead):
    team = create_team(lead, create_user("youth"))
    login(lead)
    assert post(client, f"/teams/{team.id}/leave").status_code == 403
    assert _memberships(team, lead) == 1


def test_a_user_can_belong_to_several_teams(client, create_user, create_team, login):
    person = create_user("youth")
    create_team(person, name="Alpha Crew")
    create_team(create_user("youth"), person, name="Beta Crew")
    create_team(create_user("youth"), name="Gamma Crew")
    login(person)
    page = client.get("/teams/").get_data(as_text=True)
    assert "Alpha Crew" in page
    assert "Beta Crew" in page
    assert "Gamma Crew" not in page


# -- who sees what --------------------------------------------------------------------------------
@pytest.fixture
def mixed_team(create_user, create_team):
    lead = create_user("youth", name="Amira Zebulon", email="amira@example.org")
    adult = create_user("youth", name="Bruno Quixley", email="bruno@example.org")
    minor_with_consent = create_user("youth", name="Chloe Vantris", email="chloe@example.org", age=13,
                                     region="CA-QC", consent="given")
    minor_without = create_user("youth", name="Dario Wexford", email="dario@example.org", age=13,
                                region="CA-QC", consent="requested")
    return create_team(lead, adult, minor_with_consent, minor_without, name="Open Doors")


def test_member_sees_every_member_and_their_email(client, login, mixed_team):
    login(mixed_team.members[1])
    page = client.get(f"/teams/{mixed_team.id}").get_data(as_text=True)
    for name, email in [("Amira Zebulon", "amira@"), ("Bruno Quixley", "bruno@"), ("Chloe Vantris", "chloe@"),
                        ("Dario Wexford", "dario@")]:
        assert name in page
        assert f"{email}example.org" in page
    assert "waiting for guardian consent" in page


def test_non_member_sees_first_names_only_and_no_minor_without_consent(client, create_user, login, mixed_team):
    login(create_user("youth", name="Olga Outsider"))
    response = client.get(f"/teams/{mixed_team.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Open Doors" in page
    for first in ("Amira", "Bruno", "Chloe"):
        assert f"<li>{first}</li>" in page
    for hidden in ("Zebulon", "Quixley", "Vantris", "Wexford", "Dario", "@example.org"):
        assert hidden not in page
    assert "and 1 more member" in page


def test_coordinator_sees_the_full_page(client, create_user, login, mixed_team):
    login(create_user("coordinator"))
    page = client.get(f"/teams/{mixed_team.id}").get_data(as_text=True)
    assert "Dario Wexford" in page
    assert "dario@example.org" in page
    assert "amira@example.org" in page


def test_anonymous_visitor_is_sent_to_sign_in(client, mixed_team):
    response = client.get(f"/teams/{mixed_team.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/signin?next=%2Fteams%2F{mixed_team.id}")


def test_missing_team_is_404(client, create_user, login):
    login(create_user("youth"))
    assert client.get("/teams/999999").status_code == 404
