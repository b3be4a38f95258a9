"""The ledger pages through the test client: figures, contributions and grants; a coordinator records a bank
transfer (bad input keeps what was typed); a team reads its own grant's money and nobody else's."""

from __future__ import annotations

import pytest

from app.ledger import balances as rules
from app.ledger import services as ledger
from tests.conftest import post
from tests.factories import contribute, create_call, create_proposal, create_team, create_user, sign_agreement
from tests.pages import field_error, input_value, text


@pytest.fixture
def scene():
    owner = create_user("funder", name="Fanny Funder")
    call = create_call(owner, title="Voices 2027", pool=1_000_000, max_award=500_000, funded=0)
    contribute(call, 600_000, name="Fondation Lumière", reference="VIR-1")
    team = create_team(create_user(name="Lina Lead"), name="Les Voix")
    proposal = create_proposal(team, call, state="awarded", title="Podcast", amount=400_000,
                               tranches=[100_000, 300_000])
    grant = sign_agreement(ledger.grant_of(proposal))
    ledger.record(call, rules.DISBURSEMENT, 100_000, grant=grant, reference="TR-1", memo="First tranche")
    return {"owner": owner, "call": call, "team": team, "grant": grant, "coordinator": create_user("coordinator")}


def test_the_call_s_funder_reads_every_figure_and_movement(login, scene):
    page = text(login(scene["owner"]).get(f"/ledger/calls/{scene['call'].id}"))
    assert ("Pool announced CA$10,000.00 Received in the pool CA$6,000.00 Committed to awards CA$4,000.00 "
            "Paid to teams CA$1,000.00 Available for new awards CA$2,000.00 Awarded, not yet paid CA$3,000.00") in page
    assert "Podcast Les Voix CA$4,000.00 CA$1,000.00 CA$3,000.00" in page
    assert "Fondation Lumière bank transfer CA$6,000.00 received VIR-1" in page
    assert "Paid to the team Podcast CA$1,000.00 TR-1 — First tranche" in page
    assert "Record a bank transfer received" not in page  # funders pay through the portal


def test_a_coordinator_records_a_bank_transfer_and_the_pool_grows(login, scene):
    client = login(scene["coordinator"])
    url = f"/ledger/calls/{scene['call'].id}/contributions"
    response = post(client, url, {"amount": "abc", "contributor_name": "Ville de Montréal", "reference": "",
                                  "memo": "Second instalment"})
    assert response.status_code == 400
    assert field_error(response, "amount") is not None
    assert field_error(response, "reference") == "This field is required."
    assert input_value(response, "contributor_name") == "Ville de Montréal"
    response = post(client, url, {"amount": "0", "contributor_name": "Ville de Montréal", "reference": "VM-7"})
    assert field_error(response, "amount") == "Enter an amount greater than zero."
    response = post(client, url, {"amount": "2 500,50", "contributor_name": "Ville de Montréal", "reference": "VM-7"},
                    follow_redirects=True)
    page = text(response)
    assert "CA$2,500.50 from Ville de Montréal is credited to the pool." in page
    assert "Received in the pool CA$8,500.50" in page and "Available for new awards CA$4,500.50" in page


@pytest.mark.parametrize("who", ["youth", "mentor", "other_funder", "lead"])
def test_only_the_call_s_managers_read_the_call_s_money(login, scene, who):
    person = scene["team"].lead if who == "lead" else create_user("funder" if who == "other_funder" else who)
    client = login(person)
    assert client.get(f"/ledger/calls/{scene['call'].id}").status_code == 403
    assert post(client, f"/ledger/calls/{scene['call'].id}/contributions", {"amount": "5"}).status_code == 403


def test_the_team_reads_its_grant_and_others_do_not(login, scene):
    page = text(login(scene["team"].lead).get(f"/ledger/grants/{scene['grant'].id}"))
    assert "Awarded CA$4,000.00 Paid CA$1,000.00 Still to pay CA$3,000.00" in page
    assert "Step 1 CA$1,000.00 planned not released Step 2 CA$3,000.00 planned not released" in page
    assert "The call's money" not in page
    assert login(create_user()).get(f"/ledger/grants/{scene['grant'].id}").status_code == 403
    proposal_page = text(login(scene["team"].lead).get(f"/proposals/{scene['grant'].proposal_id}"))
    assert "the grant's tranches and payments" in proposal_page


def test_the_call_page_makes_the_same_queries_for_few_and_many_grants(login, scene, count_queries):
    client = login(scene["owner"])
    url = f"/ledger/calls/{scene['call'].id}"
    few = count_queries(lambda: client.get(url))
    contribute(scene["call"], 5_000_000)
    for n in range(6):
        create_proposal(create_team(), scene["call"], state="awarded", title=f"Extra {n}", amount=50_000)
    many = count_queries(lambda: client.get(url))
    assert "Extra 5" in text(client.get(url))
    assert many == few
