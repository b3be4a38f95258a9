"""`flask demo scale`'s generator at N=200: the proportions, the data's own rules (budgets, plans, reviews,
consent, the ledger's invariants) and the normal pages answering on it."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from app import db, policy, scaledata
from app.accounts.models import User
from app.calls.models import Call
from app.ledger import services as ledger
from app.ledger.models import Grant, Tranche
from app.mentoring.models import Mentorship
from app.projects.models import ProjectMilestone
from app.proposals.models import PROPOSAL_STATES, BudgetLine, PlannedMilestone, Proposal, ProposalVersion
from app.reviews.models import CriterionScore, ReviewAssignment
from app.teams.models import Membership, Team
from tests.conftest import sign_in
from tests.factories import password_hash

N = 200


@pytest.fixture
def loaded():
    result = scaledata.load(N, seed=7, password_hash=password_hash())
    db.commit()
    return result


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_the_programme_is_in_proportion(loaded):
    assert _count(Proposal) == N == loaded.rows["proposals"]
    assert _count(Call) == loaded.sizes.calls == 4  # about one per 2,000 proposals, at least one per phase
    assert Counter(db.session.scalars(select(Call.state))) == {"draft": 1, "published": 1, "closed": 1,
                                                                "archived": 1}
    assert set(db.session.scalars(select(Proposal.state).distinct())) == set(PROPOSAL_STATES)
    sizes = Counter(db.session.scalars(select(func.count()).select_from(Membership).group_by(Membership.team_id)))
    assert _count(Team) == 125 and set(sizes) <= {2, 3, 4, 5} and len(set(sizes)) >= 3
    assert _count(User.__table__, User.country.is_not(None)) > 3 * _count(Team)
    assert len(set(db.session.scalars(select(User.country).distinct()))) >= 5  # people from many places
    assert _count(ReviewAssignment) > N and _count(CriterionScore) > 2 * N
    assert _count(Grant) == _count(Proposal, Proposal.state == "awarded") > 0
    assert _count(Mentorship, Mentorship.state == "active") > 0


def test_budgets_and_plans_add_up_and_submissions_are_frozen(loaded):
    budget = dict(db.session.execute(select(BudgetLine.proposal_id, func.sum(BudgetLine.amount))
                                     .group_by(BudgetLine.proposal_id)).all())
    tranches = dict(db.session.execute(select(PlannedMilestone.proposal_id, func.sum(PlannedMilestone.tranche_amount))
                                       .group_by(PlannedMilestone.proposal_id)).all())
    for proposal_id, amount, state, submitted_at, version in db.session.execute(
            select(Proposal.id, Proposal.amount_requested, Proposal.state, Proposal.submitted_at, Proposal.version)):
        assert budget[proposal_id] == tranches[proposal_id] == amount
        assert (submitted_at is None) == (version == 0)
    assert _count(ProposalVersion) == _count(Proposal, Proposal.submitted_at.is_not(None))


def test_reviews_fit_the_calls_and_never_go_to_the_team_or_its_mentor(loaded):
    unreviewed = ("draft", "submitted", "screening", "withdrawn")
    assert _count(ReviewAssignment, ReviewAssignment.proposal_id.in_(
        select(Proposal.id).where(Proposal.state.in_(unreviewed)))) == 0
    members = select(Membership.user_id).join(Proposal, Proposal.team_id == Membership.team_id).where(
        Proposal.id == ReviewAssignment.proposal_id)
    mentors = select(Mentorship.mentor_id).join(Proposal, Proposal.team_id == Mentorship.team_id).where(
        Proposal.id == ReviewAssignment.proposal_id, Mentorship.state == "active")
    assert _count(ReviewAssignment, ReviewAssignment.reviewer_id.in_(members)) == 0
    assert _count(ReviewAssignment, ReviewAssignment.reviewer_id.in_(mentors)) == 0
    submitted = _count(ReviewAssignment, ReviewAssignment.state == "submitted")
    assert _count(CriterionScore) == 4 * submitted  # the four weighted criteria, each scored or "not applicable"


def test_every_minor_who_needs_it_has_consent_and_mentors_of_minors_are_vetted(loaded):
    members = list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).distinct()))
    needing = [user for user in members if policy.needs_guardian_consent(user)]
    assert needing and all(policy.has_consent(user) for user in needing)
    for mentorship in db.session.scalars(select(Mentorship).where(Mentorship.state == "active")):
        assert policy.may_mentor(mentorship.mentor, mentorship.team)


def test_the_ledger_s_invariants_hold_for_every_call(loaded):
    for call in db.session.scalars(select(Call)):
        balances = ledger.balances(call)
        assert balances.available >= 0, call.id
        assert balances.contributed >= balances.awarded >= balances.disbursed
        for grant in db.session.scalars(select(Grant).where(Grant.call_id == call.id)):
            money = balances.grant(grant.id)
            assert money.awarded == grant.amount and 0 <= money.disbursed <= money.awarded
            paid = db.session.scalar(select(func.coalesce(func.sum(Tranche.amount), 0))
                                     .where(Tranche.grant_id == grant.id, Tranche.state == "paid"))
            assert money.disbursed == paid


def test_grants_follow_the_delivery_plan(loaded):
    for grant in db.session.scalars(select(Grant)):
        planned = db.session.scalars(select(PlannedMilestone.id).where(PlannedMilestone.proposal_id ==
                                                                       grant.proposal_id)).all()
        rows = db.session.execute(select(Tranche.milestone_id, Tranche.position, ProjectMilestone.planned_id,
                                         ProjectMilestone.position, ProjectMilestone.state)
                                  .join(ProjectMilestone, ProjectMilestone.tranche_id == Tranche.id)
                                  .where(Tranche.grant_id == grant.id).order_by(Tranche.position)).all()
        assert [row[0] for row in rows] == [row[2] for row in rows] == sorted(planned)
        assert [row[1] for row in rows] == [row[3] for row in rows] == list(range(1, len(planned) + 1))
        states = [row[4] for row in rows]
        if grant.state == "completed":
            assert set(states) == {"approved"}
        if grant.state == "awarded":
            assert set(states) == {"planned"}


def test_the_sign_ins_and_the_normal_pages_answer(loaded, client):
    assert {s.role for s in loaded.sign_ins} >= {"coordinator", "funder", "reviewer", "mentor", "youth"}
    for url in ("/calls/", "/showcase/"):
        assert client.get(url).status_code == 200, url
    call, proposal = loaded.reviewing_call_id, loaded.proposal_id
    people = {sign_in.role: db.session.scalar(select(User).where(User.email == sign_in.email))
              for sign_in in loaded.sign_ins}
    pages = {
        "coordinator": ["/dashboard", f"/proposals/{proposal}", f"/decisions/calls/{call}", "/reviews/"],
        "funder": ["/dashboard", f"/decisions/calls/{call}", f"/proposals/{proposal}", "/reviews/"],
        "reviewer": ["/dashboard", "/reviews/"],
        "mentor": ["/dashboard"],
        "youth": ["/dashboard", f"/proposals/{proposal}"],
        "guardian": ["/dashboard"],
    }
    for role, urls in pages.items():
        sign_in(client, people[role])
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)


def test_the_same_seed_gives_the_same_data(loaded):
    first = db.session.execute(select(Proposal.title, Proposal.state, Proposal.amount_requested)
                               .where(Proposal.id >= loaded.proposal_id - 10).order_by(Proposal.id).limit(5)).all()
    again = scaledata.load(N, seed=7, password_hash=password_hash())
    offset = again.proposal_id - loaded.proposal_id
    second = db.session.execute(select(Proposal.title, Proposal.state, Proposal.amount_requested)
                                .where(Proposal.id >= loaded.proposal_id - 10 + offset).order_by(Proposal.id)
                                .limit(5)).all()
    assert first == second and offset == N  # added after what was there, ids continuing
