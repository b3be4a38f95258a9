"""The ledger against the database: contributions credit the pool once, awards open grants with their tranches,
and no entry gets past an invariant."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry
from app.ledger import balances as rules
from app.ledger import services as ledger
from app.ledger.models import Contribution, Grant, LedgerEntry
from app.reviews import services as reviews
from app.validation import ValidationFailed
from tests.factories import create_call, create_proposal, create_team, create_user


@pytest.fixture
def coordinator():
    return create_user("coordinator")


def _entries(call) -> list[tuple[str, int]]:
    return [(e.kind, e.amount) for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.call_id == call.id)
                                                           .order_by(LedgerEntry.id))]


def test_an_offline_contribution_credits_the_pool_and_is_audited(coordinator):
    call = create_call(pool=1_000_000, funded=0)
    contribution = ledger.record_offline_contribution(coordinator, call, amount=250_000,
                                                      contributor_name=" Fondation Lumière ", reference="VIR-2027-01")
    assert (contribution.state, contribution.method, contribution.contributor_name) == \
        ("completed", "offline", "Fondation Lumière")
    assert _entries(call) == [("contribution", 250_000)]
    assert ledger.balances(call).available == 250_000
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.subject_type == "calls",
                                                             AuditEntry.subject_id == call.id)) == \
        "ledger.contribution_recorded"


@pytest.mark.parametrize(("amount", "name", "reference", "field"), [
    (0, "F", "R", "amount"), (-100, "F", "R", "amount"), (None, "F", "R", "amount"),
    (ledger.MAX_CONTRIBUTION + 1, "F", "R", "amount"), (100, " ", "R", "contributor_name"), (100, "F", "", "reference"),
])
def test_a_bad_offline_contribution_names_the_field_and_books_nothing(coordinator, amount, name, reference, field):
    call = create_call(funded=0)
    with pytest.raises(ValidationFailed) as refused:
        ledger.record_offline_contribution(coordinator, call, amount=amount, contributor_name=name,
                                           reference=reference)
    assert [f for f, _message in refused.value.errors] == [field]
    assert _entries(call) == [] and db.session.scalar(select(func.count()).select_from(Contribution)) == 0


def test_the_same_source_is_booked_once(coordinator):
    call = create_call(funded=0)
    first = ledger.record(call, rules.CONTRIBUTION, 5_000, source_key="contribution:stripe:cs_1")
    again = ledger.record(call, rules.CONTRIBUTION, 5_000, source_key="contribution:stripe:cs_1")
    assert first.id == again.id and _entries(call) == [("contribution", 5_000)]


def test_an_award_opens_a_grant_with_its_tranches_and_commits_the_money(coordinator):
    call = create_call(pool=1_000_000, max_award=500_000)
    proposal = create_proposal(create_team(), call, state="in_review", amount=400_000, tranches=[100_000, 300_000])
    reviews.award(call.owner, proposal, 200_000, "Half, for a first season.")
    grant = db.session.scalar(select(Grant).where(Grant.proposal_id == proposal.id))
    assert (grant.amount, grant.currency, grant.state) == (200_000, "CAD", "awarded")
    assert [(t.position, t.amount, t.state) for t in grant.tranches] == \
        [(1, 50_000, "planned"), (2, 150_000, "planned")]
    assert _entries(call)[-1] == ("award", 200_000)
    money = ledger.balances(call)
    assert (money.contributed, money.awarded, money.available) == (1_000_000, 200_000, 800_000)
    assert money.grant(grant.id).remaining == 200_000


def test_an_award_needs_money_received_not_only_announced(coordinator):
    call = create_call(pool=1_000_000, max_award=500_000, funded=100_000)  # announced 10,000, received 1,000
    proposal = create_proposal(create_team(), call, state="in_review", amount=300_000)
    with pytest.raises(ValidationFailed, match="does not hold enough"):
        reviews.award(call.owner, proposal, 300_000, "Yes.")
    assert proposal.state == "in_review"
    ledger.record_offline_contribution(coordinator, call, amount=200_000, contributor_name="Ville", reference="V-1")
    reviews.award(call.owner, proposal, 300_000, "Yes.")
    assert ledger.balances(call).available == 0


def test_the_database_refuses_an_entry_that_breaks_the_invariants_through_record(coordinator):
    call = create_call(pool=100_000, max_award=100_000)
    proposal = create_proposal(create_team(), call, state="awarded", amount=100_000)
    grant = ledger.grant_of(proposal)
    with pytest.raises(ledger.LedgerRefused) as refused:
        ledger.record(call, rules.REFUND, 1, memo="Too much")
    assert refused.value.code == rules.POOL_EXCEEDED
    assert "CA$0.00 is available" in str(refused.value.errors[0][1])
    ledger.record(call, rules.DISBURSEMENT, 60_000, grant=grant)
    with pytest.raises(ledger.LedgerRefused) as refused:
        ledger.record(call, rules.DISBURSEMENT, 40_001, grant=grant)
    assert refused.value.code == rules.OVERPAID
    assert ledger.balances(call).grant(grant.id).remaining == 40_000
