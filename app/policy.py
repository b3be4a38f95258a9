"""Every permission rule of the portal, as can_<verb>(user, obj) -> bool.

Views call require(...) with these; templates call them through the `policy` global.
Small named rules compose into the answers, so a rule is written once.
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app

from app.accounts.age import age_on, needs_guardian


# -- small rules ----------------------------------------------------------------------------------
def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def has_role(user, role: str) -> bool:
    return _signed_in(user) and user.has_role(role)


def is_coordinator(user) -> bool:
    return has_role(user, "coordinator")


def is_confirmed(user) -> bool:
    return _signed_in(user) and user.is_confirmed


def is_adult(user, today: date | None = None) -> bool:
    return _signed_in(user) and age_on(user.birth_date, today or date.today()) >= current_app.config["ADULT_AGE"]


def needs_guardian_consent(user, today: date | None = None) -> bool:
    """True while the person is under the consent age where they live."""
    return needs_guardian(user.birth_date, user.country, user.region, today or date.today(),
                          current_app.config["CONSENT_AGES"])


def consent_state(user) -> str | None:
    """'given', 'requested', 'refused' or None when no request exists; the newest request counts."""
    requests = sorted(user.consent_requests, key=lambda c: (c.requested_at, c.id))
    return requests[-1].state if requests else None


def has_consent(user) -> bool:
    """A person needs no consent, or their guardian has given it."""
    return not needs_guardian_consent(user) or consent_state(user) == "given"


def _is_member(user, team) -> bool:
    return _signed_in(user) and team.has_member(user)


def _is_lead(user, team) -> bool:
    return _signed_in(user) and team.lead_id == user.id


# -- accounts -------------------------------------------------------------------------------------
def can_submit(user) -> bool:
    """Submitting anything (proposals, milestones, public content) needs a confirmed email and consent."""
    return is_confirmed(user) and has_consent(user)


def can_appear_publicly(user) -> bool:
    return is_confirmed(user) and has_consent(user)


def can_request_consent(user) -> bool:
    return _signed_in(user) and needs_guardian_consent(user) and consent_state(user) != "given"


def can_answer_consent(user, consent) -> bool:
    """Only the adult who controls the email the request was sent to may answer it, and only once."""
    return (
        is_confirmed(user)
        and is_adult(user)
        and user.email == consent.guardian_email
        and user.id != consent.minor_id
        and consent.state == "requested"
    )


def can_manage_roles(user) -> bool:
    return is_coordinator(user)


def can_view_outbox(user) -> bool:
    return is_coordinator(user)


def can_view_people(user) -> bool:
    return is_coordinator(user)


# -- teams ----------------------------------------------------------------------------------------
def can_create_team(user) -> bool:
    return is_confirmed(user) and has_role(user, "youth")


def can_view_team(user, team) -> bool:
    return _signed_in(user)


def can_view_team_details(user, team) -> bool:
    """The full page (emails, every member, invitations) is for members and coordinators."""
    return _is_member(user, team) or is_coordinator(user)


def can_show_member_publicly(member) -> bool:
    """Outside the team, a member appears (by first name) only once consent allows it."""
    return can_appear_publicly(member)


def can_edit_team(user, team) -> bool:
    return _is_lead(user, team)


def can_invite(user, team) -> bool:
    return _is_lead(user, team) and is_confirmed(user)


def can_remove_member(user, team, member) -> bool:
    return _is_lead(user, team) and member.id != team.lead_id and team.has_member(member)


def can_hand_over_lead(user, team) -> bool:
    return _is_lead(user, team) and len(team.memberships) > 1


def can_leave_team(user, team) -> bool:
    return _is_member(user, team) and team.lead_id != user.id


def can_answer_invitation(user, invitation) -> bool:
    return is_confirmed(user) and user.email == invitation.email and invitation.state == "pending"


def can_revoke_invitation(user, invitation) -> bool:
    return _is_lead(user, invitation.team) and invitation.state == "pending"


# -- calls ----------------------------------------------------------------------------------------
def can_create_call(user) -> bool:
    return is_confirmed(user) and (has_role(user, "funder") or is_coordinator(user))


def can_manage_call(user, call) -> bool:
    """Edit the call, follow its pipeline, decide awards: coordinators, and the call's own funders."""
    return is_coordinator(user) or (has_role(user, "funder") and call.is_managed_by(user))


def can_view_call(user, call) -> bool:
    return call.state in ("published", "closed") or (_signed_in(user) and can_manage_call(user, call))


def can_move_call(user, call, action: str) -> bool:
    return can_manage_call(user, call)


def can_see_managed_calls(user) -> bool:
    """The "Manage calls" list: funders see the calls they manage, coordinators see every call."""
    return has_role(user, "funder") or is_coordinator(user)


def can_edit_call(user, call) -> bool:
    """An archived call is a record: nobody changes it any more."""
    return can_manage_call(user, call) and call.state != "archived"


def can_add_call_funder(user, call) -> bool:
    return is_coordinator(user) and call.state != "archived"


# -- proposals ------------------------------------------------------------------------------------
def is_on_team(user, proposal) -> bool:
    return _is_member(user, proposal.team)


def can_start_proposal(user, team, call, now) -> bool:
    """Any member may start a draft; submitting it later needs consent for every minor."""
    return _is_member(user, team) and is_confirmed(user) and call.is_open(now)


def can_view_proposal(user, proposal) -> bool:
    if not _signed_in(user):
        return False
    if is_on_team(user, proposal) or is_coordinator(user):
        return True
    # Funders see what has been submitted to their calls, never a team's drafts.
    return proposal.state != "draft" and can_manage_call(user, proposal.call)


def can_edit_proposal(user, proposal) -> bool:
    return is_on_team(user, proposal) and proposal.state in ("draft", "changes_requested")


def can_move(user, proposal, action: str) -> bool:
    """Whether the person holds one of the relations the transition table asks for this move."""
    from app.proposals.workflow import CALL_MANAGER, COORDINATOR, TEAM, move_for

    move = move_for(proposal.state, action)
    if move is None or not _signed_in(user):
        return False
    if action in ("submit", "resubmit") and not can_submit(user):
        return False  # a minor waits for their guardian's consent; an email must be confirmed
    relations = {
        TEAM: lambda: is_on_team(user, proposal),
        COORDINATOR: lambda: is_coordinator(user),
        CALL_MANAGER: lambda: can_manage_call(user, proposal.call),
    }
    return any(relations[actor]() for actor in move.actors)


# -- screening, reviews and decisions --------------------------------------------------------------
def can_screen(user, call) -> bool:
    return is_coordinator(user)


def can_assign_reviewers(user, call) -> bool:
    return is_coordinator(user)


def can_be_reviewer(user) -> bool:
    return is_confirmed(user) and any(has_role(user, role) for role in ("funder", "mentor", "coordinator"))


def can_open_assignment(user, assignment) -> bool:
    """The reviewer's own assignment: to declare a conflict, or to say there is none."""
    return _signed_in(user) and assignment.reviewer_id == user.id


def has_known_conflict(user, proposal) -> bool:
    """A relation the portal knows (team member, same organisation) is a conflict whatever was declared."""
    from app.reviews.services import known_conflicts

    return bool(known_conflicts(user, proposal))


def can_read_for_review(user, assignment) -> bool:
    """The proposal is shown only once the reviewer has said they have no conflict, and while none is known."""
    return (can_open_assignment(user, assignment) and assignment.state in ("accepted", "submitted")
            and not has_known_conflict(user, assignment.proposal))


def can_score(user, assignment) -> bool:
    return can_read_for_review(user, assignment) and assignment.state == "accepted"


def can_see_reviews(user, proposal, own_assignment=None) -> bool:
    """Reviewers see the others' reviews only after submitting their own; managers always; the team never."""
    if not _signed_in(user) or is_on_team(user, proposal):
        return False
    if is_coordinator(user) or can_manage_call(user, proposal.call):
        return True
    return own_assignment is not None and own_assignment.reviewer_id == getattr(user, "id", None) \
        and own_assignment.state == "submitted"


def can_see_reviewer_names(user, proposal) -> bool:
    """Managers read who wrote each review; fellow reviewers read "Reviewer 1, 2…"."""
    return _signed_in(user) and not is_on_team(user, proposal) and can_manage_call(user, proposal.call)


def can_view_ranking(user, call) -> bool:
    return _signed_in(user) and can_manage_call(user, call)


def can_decide(user, proposal) -> bool:
    return _signed_in(user) and can_manage_call(user, proposal.call)


def can_export_call(user, call) -> bool:
    return _signed_in(user) and can_manage_call(user, call)


# -- comments -------------------------------------------------------------------------------------
COMMENT_VISIBILITIES = ("team", "internal")


def is_active_reviewer(user, proposal) -> bool:
    """A reviewer who said they have no conflict (accepted or submitted) and has none the portal knows of."""
    if not _signed_in(user):
        return False
    from sqlalchemy import select

    from app import db
    from app.reviews.models import ReviewAssignment

    state = db.session.scalar(select(ReviewAssignment.state).where(
        ReviewAssignment.proposal_id == proposal.id, ReviewAssignment.reviewer_id == user.id))
    return state in ("accepted", "submitted") and not has_known_conflict(user, proposal)


def can_read_comments(user, proposal, visibility: str) -> bool:
    """'team': the team, coordination, the call's managers and active reviewers; 'internal': never the team."""
    if not _signed_in(user) or visibility not in COMMENT_VISIBILITIES:
        return False
    if is_on_team(user, proposal):
        return visibility == "team"
    if is_coordinator(user):
        return True
    if proposal.state == "draft":
        return False
    return can_manage_call(user, proposal.call) or is_active_reviewer(user, proposal)


def can_comment(user, proposal, visibility: str) -> bool:
    return can_read_comments(user, proposal, visibility)


# -- enforcement ----------------------------------------------------------------------------------
def require(allowed: bool) -> None:
    """Stop the request with 403 unless the rule allows it."""
    if not allowed:
        abort(403)


TEMPLATE_RULES = {name: value for name, value in dict(globals()).items()
                  if name.startswith(("can_", "is_", "has_", "needs_", "consent_state"))}
