"""Payees and payouts through the pages: by hand with Stripe off, and with the fake Stripe on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import GuardianConsent
from app.ledger import services as ledger
from app.payments.models import Disbursement, Payee
from tests.conftest import post
from tests.factories import create_call, create_proposal, create_team, create_user, sign_agreement
from tests.pages import field_error, text


@pytest.fixture
def scene():
    coordinator = create_user("coordinator", name="Cora Coordinator")
    mother = create_user("guardian", name="Nadia Guardian", age=44)
    minor = create_user(age=15, consent="given", guardian_email=mother.email, name="Sami Minor")
    db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == minor.id)).guardian_id = mother.id
    team = create_team(create_user(name="Lea Lead"), minor, name="Les Voix")
    call = create_call(pool=1_000_000, max_award=500_000)
    proposal = create_proposal(team, call, state="awarded", title="Podcast", amount=400_000,
                               tranches=[100_000, 300_000])
    grant = sign_agreement(ledger.grant_of(proposal))
    return {"coordinator": coordinator, "mother": mother, "team": team, "grant": grant}


def _name_the_mother(client, scene):
    return post(client, f"/payouts/teams/{scene['team'].id}/payee",
                {"kind": "guardian", "guardian": str(scene["mother"].id)}, follow_redirects=True)


def test_by_hand_from_naming_the_payee_to_the_recorded_payment(login, scene):
    lead = login(scene["team"].lead)
    response = post(lead, f"/payouts/teams/{scene['team'].id}/payee", {"kind": "", "organisation": "Maison"})
    assert response.status_code == 400
    assert field_error(response, "kind") == "Choose who receives the money."
    response = post(lead, f"/payouts/teams/{scene['team'].id}/payee", {"kind": "guardian", "guardian": ""})
    assert field_error(response, "guardian") == "Choose one of the guardians who gave consent for a member."
    assert "Nadia Guardian will receive the team's grant money." in text(_name_the_mother(lead, scene))

    coordinator = login(scene["coordinator"])
    first = scene["grant"].tranches[0]
    response = post(coordinator, f"/payouts/tranches/{first.id}/release", follow_redirects=True)
    assert "Record the payee's bank details reference before releasing a tranche." in text(response)
    payee = db.session.scalar(select(Payee))
    response = post(coordinator, f"/payouts/payees/{payee.id}/bank-reference",
                    {"reference": "Desjardins, account ending 4417"}, follow_redirects=True)
    assert "The bank details reference is recorded" in text(response)
    response = post(coordinator, f"/payouts/tranches/{first.id}/release", follow_redirects=True)
    page = text(response)
    assert "CA$1,000.00 is released: pay it by bank transfer" in page
    assert "Step 1 CA$1,000.00 payable waiting (bank transfer by hand)" in page
    disbursement = db.session.scalar(select(Disbursement))
    assert "Les Voix: Step 1" in text(coordinator.get("/payouts/"))
    response = post(coordinator, f"/payouts/{disbursement.id}/paid", {f"d{disbursement.id}-reference": "VIR-88"},
                    follow_redirects=True)
    assert "The payment is recorded." in text(response)
    assert "Every released tranche is paid." in text(response)
    page = text(coordinator.get(f"/ledger/grants/{scene['grant'].id}"))
    assert "Step 1 CA$1,000.00 paid paid (bank transfer by hand, VIR-88)" in page
    assert "Paid CA$1,000.00" in page


def test_with_stripe_the_payee_opens_an_account_and_the_release_pays_it(login, scene, stripe_app_config, fake_stripe):
    _name_the_mother(login(scene["team"].lead), scene)
    payee = db.session.scalar(select(Payee))
    mother = login(scene["mother"])
    page = text(mother.get(f"/payouts/teams/{scene['team'].id}/payee"))
    assert "Open or finish my payment account with Stripe" in page
    response = post(mother, f"/payouts/payees/{payee.id}/onboard")
    assert response.status_code == 303 and response.location.startswith(fake_stripe.url)
    db.session.expire_all()
    payee = db.session.get(Payee, payee.id)
    response = mother.get(f"/payouts/payees/{payee.id}/onboarded", follow_redirects=True)
    assert "Stripe still needs some information" in text(response)
    fake_stripe.set_account(payee.stripe_account_id, payouts_enabled=True)
    response = mother.get(f"/payouts/payees/{payee.id}/onboarded", follow_redirects=True)
    assert "Your payment account is ready" in text(response)

    coordinator = login(scene["coordinator"])
    response = post(coordinator, f"/payouts/tranches/{scene['grant'].tranches[1].id}/release", follow_redirects=True)
    assert "CA$3,000.00 is on its way to the payee through Stripe." in text(response)
    assert len(fake_stripe.transfers) == 1  # the job ran after the commit
    db.session.expire_all()
    disbursement = db.session.scalar(select(Disbursement))
    assert disbursement.state == "paid" and disbursement.stripe_transfer_id == fake_stripe.transfers[0]["id"]


def test_a_failed_transfer_is_listed_and_tried_again(login, scene, stripe_app_config, fake_stripe):
    _name_the_mother(login(scene["team"].lead), scene)
    payee = db.session.scalar(select(Payee))
    post(login(scene["mother"]), f"/payouts/payees/{payee.id}/onboard")
    db.session.expire_all()
    fake_stripe.set_account(db.session.get(Payee, payee.id).stripe_account_id, payouts_enabled=True)
    login(scene["mother"]).get(f"/payouts/payees/{payee.id}/onboarded")
    coordinator = login(scene["coordinator"])
    fake_stripe.fail_next("/v1/transfers", 400, method="POST")
    post(coordinator, f"/payouts/tranches/{scene['grant'].tranches[0].id}/release")
    page = text(coordinator.get("/payouts/"))
    assert "failed" in page and "Try the transfer again" in page
    disbursement = db.session.scalar(select(Disbursement))
    response = post(coordinator, f"/payouts/{disbursement.id}/retry", follow_redirects=True)
    assert "The transfer is being tried again." in text(response)
    assert "Every released tranche is paid." in text(response)
    assert len(fake_stripe.transfers) == 1


def test_wrong_people_are_refused(login, scene):
    stranger = login(create_user())
    disbursement_url = "/payouts/999/paid"
    assert stranger.get("/payouts/").status_code == 403
    assert post(stranger, f"/payouts/tranches/{scene['grant'].tranches[0].id}/release").status_code == 403
    assert post(stranger, disbursement_url).status_code == 403
    assert stranger.get(f"/payouts/teams/{scene['team'].id}/payee").status_code == 403
    member = login(scene["team"].memberships[1].user)
    assert member.get(f"/payouts/teams/{scene['team'].id}/payee").status_code == 200
    assert post(member, f"/payouts/teams/{scene['team'].id}/payee", {"kind": "guardian"}).status_code == 403
