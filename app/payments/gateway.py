"""The one door to Stripe: the only module that imports `stripe`.

It builds one `StripeClient` from the Flask config and turns Stripe objects into plain values and Stripe
errors into ours, so the rest of the app (and its tests) never depend on the SDK's types. Amounts are
integer minor units, as Stripe counts them; currencies are sent lowercased. No call happens at import time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import stripe
from flask import current_app

# The client retries 409, 5xx and network errors itself, with the same idempotency key, so a retry never
# repeats a transfer; two retries ride out a blip without holding a request for long.
MAX_NETWORK_RETRIES = 2
# Seconds to connect and to read; Stripe's default read timeout (80 s) would hold a web worker too long.
TIMEOUT = (5, 30)
_CLIENT_KEY = "passerelle.stripe_client"

# Connected accounts use controller properties, which Stripe now recommends over the legacy Standard/Express/
# Custom types (docs.stripe.com/connect/migrate-to-controller-properties). We pay guardians and sponsoring
# organisations with separate charges and transfers; for those "indirect charges" Stripe recommends that the
# platform own Stripe fees and negative balances (docs.stripe.com/connect/configuration-migration-guide), so
# fees.payer and losses.payments are "application". Stripe collects and keeps up to date the identity
# requirements itself, through its hosted onboarding reached by an account link (requirement_collection
# "stripe"), so the portal never handles a guardian's identity documents; the payee gets the light Express
# Dashboard to see payouts and bank details (the full Dashboard goes with accounts that bear fees and losses).
CONNECT_CONTROLLER = {
    "stripe_dashboard": {"type": "express"},
    "fees": {"payer": "application"},
    "losses": {"payments": "application"},
    "requirement_collection": "stripe",
}


class GatewayError(Exception):
    """Stripe refused or failed; `retryable` says whether trying again later may succeed."""

    retryable = False

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


class PaymentDeclined(GatewayError):
    """402: a card error or a declined payment."""


class InvalidRequest(GatewayError):
    """400 or 404: the parameters or the object named are wrong; retrying the same call cannot help."""


class GatewayUnavailable(GatewayError):
    """5xx, rate limit or network failure, after the client's own retries: try again later with the same key."""

    retryable = True


class IdempotencyConflict(GatewayError):
    """The idempotency key was already used with other parameters: a bug on our side, never retry."""


class BadSignature(GatewayError):
    """A webhook whose signature is forged, malformed or stale."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    amount_total: int | None
    currency: str | None
    status: str | None  # open, complete, expired
    payment_status: str | None  # unpaid, paid, no_payment_required
    reference: str | None = None  # our client_reference_id
    payment_intent: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Account:
    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    requirements_due: tuple[str, ...]
    transfers_active: bool = False  # the capability a transfer to this account needs


@dataclass(frozen=True)
class Transfer:
    id: str
    amount: int
    currency: str
    destination: str
    transfer_group: str | None
    reversed: bool
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    object_id: str | None
    object: dict[str, Any]
    created: int
    account: str | None = None  # the connected account, for events from Connect


def enabled() -> bool:
    """Stripe is used only when both keys are set; otherwise money is recorded by hand."""
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


def _client() -> stripe.StripeClient:
    """One client per app and settings, reused so its HTTP connections are kept alive."""
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        raise GatewayError("Stripe is not configured: STRIPE_SECRET_KEY is empty")
    base = current_app.config.get("STRIPE_API_BASE")
    cached = current_app.extensions.get(_CLIENT_KEY)
    if cached and cached[0] == (key, base):
        return cached[1]
    client = stripe.StripeClient(key, base_addresses={"api": base} if base else None,
                                 max_network_retries=MAX_NETWORK_RETRIES,
                                 http_client=stripe.RequestsClient(timeout=TIMEOUT))
    current_app.extensions[_CLIENT_KEY] = ((key, base), client)
    return client


def _call(request: Callable[[Any], Any]) -> dict[str, Any]:
    """Run request(client.v1) and return its answer as a dict; Stripe's exceptions become ours."""
    try:
        return request(_client().v1).to_dict()
    except stripe.StripeError as error:
        status, code = error.http_status, error.code
        message = f"Stripe {type(error).__name__} ({status}, {code}): {error.user_message or error}"
        if isinstance(error, stripe.CardError) or status == 402:
            raise PaymentDeclined(message, code=code, status=status) from error
        if isinstance(error, stripe.IdempotencyError):
            raise IdempotencyConflict(message, code=code, status=status) from error
        if isinstance(error, stripe.InvalidRequestError):
            raise InvalidRequest(message, code=code, status=status) from error
        if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
            raise GatewayUnavailable(message, code=code, status=status) from error
        raise GatewayError(message, code=code, status=status) from error  # authentication, permission


def _options(idempotency_key: str | None) -> dict[str, str]:
    # Without a key of ours the client makes one per call and reuses it across its own retries.
    return {"idempotency_key": idempotency_key} if idempotency_key else {}


def _money(amount: int, currency: str) -> tuple[int, str]:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"amount must be a positive integer of minor units, not {amount!r}")
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError(f"currency must be an ISO 4217 code, not {currency!r}")
    return amount, currency.lower()


def _strings(metadata: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(key): str(value) for key, value in (metadata or {}).items()}


def _checkout_session(data: Mapping[str, Any]) -> CheckoutSession:
    return CheckoutSession(data["id"], data.get("url"), data.get("amount_total"), data.get("currency"),
                           data.get("status"), data.get("payment_status"), data.get("client_reference_id"),
                           _id(data.get("payment_intent")), dict(data.get("metadata") or {}))


def _account(data: Mapping[str, Any]) -> Account:
    requirements = data.get("requirements") or {}
    due = [*(requirements.get("past_due") or ()), *(requirements.get("currently_due") or ())]
    return Account(data["id"], bool(data.get("charges_enabled")), bool(data.get("payouts_enabled")),
                   bool(data.get("details_submitted")), tuple(dict.fromkeys(due)),
                   transfers_active=(data.get("capabilities") or {}).get("transfers") == "active")


def _transfer(data: Mapping[str, Any]) -> Transfer:
    return Transfer(data["id"], data["amount"], data["currency"], _id(data.get("destination")),
                    data.get("transfer_group"), bool(data.get("reversed")), dict(data.get("metadata") or {}))


def _id(value: Any) -> Any:
    """An expandable field holds an id, or the object itself when expanded."""
    return value.get("id") if isinstance(value, Mapping) else value


def create_checkout_session(*, amount: int, currency: str, description: str, success_url: str, cancel_url: str,
                            reference: str, metadata: Mapping[str, Any] | None = None,
                            idempotency_key: str | None = None) -> CheckoutSession:
    """A one-off payment page; success_url may hold {CHECKOUT_SESSION_ID}, which Stripe fills in."""
    amount, currency = _money(amount, currency)
    tags = {**_strings(metadata), "reference": reference}
    price = {"currency": currency, "unit_amount": amount, "product_data": {"name": description}}
    params = {"mode": "payment", "line_items": [{"price_data": price, "quantity": 1}], "client_reference_id": reference,
              "success_url": success_url, "cancel_url": cancel_url, "metadata": tags,
              "payment_intent_data": {"metadata": tags}}  # the payment in Stripe's Dashboard names our row too
    return _checkout_session(_call(lambda v1: v1.checkout.sessions.create(params, _options(idempotency_key))))


def retrieve_checkout_session(session_id: str) -> CheckoutSession:
    return _checkout_session(_call(lambda v1: v1.checkout.sessions.retrieve(session_id)))


def create_connected_account(*, email: str, country: str, kind: Literal["individual", "company"], reference: str,
                             service_agreement: Literal["full", "recipient"] = "full",
                             idempotency_key: str | None = None) -> Account:
    """An account that can receive transfers (see CONNECT_CONTROLLER for its configuration and why).

    A "recipient" agreement is what Stripe requires for payees in another country than the platform's, where
    Stripe offers it; payees under it cannot take payments, which ours never do.
    """
    if kind not in ("individual", "company"):
        raise ValueError(f"kind must be individual or company, not {kind!r}")
    params = {"email": email, "country": country.upper(), "business_type": kind, "controller": CONNECT_CONTROLLER,
              "capabilities": {"transfers": {"requested": True}},  # payees only receive money, never take payments
              "metadata": {"reference": reference}}
    if service_agreement != "full":
        params["tos_acceptance"] = {"service_agreement": service_agreement}
    return _account(_call(lambda v1: v1.accounts.create(params, _options(idempotency_key))))


def create_account_link(account_id: str, *, refresh_url: str, return_url: str) -> str:
    """A single-use onboarding address that expires in minutes: redirect to it at once, never store it."""
    params = {"account": account_id, "type": "account_onboarding", "refresh_url": refresh_url,
              "return_url": return_url}
    return _call(lambda v1: v1.account_links.create(params))["url"]


def retrieve_account(account_id: str) -> Account:
    return _account(_call(lambda v1: v1.accounts.retrieve(account_id)))


def create_transfer(*, amount: int, currency: str, destination: str, idempotency_key: str, transfer_group: str,
                    metadata: Mapping[str, Any] | None = None) -> Transfer:
    """Move money to a connected account, once: the key and the group come from our disbursement row.

    Stripe keeps idempotency keys for at least 24 hours only, so the caller stores the transfer id on its row,
    and reconciliation finds a transfer whose answer was lost through its transfer_group (find_transfer).
    """
    amount, currency = _money(amount, currency)
    params = {"amount": amount, "currency": currency, "destination": destination,
              "transfer_group": transfer_group, "metadata": _strings(metadata)}
    return _transfer(_call(lambda v1: v1.transfers.create(params, _options(idempotency_key))))


def retrieve_transfer(transfer_id: str) -> Transfer:
    return _transfer(_call(lambda v1: v1.transfers.retrieve(transfer_id)))


def find_transfer(transfer_group: str) -> Transfer | None:
    """The transfer made for a group, or None; several mean money went out twice, which a person must see."""
    transfers = _call(lambda v1: v1.transfers.list({"transfer_group": transfer_group, "limit": 10}))["data"]
    if len(transfers) > 1:
        ids = ", ".join(transfer["id"] for transfer in transfers)
        raise GatewayError(f"several transfers in group {transfer_group}: {ids}", code="duplicate_transfers")
    return _transfer(transfers[0]) if transfers else None


def parse_event(payload: bytes, signature_header: str | None, *, tolerance: int = 300) -> Event:
    """A webhook event, once its Stripe-Signature is checked against the raw body and its age is within tolerance.

    Stripe signs f"{t}.{body}" with HMAC-SHA256 under the endpoint's secret; we verify before parsing
    anything, so a forged or replayed body never reaches our code. No API call is made.
    """
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise GatewayError("Stripe is not configured: STRIPE_WEBHOOK_SECRET is empty")
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance)
        data = json.loads(payload)
        obj = data["data"]["object"]
        return Event(id=data["id"], type=data["type"], object_id=obj.get("id"), object=obj,
                     created=int(data.get("created") or 0), account=data.get("account"))
    except stripe.SignatureVerificationError as error:
        raise BadSignature(f"Stripe webhook refused: {error}") from error
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise BadSignature(f"Stripe webhook body unreadable: {error!r}") from error
