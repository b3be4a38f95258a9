"""Money end to end in a real browser, with Stripe on against the tests' fake Stripe: a funder contributes through
Checkout (the test delivers the signed webhook, as Stripe would), the team lead names the guardian as payee, the
guardian opens her payment account through the hosted onboarding, a coordinator releases a tranche and it is
paid by a transfer; the ledger pages show every step. axe checks every page of ours."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import db
from app.accounts.models import GuardianConsent
from app.ledger import services as ledger
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.steps import flash, heading, sign_in, visit
from tests.fake_stripe import FakeStripe

pytestmark = pytest.mark.e2e

SECRET = "whsec_e2e"


@pytest.fixture
def stripe_on(live_server):
    """The live server talks to a fake Stripe on 127.0.0.1 for this test only."""
    names = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")
    saved = {name: live_server.app.config.get(name) for name in names}
    with FakeStripe() as fake:
        live_server.app.config.update(STRIPE_SECRET_KEY="sk_test_e2e", STRIPE_WEBHOOK_SECRET=SECRET,
                                      STRIPE_API_BASE=fake.url)
        yield fake
        live_server.app.config.update(saved)


def _deliver(live_server, fake: FakeStripe) -> None:
    """Post each event the hosted pages caused to our webhook, signed as Stripe signs it."""
    while fake.page_events:
        payload = json.dumps(fake.page_events.pop(0)).encode()
        request = urllib.request.Request(f"{live_server.url}/stripe/webhook", data=payload, method="POST", headers={
            "Content-Type": "application/json", "Stripe-Signature": fake.sign(payload, SECRET)})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server on 127.0.0.1
            assert response.status == 200


def _setup(live_server, tag: str) -> dict:
    with live_server.app.app_context():
        funder = factories.create_user("funder", email=f"funder-{tag}@example.org", name=f"Fatima Funder{tag}")
        coordinator = factories.create_user("coordinator", email=f"coord-{tag}@example.org", name=f"Cora {tag}")
        mother = factories.create_user("guardian", email=f"nadia-{tag}@example.org", name=f"Nadia Guardian{tag}",
                                       age=44)
        minor = factories.create_user(age=15, consent="given", guardian_email=mother.email, name=f"Sami {tag}")
        db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == minor.id)).guardian_id = \
            mother.id
        lead = factories.create_user(email=f"lea-{tag}@example.org", name=f"Lea Lead{tag}")
        team = factories.create_team(lead, minor, name=f"Les Voix {tag}")
        call = factories.create_call(funder, title=f"Voices {tag}", pool=1_000_000, max_award=500_000, funded=0)
        db.commit()
        return {"funder": funder.email, "coordinator": coordinator.email, "mother": mother.email,
                "lead": lead.email, "team": team.id, "call": call.id, "mother_name": mother.display_name}


def _award(live_server, data: dict, tag: str) -> int:
    """The funder's decision (covered by its own journey): a grant of 3,000.00 in two tranches."""
    from app.calls.models import Call
    from app.teams.models import Team

    with live_server.app.app_context():
        team, call = db.session.get(Team, data["team"]), db.session.get(Call, data["call"])
        proposal = factories.create_proposal(team, call, state="awarded", title=f"Podcast {tag}", amount=300_000,
                                             tranches=[100_000, 200_000])
        grant_id = factories.sign_agreement(ledger.grant_of(proposal)).id
        db.commit()
        return grant_id


def test_money_from_a_funder_s_card_to_a_guardian_s_account(live_server, new_page, stripe_on):
    tag = uuid.uuid4().hex[:6]
    data = _setup(live_server, tag)

    # -- the funder contributes through Checkout ------------------------------------------------------------
    funder = new_page()
    visit(funder, "/signin")
    sign_in(funder, data["funder"], factories.PASSWORD)
    visit(funder, f"/calls/{data['call']}/manage")
    funder.get_by_role("link", name="Contribute to the pool").click()
    check_accessibility(funder)
    funder.get_by_label("Amount to give").fill("5000")
    funder.get_by_role("button", name="Continue to payment").click()
    expect(heading(funder, "Pay 5,000.00 CAD")).to_be_visible()  # Stripe's page (the fake's)
    funder.get_by_role("button", name="Pay").click()
    expect(heading(funder, f"Your contribution to “Voices {tag}”")).to_be_visible()
    expect(funder.get_by_text("The pool is credited with CA$5,000.00 when Stripe confirms the payment.",
                              exact=False)).to_be_visible()
    check_accessibility(funder)
    _deliver(live_server, stripe_on)  # checkout.session.completed, signed
    funder.get_by_role("link", name="Check again").click()
    expect(funder.get_by_text("your contribution of CA$5,000.00 was received and is in the pool",
                              exact=False)).to_be_visible()
    check_accessibility(funder)

    grant_id = _award(live_server, data, tag)

    # -- the lead names the guardian; she opens her payment account ---------------------------------------------
    lead = new_page()
    visit(lead, "/signin")
    sign_in(lead, data["lead"], factories.PASSWORD)
    visit(lead, f"/teams/{data['team']}")
    lead.get_by_role("link", name="Who receives the team's grant money").click()
    expect(heading(lead, f"Grant money for Les Voix {tag}")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_role("radio", name="A parent or guardian of a team member").check()
    lead.get_by_label("Guardian", exact=True).select_option(label=data["mother_name"])
    lead.get_by_role("button", name="Save the payee").click()
    expect(flash(lead, f"{data['mother_name']} will receive the team's grant money.")).to_be_visible()
    check_accessibility(lead)

    mother = new_page()
    visit(mother, "/signin")
    sign_in(mother, data["mother"], factories.PASSWORD)
    mother.get_by_role("link", name=re.compile(r"^Notices \(\d+\)$")).click()
    mother.get_by_role("link", name=re.compile(f"named you to receive the grant money of “Les Voix {tag}”")).click()
    expect(heading(mother, f"Grant money for Les Voix {tag}")).to_be_visible()
    check_accessibility(mother)
    mother.get_by_role("button", name="Open or finish my payment account with Stripe").click()
    expect(heading(mother, "Set up your payment account")).to_be_visible()  # Stripe's hosted onboarding (fake)
    mother.get_by_role("button", name="Submit my details").click()
    expect(flash(mother, "Your payment account is ready: the team's tranches will be paid to it.")).to_be_visible()
    check_accessibility(mother)
    _deliver(live_server, stripe_on)  # account.updated

    # -- the coordinator releases the first tranche: a transfer pays it -----------------------------------------
    coordinator = new_page()
    visit(coordinator, "/signin")
    sign_in(coordinator, data["coordinator"], factories.PASSWORD)
    visit(coordinator, f"/ledger/grants/{grant_id}")
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Release “Step 1”").click()
    expect(flash(coordinator, "CA$1,000.00 is on its way to the payee through Stripe.")).to_be_visible()
    tranches = coordinator.get_by_role("table", name="Tranches in the order of the milestones")
    expect(tranches.get_by_role("row").filter(has_text="Step 1")).to_contain_text(
        re.compile(r"paid \(Stripe transfer, tr_"))
    check_accessibility(coordinator)
    assert len(stripe_on.transfers) == 1 and stripe_on.transfers[0]["amount"] == 100_000

    coordinator.get_by_role("link", name="The call's money").click()
    expect(coordinator.get_by_text("Paid to teams")).to_be_visible()
    expect(coordinator.get_by_role("definition").filter(has_text="CA$1,000.00").first).to_be_visible()
    movements = coordinator.get_by_role("table", name="Movements of money, newest first")
    expect(movements.get_by_role("row").filter(has_text="Contribution received")).to_contain_text("CA$5,000.00")
    expect(movements.get_by_role("row").filter(has_text="Paid to the team")).to_contain_text("CA$1,000.00")
    check_accessibility(coordinator)
