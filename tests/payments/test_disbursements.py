"""Paying tranches: by hand with Stripe off; through the fake Stripe with it on. Whatever the network, Stripe or
our worker does, a tranche is paid once: one disbursement row per tranche, one transfer per row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.ledger import services as ledger
from app.ledger.models import LedgerEntry
from app.payments import disbursements, gateway, payees
from app.payments.models import Disbursement
from app.validation import ValidationFailed
from tests.factories import create_call, create_proposal, create_team, create_user, sign_agreement


@pytest.fixture
def scene():
    """An awarded grant of two tranches for a team with a minor, whose mother has consented."""
    coordinator = create_user("coordinator", name="Cora Coordinator")
    mother = create_user("guardian", name="Nadia Guardian", age=44)
    minor = create_user(age=15, consent="given", guardian_email=mother.email, name="Sami Minor")
    from app.accounts.models import GuardianConsent

    db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == minor.id)).guardian_id = mother.id
    team = create_team(create_user(name="Lea Lead"), minor, name="Les Voix")
    call = create_call(pool=1_000_000, max_award=500_000)
    proposal = create_proposal(team, call, state="awarded", amount=400_000, tranches=[100_000, 300_000])
    grant = sign_agreement(ledger.grant_of(proposal))
    return {"coordinator": coordinator, "mother": mother, "team": team, "grant": grant, "call": call}


def _paid_out(call) -> int:
    return ledger.balances(call).disbursed


# -- Stripe off: by hand -----------------------------------------------------------------------------------
def test_by_hand_a_payee_their_bank_reference_then_a_release_and_the_recorded_payment(scene):
    coordinator, first = scene["coordinator"], scene["grant"].tranches[0]
    with pytest.raises(ValidationFailed, match="no payee"):
        disbursements.release(coordinator, first)
    payee = payees.choose(scene["team"].lead, scene["team"], kind="guardian", guardian_id=scene["mother"].id)
    assert payee.user_id == scene["mother"].id
    with pytest.raises(ValidationFailed, match="bank details reference"):
        disbursements.release(coordinator, first)
    payees.record_bank_reference(coordinator, payee, "Desjardins, account ending 4417")
    disbursement = disbursements.release(coordinator, first)
    assert (disbursement.method, disbursement.state, disbursement.amount) == ("manual", "pending", 100_000)
    assert first.state == "payable" and _paid_out(scene["call"]) == 100_000  # reserved in the ledger at once
    with pytest.raises(ValidationFailed, match="already been released"):
        disbursements.release(coordinator, first)
    with pytest.raises(ValidationFailed):
        disbursements.record_manual_payment(coordinator, disbursement, " ")
    disbursements.record_manual_payment(coordinator, disbursement, "VIR-88")
    assert (disbursement.state, disbursement.manual_reference, first.state) == ("paid", "VIR-88", "paid")
    with pytest.raises(ValidationFailed, match="already paid"):
        disbursements.record_manual_payment(coordinator, disbursement, "VIR-89")


def test_only_a_guardian_who_consented_or_an_adult_contact_can_be_the_payee(scene):
    lead, team = scene["team"].lead, scene["team"]
    with pytest.raises(ValidationFailed) as refused:
        payees.choose(lead, team, kind="guardian", guardian_id=create_user("guardian").id)
    assert refused.value.errors[0][0] == "guardian"
    minor_contact = create_user(age=16, consent="given")
    with pytest.raises(ValidationFailed) as refused:
        payees.choose(lead, team, kind="organisation", organisation="Maison des jeunes", email=minor_contact.email)
    assert refused.value.errors[0][0] == "email"
    with pytest.raises(ValidationFailed) as refused:
        payees.choose(lead, team, kind="organisation", organisation=" ", email="nobody@example.org")
    assert {field for field, _m in refused.value.errors} == {"organisation", "email"}
    contact = create_user("guardian", name="Olga Organisation", age=40)
    payee = payees.choose(lead, team, kind="organisation", organisation="Maison des jeunes", email=contact.email)
    assert (payee.kind, payee.organisation, payee.user_id) == ("organisation", "Maison des jeunes", contact.id)


# -- Stripe on, against the fake ------------------------------------------------------------------------------
@pytest.fixture
def ready(scene, stripe_app_config, fake_stripe):
    """The mother opened her connected account and Stripe says she can receive transfers."""
    payee = payees.choose(scene["team"].lead, scene["team"], kind="guardian", guardian_id=scene["mother"].id)
    link = payees.onboarding_link(payee, refresh_url="http://127.0.0.1/refresh", return_url="http://127.0.0.1/back")
    assert link and payee.stripe_account_id in fake_stripe.accounts
    payees.onboarding_link(payee, refresh_url="http://127.0.0.1/refresh", return_url="http://127.0.0.1/back")
    assert len(fake_stripe.accounts) == 1  # asking again opens no second account
    assert payees.refresh_from_stripe(payee.stripe_account_id) == "payee_not_ready"
    fake_stripe.set_account(payee.stripe_account_id, payouts_enabled=True)
    assert payees.refresh_from_stripe(payee.stripe_account_id) == "payee_ready"
    return {**scene, "payee": payee, "fake": fake_stripe}


def test_a_payee_not_yet_onboarded_is_not_paid(scene, stripe_app_config, fake_stripe):
    payee = payees.choose(scene["team"].lead, scene["team"], kind="guardian", guardian_id=scene["mother"].id)
    payees.onboarding_link(payee, refresh_url="http://127.0.0.1/r", return_url="http://127.0.0.1/b")
    with pytest.raises(ValidationFailed, match="not finished opening"):
        disbursements.release(scene["coordinator"], scene["grant"].tranches[0])
    assert db.session.scalar(select(Disbursement)) is None and fake_stripe.transfers == []


def test_a_release_pays_once_through_stripe(ready):
    disbursement = disbursements.release(ready["coordinator"], ready["grant"].tranches[0])
    assert disbursement.method == "stripe" and disbursement.state == "pending"
    disbursements.pay(disbursement.id)
    disbursements.pay(disbursement.id)  # a second run of the job finds it paid and does nothing
    transfer = ready["fake"].transfers[0]
    assert len(ready["fake"].transfers) == 1
    assert (disbursement.state, disbursement.stripe_transfer_id) == ("paid", transfer["id"])
    assert (transfer["amount"], transfer["currency"], transfer["destination"]) == \
        (100_000, "cad", ready["payee"].stripe_account_id)
    assert transfer["transfer_group"] == disbursement.transfer_group
    assert ready["grant"].tranches[0].state == "paid"


def test_a_worker_killed_after_stripe_answered_pays_once_when_rerun(ready):
    disbursement = disbursements.release(ready["coordinator"], ready["grant"].tranches[0])
    # The worker's request reached Stripe, which made the transfer; the worker died before recording it.
    gateway.create_transfer(amount=disbursement.amount, currency=disbursement.currency,
                            destination=ready["payee"].stripe_account_id, idempotency_key=disbursement.idempotency_key,
                            transfer_group=disbursement.transfer_group,
                            metadata={"disbursement_id": disbursement.id, "grant_id": disbursement.grant_id})
    assert disbursement.state == "pending" and disbursement.stripe_transfer_id is None
    disbursements.pay(disbursement.id)  # the job runs again, with the same key
    assert len(ready["fake"].transfers) == 1
    assert disbursement.state == "paid" and disbursement.stripe_transfer_id == ready["fake"].transfers[0]["id"]


def test_stripe_failing_then_succeeding_makes_one_transfer(ready):
    disbursement = disbursements.release(ready["coordinator"], ready["grant"].tranches[0])
    ready["fake"].fail_next("/v1/transfers", 500, times=1, method="POST")  # the client's own retry rides it out
    disbursements.pay(disbursement.id)
    assert disbursement.state == "paid" and len(ready["fake"].transfers) == 1

    second = disbursements.release(ready["coordinator"], ready["grant"].tranches[1])
    ready["fake"].fail_next("/v1/transfers", 500, times=10, method="POST")  # down for longer: our retry later
    disbursements.pay(second.id)
    assert (second.state, second.attempts, ready["fake"].transfers[1:]) == ("pending", 1, [])
    assert second.next_attempt_at is not None and "GatewayUnavailable" in second.last_error
    ready["fake"].clear_failures()
    disbursements.pay(second.id)
    assert second.state == "paid" and len(ready["fake"].transfers) == 2


def test_a_refused_transfer_fails_and_a_coordinator_retries_it(ready):
    disbursement = disbursements.release(ready["coordinator"], ready["grant"].tranches[0])
    ready["fake"].fail_next("/v1/transfers", 400, method="POST")
    disbursements.pay(disbursement.id)
    assert disbursement.state == "failed" and ready["fake"].transfers == []
    with pytest.raises(ValidationFailed, match="reference of the payment"):
        disbursements.record_manual_payment(ready["coordinator"], disbursement, "")
    disbursements.retry(ready["coordinator"], disbursement)
    assert disbursement.state == "pending"
    disbursements.pay(disbursement.id)
    assert disbursement.state == "paid" and len(ready["fake"].transfers) == 1


def test_reconcile_settles_an_unknown_outcome_by_looking_the_transfer_up(ready):
    disbursement = disbursements.release(ready["coordinator"], ready["grant"].tranches[0])
    # Stripe makes the transfer but every answer is lost: we do not know it went out.
    ready["fake"].fail_next("/v1/transfers", 500, times=10, method="POST", executed=True)
    disbursements.pay(disbursement.id)
    assert disbursement.state == "pending" and len(ready["fake"].transfers) == 1
    ready["fake"].clear_failures()
    posts_before = len(ready["fake"].requests("POST", "/v1/transfers"))
    assert disbursements.reconcile() == {"settled": 1, "requeued": 0, "unreachable": 0}
    assert disbursement.state == "paid" and disbursement.stripe_transfer_id == ready["fake"].transfers[0]["id"]
    assert len(ready["fake"].requests("POST", "/v1/transfers")) == posts_before  # looked up, never created
    assert len(ready["fake"].transfers) == 1


def test_paying_by_hand_after_a_failure_first_checks_stripe_did_not_pay(ready):
    disbursement = disbursements.release(ready["coordinator"], ready["grant"].tranches[0])
    ready["fake"].fail_next("/v1/transfers", 400, method="POST", executed=True)  # made, yet reported refused
    disbursements.pay(disbursement.id)
    assert disbursement.state == "failed"
    with pytest.raises(ValidationFailed, match="did pay this tranche after all"):
        disbursements.record_manual_payment(ready["coordinator"], disbursement, "VIR-1")
    assert disbursement.state == "paid" and disbursement.method == "stripe"


def test_the_ledger_never_pays_a_grant_more_than_it_was_awarded(ready):
    grant = ready["grant"]
    for tranche in grant.tranches:
        disbursements.release(ready["coordinator"], tranche)
    money = ledger.balances(ready["call"]).grant(grant.id)
    assert (money.awarded, money.disbursed, money.remaining) == (400_000, 400_000, 0)
    keys = set(db.session.scalars(select(LedgerEntry.source_key).where(LedgerEntry.kind == "disbursement")))
    assert keys == {f"disbursement:{d.id}" for d in db.session.scalars(select(Disbursement))}


def test_settle_from_stripe_records_a_transfer_the_worker_missed(ready):
    disbursement = disbursements.release(ready["coordinator"], ready["grant"].tranches[0])
    transfer = gateway.create_transfer(amount=disbursement.amount, currency="cad",
                                       destination=ready["payee"].stripe_account_id,
                                       idempotency_key=disbursement.idempotency_key,
                                       transfer_group=disbursement.transfer_group,
                                       metadata={"disbursement_id": disbursement.id, "grant_id": disbursement.grant_id})
    assert disbursements.settle_from_stripe(transfer.id) == "paid"
    assert disbursements.settle_from_stripe(transfer.id) == "already_paid"
    assert disbursement.stripe_transfer_id == transfer.id


def test_the_payee_is_told_where_to_go(scene):
    from app.notices.models import Notification

    payees.choose(scene["team"].lead, scene["team"], kind="guardian", guardian_id=scene["mother"].id)
    notice = db.session.scalar(select(Notification).where(Notification.user_id == scene["mother"].id))
    assert notice.kind == "payee_chosen" and notice.link == f"/payouts/teams/{scene['team'].id}/payee"
