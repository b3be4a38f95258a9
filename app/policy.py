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
    """A person needs no consent, or their guardian has given it to taking part and not withdrawn it."""
    return not needs_guardian_consent(user) or (consent_state(user) == "given"
                                                and has_purpose_consent(user, "participation"))


def _is_member(user, team) -> bool:
    return _signed_in(user) and team.has_member(user)


def _is_lead(user, team) -> bool:
    return _signed_in(user) and team.lead_id == user.id


# -- accounts -------------------------------------------------------------------------------------
def can_submit(user) -> bool:
    """Submitting anything (proposals, milestones, public content) needs a confirmed email and consent."""
    return is_confirmed(user) and has_consent(user)


def can_appear_publicly(user) -> bool:
    """Named in public (first name only): see has_purpose_consent for "showcase"."""
    return is_confirmed(user) and has_consent(user) and has_purpose_consent(user, "showcase")


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
    if is_on_team(user, proposal) or is_coordinator(user) or is_team_mentor(user, proposal.team):
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
    if is_on_team(user, proposal) or is_team_mentor(user, proposal.team):
        return visibility == "team"  # the team's mentors coach in the team's thread, never the internal one
    if is_coordinator(user):
        return True
    if proposal.state == "draft":
        return False
    return can_manage_call(user, proposal.call) or is_active_reviewer(user, proposal)


def can_comment(user, proposal, visibility: str) -> bool:
    return can_read_comments(user, proposal, visibility)


# -- mentoring ------------------------------------------------------------------------------------
def is_mentor(user) -> bool:
    return is_confirmed(user) and has_role(user, "mentor")


def has_minors(team, today: date | None = None) -> bool:
    """A team with anyone under the adult age needs vetted mentors only."""
    adult_age = current_app.config["ADULT_AGE"]
    today = today or date.today()
    return any(age_on(m.user.birth_date, today) < adult_age for m in team.memberships)


def is_vetted(user, today: date | None = None) -> bool:
    """A coordinator recorded a background check for the person that has not expired."""
    if not _signed_in(user):
        return False
    from sqlalchemy import select

    from app import db
    from app.mentoring.models import MentorVetting

    return db.session.scalar(select(MentorVetting.id).where(
        MentorVetting.mentor_id == user.id, MentorVetting.checked_on <= (today or date.today()),
        MentorVetting.expires_on >= (today or date.today())).limit(1)) is not None


def may_mentor(user, team, today: date | None = None) -> bool:
    """The safety rule, shared by the matcher's inputs and every page: minors only with vetted adults, and only
    once every member under the age of consent may be mentored."""
    return (is_mentor(user) and is_adult(user, today) and (not has_minors(team, today) or is_vetted(user, today))
            and team_may_be_mentored(team))


def mentorship_state(user, team) -> str | None:
    """'active' or 'offered' when the person mentors (or is offered) the team, else None."""
    if not _signed_in(user):
        return None
    from sqlalchemy import select

    from app import db
    from app.mentoring.models import Mentorship

    states = set(db.session.scalars(select(Mentorship.state).where(
        Mentorship.team_id == team.id, Mentorship.mentor_id == user.id,
        Mentorship.state.in_(("offered", "active")))))
    return "active" if "active" in states else ("offered" if states else None)


def is_team_mentor(user, team) -> bool:
    """An active mentor of the team who still satisfies the safety rule (vetting can expire)."""
    return mentorship_state(user, team) == "active" and may_mentor(user, team)


def can_edit_mentor_profile(user) -> bool:
    return is_mentor(user) and is_adult(user)


def can_view_mentors(user) -> bool:
    return is_coordinator(user)


def can_record_vetting(user) -> bool:
    return is_coordinator(user)


def can_run_matching(user) -> bool:
    return is_coordinator(user)


def can_edit_team_needs(user, team) -> bool:
    return _is_member(user, team) or is_coordinator(user)


def can_view_team_mentoring(user, team) -> bool:
    """Who mentors the team and what it needs: its members, its mentors (even while offered) and coordinators."""
    return _is_member(user, team) or is_coordinator(user) or mentorship_state(user, team) is not None


def can_move_mentorship(user, mentorship, action: str) -> bool:
    """Whether the person holds one of the relations the mentorship table asks for this move."""
    from app.mentoring.workflow import COORDINATOR, MENTOR, TEAM, move_for

    move = move_for(mentorship.state, action)
    if move is None or not is_confirmed(user):
        return False
    relations = {
        MENTOR: lambda: mentorship.mentor_id == user.id,
        TEAM: lambda: _is_member(user, mentorship.team),
        COORDINATOR: lambda: is_coordinator(user),
    }
    return any(relations[actor]() for actor in move.actors)


def can_answer_mentorship(user, mentorship) -> bool:
    """The offered mentor accepts or declines (both moves have the same actor in the table)."""
    return can_move_mentorship(user, mentorship, "accept")


def can_end_mentorship(user, mentorship) -> bool:
    """The mentor, any member of the team or a coordinator may end an active mentorship."""
    return can_move_mentorship(user, mentorship, "end")


def can_cancel_offer(user, mentorship) -> bool:
    return can_move_mentorship(user, mentorship, "withdraw")


# -- the team's space -----------------------------------------------------------------------------
def can_view_team_space(user, team) -> bool:
    """Members, the team's (vetted where minors are) mentors and coordinators; a young member's guardian reads."""
    return can_work_in_team_space(user, team) or is_guardian_reader(user, team)


def can_work_in_team_space(user, team) -> bool:
    """Members, the team's (vetted where minors are) mentors and coordinators; nobody else, ever."""
    return _is_member(user, team) or is_coordinator(user) or is_team_mentor(user, team)


def can_post_in_team_space(user, team) -> bool:
    """Guardians read their child's team's threads, but the conversation is the team's: they do not post."""
    return can_work_in_team_space(user, team) and is_confirmed(user)


def can_log_meeting(user, team) -> bool:
    return is_team_mentor(user, team)


# -- concerns ---------------------------------------------------------------------------------------
def can_report_team_message(user, message) -> bool:
    return can_view_team_space(user, message.thread.team)


def can_report_comment(user, comment) -> bool:
    return can_read_comments(user, comment.proposal, comment.visibility)


def can_view_reports(user) -> bool:
    return is_coordinator(user)


# -- money ----------------------------------------------------------------------------------------
def can_view_call_ledger(user, call) -> bool:
    """The call's money, every movement: its funders and coordinators."""
    return _signed_in(user) and can_manage_call(user, call)


def can_record_contribution(user, call) -> bool:
    """A bank transfer is recorded by a coordinator, who sees it arrive; funders pay through the portal."""
    return is_coordinator(user)


def can_view_grant(user, grant) -> bool:
    """A grant's money: the team it pays, the call's managers and coordinators."""
    return _is_member(user, grant.team) or (_signed_in(user) and can_manage_call(user, grant.call))


def can_contribute(user, call) -> bool:
    """The call's funders put money into its pool; a coordinator records bank transfers instead."""
    return is_confirmed(user) and has_role(user, "funder") and call.is_managed_by(user) and call.state != "draft"


def can_choose_payee(user, team) -> bool:
    """The team's lead names who receives its grant money; a coordinator can too."""
    return (_is_lead(user, team) and is_confirmed(user)) or is_coordinator(user)


def can_onboard_payee(user, payee) -> bool:
    """Only the payee themself opens their Stripe account: it holds their identity and bank details."""
    return is_confirmed(user) and is_adult(user) and payee.user_id == user.id


def can_manage_payouts(user) -> bool:
    """Release tranches, record bank details and manual payments, retry failed transfers: coordinators."""
    return is_coordinator(user)


def can_view_contribution(user, contribution) -> bool:
    """A contribution's receipt page: the person who gave it."""
    return _signed_in(user) and contribution.contributor_id is not None and contribution.contributor_id == user.id


def can_view_payee(user, team, payee) -> bool:
    """Who receives a team's money: the team, coordinators, and the payee themself (often not a member)."""
    return can_view_team_details(user, team) or (_signed_in(user) and payee is not None and payee.user_id == user.id)


def is_party_to_mentorship(user, mentorship) -> bool:
    """The mentor, the team's members and coordinators: told why a move is impossible rather than refused."""
    return _signed_in(user) and (mentorship.mentor_id == user.id or _is_member(user, mentorship.team)
                                 or is_coordinator(user))


# -- delivering projects --------------------------------------------------------------------------
def guardian_ids_of_minors(team, today: date | None = None) -> set[int]:
    """Guardians who gave consent for a member of the team under the adult age."""
    from sqlalchemy import select

    from app import db
    from app.accounts.models import GuardianConsent

    adult_age, today = current_app.config["ADULT_AGE"], today or date.today()
    minor_ids = [m.user_id for m in team.memberships if age_on(m.user.birth_date, today) < adult_age]
    if not minor_ids:
        return set()
    return set(db.session.scalars(select(GuardianConsent.guardian_id).where(
        GuardianConsent.minor_id.in_(minor_ids), GuardianConsent.state == "given",
        GuardianConsent.guardian_id.is_not(None))))


def _team_payee(team):
    from app.payments.payees import payee_of

    return payee_of(team)


def countersigner_capacity(user, grant) -> tuple[str | None, str | None]:
    """(kind, organisation) in which the person may countersign the team's agreement, or (None, None)."""
    if not (is_confirmed(user) and is_adult(user)) or _is_member(user, grant.team):
        return None, None
    payee = _team_payee(grant.team)
    if payee is not None and payee.user_id == user.id and payee.kind == "organisation":
        return "organisation", payee.organisation
    if user.id in guardian_ids_of_minors(grant.team):
        return "guardian", None
    if payee is not None and payee.user_id == user.id:
        return "guardian", None
    return None, None


def countersigners(grant) -> list:
    """Everyone who may countersign: the guardians of the team's minors and the team's payee."""
    from sqlalchemy import select

    from app import db
    from app.accounts.models import User

    ids = guardian_ids_of_minors(grant.team)
    payee = _team_payee(grant.team)
    if payee is not None:
        ids.add(payee.user_id)
    return list(db.session.scalars(select(User).where(User.id.in_(ids), User.erased_at.is_(None))
                                   .order_by(User.id))) if ids else []


def can_view_project(user, grant) -> bool:
    """The project's page: its team, its mentors, the call's managers, coordinators, and those who countersign."""
    if not _signed_in(user):
        return False
    return (_is_member(user, grant.team) or is_team_mentor(user, grant.team) or can_manage_call(user, grant.call)
            or countersigner_capacity(user, grant)[0] is not None)


def can_edit_agreement_template(user, call) -> bool:
    return is_confirmed(user) and can_manage_call(user, call) and call.state != "archived"


def can_accept_agreement(user, grant) -> bool:
    return _is_lead(user, grant.team) and is_confirmed(user) and grant.state == "awarded"


def can_countersign(user, grant) -> bool:
    return grant.state == "awarded" and countersigner_capacity(user, grant)[0] is not None


def can_submit_evidence(user, milestone) -> bool:
    """Members send evidence (the service says when: an active project, a milestone waiting for it)."""
    return _is_member(user, milestone.grant.team) and is_confirmed(user) and has_consent(user)


def can_give_milestone_feedback(user, milestone) -> bool:
    """The team's active mentor signs off, or raises concerns, on evidence waiting for a decision."""
    return is_team_mentor(user, milestone.grant.team)


def is_milestone_approver(user, grant) -> bool:
    """Coordinators always; the call's funders too when the call says funders approve."""
    if is_coordinator(user):
        return True
    return (grant.call.milestone_approver == "funder" and has_role(user, "funder") and is_confirmed(user)
            and grant.call.is_managed_by(user))


def can_decide_milestone(user, milestone) -> bool:
    return is_milestone_approver(user, milestone.grant)


def can_request_due_date_change(user, milestone) -> bool:
    return _is_member(user, milestone.grant.team) and is_confirmed(user)


def can_decide_due_date_change(user, milestone) -> bool:
    return is_coordinator(user)


def can_download_evidence(user, grant) -> bool:
    return can_view_project(user, grant)


def can_publish_project(user, grant) -> bool:
    """The team's lead chooses whether its active or completed project appears in the public showcase."""
    return _is_lead(user, grant.team) and is_confirmed(user) and grant.state in ("active", "completed")


def can_view_projects(user) -> bool:
    """The list of every project in delivery: coordinators and funders (who see their calls' projects)."""
    return is_coordinator(user) or (is_confirmed(user) and has_role(user, "funder"))


# -- impact report ----------------------------------------------------------------------------------
def can_view_impact(user, call=None) -> bool:
    """Coordinators see every call's impact; a funder sees the calls they manage, and an overall of only those."""
    if is_coordinator(user):
        return True
    if not (is_confirmed(user) and has_role(user, "funder")):
        return False
    return call is None or call.is_managed_by(user)


# -- showcase -------------------------------------------------------------------------------------
def can_publish_to_showcase(user, grant) -> bool:
    """Publishing is public content: like anything a member submits, the lead needs their own consent."""
    return can_publish_project(user, grant) and can_submit(user)


def can_withdraw_from_showcase(user, grant) -> bool:
    """The team's lead may take the page down whenever; a coordinator too, at once, to safeguard the team."""
    return can_publish_project(user, grant) or is_coordinator(user)


# -- search ---------------------------------------------------------------------------------------
def can_search(user) -> bool:
    """Finding proposals, projects and teams by their words: the people who follow many of them."""
    return is_coordinator(user) or (is_confirmed(user) and (has_role(user, "funder") or has_role(user, "mentor")))


def can_find_team(user, team) -> bool:
    """Which teams search shows: its members, its active mentors, coordinators, and the funders of a call
    the team submitted to (any signed-in person may open a team's public page, but search is not a directory)."""
    if not _signed_in(user):
        return False
    if is_coordinator(user) or _is_member(user, team) or is_team_mentor(user, team):
        return True
    if not has_role(user, "funder"):
        return False
    from sqlalchemy import select

    from app import db
    from app.calls.models import Call
    from app.proposals.models import Proposal

    calls = db.session.scalars(select(Call).where(Call.id.in_(select(Proposal.call_id).where(
        Proposal.team_id == team.id, Proposal.state != "draft"))))
    return any(call.is_managed_by(user) for call in calls)


# -- dashboards -----------------------------------------------------------------------------------
def can_see_team_panel(user) -> bool:
    """A team member's panel: their proposals, projects, mentors and messages."""
    return has_role(user, "youth")


def can_see_mentor_panel(user) -> bool:
    return is_mentor(user)


def can_see_funder_panel(user) -> bool:
    """Reviews due, and the pipeline and money of the calls the funder manages (and only those)."""
    return has_role(user, "funder")


def can_see_programme_panel(user) -> bool:
    """The whole programme's figures and queues."""
    return is_coordinator(user)


def can_filter_dashboard(user) -> bool:
    return can_see_funder_panel(user) or can_see_programme_panel(user)


# -- sensitive files and the audit log --------------------------------------------------------------
def _is_evidence_file(item) -> bool:
    return type(item).__tablename__ == "evidence_files"


def _file_team(item):
    """The team whose file it is: a proposal attachment's team, or the team of the project the evidence is for."""
    return item.submission.milestone.grant.team if _is_evidence_file(item) else item.proposal.team


def can_open_sensitive_files(user, team, proposal=None) -> bool:
    """Who opens a team's files marked sensitive: the team, its active mentors, coordinators and, for a
    proposal's files, its assigned reviewers. Pages ask once, not once per file."""
    return (_is_member(user, team) or is_coordinator(user) or is_team_mentor(user, team)
            or (proposal is not None and is_active_reviewer(user, proposal)))


def can_open_attachment(user, item) -> bool:
    """A proposal attachment or a milestone's evidence file. A sensitive one (it quotes extremist material, shows
    minors' faces…) opens only for those above; the call's funders see that it exists and is marked, no more."""
    if not _signed_in(user):
        return False
    if _is_evidence_file(item):
        grant = item.submission.milestone.grant
        return can_open_sensitive_files(user, grant.team) if item.sensitive else can_download_evidence(user, grant)
    proposal = item.proposal
    if item.sensitive:
        return can_open_sensitive_files(user, proposal.team, proposal)
    return can_view_proposal(user, proposal) or is_active_reviewer(user, proposal)


def can_mark_sensitive(user, item) -> bool:
    """The team marks its own files (and can lift the mark); a coordinator can too, to safeguard the team."""
    return (_is_member(user, _file_team(item)) and is_confirmed(user)) or is_coordinator(user)


def can_view_audit_log(user) -> bool:
    """The whole trail (and its export) is for programme staff; no route ever changes an entry."""
    return is_coordinator(user)


# -- two-factor sign-in and sessions ---------------------------------------------------------------
def needs_two_factor(user) -> bool:
    """Holding a role listed in TWO_FACTOR_REQUIRED_ROLES (coordinators and funders) requires two-factor sign-in."""
    required = current_app.config.get("TWO_FACTOR_REQUIRED_ROLES") or ()
    return _signed_in(user) and bool(user.roles & set(required))


def has_two_factor(user) -> bool:
    return _signed_in(user) and user.totp_enabled_at is not None


def can_turn_on_two_factor(user) -> bool:
    """Offered to everyone signed in; a lost phone means turning it off (with a recovery code) and on again."""
    return _signed_in(user) and not has_two_factor(user)


def can_turn_off_two_factor(user) -> bool:
    return has_two_factor(user)


def can_end_session(user, user_session) -> bool:
    """Only one's own sessions are listed, and only they can be ended."""
    return _signed_in(user) and user_session.user_id == user.id


# -- moderation -----------------------------------------------------------------------------------
def is_suspended(user) -> bool:
    """A suspended account can neither sign in nor act: the sign-in form and the user loader ask this."""
    return getattr(user, "suspended_at", None) is not None


def can_moderate(user) -> bool:
    """Decisions about content and accounts, the flags and the appeals: coordinators, never automatically."""
    return is_coordinator(user)


def can_report_proposal(user, proposal) -> bool:
    return can_view_proposal(user, proposal)


def can_report_mentor_profile(user, profile) -> bool:
    """A mentor's profile is read by coordinators (the mentors' pages); they can report it for the record."""
    return can_view_mentors(user)


def can_report_showcase_page(user, publication) -> bool:
    """A public page: anyone may report it, signed in or not, while it is public."""
    from app.showcase.services import PUBLIC_GRANT_STATES

    return bool(publication.published) and publication.grant.state in PUBLIC_GRANT_STATES


def can_read_statement(user, action) -> bool:
    """The statement of reasons: the person the decision affects, and coordinators."""
    return can_moderate(user) or (_signed_in(user) and action.affected_user_id == user.id)


def can_decide_appeal(user, appeal) -> bool:
    """Another coordinator than the one who took the decision, while the appeal is open."""
    return can_moderate(user) and appeal.state == "open" and appeal.action.actor_id != user.id


def can_manage_flagged_terms(user) -> bool:
    return can_moderate(user)


def can_view_transparency(user) -> bool:
    """Counts only, never a name or a text: public, as the DSA's transparency reports are."""
    return True


# -- consent per purpose ---------------------------------------------------------------------------
def has_purpose_consent(user, purpose: str) -> bool:
    """Whether consent stands for one purpose (participation, mentoring, showcase, photos), now.

    Under the age of consent where they live, a young person needs their guardian's consent to taking part and to
    the purpose, *and* their own agreement to it (taking part excepted: signing up is their own agreement): the
    guardian's yes does not override the young person's no, nor the other way round. At or over that age, the
    person decides alone: joining counts as agreeing, as it always has, and only their own withdrawal counts.
    Withdrawing anything takes effect at once: every page asks again."""
    if getattr(user, "id", None) is None:
        return False
    from app.consents.services import consents_of

    consents = consents_of(user)
    if not needs_guardian_consent(user):
        return purpose == "participation" or purpose not in consents.own_withdrawn
    if "participation" not in consents.guardian:
        return False
    return purpose == "participation" or (purpose in consents.guardian and purpose in consents.own)


def can_appear_in_photos(user) -> bool:
    """Photos or videos in which the person can be recognised may be shown with the team's project."""
    return is_confirmed(user) and has_consent(user) and has_purpose_consent(user, "photos")


def team_may_be_mentored(team) -> bool:
    """Every member under the age of consent may be mentored (guardian's consent and their own agreement)."""
    return all(has_purpose_consent(m.user, "mentoring") for m in team.memberships if needs_guardian_consent(m.user))


def guarded_ids(user, minors) -> set[int]:
    """Which of these young people the person is the guardian of: they answered their consent request with yes."""
    ids = {minor.id for minor in minors if minor is not None}
    if not _signed_in(user) or not ids:
        return set()
    from sqlalchemy import select

    from app import db
    from app.accounts.models import GuardianConsent

    return set(db.session.scalars(select(GuardianConsent.minor_id).where(
        GuardianConsent.minor_id.in_(ids), GuardianConsent.guardian_id == user.id,
        GuardianConsent.state == "given")))


def is_guardian_of(user, minor) -> bool:
    return bool(guarded_ids(user, [minor]))


def is_guardian_reader(user, team) -> bool:
    """A guardian whose consent to taking part stands for a member still under the age of consent."""
    if not (is_confirmed(user) and is_adult(user)) or _is_member(user, team):
        return False
    minors = [m.user for m in team.memberships if needs_guardian_consent(m.user)]
    guarded = guarded_ids(user, minors)
    return any(minor.id in guarded and has_consent(minor) for minor in minors)


def can_manage_own_consents(user) -> bool:
    """A young person gives and withdraws their own agreements."""
    return is_confirmed(user) and has_role(user, "youth")


def can_view_consents_of(user, minor) -> bool:
    return is_confirmed(user) and is_guardian_of(user, minor)


def can_manage_consents_of(user, minor) -> bool:
    """The guardian decides for the young person while they are under the age of consent where they live."""
    return can_view_consents_of(user, minor) and is_adult(user) and needs_guardian_consent(minor)


def can_view_consent_history(user) -> bool:
    return is_coordinator(user)


# -- data rights ------------------------------------------------------------------------------------
def is_erased(user) -> bool:
    """A deleted account: the row stays under a pseudonym for the records, the person is gone."""
    return getattr(user, "erased_at", None) is not None


def can_manage_own_data(user) -> bool:
    """Download everything the portal holds about oneself, or delete one's account."""
    return _signed_in(user) and not is_erased(user)


def _gave_consent_for(user, minor) -> bool:
    """From the young person's consent requests (loaded with them), so a list of minors costs no query each."""
    return any(c.guardian_id == user.id and c.state == "given" for c in minor.consent_requests)


def can_request_erasure(user, minor) -> bool:
    """The guardian who consented may ask that a young person's data be erased while they are under age."""
    return (is_confirmed(user) and is_adult(user) and not is_erased(user) and not is_erased(minor)
            and minor.id != user.id and _gave_consent_for(user, minor)
            and age_on(minor.birth_date, date.today()) < current_app.config["ADULT_AGE"])


def can_handle_erasure_requests(user) -> bool:
    return is_coordinator(user)


def can_decide_erasure_request(user, erasure_request) -> bool:
    """A coordinator, while it waits, and never on a request they made themselves (as a guardian)."""
    return (is_coordinator(user) and erasure_request.state == "pending"
            and erasure_request.requested_by_id != user.id)


# -- enforcement ----------------------------------------------------------------------------------
def require(allowed: bool) -> None:
    """Stop the request with 403 unless the rule allows it."""
    if not allowed:
        abort(403)


TEMPLATE_RULES = {name: value for name, value in dict(globals()).items()
                  if name.startswith(("can_", "is_", "has_", "needs_", "consent_state"))}
