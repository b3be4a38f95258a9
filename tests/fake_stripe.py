"""A fake Stripe API on 127.0.0.1 that the real StripeClient talks to over HTTP, for the tests.

It serves the few endpoints the portal uses (Checkout Sessions, Accounts, Account Links, Transfers), keeps
their objects in memory and answers with JSON shaped like Stripe's. It behaves like Stripe where our code
depends on it:

- Idempotency (docs.stripe.com/api/idempotent_requests): the first result of a POST that began executing is
  saved under its Idempotency-Key; the same key with the same endpoint and parameters replays it (header
  Idempotent-Replayed: true); the same key with anything else is a 400 idempotency_error. Validation errors
  are not saved, so a corrected retry may reuse the key.
- Errors use Stripe's body, {"error": {"type", "code", "message", ...}}. `fail_next` injects them: by
  default the request fails before it executes (nothing is created or saved, so the client's retry with
  the same key succeeds); with executed=True it runs and is saved, and only the answer is lost, as when a
  connection drops on the way back.
- A transfer needs a destination whose `transfers` capability is active (`set_account`) and, when
  `balance` is set, enough available funds in its currency.

Helpers make the events Stripe would send (`complete_checkout`, `set_account`, ...) and sign them the way
Stripe does (`sign`, `webhook`), with an HMAC written here rather than taken from the SDK under test.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

API_VERSION = "2026-10-28.endive"  # only echoed in events; the SDK sends its own Stripe-Version
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SUBKEY = re.compile(r"\[([^\[\]]*)\]")
_DEFAULT_ERRORS = {
    400: ("invalid_request_error", "parameter_invalid", "Invalid request (injected by the fake)."),
    401: ("invalid_request_error", None, "Invalid API Key provided."),
    402: ("card_error", "card_declined", "Your card was declined."),
    404: ("invalid_request_error", "resource_missing", "No such object (injected by the fake)."),
    429: ("invalid_request_error", "rate_limit", "Too many requests hit the API too quickly."),
    500: ("api_error", None, "Something went wrong on Stripe's end."),
}
_REQUIREMENTS = {
    "individual": ["external_account", "individual.dob.day", "individual.first_name", "individual.last_name",
                   "tos_acceptance.date", "tos_acceptance.ip"],
    "company": ["company.name", "company.tax_id", "external_account", "representative.first_name",
                "tos_acceptance.date", "tos_acceptance.ip"],
}


class StripeErrorResponse(Exception):
    """Raised inside a handler to answer with Stripe's error body."""

    def __init__(self, status: int, type_: str, message: str, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status, self.body = status, error_body(type_, message, code=code, param=param)


def error_body(type_: str, message: str, *, code: str | None = None, param: str | None = None, **extra) -> dict:
    error = {"type": type_, "message": message, **extra}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        error["param"] = param
    return {"error": error}


def parse_form(text: str) -> dict[str, Any]:
    """Stripe's form encoding back into nested values: a[b][0][c]=v -> {"a": {"b": [{"c": "v"}]}}."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = _KEY.match(key)
        if not match:
            raise StripeErrorResponse(400, "invalid_request_error", f"Invalid parameter name: {key}")
        parts = [match.group(1), *_SUBKEY.findall(match.group(2))]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise StripeErrorResponse(400, "invalid_request_error", f"Invalid parameter: {key}")
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any, name: str | None = None) -> Any:
    """Dicts keyed 0..n-1 are arrays, except metadata, whose keys are the caller's own."""
    if not isinstance(node, dict):
        return node
    node = {key: _lists(value, key) for key, value in node.items()}
    if name != "metadata" and node and sorted(node) == sorted(str(i) for i in range(len(node))):
        return [node[str(i)] for i in range(len(node))]
    return node


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" under the secret>."""
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook(event: dict, secret: str, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a webhook delivery, ready for client.post(url, data=body, headers=headers)."""
    body = json.dumps(event).encode()
    return body, {"Stripe-Signature": sign(body, secret, timestamp), "Content-Type": "application/json"}


def _id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def _int(params: dict, name: str, *, minimum: int = 0) -> int:
    value = params.get(name)
    if value is None or value == "":
        raise StripeErrorResponse(400, "invalid_request_error", f"Missing required param: {name}.",
                                  "parameter_missing", name)
    if not str(value).lstrip("-").isdigit() or int(value) < minimum:
        raise StripeErrorResponse(400, "invalid_request_error", f"Invalid integer: {value}",
                                  "parameter_invalid_integer", name)
    return int(value)


def _required(params: dict, name: str) -> Any:
    if not params.get(name):
        raise StripeErrorResponse(400, "invalid_request_error", f"Missing required param: {name}.",
                                  "parameter_missing", name)
    return params[name]


def _currency(params: dict, name: str = "currency") -> str:
    currency = str(_required(params, name)).lower()
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise StripeErrorResponse(400, "invalid_request_error", f"Invalid currency: {currency}.", "parameter_invalid",
                                  name)
    return currency


@dataclass
class Call:
    """One request the fake received and what it answered."""

    method: str
    path: str
    params: dict
    idempotency_key: str | None
    status: int = 0
    replayed: bool = False


@dataclass
class _Failure:
    prefix: str
    status: int
    body: dict
    times: int
    method: str | None
    executed: bool
    headers: dict = field(default_factory=dict)


def _page(heading: str, button: str | None) -> str:
    """A minimal, accessible stand-in for Stripe's hosted page: a heading and one button that posts."""
    form = f'<form method="post"><button type="submit">{button}</button></form>' if button else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{heading} · Fake Stripe</title>'
            f"</head><body><main><h1>{heading}</h1>{form}</main></body></html>")


class FakeStripe:
    """The fake server; start() it once and reset() it between tests (the fixtures in tests/payments do)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.server = HTTPServer(host=host, port=port, threaded=True)
        self.server.expect_request(re.compile(r"^/.*")).respond_with_handler(self._handle)
        self._lock = threading.RLock()
        self._routes = [
            ("POST", r"/v1/checkout/sessions", self._create_checkout_session),
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)", self._retrieve_checkout_session),
            ("POST", r"/v1/accounts", self._create_account),
            ("GET", r"/v1/accounts/(?P<id>[^/]+)", self._retrieve_account),
            ("POST", r"/v1/account_links", self._create_account_link),
            ("POST", r"/v1/transfers", self._create_transfer),
            ("GET", r"/v1/transfers", self._list_transfers),
            ("GET", r"/v1/transfers/(?P<id>[^/]+)", self._retrieve_transfer),
        ]
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> FakeStripe:
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server.is_running():
            self.server.stop()

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base address to give StripeClient(base_addresses={"api": ...})."""
        return self.server.url_for("/").rstrip("/")

    def reset(self) -> None:
        with self._lock:
            self.checkout_sessions: dict[str, dict] = {}
            self.accounts: dict[str, dict] = {}
            self.account_links: list[dict] = []
            self.transfers: list[dict] = []  # oldest first
            self.calls: list[Call] = []
            self.balance: dict[str, int] | None = None  # None: unlimited; else available funds by currency
            self._idempotency: dict[str, tuple[tuple, int, dict]] = {}
            self._failures: list[_Failure] = []
            self._line_items: dict[str, list] = {}
            self.page_events: list[dict] = []  # events the hosted pages caused, for the test to deliver
        self.server.clear_log()
        self.server.clear_assertions()
        self.server.clear_handler_errors()

    def check(self) -> None:
        """Re-raise any error a handler hit, so a bug in the fake is not mistaken for a Stripe outage."""
        self.server.check()

    # -- helpers for tests -----------------------------------------------------------------------------------
    def fail_next(self, path_prefix: str, status: int, body: dict | None = None, times: int = 1, *,
                  method: str | None = None, executed: bool = False, headers: dict | None = None) -> None:
        """The next `times` requests whose path starts with path_prefix answer `status` with Stripe's error body.

        executed=True runs the request (and saves its result under its idempotency key) before answering the
        error: the object exists in Stripe but the caller never learns its id.
        """
        if body is None:
            type_, code, message = _DEFAULT_ERRORS.get(status, _DEFAULT_ERRORS[500])
            extra = {"decline_code": "generic_decline"} if status == 402 else {}
            body = error_body(type_, message, code=code, **extra)
        with self._lock:
            self._failures.append(_Failure(path_prefix, status, body, times, method and method.upper(), executed,
                                           headers or {}))

    def clear_failures(self) -> None:
        """Stripe is back: drop the failures still waiting to be injected."""
        with self._lock:
            self._failures.clear()

    def requests(self, method: str | None = None, path: str | None = None) -> list[Call]:
        """The calls received, optionally only those of a method and whose path starts with `path`."""
        with self._lock:
            return [call for call in self.calls if (method is None or call.method == method.upper())
                    and (path is None or call.path.startswith(path))]

    def complete_checkout(self, session_id: str) -> dict:
        """The customer paid: the session is complete and paid; returns the checkout.session.completed event."""
        with self._lock:
            session = self.checkout_sessions[session_id]
            session.update(status="complete", payment_status="paid", url=None, payment_intent=_id("pi_"),
                           customer_details={"email": "funder@example.org", "name": "Test Funder"})
            return self.event("checkout.session.completed", session)

    def expire_checkout(self, session_id: str) -> dict:
        with self._lock:
            session = self.checkout_sessions[session_id]
            session.update(status="expired", url=None)
            return self.event("checkout.session.expired", session)

    def set_account(self, account_id: str, *, payouts_enabled: bool = True, charges_enabled: bool = False,
                    details_submitted: bool = True, requirements_due: tuple[str, ...] | list[str] = (),
                    transfers: str | None = None) -> dict:
        """Onboarding moved on; returns the account.updated event. `transfers` defaults to follow payouts."""
        with self._lock:
            account = self.accounts[account_id]
            before = copy.deepcopy(account)
            account.update(payouts_enabled=payouts_enabled, charges_enabled=charges_enabled,
                           details_submitted=details_submitted)
            account["capabilities"]["transfers"] = transfers or ("active" if payouts_enabled else "inactive")
            account["requirements"].update(
                currently_due=list(requirements_due), eventually_due=list(requirements_due), past_due=[],
                disabled_reason="requirements.past_due" if requirements_due else None)
            previous = {key: before[key] for key in account if before.get(key) != account[key]}
            return self.event("account.updated", account, account=account_id, previous_attributes=previous)

    def reverse_transfer(self, transfer_id: str) -> dict:
        with self._lock:
            transfer = self._find_transfer(transfer_id)
            transfer.update(reversed=True, amount_reversed=transfer["amount"])
            return self.event("transfer.reversed", transfer)

    def event(self, type_: str, obj: dict, *, account: str | None = None,
              previous_attributes: dict | None = None) -> dict:
        """An event payload as Stripe would post it, with a snapshot of the object as it is now."""
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        event = {"id": _id("evt_"), "object": "event", "api_version": API_VERSION, "created": int(time.time()),
                 "data": data, "livemode": False, "pending_webhooks": 1,
                 "request": {"id": None, "idempotency_key": None}, "type": type_}
        if account:
            event["account"] = account
        return event

    sign = staticmethod(sign)
    webhook = staticmethod(webhook)

    # -- HTTP ------------------------------------------------------------------------------------------------
    def _handle(self, request: Request) -> Response:
        with self._lock:
            call = Call(request.method, request.path, {}, request.headers.get("Idempotency-Key"))
            self.calls.append(call)
            status, body, headers = self._answer(request, call)
            call.status = status
        headers = {"Request-Id": _id("req_"), **headers}
        if isinstance(body, str):
            return Response(body, status, headers, content_type="text/html; charset=utf-8")
        return Response(json.dumps(body), status, headers, content_type="application/json")

    def _answer(self, request: Request, call: Call) -> tuple[int, Any, dict]:
        if not request.path.startswith("/v1/"):  # the pages a browser would visit: checkout, onboarding
            return self._hosted_page(request)
        if not request.headers.get("Authorization", "").startswith("Bearer sk_"):
            return 401, error_body("invalid_request_error", "Invalid API Key provided."), {}
        try:
            text = request.get_data(as_text=True) if request.method == "POST" else request.query_string.decode()
            call.params = params = parse_form(text)
        except StripeErrorResponse as error:
            return error.status, error.body, {}
        failure = self._take_failure(request)
        if failure and not failure.executed:
            return failure.status, failure.body, failure.headers
        key = call.idempotency_key if request.method == "POST" else None
        fingerprint = (request.method, request.path, json.dumps(params, sort_keys=True))
        if key and key in self._idempotency:
            saved_fingerprint, status, body = self._idempotency[key]
            if saved_fingerprint != fingerprint:
                status, body, headers = 400, error_body(
                    "idempotency_error",
                    f"Keys for idempotent requests can only be used with the same parameters they were first used "
                    f"with. Try using a key other than '{key}' if you meant to execute a different request."), {}
            else:
                call.replayed = True
                body, headers = copy.deepcopy(body), {"Idempotent-Replayed": "true", "Original-Request": "req_fake"}
        else:
            status, body = self._dispatch(request.method, request.path, params)
            headers = {}
            if key and (status < 400 or failure):  # validation errors are not saved (Stripe's rule)
                self._idempotency[key] = (fingerprint, status, copy.deepcopy(body))
        if failure:  # executed, but the answer is lost on the way back
            return failure.status, failure.body, failure.headers
        return status, body, headers

    # -- the hosted pages a person visits: Checkout and Connect onboarding, each with one button ---------------
    def _hosted_page(self, request: Request) -> tuple[int, str, dict]:
        checkout = re.fullmatch(r"/c/pay/(?P<id>[^/]+)", request.path)
        setup = re.fullmatch(r"/setup/e/(?P<account>[^/]+)/[^/]+", request.path)
        if checkout and checkout["id"] in self.checkout_sessions:
            session = self.checkout_sessions[checkout["id"]]
            if request.method == "POST":
                self.page_events.append(self.complete_checkout(session["id"]))
                return 303, "", {"Location": session["success_url"]}
            amount = f"{session['amount_total'] / 100:,.2f} {session['currency'].upper()}"
            return 200, _page(f"Pay {amount}", "Pay"), {}
        if setup and setup["account"] in self.accounts:
            link = next(link for link in reversed(self.account_links) if link["url"].endswith(request.path))
            if request.method == "POST":
                self.page_events.append(self.set_account(setup["account"], payouts_enabled=True))
                return 303, "", {"Location": link["return_url"]}
            return 200, _page("Set up your payment account", "Submit my details"), {}
        return 404, _page("Not found", None), {}

    def _take_failure(self, request: Request) -> _Failure | None:
        for failure in self._failures:
            if request.path.startswith(failure.prefix) and failure.method in (None, request.method):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _dispatch(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        for route_method, pattern, handler in self._routes:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                try:
                    return 200, handler(params, **match.groupdict())
                except StripeErrorResponse as error:
                    return error.status, error.body
        return 404, error_body("invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    # -- Checkout Sessions -----------------------------------------------------------------------------------
    def _create_checkout_session(self, params: dict) -> dict:
        if params.get("mode") != "payment":
            raise StripeErrorResponse(400, "invalid_request_error", "The fake supports mode=payment only.",
                                      "parameter_invalid", "mode")
        items = _required(params, "line_items")
        if not isinstance(items, list):
            raise StripeErrorResponse(400, "invalid_request_error", "line_items must be an array.",
                                      "parameter_invalid", "line_items")
        currencies, total = set(), 0
        for index, item in enumerate(items):
            price = item.get("price_data") or {}
            if not (price.get("product_data") or {}).get("name"):
                raise StripeErrorResponse(400, "invalid_request_error", "Missing required param: product_data.name.",
                                          "parameter_missing", f"line_items[{index}][price_data][product_data][name]")
            currencies.add(_currency(price))
            total += _int(price, "unit_amount") * _int(item, "quantity", minimum=1)
        if len(currencies) != 1:
            raise StripeErrorResponse(400, "invalid_request_error", "All line items must share one currency.",
                                      "parameter_invalid", "line_items")
        session_id = _id("cs_test_")
        session = {
            "id": session_id, "object": "checkout.session", "mode": "payment", "livemode": False,
            "amount_subtotal": total, "amount_total": total, "currency": currencies.pop(),
            "status": "open", "payment_status": "unpaid", "url": f"{self.url}/c/pay/{session_id}",
            "client_reference_id": params.get("client_reference_id"), "metadata": params.get("metadata") or {},
            "success_url": _required(params, "success_url"), "cancel_url": params.get("cancel_url"),
            "payment_intent": None, "customer": None, "customer_details": None,
            "created": int(time.time()), "expires_at": int(time.time()) + 24 * 3600,
        }
        self.checkout_sessions[session_id] = session
        self._line_items[session_id] = items
        return session

    def _retrieve_checkout_session(self, _params: dict, id: str) -> dict:  # noqa: A002 - Stripe's name
        if id not in self.checkout_sessions:
            raise _missing("checkout.session", id)
        return self.checkout_sessions[id]

    # -- Accounts and Account Links --------------------------------------------------------------------------
    def _create_account(self, params: dict) -> dict:
        controller = params.get("controller")
        if bool(controller) == bool(params.get("type")):
            raise StripeErrorResponse(400, "invalid_request_error", "Pass either type or controller, not both.",
                                      "parameter_invalid", "controller")
        kind = params.get("business_type") or "individual"
        dashboard = (controller or {}).get("stripe_dashboard", {}).get("type") or params.get("type")
        account_id = _id("acct_1")
        account = {
            "id": account_id, "object": "account", "type": {"none": "custom", "full": "standard"}.get(dashboard,
                                                                                                     dashboard),
            "controller": {**(controller or {}), "is_controller": True, "type": "application"},
            "business_type": kind, "country": (params.get("country") or "US").upper(), "email": params.get("email"),
            "charges_enabled": False, "payouts_enabled": False, "details_submitted": False,
            "capabilities": {name: "inactive" for name, wanted in (params.get("capabilities") or {}).items()
                             if str(wanted.get("requested")) == "true"},
            "requirements": {"currently_due": list(_REQUIREMENTS.get(kind, _REQUIREMENTS["individual"])),
                             "eventually_due": list(_REQUIREMENTS.get(kind, _REQUIREMENTS["individual"])),
                             "past_due": [], "pending_verification": [], "errors": [],
                             "disabled_reason": "requirements.past_due", "current_deadline": None},
            "tos_acceptance": {"service_agreement": (params.get("tos_acceptance") or {}).get("service_agreement",
                                                                                             "full")},
            "metadata": params.get("metadata") or {}, "created": int(time.time()),
        }
        self.accounts[account_id] = account
        return account

    def _retrieve_account(self, _params: dict, id: str) -> dict:  # noqa: A002
        if id not in self.accounts:
            raise _missing("account", id)
        return self.accounts[id]

    def _create_account_link(self, params: dict) -> dict:
        account_id = _required(params, "account")
        if account_id not in self.accounts:
            raise _missing("account", account_id, param="account")
        link_type = _required(params, "type")
        if link_type not in ("account_onboarding", "account_update"):
            raise StripeErrorResponse(400, "invalid_request_error", f"Invalid type: {link_type}.",
                                      "parameter_invalid", "type")
        if link_type == "account_update" and self.accounts[account_id]["type"] in ("express", "standard"):
            raise StripeErrorResponse(400, "invalid_request_error",
                                      "account_update links are not allowed for accounts with a Stripe Dashboard.",
                                      "parameter_invalid", "type")
        _required(params, "refresh_url")
        _required(params, "return_url")
        now = int(time.time())
        link = {"object": "account_link", "created": now, "expires_at": now + 300,
                "url": f"{self.url}/setup/e/{account_id}/{secrets.token_urlsafe(12)}"}
        self.account_links.append({**link, **params})
        return link

    # -- Transfers -------------------------------------------------------------------------------------------
    def _create_transfer(self, params: dict) -> dict:
        amount = _int(params, "amount", minimum=1)
        currency = _currency(params)
        destination = _required(params, "destination")
        account = self.accounts.get(destination)
        if account is None:
            raise _missing("destination", destination, param="destination")
        if account["capabilities"].get("transfers") != "active":
            raise StripeErrorResponse(
                400, "invalid_request_error",
                "Your destination account needs to have at least one of the following capabilities enabled: "
                "transfers, crypto_transfers, legacy_payments", "insufficient_capabilities_for_transfer",
                "destination")
        if self.balance is not None:
            if self.balance.get(currency, 0) < amount:
                raise StripeErrorResponse(
                    400, "invalid_request_error",
                    "You have insufficient available funds in your Stripe account.", "balance_insufficient")
            self.balance[currency] -= amount
        transfer_id = _id("tr_1")
        transfer = {
            "id": transfer_id, "object": "transfer", "amount": amount, "amount_reversed": 0, "currency": currency,
            "created": int(time.time()), "description": params.get("description"), "destination": destination,
            "destination_payment": _id("py_1"), "livemode": False, "metadata": params.get("metadata") or {},
            "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                          "url": f"/v1/transfers/{transfer_id}/reversals"},
            "reversed": False, "source_transaction": None, "source_type": "card",
            "transfer_group": params.get("transfer_group"),
        }
        self.transfers.append(transfer)
        return transfer

    def _list_transfers(self, params: dict) -> dict:
        limit = min(_int(params, "limit", minimum=1), 100) if "limit" in params else 10
        found = [transfer for transfer in reversed(self.transfers)  # newest first, as Stripe lists
                 if params.get("transfer_group") in (None, transfer["transfer_group"])
                 and params.get("destination") in (None, transfer["destination"])]
        return {"object": "list", "data": found[:limit], "has_more": len(found) > limit, "url": "/v1/transfers"}

    def _retrieve_transfer(self, _params: dict, id: str) -> dict:  # noqa: A002
        return self._find_transfer(id)

    def _find_transfer(self, transfer_id: str) -> dict:
        for transfer in self.transfers:
            if transfer["id"] == transfer_id:
                return transfer
        raise _missing("transfer", transfer_id)


def _missing(kind: str, object_id: str, *, param: str = "id") -> StripeErrorResponse:
    return StripeErrorResponse(404 if param == "id" else 400, "invalid_request_error",
                               f"No such {kind}: '{object_id}'", "resource_missing", param)
