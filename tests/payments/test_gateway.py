"""The Stripe gateway, through the real StripeClient over HTTP against the fake Stripe."""

from __future__ import annotations

import ast
import dataclasses
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.payments import gateway
from tests.fake_stripe import parse_form, sign

APP_DIR = Path(__file__).resolve().parents[2] / "app"


def _plain(value) -> bool:
    """True when value holds only builtin types: no Stripe object leaks out of the gateway."""
    if dataclasses.is_dataclass(value):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return type(value) is dict and all(_plain(k) and _plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    return value is None or type(value) in (str, int, bool)


def _checkout(**overrides):
    params = {
        "amount": 2500, "currency": "EUR", "description": "Contribution to the Spring call",
        "success_url": "https://passerelle.test/done?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://passerelle.test/cancelled", "reference": "contribution-41",
        "metadata": {"contribution_id": 41, "call_id": 7},
    }
    return gateway.create_checkout_session(**{**params, **overrides})


@pytest.fixture
def payee(stripe_app_config, fake_stripe):
    """A connected account that finished onboarding: transfers to it are allowed."""
    account = gateway.create_connected_account(email="guardian@example.org", country="ca", kind="individual",
                                               reference="payee-1")
    fake_stripe.set_account(account.id, payouts_enabled=True)
    return account.id


def _transfer(payee, **overrides):
    params = {"amount": 10_000, "currency": "CAD", "destination": payee, "idempotency_key": "disbursement-1",
              "transfer_group": "disbursement-1", "metadata": {"disbursement_id": 1}}
    return gateway.create_transfer(**{**params, **overrides})


# -- switched off -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("secret_key", "webhook_secret", "expected"), [
    (None, None, False), ("sk_test_x", None, False), (None, "whsec_x", False), ("", "", False),
    ("sk_test_x", "whsec_x", True),
])
def test_enabled_needs_both_keys(app, monkeypatch, secret_key, webhook_secret, expected):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", secret_key)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", webhook_secret)
    assert gateway.enabled() is expected


def test_calls_without_a_key_fail_before_any_network(app, monkeypatch, fake_stripe):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    with pytest.raises(gateway.GatewayError, match="not configured"):
        gateway.retrieve_account("acct_1")
    assert fake_stripe.calls == []


# -- Checkout -----------------------------------------------------------------------------------------------
def test_checkout_session_round_trip(stripe_app_config, fake_stripe):
    session = _checkout()

    assert session.id.startswith("cs_test_")
    assert (session.amount_total, session.currency, session.status, session.payment_status) == (
        2500, "eur", "open", "unpaid")
    assert session.url.startswith(fake_stripe.url)
    assert session.reference == "contribution-41"
    assert session.metadata == {"contribution_id": "41", "call_id": "7", "reference": "contribution-41"}
    assert _plain(session)
    [call] = fake_stripe.requests("POST", "/v1/checkout/sessions")
    assert call.params["mode"] == "payment"
    assert call.params["line_items"] == [{"quantity": "1", "price_data": {
        "currency": "eur", "unit_amount": "2500", "product_data": {"name": "Contribution to the Spring call"}}}]
    assert call.params["payment_intent_data"]["metadata"]["contribution_id"] == "41"
    assert call.params["success_url"].endswith("session={CHECKOUT_SESSION_ID}")
    assert call.idempotency_key  # the client sends one, so its own retries are safe

    assert gateway.retrieve_checkout_session(session.id) == session
    fake_stripe.complete_checkout(session.id)
    paid = gateway.retrieve_checkout_session(session.id)
    assert (paid.status, paid.payment_status, paid.amount_total) == ("complete", "paid", 2500)
    assert paid.payment_intent.startswith("pi_")


@pytest.mark.parametrize("amount", [0, -5, 12.5, True, "100"])
def test_checkout_refuses_amounts_that_are_not_positive_minor_units(stripe_app_config, fake_stripe, amount):
    with pytest.raises(ValueError, match="amount"):
        _checkout(amount=amount)
    assert fake_stripe.calls == []


def test_unknown_session_is_an_invalid_request(stripe_app_config, fake_stripe):
    with pytest.raises(gateway.InvalidRequest) as caught:
        gateway.retrieve_checkout_session("cs_test_missing")
    assert (caught.value.status, caught.value.code) == (404, "resource_missing")


def test_declined_is_payment_declined(stripe_app_config, fake_stripe):
    fake_stripe.fail_next("/v1/checkout/sessions", 402)
    with pytest.raises(gateway.PaymentDeclined) as caught:
        _checkout()
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (402, "card_declined", False)


def test_bad_request_is_invalid_request(stripe_app_config, fake_stripe):
    fake_stripe.fail_next("/v1/checkout/sessions", 400)
    with pytest.raises(gateway.InvalidRequest) as caught:
        _checkout()
    assert caught.value.status == 400
    assert len(fake_stripe.requests("POST")) == 1  # a 400 is not retried


def test_rejected_key_is_a_plain_gateway_error(stripe_app_config, fake_stripe):
    fake_stripe.fail_next("/v1/", 401)
    with pytest.raises(gateway.GatewayError) as caught:
        _checkout()
    assert type(caught.value) is gateway.GatewayError
    assert not caught.value.retryable


# -- Connect ------------------------------------------------------------------------------------------------
def test_connected_account_with_controller_properties_and_onboarding_link(stripe_app_config, fake_stripe):
    account = gateway.create_connected_account(email="org@example.org", country="fr", kind="company",
                                               reference="payee-9")

    assert account.id.startswith("acct_")
    assert not (account.payouts_enabled or account.charges_enabled or account.details_submitted)
    assert not account.transfers_active
    assert "external_account" in account.requirements_due
    assert _plain(account)
    [call] = fake_stripe.requests("POST", "/v1/accounts")
    assert call.params["controller"] == gateway.CONNECT_CONTROLLER
    assert "type" not in call.params  # controller properties, not the legacy account types
    assert call.params["capabilities"] == {"transfers": {"requested": "true"}}
    assert (call.params["country"], call.params["business_type"], call.params["email"]) == (
        "FR", "company", "org@example.org")
    assert call.params["metadata"] == {"reference": "payee-9"}
    assert "tos_acceptance" not in call.params

    url = gateway.create_account_link(account.id, refresh_url="https://passerelle.test/payee/refresh",
                                      return_url="https://passerelle.test/payee/return")
    assert url.startswith(fake_stripe.url)
    [link] = fake_stripe.requests("POST", "/v1/account_links")
    assert link.params == {"account": account.id, "type": "account_onboarding",
                           "refresh_url": "https://passerelle.test/payee/refresh",
                           "return_url": "https://passerelle.test/payee/return"}

    fake_stripe.set_account(account.id, payouts_enabled=True)
    ready = gateway.retrieve_account(account.id)
    assert (ready.payouts_enabled, ready.details_submitted, ready.transfers_active, ready.requirements_due) == (
        True, True, True, ())


def test_recipient_agreement_for_payees_abroad(stripe_app_config, fake_stripe):
    gateway.create_connected_account(email="g@example.org", country="SN", kind="individual", reference="p",
                                     service_agreement="recipient")
    [call] = fake_stripe.requests("POST", "/v1/accounts")
    assert call.params["tos_acceptance"] == {"service_agreement": "recipient"}


def test_requirements_due_come_from_stripe(stripe_app_config, fake_stripe, payee):
    fake_stripe.set_account(payee, payouts_enabled=False, requirements_due=["individual.verification.document"])
    account = gateway.retrieve_account(payee)
    assert account.requirements_due == ("individual.verification.document",)
    assert not account.payouts_enabled and not account.transfers_active


def test_link_for_an_unknown_account_is_an_invalid_request(stripe_app_config, fake_stripe):
    with pytest.raises(gateway.InvalidRequest) as caught:
        gateway.create_account_link("acct_missing", refresh_url="https://x.test/r", return_url="https://x.test/b")
    assert caught.value.code == "resource_missing"


# -- transfers ----------------------------------------------------------------------------------------------
def test_transfer_fields(stripe_app_config, fake_stripe, payee):
    transfer = _transfer(payee)
    assert transfer.id.startswith("tr_")
    assert (transfer.amount, transfer.currency, transfer.destination, transfer.transfer_group, transfer.reversed) == (
        10_000, "cad", payee, "disbursement-1", False)
    assert transfer.metadata == {"disbursement_id": "1"}
    assert _plain(transfer)
    assert gateway.retrieve_transfer(transfer.id) == transfer


def test_same_key_twice_replays_the_same_transfer(stripe_app_config, fake_stripe, payee):
    first = _transfer(payee)
    second = _transfer(payee)

    assert second == first
    assert len(fake_stripe.transfers) == 1
    calls = fake_stripe.requests("POST", "/v1/transfers")
    assert [call.idempotency_key for call in calls] == ["disbursement-1", "disbursement-1"]
    assert [call.replayed for call in calls] == [False, True]


def test_same_key_with_other_parameters_is_a_conflict(stripe_app_config, fake_stripe, payee):
    _transfer(payee)
    with pytest.raises(gateway.IdempotencyConflict) as caught:
        _transfer(payee, amount=20_000)
    assert not caught.value.retryable
    assert len(fake_stripe.transfers) == 1


def test_a_passing_500_is_retried_with_the_same_key(stripe_app_config, fake_stripe, payee):
    fake_stripe.fail_next("/v1/transfers", 500, method="POST")
    transfer = _transfer(payee)

    assert [t["id"] for t in fake_stripe.transfers] == [transfer.id]
    calls = fake_stripe.requests("POST", "/v1/transfers")
    assert [(call.status, call.idempotency_key) for call in calls] == [
        (500, "disbursement-1"), (200, "disbursement-1")]


def test_a_lost_answer_is_recovered_by_the_retry_not_repeated(stripe_app_config, fake_stripe, payee):
    fake_stripe.fail_next("/v1/transfers", 500, method="POST", executed=True)
    transfer = _transfer(payee)

    assert [t["id"] for t in fake_stripe.transfers] == [transfer.id]
    assert [call.replayed for call in fake_stripe.requests("POST", "/v1/transfers")] == [False, True]


def test_a_lasting_outage_is_retryable_and_creates_nothing(stripe_app_config, fake_stripe, payee):
    fake_stripe.fail_next("/v1/transfers", 500, method="POST", times=1 + gateway.MAX_NETWORK_RETRIES)
    with pytest.raises(gateway.GatewayUnavailable) as caught:
        _transfer(payee)

    assert caught.value.retryable and caught.value.status == 500
    assert fake_stripe.transfers == []
    assert len(fake_stripe.requests("POST", "/v1/transfers")) == 1 + gateway.MAX_NETWORK_RETRIES
    assert gateway.find_transfer("disbursement-1") is None


def test_a_transfer_whose_answers_were_all_lost_is_found_by_its_group(stripe_app_config, fake_stripe, payee):
    fake_stripe.fail_next("/v1/transfers", 500, method="POST", executed=True,
                          times=1 + gateway.MAX_NETWORK_RETRIES)
    with pytest.raises(gateway.GatewayUnavailable):
        _transfer(payee)

    found = gateway.find_transfer("disbursement-1")
    assert found is not None and found.id == fake_stripe.transfers[0]["id"]
    assert found.metadata == {"disbursement_id": "1"}
    assert len(fake_stripe.transfers) == 1


def test_rate_limited_is_retryable(stripe_app_config, fake_stripe, payee):
    fake_stripe.fail_next("/v1/transfers", 429, method="POST")
    with pytest.raises(gateway.GatewayUnavailable) as caught:
        _transfer(payee)
    assert caught.value.status == 429


def test_transfer_to_an_account_not_onboarded_is_refused(stripe_app_config, fake_stripe):
    account = gateway.create_connected_account(email="g@example.org", country="CA", kind="individual",
                                               reference="payee-2")
    with pytest.raises(gateway.InvalidRequest) as caught:
        _transfer(account.id)
    assert caught.value.code == "insufficient_capabilities_for_transfer"
    assert fake_stripe.transfers == []


def test_transfer_beyond_the_balance_is_refused(stripe_app_config, fake_stripe, payee):
    fake_stripe.balance = {"cad": 5_000}
    with pytest.raises(gateway.InvalidRequest) as caught:
        _transfer(payee)
    assert caught.value.code == "balance_insufficient"
    _transfer(payee, amount=5_000, idempotency_key="disbursement-1-retry")  # a refused request saved nothing
    assert fake_stripe.balance == {"cad": 0}


def test_find_transfer_by_group(stripe_app_config, fake_stripe, payee):
    assert gateway.find_transfer("disbursement-1") is None
    first = _transfer(payee)
    other = _transfer(payee, idempotency_key="disbursement-2", transfer_group="disbursement-2", amount=300)

    assert gateway.find_transfer("disbursement-1") == first
    assert gateway.find_transfer("disbursement-2") == other
    [call] = fake_stripe.requests("GET", "/v1/transfers")[:1]
    assert call.params["transfer_group"] == "disbursement-1"


def test_two_transfers_in_one_group_need_a_person(stripe_app_config, fake_stripe, payee):
    _transfer(payee)
    _transfer(payee, idempotency_key="someone-else")
    with pytest.raises(gateway.GatewayError) as caught:
        gateway.find_transfer("disbursement-1")
    assert caught.value.code == "duplicate_transfers"


def test_the_client_is_built_once_per_settings(stripe_app_config, app, fake_stripe):
    gateway.retrieve_checkout_session(_checkout().id)
    client = app.extensions[gateway._CLIENT_KEY][1]
    gateway.retrieve_checkout_session(_checkout().id)
    assert app.extensions[gateway._CLIENT_KEY][1] is client


# -- webhooks -----------------------------------------------------------------------------------------------
@pytest.fixture
def completed_event(stripe_app_config, fake_stripe):
    session = _checkout()
    return json.dumps(fake_stripe.complete_checkout(session.id)).encode()


def test_a_signed_event_is_parsed(completed_event, stripe_app_config):
    event = gateway.parse_event(completed_event, sign(completed_event, "whsec_test"))

    payload = json.loads(completed_event)
    assert (event.id, event.type, event.created) == (payload["id"], "checkout.session.completed", payload["created"])
    assert event.object_id.startswith("cs_test_") and event.object["payment_status"] == "paid"
    assert event.account is None
    assert _plain(event)


def test_connect_events_name_the_account(stripe_app_config, fake_stripe, payee):
    body = json.dumps(fake_stripe.set_account(payee, payouts_enabled=False)).encode()
    event = gateway.parse_event(body, sign(body, "whsec_test"))
    assert (event.type, event.account, event.object_id) == ("account.updated", payee, payee)


def test_the_fake_signs_exactly_as_the_sdk_does(completed_event):
    assert sign(completed_event, "whsec_test", 1_700_000_000) == stripe.WebhookSignature.generate_signature_header(
        completed_event.decode(), "whsec_test", 1_700_000_000)


@pytest.mark.parametrize("header", [
    pytest.param(lambda body: sign(body, "whsec_other"), id="forged with another secret"),
    pytest.param(lambda body: sign(body, "whsec_test", int(time.time()) - 301), id="stale"),
    pytest.param(lambda body: "garbage", id="malformed"),
    pytest.param(lambda body: "t=soon,v1=abc", id="timestamp not a number"),
    pytest.param(lambda body: sign(body, "whsec_test").replace("v1=", "v0="), id="no v1 signature"),
    pytest.param(lambda body: "", id="empty"),
    pytest.param(lambda body: None, id="missing"),
    pytest.param(lambda body: sign(body.replace(b'"paid"', b'"unpaid"'), "whsec_test"), id="signed other body"),
])
def test_bad_signatures_are_refused(completed_event, header):
    with pytest.raises(gateway.BadSignature):
        gateway.parse_event(completed_event, header(completed_event))


def test_a_body_altered_after_signing_is_refused(completed_event):
    header = sign(completed_event, "whsec_test")
    altered = completed_event.replace(b'"amount_total": 2500', b'"amount_total": 250000')
    assert altered != completed_event
    with pytest.raises(gateway.BadSignature):
        gateway.parse_event(altered, header)


def test_tolerance_is_the_callers(completed_event):
    header = sign(completed_event, "whsec_test", int(time.time()) - 60)
    assert gateway.parse_event(completed_event, header).type == "checkout.session.completed"
    with pytest.raises(gateway.BadSignature):
        gateway.parse_event(completed_event, header, tolerance=30)


def test_a_signed_body_that_is_not_an_event_is_refused(stripe_app_config):
    for body in (b"not json", b"[1, 2]", b'{"id": "evt_1"}', b"\xff\xfe"):
        with pytest.raises(gateway.BadSignature):
            gateway.parse_event(body, sign(body.decode("latin-1"), "whsec_test"))


def test_parse_event_without_a_webhook_secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", None)
    with pytest.raises(gateway.GatewayError, match="not configured"):
        gateway.parse_event(b"{}", "t=1,v1=abc")


# -- the fake's form parser agrees with the SDK's encoder ----------------------------------------------------
_names = st.from_regex(r"[a-z_][a-z0-9_]{0,11}", fullmatch=True)  # Stripe's parameter names
_metadata_keys = st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)  # the caller's own, digits included
_values = st.text(max_size=20)
_params = st.dictionaries(
    _names.filter(lambda name: name != "metadata"),
    st.one_of(_values, st.lists(st.dictionaries(_names, _values, min_size=1, max_size=3), min_size=1, max_size=3),
              st.dictionaries(_names, _values, min_size=1, max_size=3)),
    max_size=4,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(params=_params, metadata=st.dictionaries(_metadata_keys, _values, max_size=4))
def test_parse_form_reads_what_the_sdk_writes(params, metadata):
    from stripe._encode import _api_encode  # the encoder StripeClient uses for form bodies

    payload = {**params, "metadata": metadata}
    expected = {key: value for key, value in payload.items() if value != {}}  # the SDK leaves out empty hashes
    assert parse_form(urlencode(list(_api_encode(payload)))) == expected


# -- the one door ------------------------------------------------------------------------------------------
def _imports_stripe(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "stripe" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "stripe":
            return True
    return False


def test_only_the_gateway_imports_stripe():
    importers = sorted(str(path.relative_to(APP_DIR.parent)) for path in APP_DIR.rglob("*.py") if _imports_stripe(path))
    assert importers == ["app/payments/gateway.py"]
