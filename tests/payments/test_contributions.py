"""A funder gives to a call's pool: the page and its figures, the Checkout Session opened at the fake Stripe with
the right amount, currency and references, bad amounts kept and explained, the page after paying, and the bank
transfer explained when Stripe is off."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import db
from app.calls.models import CallFunder
from app.ledger.models import Contribution
from app.payments import contributions, gateway
from tests.conftest import post
from tests.factories import contribute, create_call, create_user
from tests.fake_stripe import webhook
from tests.pages import field_error, input_value, text


@pytest.fixture
def scene():
    owner = create_user("funder", name="Fanny Funder")
    owner.organisation = "Fondation Lumière"
    call = create_call(owner, title="Voices 2027", pool=1_000_000, max_award=500_000, funded=0)
    contribute(call, 600_000, name="Ville de Montréal")
    return SimpleNamespace(owner=owner, call=call, url=f"/payments/calls/{call.id}/contribute")


def contributions_of(call) -> list[Contribution]:
    db.session.expire_all()
    return list(db.session.scalars(select(Contribution).where(Contribution.call_id == call.id,
                                                              Contribution.method == "stripe")
                                   .order_by(Contribution.id)))


def count_contributions() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Contribution))


# -- the page ------------------------------------------------------------------------------------------------------
def test_the_call_s_funder_sees_the_pool_and_the_form(login, scene, stripe_app_config, fake_stripe):
    response = login(scene.owner).get(scene.url)

    assert response.status_code == 200
    page = text(response)
    assert "Contribute to “Voices 2027”" in page
    assert ("Pool announced CA$10,000.00 Received in the pool CA$6,000.00 Available for new awards CA$6,000.00"
            in page)
    assert "Amount to give (required) In CAD, for example 250 or 1500.50." in page
    assert "Online, you can give up to CA$1,000,000.00 at a time." in page
    assert "Give by bank transfer" not in page
    # The form ends on Stripe's Checkout: the page's policy lets it go there, and nowhere else.
    assert f"form-action 'self' {fake_stripe.url};" in response.headers["Content-Security-Policy"]


def test_the_manage_page_links_to_the_contribution_for_the_call_s_funders(login, scene):
    page = text(login(scene.owner).get(f"/calls/{scene.call.id}/manage"))
    assert "Contribute to the pool" in page
    coordinator_page = text(login(create_user("coordinator")).get(f"/calls/{scene.call.id}/manage"))
    assert "Contribute to the pool" not in coordinator_page


def test_posting_an_amount_opens_a_checkout_and_redirects_to_it(app, login, scene, stripe_app_config, fake_stripe):
    response = post(login(scene.owner), scene.url, {"amount": "2 500,50"})

    assert response.status_code == 303
    [contribution] = contributions_of(scene.call)
    session = fake_stripe.checkout_sessions[contribution.stripe_session_id]
    assert response.headers["Location"] == session["url"]
    assert response.headers["Location"].startswith(f"{fake_stripe.url}/c/pay/cs_test_")
    assert (contribution.state, contribution.amount, contribution.currency, contribution.contributor_id,
            contribution.contributor_name, contribution.completed_at) == (
        "pending", 250_050, "CAD", scene.owner.id, "Fondation Lumière", None)
    assert (session["mode"], session["amount_total"], session["currency"]) == ("payment", 250_050, "cad")
    assert session["client_reference_id"] == f"contribution-{contribution.id}"
    assert session["metadata"] == {"contribution_id": str(contribution.id), "call_id": str(scene.call.id),
                                   "reference": f"contribution-{contribution.id}"}
    base = app.config["BASE_URL"]
    assert session["success_url"] == f"{base}/payments/contributions/{contribution.id}/done"
    assert session["cancel_url"] == f"{base}{scene.url}"
    [call] = fake_stripe.requests("POST", "/v1/checkout/sessions")
    assert call.idempotency_key == f"checkout-contribution-{contribution.id}"
    [item] = call.params["line_items"]
    assert item["price_data"]["product_data"]["name"] == "Contribution to “Voices 2027”"
    assert item["quantity"] == "1"
    assert call.params["payment_intent_data"]["metadata"]["contribution_id"] == str(contribution.id)


def test_the_whole_journey_pays_and_credits_the_pool(login, client, scene, stripe_app_config, fake_stripe):
    browser = login(scene.owner)
    location = post(browser, scene.url, {"amount": "100"}).headers["Location"]
    [contribution] = contributions_of(scene.call)
    done = f"/payments/contributions/{contribution.id}/done"
    page = text(browser.get(done))
    assert "Thank you. The pool is credited with CA$100.00 when Stripe confirms the payment." in page
    assert "State waiting for the payment" in page and "From Fondation Lumière" in page

    session_id = re.search(r"/c/pay/(cs_test_\w+)", location).group(1)
    body, headers = webhook(fake_stripe.complete_checkout(session_id), "whsec_test")
    assert client.post("/stripe/webhook", data=body, headers=headers).get_data(as_text=True) == "completed"

    page = text(browser.get(done))
    assert "Thank you: your contribution of CA$100.00 was received and is in the pool." in page
    assert "State received" in page
    page = text(browser.get(scene.url))
    assert "Received in the pool CA$6,100.00" in page
    assert "Your contributions to this call" in page and "CA$100.00 received" in page


@pytest.mark.parametrize(("typed", "message"), [
    ("0", "Enter an amount greater than zero."),
    ("-5", "Enter an amount that is not negative."),
    ("abc", "Enter the amount in figures, like 1500 or 1 500,50."),
    ("1.2.3", "Enter the amount in figures, like 1500 or 1 500,50."),
    ("1000000.01", "Online, you can give at most CA$1,000,000.00 at a time. For more, give by bank transfer."),
    ("99999999999", "Enter an amount of at most 10 000 000."),
    ("", "This field is required."),
])
def test_a_bad_amount_is_explained_next_to_the_field_and_kept(login, scene, stripe_app_config, fake_stripe, typed,
                                                             message):
    response = post(login(scene.owner), scene.url, {"amount": typed})

    assert response.status_code == 400
    assert field_error(response, "amount") == message
    assert input_value(response, "amount") == typed
    assert contributions_of(scene.call) == []
    assert fake_stripe.requests("POST") == []


def test_the_largest_amount_is_accepted(login, scene, stripe_app_config, fake_stripe):
    assert post(login(scene.owner), scene.url, {"amount": "1 000 000"}).status_code == 303
    assert [c.amount for c in contributions_of(scene.call)] == [100_000_000]


@pytest.mark.parametrize(("status", "times"), [(500, 1 + gateway.MAX_NETWORK_RETRIES), (400, 1), (401, 1)])
def test_stripe_failing_leaves_no_pending_row_and_says_so(login, scene, stripe_app_config, fake_stripe, status,
                                                         times):
    fake_stripe.fail_next("/v1/checkout/sessions", status, method="POST", times=times)

    response = post(login(scene.owner), scene.url, {"amount": "250"})

    assert response.status_code == 400
    assert ("The payment service is not available right now, and nothing was charged. Please try again in a few "
            "minutes.") in text(response)
    assert input_value(response, "amount") == "250"
    assert contributions_of(scene.call) == []
    assert fake_stripe.checkout_sessions == {}


def test_the_service_refuses_what_the_form_would(app, scene, stripe_app_config, fake_stripe):
    for amount in (None, 0, -100, 100_000_001):
        with pytest.raises(contributions.ValidationFailed) as caught:
            contributions.start(scene.owner, scene.call, amount)
        assert [name for name, _message in caught.value.errors] == ["amount"]
    assert fake_stripe.requests() == []


def test_an_amount_in_a_currency_without_cents(login, stripe_app_config, fake_stripe):
    owner = create_user("funder")
    call = create_call(owner, currency="XOF", pool=50_000_000, max_award=1_000_000, funded=0)
    url = f"/payments/calls/{call.id}/contribute"
    response = post(login(owner), url, {"amount": "10,50"})
    assert field_error(response, "amount") == "This currency has no cents: enter a whole amount."
    assert post(login(owner), url, {"amount": "25 000"}).status_code == 303
    [contribution] = contributions_of(call)
    assert fake_stripe.checkout_sessions[contribution.stripe_session_id]["amount_total"] == 25_000
    assert fake_stripe.checkout_sessions[contribution.stripe_session_id]["currency"] == "xof"


# -- who may give ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["other_funder", "youth", "mentor", "coordinator", "unconfirmed_owner"])
def test_only_the_call_s_confirmed_funders_may_give(login, scene, stripe_app_config, fake_stripe, who):
    if who == "unconfirmed_owner":
        person = create_user("funder", confirmed=False)
        scene.call.funders.append(CallFunder(user_id=person.id))
        db.session.flush()
    else:
        person = create_user("funder" if who == "other_funder" else who)
    client = login(person)
    assert client.get(scene.url).status_code == 403
    assert post(client, scene.url, {"amount": "100"}).status_code == 403
    assert count_contributions() == 1  # the factory's bank transfer only
    assert fake_stripe.requests() == []


def test_a_draft_call_takes_no_money(login, stripe_app_config):
    owner = create_user("funder")
    call = create_call(owner, state="draft", opens_in_days=1, funded=0)
    assert login(owner).get(f"/payments/calls/{call.id}/contribute").status_code == 403


def test_an_unknown_call_is_404_and_anonymous_people_sign_in(client, login, scene):
    assert client.get(scene.url).status_code == 302
    assert client.get(scene.url).headers["Location"].startswith("/signin?next=")
    assert login(scene.owner).get("/payments/calls/999999/contribute").status_code == 404


# -- Stripe off ----------------------------------------------------------------------------------------------
def test_with_stripe_off_the_page_explains_the_bank_transfer(login, scene):
    client = login(scene.owner)
    response = client.get(scene.url)

    assert response.status_code == 200
    page = text(response)
    assert "Give by bank transfer" in page
    assert "Online payment is not switched on for this portal." in page
    assert "A coordinator records the transfer when it reaches the programme's account" in page
    assert input_value(response, "amount") is None
    assert "Received in the pool CA$6,000.00" in page

    response = post(client, scene.url, {"amount": "100"})
    assert response.status_code == 400  # allowed to give, but there is nothing to pay online
    assert "Online payment is not available. See below how to give by bank transfer." in text(response)
    assert count_contributions() == 1


# -- the page after paying ---------------------------------------------------------------------------------------
@pytest.fixture
def pending(scene, stripe_app_config, fake_stripe):
    contribution, _url = contributions.start(scene.owner, scene.call, 10_000)
    return contribution


def test_the_done_page_is_the_contributor_s_only(login, client, scene, pending):
    url = f"/payments/contributions/{pending.id}/done"
    assert login(scene.owner).get(url).status_code == 200
    co_funder = create_user("funder")
    for person in (co_funder, create_user("coordinator"), create_user()):
        assert login(person).get(url).status_code == 403
    assert login(scene.owner).get("/payments/contributions/999999/done").status_code == 404


def test_the_done_page_anonymous_signs_in(app, pending):
    from tests.clients import isolated_client

    response = isolated_client(app).get(f"/payments/contributions/{pending.id}/done")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin?next=")


@pytest.mark.parametrize(("state", "message"), [
    ("expired", "This payment was not made: the payment page expired and nothing was charged."),
    ("failed", "This payment could not be credited to the pool. If you were charged, tell the coordinators"),
])
def test_the_done_page_says_when_the_money_never_came(login, scene, pending, state, message):
    pending.state = state
    db.session.flush()
    page = text(login(scene.owner).get(f"/payments/contributions/{pending.id}/done"))
    assert message in page
