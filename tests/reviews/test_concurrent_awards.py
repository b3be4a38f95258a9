"""Two funders awarding at the same moment can never commit more than the call's pool holds."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import RoleGrant, User
from app.calls.models import Call, Criterion
from app.db import utcnow
from app.proposals.models import PlannedMilestone, Proposal
from app.reviews import services
from app.teams.models import Membership, Team
from app.validation import ValidationFailed
from tests.databases import postgres_base_url
from tests.factories import password_hash


def _person(email: str, role: str) -> User:
    user = User(email=email, display_name=email.split("@")[0].title(), password_hash=password_hash(),
                birth_date=date(1990, 1, 1), country="CA", locale="en", timezone="UTC",
                conduct_accepted_at=utcnow(), email_confirmed_at=utcnow())
    user.role_grants.append(RoleGrant(role=role))
    db.session.add(user)
    return user


def _seed(pool: int, requests: list[int]) -> tuple[int, list[int], list[int]]:
    """A call whose pool fits only some of the proposals in review, and one funder per proposal."""
    owner = _person("owner@example.org", "funder")
    db.session.flush()
    now = datetime.now(UTC)
    call = Call(title="Race", currency="CAD", pool_amount=pool, max_award=max(requests),
                opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1), timezone="UTC", state="closed",
                owner_id=owner.id)
    call.criteria.append(Criterion(title="Impact", weight=1, level_descriptors=["1", "2", "3", "4", "5"]))
    db.session.add(call)
    proposal_ids, funder_ids = [], []
    for index, amount in enumerate(requests):
        lead = _person(f"lead{index}@example.org", "youth")
        funder = _person(f"funder{index}@example.org", "funder")
        db.session.flush()
        team = Team(name=f"Team {index}", country="CA", languages=["en"], lead_id=lead.id)
        team.memberships.append(Membership(user_id=lead.id))
        db.session.add(team)
        db.session.flush()
        proposal = Proposal(call_id=call.id, team_id=team.id, title=f"Project {index}", amount_requested=amount,
                            state="in_review", version=1, submitted_at=now - timedelta(days=2))
        proposal.milestones.append(PlannedMilestone(title="All", due_date=date.today() + timedelta(days=60),
                                                    tranche_amount=amount))
        db.session.add(proposal)
        db.session.flush()
        from app.calls.models import CallFunder

        call.funders.append(CallFunder(user_id=funder.id))
        proposal_ids.append(proposal.id)
        funder_ids.append(funder.id)
    from tests.factories import contribute

    contribute(call, pool)  # the pool holds what it announces
    db.commit()
    return call.id, proposal_ids, funder_ids


@pytest.mark.skipif(postgres_base_url() is None, reason="row locks are a PostgreSQL matter; SQLite runs one writer")
def test_concurrent_awards_never_over_commit_the_pool(racing_app):
    with racing_app.app_context():
        # 5 proposals of 4,000 each race for a pool of 10,000: at most two can be funded.
        call_id, proposal_ids, funder_ids = _seed(pool=10_000, requests=[4_000] * 5)

    barrier = threading.Barrier(len(proposal_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def decide(proposal_id: int, funder_id: int) -> None:
        with racing_app.app_context():
            funder = db.session.get(User, funder_id)
            proposal = db.session.get(Proposal, proposal_id)
            barrier.wait()  # everyone reads the pool at the same moment
            try:
                services.award(funder, proposal, 4_000, "Strong project")
                db.commit()
                result = "awarded"
            except ValidationFailed:
                db.session.rollback()
                result = "refused"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=decide, args=pair) for pair in zip(proposal_ids, funder_ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["awarded", "awarded", "refused", "refused", "refused"]
    with racing_app.app_context():
        awarded = db.session.scalars(select(Proposal.amount_awarded).where(Proposal.call_id == call_id,
                                                                          Proposal.state == "awarded")).all()
        assert sum(awarded) == 8_000 <= 10_000


def test_award_refuses_more_than_the_pool_holds_and_scales_tranches(racing_app):
    with racing_app.app_context():
        call_id, proposal_ids, funder_ids = _seed(pool=10_000, requests=[6_000, 6_000])
        funder = db.session.get(User, funder_ids[0])
        first = db.session.get(Proposal, proposal_ids[0])
        services.award(funder, first, 6_000, "Fits")
        db.commit()
        second = db.session.get(Proposal, proposal_ids[1])
        with pytest.raises(ValidationFailed) as refused:
            services.award(db.session.get(User, funder_ids[1]), second, 6_000, "Does not fit")
        assert refused.value.errors[0][0] == "amount"
        db.session.rollback()
        services.award(db.session.get(User, funder_ids[1]), second, 4_000, "A smaller award fits")
        db.commit()
        second = db.session.get(Proposal, proposal_ids[1])
        assert second.state == "awarded" and second.amount_awarded == 4_000
        assert second.tranche_total == 4_000
        assert services.committed_amount(db.session.get(Call, call_id)) == 10_000
