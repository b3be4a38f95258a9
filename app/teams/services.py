"""Team verbs: create, invite, answer, remove, hand over, leave. They flush; the request commits."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit, db
from app.accounts.models import User
from app.accounts.services import find_user_by_email, link, normalise_email
from app.db import utcnow
from app.mail.services import queue_email
from app.teams.models import Invitation, Membership, Team
from app.tokens import LinkInvalid, make_link_token, read_link_token
from app.validation import ValidationFailed


def create_team(lead: User, *, name: str, description: str, country: str, languages: list[str]) -> Team:
    team = Team(name=name.strip(), description=(description or "").strip(), country=country,
                languages=sorted(set(languages)), lead_id=lead.id)
    team.memberships.append(Membership(user_id=lead.id))
    db.session.add(team)
    db.session.flush()
    audit.record(lead, "team.created", team)
    return team


def update_team(actor: User, team: Team, *, name: str, description: str, country: str,
                languages: list[str]) -> None:
    team.name = name.strip()
    team.description = (description or "").strip()
    team.country = country
    team.languages = sorted(set(languages))
    audit.record(actor, "team.updated", team)
    db.session.flush()


def invite(actor: User, team: Team, email: str) -> Invitation:
    email = normalise_email(email)
    if any(member.email == email for member in team.members):
        raise ValidationFailed([("email", _l("This person is already in the team."))])
    if db.session.scalar(select(Invitation.id).where(Invitation.team_id == team.id, Invitation.email == email,
                                                     Invitation.state == "pending")):
        raise ValidationFailed([("email", _l("This person has already been invited. You can withdraw the "
                                             "invitation below and invite them again."))])
    invitation = Invitation(team_id=team.id, email=email, invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    invitee = find_user_by_email(email)
    queue_email(email, "team_invitation", invitee.locale if invitee else actor.locale, team=team, inviter=actor,
                url=invitation_link(invitation))
    audit.record(actor, "team.invited", team, invitation=invitation.id)  # the log keeps ids, never addresses
    return invitation


def load_invitation(token: str) -> Invitation:
    """The invitation a link names; raises LinkInvalid (or LinkExpired) when it cannot be used."""
    payload = read_link_token("invitation", token, current_app.config["INVITATION_MAX_AGE"])
    invitation = db.session.get(Invitation, payload.get("invitation"))
    if invitation is None or invitation.email != payload.get("email"):
        raise LinkInvalid()
    return invitation


def accept_invitation(user: User, invitation: Invitation) -> Membership:
    team = invitation.team
    if team.has_member(user):
        raise ValidationFailed([(None, _l("You are already in this team."))])
    _answer(user, invitation, "accepted")
    membership = Membership(team_id=team.id, user_id=user.id)
    team.memberships.append(membership)
    db.session.flush()
    audit.record(user, "team.joined", team)
    lead = team.lead
    queue_email(lead.email, "invitation_accepted", lead.locale, team=team, member=user,
                url=link("teams.show", team_id=team.id))
    return membership


def decline_invitation(user: User, invitation: Invitation) -> None:
    _answer(user, invitation, "declined")
    audit.record(user, "team.invitation_declined", invitation.team, invitation=invitation.id)
    db.session.flush()


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    _answer(actor, invitation, "revoked")
    audit.record(actor, "team.invitation_revoked", invitation.team, invitation=invitation.id)
    db.session.flush()


def _answer(user: User, invitation: Invitation, state: str) -> None:
    if invitation.state != "pending":
        raise ValidationFailed([(None, _l("This invitation has already been answered or withdrawn."))])
    invitation.state = state
    invitation.responded_at = utcnow()
    invitation.responder_id = user.id


def remove_member(actor: User, team: Team, member: User) -> None:
    _drop_membership(team, member)
    audit.record(actor, "team.member_removed", team, member_id=member.id)
    queue_email(member.email, "removed_from_team", member.locale, team=team, member=member)


def leave_team(user: User, team: Team) -> None:
    _drop_membership(team, user)
    audit.record(user, "team.left", team)


def _drop_membership(team: Team, user: User) -> None:
    if user.id == team.lead_id:
        raise ValidationFailed([(None, _l("The team lead cannot leave. Hand over the lead first."))])
    for membership in list(team.memberships):
        if membership.user_id == user.id:
            team.memberships.remove(membership)
    db.session.flush()


def hand_over_lead(actor: User, team: Team, new_lead_id: int) -> None:
    if not any(m.user_id == new_lead_id for m in team.memberships) or new_lead_id == team.lead_id:
        raise ValidationFailed([("new_lead", _l("Choose another member of the team."))])
    team.lead_id = new_lead_id
    db.session.flush()
    db.session.expire(team, ["lead"])
    audit.record(actor, "team.lead_handed_over", team, new_lead_id=new_lead_id)
    new_lead = team.lead
    queue_email(new_lead.email, "now_team_lead", new_lead.locale, team=team,
                url=link("teams.show", team_id=team.id))


def teams_of(user: User) -> list[Team]:
    return list(db.session.scalars(
        select(Team).join(Membership).where(Membership.user_id == user.id).order_by(Team.name)
    ))


def pending_invitations_for(user: User) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.email == user.email, Invitation.state == "pending")
        .options(selectinload(Invitation.team)).order_by(Invitation.created_at)
    ))


def invitation_token(invitation: Invitation) -> str:
    return make_link_token("invitation", {"invitation": invitation.id, "email": invitation.email})


def invitation_link(invitation: Invitation) -> str:
    return link("teams.invitation", token=invitation_token(invitation))
