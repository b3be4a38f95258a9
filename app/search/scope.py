"""What a searcher may open, as SQL conditions: the policy's rules, computed once per search.

The person's few relations (teams they belong to or mentor, calls they manage, proposals they review, teams
whose agreement they countersign) are read first with a fixed number of queries, using the policy's own small
rules where a relation has conditions (vetting, conflicts, consent); each kind's condition is then a filter on
ids in the search's one SQL statement, so counts and pages are right and nothing is checked row by row.
tests/search/test_visibility.py checks every result against the policy's can_view_* for many people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import lazyload, selectinload

from app import db, policy
from app.accounts.models import GuardianConsent, User
from app.calls.models import Call, CallFunder
from app.ledger.models import Grant
from app.proposals.models import Proposal
from app.safety.visibility import hidden_from_public
from app.teams.models import Membership, Team

# Only birth dates and places are read from the other people loaded here: not their roles or consent requests.
_BARE_USER = (lazyload(User.role_grants), lazyload(User.consent_requests))


@dataclass(frozen=True)
class Reach:
    """The searcher's relations; `everything` for coordinators, who may open every proposal, project and team."""

    everything: bool = False
    member_team_ids: frozenset[int] = frozenset()
    mentored_team_ids: frozenset[int] = frozenset()
    managed_call_ids: frozenset[int] = frozenset()
    # Proposals the person reviews and may read (no conflict declared or known), and the assignment to open.
    review_assignment_ids: dict[int, int] = field(default_factory=dict)
    countersign_team_ids: frozenset[int] = frozenset()

    @property
    def own_team_ids(self) -> frozenset[int]:
        return self.member_team_ids | self.mentored_team_ids

    # -- the conditions ------------------------------------------------------------------------------
    def proposals(self) -> ColumnElement:
        """can_view_proposal, plus the proposals the person reads as a reviewer (can_read_for_review)."""
        if self.everything:
            return true()
        # A proposal a coordinator limited or removed is found only by its own team (and coordinators).
        visible = ~hidden_from_public("proposal", Proposal.id)
        conditions = []
        if self.member_team_ids:
            conditions.append(Proposal.team_id.in_(sorted(self.member_team_ids)))
        if self.mentored_team_ids:
            conditions.append(Proposal.team_id.in_(sorted(self.mentored_team_ids)) & visible)
        if self.managed_call_ids:  # funders never see a team's drafts
            conditions.append((Proposal.state != "draft") & Proposal.call_id.in_(sorted(self.managed_call_ids))
                              & visible)
        if self.review_assignment_ids:
            conditions.append(Proposal.id.in_(sorted(self.review_assignment_ids)) & visible)
        return or_(*conditions) if conditions else false()

    def projects(self) -> ColumnElement:
        """can_view_project: the team, its mentors, the call's managers and those who countersign."""
        if self.everything:
            return true()
        conditions = []
        team_ids = self.own_team_ids | self.countersign_team_ids
        if team_ids:
            conditions.append(Grant.team_id.in_(sorted(team_ids)))
        if self.managed_call_ids:
            conditions.append(Grant.call_id.in_(sorted(self.managed_call_ids)))
        return or_(*conditions) if conditions else false()

    def teams(self) -> ColumnElement:
        """policy.can_find_team: members, active mentors, and funders for teams that applied to their calls."""
        if self.everything:
            return true()
        conditions = []
        if self.own_team_ids:
            conditions.append(Team.id.in_(sorted(self.own_team_ids)))
        if self.managed_call_ids:
            conditions.append(Team.id.in_(select(Proposal.team_id).where(
                Proposal.state != "draft", Proposal.call_id.in_(sorted(self.managed_call_ids)))))
        return or_(*conditions) if conditions else false()

    def people(self) -> ColumnElement:
        return true() if self.everything else false()

    def calls(self) -> ColumnElement:
        """The calls whose proposals the person may find: the choices of the call filter."""
        if self.everything:
            return true()
        conditions = [Call.id.in_(select(Proposal.call_id).where(self.proposals()))]
        if self.managed_call_ids:
            conditions.append(Call.id.in_(sorted(self.managed_call_ids)))
        return or_(*conditions)

    # -- where each result is opened -------------------------------------------------------------------
    def opens_proposal_page(self, proposal: Proposal) -> bool:
        """Whether can_view_proposal allows the proposal's own page; otherwise it is read from the review page."""
        return (self.everything or proposal.team_id in self.own_team_ids
                or (proposal.state != "draft" and proposal.call_id in self.managed_call_ids))


def reach_of(user) -> Reach:
    """Read the person's relations: a handful of queries, whatever the number of records searched."""
    if not policy._signed_in(user):
        return Reach()
    if policy.is_coordinator(user):
        return Reach(everything=True)
    return Reach(
        member_team_ids=frozenset(db.session.scalars(select(Membership.team_id).where(Membership.user_id == user.id))),
        mentored_team_ids=frozenset(mentored_team_ids(user)),
        managed_call_ids=frozenset(managed_call_ids(user)),
        review_assignment_ids=readable_review_assignments(user),
        countersign_team_ids=frozenset(countersign_team_ids(user)),
    )


def mentored_team_ids(user) -> set[int]:
    """Teams for which policy.is_team_mentor holds: an active mentorship and the safety rule (may_mentor)."""
    from app.mentoring.models import Mentorship

    if not (policy.is_mentor(user) and policy.is_adult(user)):
        return set()
    teams = list(db.session.scalars(
        select(Team).where(Team.id.in_(select(Mentorship.team_id).where(
            Mentorship.mentor_id == user.id, Mentorship.state == "active")))
        .options(selectinload(Team.memberships).selectinload(Membership.user).options(*_BARE_USER))))
    with_minors = {team.id for team in teams if policy.has_minors(team)}
    vetted = policy.is_vetted(user) if with_minors else True
    return {team.id for team in teams
            if (vetted or team.id not in with_minors) and policy.team_may_be_mentored(team)}


def managed_call_ids(user) -> set[int]:
    """Calls the person manages as a funder (owner or added funder), as can_manage_call says."""
    if not policy.has_role(user, "funder"):
        return set()
    return set(db.session.scalars(select(Call.id).where(or_(
        Call.owner_id == user.id, Call.id.in_(select(CallFunder.call_id).where(CallFunder.user_id == user.id))))))


def readable_review_assignments(user) -> dict[int, int]:
    """{proposal id: assignment id} for the reviews policy.can_read_for_review lets the person read."""
    from app.reviews import assignment as matching
    from app.reviews import services as reviews
    from app.reviews.models import ReviewAssignment

    assignments = list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id,
                                       ReviewAssignment.state.in_(("accepted", "submitted")))
        .options(selectinload(ReviewAssignment.proposal).selectinload(Proposal.team)
                 .selectinload(Team.memberships))))
    if not assignments:
        return {}
    mentors = reviews.mentor_ids_by_team({a.proposal.team_id for a in assignments})
    reviewer = reviews.reviewer_info(user)
    return {a.proposal_id: a.id for a in assignments
            if not matching.conflicts(reviewer, reviews.proposal_info(a.proposal, mentors.get(a.proposal.team_id, ())))}


def countersign_team_ids(user) -> set[int]:
    """Teams whose agreement the person may countersign (countersigner_capacity): their payee, or a guardian
    who consented for a young member (policy.guardian_ids_of_minors decides, team by team: a guardian has few)."""
    from app.payments.models import Payee

    if not (policy.is_confirmed(user) and policy.is_adult(user)):
        return set()
    team_ids = set(db.session.scalars(select(Payee.team_id).where(Payee.user_id == user.id)))
    children = select(GuardianConsent.minor_id).where(GuardianConsent.guardian_id == user.id,
                                                      GuardianConsent.state == "given")
    teams = db.session.scalars(select(Team).where(
        Team.id.in_(select(Membership.team_id).where(Membership.user_id.in_(children))), Team.id.not_in(team_ids))
        .options(selectinload(Team.memberships).selectinload(Membership.user).options(*_BARE_USER)))
    return team_ids | {team.id for team in teams if user.id in policy.guardian_ids_of_minors(team)}
