"""/stripe/webhook through the test client, signed as Stripe signs, against the fake Stripe: each event is handled
once whatever the number and order of deliveries, the pool is credited only from Stripe's own view of the
session, a bad signature writes nothing, and only a passing outage asks Stripe to retry."""

from __future__ import annotations

import itertools
import json
import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry
from app.calls.models import Call
from app.ledger import services as ledger
from app.ledger.models import Contribution, LedgerEntry
from app.payments import contributions, gateway, webhooks
from app.payments.models import StripeEvent
from tests.databases import postgres_base_url
from tests.factories import create_call, create_user
from tests.fake_stripe import sign, webhook

URL = "/stripe/webhook"


@pytest.fixture
def scene(stripe_app_config, fake_stripe):
    funder = create_user("funder", name="Fanny Funder")
    call = create_call(funder, title="Voices 2027", pool=1_000_000, funded=0)
    return SimpleNamespace(funder=funder, call=call, fake=fake_stripe)


@pytest.fixture
def start(scene):
    """start(amount) -> a pending contribution with its Checkout Session open at the fake Stripe."""
    def _start(amount: int = 25_000) -> Contribution:
        contribution, _url = contributions.start(scene.funder, scene.call, amount)
        return contribution
    return _start


def deliver(client, event: dict, secret: str = "whsec_test", timestamp: int | None = None):
    body, headers = webhook(event, secret, timestamp)
    return client.post(URL, data=body, headers=headers)


def fresh(contribution: Contribution) -> Contribution:
    db.session.expire_all()
    return db.session.get(Contribution, contribution.id)


def credited(call) -> int:
    db.session.expire_all()
    return ledger.balances(call).contributed


def entries_for(contribution: Contribution) -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry)
                             .where(LedgerEntry.contribution_id == contribution.id))


def stored_events() -> list[StripeEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(StripeEvent).order_by(StripeEvent.received_at)))


def async_succeeded(fake, session_id: str) -> dict:
    return fake.event("checkout.session.async_payment_succeeded", fake.checkout_sessions[session_id])


def audit_actions(call) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "calls",
                                                                   AuditEntry.subject_id == call.id)
                                   .order_by(AuditEntry.id)))


# -- signatures and switches ---------------------------------------------------------------------------------
def test_a_signed_completion_is_stored_and_credits_the_pool(client, scene, start):
    contribution = start(25_000)
    event = scene.fake.complete_checkout(contribution.stripe_session_id)

    response = deliver(client, event)

    assert (response.status_code, response.get_data(as_text=True)) == (200, "completed")
    assert response.mimetype == "text/plain"
    [stored] = stored_events()
    assert (stored.id, stored.type, stored.object_id, stored.outcome) == (
        event["id"], "checkout.session.completed", contribution.stripe_session_id, "completed")
    assert stored.processed_at is not None
    contribution = fresh(contribution)
    assert contribution.state == "completed" and contribution.completed_at is not None
    assert credited(scene.call) == 25_000
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.contribution_id == contribution.id))
    assert (entry.kind, entry.amount, entry.currency, entry.source_key, entry.actor_id) == (
        "contribution", 25_000, "CAD", f"contribution:{contribution.id}", scene.funder.id)
    assert entry.reference == scene.fake.checkout_sessions[contribution.stripe_session_id]["payment_intent"]
    assert audit_actions(scene.call) == ["payments.contribution_completed"]
    # Stripe was asked, not believed on the event's word.
    assert [call.path for call in scene.fake.requests("GET")] == [
        f"/v1/checkout/sessions/{contribution.stripe_session_id}"]


def _forged(body):
    return sign(body, "whsec_other")


def _stale(body):
    return sign(body, "whsec_test", int(time.time()) - 301)


@pytest.mark.parametrize("header", [
    pytest.param(_forged, id="forged"),
    pytest.param(_stale, id="stale"),
    pytest.param(lambda body: "garbage", id="malformed"),
    pytest.param(lambda body: "t=1,v1=" + "0" * 64, id="wrong digest"),
    pytest.param(lambda body: None, id="missing"),
    pytest.param(lambda body: sign(body.replace(b"25000", b"99999"), "whsec_test"), id="signed another body"),
])
def test_a_bad_signature_is_refused_and_writes_nothing(client, scene, start, header):
    contribution = start(25_000)
    body = json.dumps(scene.fake.complete_checkout(contribution.stripe_session_id)).encode()
    value = header(body)
    headers = {"Content-Type": "application/json"} | ({"Stripe-Signature": value} if value is not None else {})

    response = client.post(URL, data=body, headers=headers)

    assert (response.status_code, response.get_data(as_text=True)) == (400, "invalid signature")
    assert stored_events() == []
    assert fresh(contribution).state == "pending"
    assert credited(scene.call) == 0
    assert scene.fake.requests("GET") == []


def test_a_body_that_is_not_an_event_is_refused(client, scene):
    for body in (b"not json", b"{}", b'{"id": "evt_1", "type": "x"}'):
        response = client.post(URL, data=body, headers={"Stripe-Signature": sign(body, "whsec_test")})
        assert response.status_code == 400
    assert stored_events() == []


@pytest.mark.parametrize("missing", ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_with_stripe_off_the_endpoint_does_not_exist(app, client, scene, start, missing):
    contribution = start(25_000)
    event = scene.fake.complete_checkout(contribution.stripe_session_id)
    # Not monkeypatch: its undo would run after stripe_app_config's and switch Stripe back on for later tests.
    app.config[missing] = None

    assert deliver(client, event).status_code == 404
    assert client.post(URL).status_code == 404
    assert stored_events() == []
    assert credited(scene.call) == 0


def test_an_unknown_type_is_stored_as_ignored(client, scene):
    event = scene.fake.event("customer.created", {"id": "cus_123", "object": "customer"})

    response = deliver(client, event)

    assert (response.status_code, response.get_data(as_text=True)) == (200, "ignored")
    [stored] = stored_events()
    assert (stored.id, stored.outcome, stored.object_id) == (event["id"], "ignored", "cus_123")
    assert stored.processed_at is not None
    assert deliver(client, event).get_data(as_text=True) == "duplicate"


def test_a_session_we_did_not_open_is_reported(client, scene):
    session = gateway.create_checkout_session(amount=500, currency="cad", description="Elsewhere",
                                              success_url="https://x.test/ok", cancel_url="https://x.test/no",
                                              reference="other-app-1")
    response = deliver(client, scene.fake.complete_checkout(session.id))
    assert response.get_data(as_text=True) == "unknown_session"
    assert [e.outcome for e in stored_events()] == ["unknown_session"]


# -- once, whatever the deliveries ------------------------------------------------------------------------------
def test_the_same_event_three_times_credits_once(client, scene, start):
    contribution = start(25_000)
    event = scene.fake.complete_checkout(contribution.stripe_session_id)

    answers = [deliver(client, event) for _ in range(3)]

    assert [(a.status_code, a.get_data(as_text=True)) for a in answers] == [
        (200, "completed"), (200, "duplicate"), (200, "duplicate")]
    assert len(stored_events()) == 1
    assert credited(scene.call) == 25_000
    assert entries_for(contribution) == 1
    assert audit_actions(scene.call) == ["payments.contribution_completed"]


ORDERS = sorted(set(itertools.permutations(["completed", "completed", "async", "async"])))


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(order) for order in ORDERS])
def test_completed_and_async_succeeded_in_any_order_credit_once(client, scene, start, order):
    contribution = start(40_000)
    session_id = contribution.stripe_session_id
    events = {"completed": scene.fake.complete_checkout(session_id),
              "async": async_succeeded(scene.fake, session_id)}

    answers = [deliver(client, events[name]).get_data(as_text=True) for name in order]

    assert answers.count("completed") == 1
    second = order.index(next(name for name in order if name != order[0]))  # the other event's first delivery
    assert answers[second] == "already_completed"
    assert sorted(answers) == sorted(["completed", "already_completed", "duplicate", "duplicate"])
    assert len(stored_events()) == 2
    assert fresh(contribution).state == "completed"
    assert credited(scene.call) == 40_000
    assert entries_for(contribution) == 1


def test_a_concurrent_duplicate_loses_the_insert_and_changes_nothing(client, scene, start, monkeypatch):
    contribution = start(25_000)
    event = scene.fake.complete_checkout(contribution.stripe_session_id)
    assert deliver(client, event).get_data(as_text=True) == "completed"
    # The second delivery checked before the first committed: its insert meets the primary key.
    monkeypatch.setattr(webhooks, "_received", lambda event_id: None)

    response = deliver(client, event)

    assert (response.status_code, response.get_data(as_text=True)) == (200, "duplicate")
    assert len(stored_events()) == 1
    assert credited(scene.call) == 25_000


# -- Stripe's word, not the payload's ----------------------------------------------------------------------------
def test_a_payload_that_says_paid_credits_nothing_while_stripe_says_unpaid(client, scene, start):
    contribution = start(25_000)
    session = dict(scene.fake.checkout_sessions[contribution.stripe_session_id],
                   status="complete", payment_status="paid")  # the event's snapshot, not Stripe's state
    response = deliver(client, scene.fake.event("checkout.session.completed", session))

    assert response.get_data(as_text=True) == "awaiting_payment"
    assert fresh(contribution).state == "pending"
    assert credited(scene.call) == 0


def test_a_bank_debit_is_credited_when_it_succeeds(client, scene, start):
    contribution = start(25_000)
    session_id = contribution.stripe_session_id
    session = scene.fake.checkout_sessions[session_id]
    session.update(status="complete", payment_status="unpaid")
    assert deliver(client, scene.fake.event("checkout.session.completed", session)).get_data(
        as_text=True) == "awaiting_payment"
    assert fresh(contribution).state == "pending"

    session.update(payment_status="paid")
    assert deliver(client, async_succeeded(scene.fake, session_id)).get_data(as_text=True) == "completed"
    assert credited(scene.call) == 25_000


@pytest.mark.parametrize(("field", "value", "outcome"), [
    ("amount_total", 2_500, "amount_mismatch"),
    ("currency", "eur", "currency_mismatch"),
])
def test_a_mismatch_fails_the_contribution_and_credits_nothing(client, scene, start, field, value, outcome):
    contribution = start(25_000)
    scene.fake.checkout_sessions[contribution.stripe_session_id][field] = value  # Stripe holds something else
    event = scene.fake.complete_checkout(contribution.stripe_session_id)

    response = deliver(client, event)

    assert (response.status_code, response.get_data(as_text=True)) == (200, outcome)
    assert fresh(contribution).state == "failed"
    assert credited(scene.call) == 0
    assert entries_for(contribution) == 0
    assert audit_actions(scene.call) == ["payments.contribution_refused"]
    assert deliver(client, async_succeeded(scene.fake, contribution.stripe_session_id)).get_data(
        as_text=True) == outcome
    assert credited(scene.call) == 0


def test_the_currency_is_compared_without_case(client, scene, start):
    contribution = start(25_000)
    scene.fake.checkout_sessions[contribution.stripe_session_id]["currency"] = "CAD"
    assert deliver(client, scene.fake.complete_checkout(contribution.stripe_session_id)).get_data(
        as_text=True) == "completed"


# -- closed sessions ---------------------------------------------------------------------------------------------
def test_an_expired_session_expires_a_pending_contribution(client, scene, start):
    contribution = start(25_000)
    response = deliver(client, scene.fake.expire_checkout(contribution.stripe_session_id))
    assert response.get_data(as_text=True) == "expired"
    assert fresh(contribution).state == "expired"
    assert credited(scene.call) == 0


def test_a_failed_bank_debit_fails_the_contribution(client, scene, start):
    contribution = start(25_000)
    session = scene.fake.checkout_sessions[contribution.stripe_session_id]
    response = deliver(client, scene.fake.event("checkout.session.async_payment_failed", session))
    assert response.get_data(as_text=True) == "failed"
    assert fresh(contribution).state == "failed"


@pytest.mark.parametrize("late", ["checkout.session.expired", "checkout.session.async_payment_failed"])
def test_a_completed_contribution_never_goes_back(client, scene, start, late):
    contribution = start(25_000)
    session_id = contribution.stripe_session_id
    assert deliver(client, scene.fake.complete_checkout(session_id)).get_data(as_text=True) == "completed"

    response = deliver(client, scene.fake.event(late, dict(scene.fake.checkout_sessions[session_id],
                                                          status="expired")))

    assert (response.status_code, response.get_data(as_text=True)) == (200, "already_completed")
    contribution = fresh(contribution)
    assert contribution.state == "completed" and contribution.completed_at is not None
    assert credited(scene.call) == 25_000


def test_an_expired_event_after_a_late_payment_does_not_undo_it(client, scene, start):
    """Out of order: Stripe says paid, an older expired event arrives later; and a payment after "expired"."""
    contribution = start(25_000)
    session_id = contribution.stripe_session_id
    expired = scene.fake.event("checkout.session.expired", dict(scene.fake.checkout_sessions[session_id],
                                                                status="expired"))
    assert deliver(client, expired).get_data(as_text=True) == "expired"
    assert deliver(client, scene.fake.complete_checkout(session_id)).get_data(as_text=True) == "completed"
    assert fresh(contribution).state == "completed"
    assert credited(scene.call) == 25_000


# -- failures -----------------------------------------------------------------------------------------------------
def test_stripe_down_while_re_reading_asks_for_a_retry_then_credits_once(client, scene, start):
    contribution = start(25_000)
    event = scene.fake.complete_checkout(contribution.stripe_session_id)
    scene.fake.fail_next("/v1/checkout/sessions/", 500, method="GET", times=1 + gateway.MAX_NETWORK_RETRIES)

    response = deliver(client, event)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert stored_events() == []
    assert fresh(contribution).state == "pending"
    assert credited(scene.call) == 0

    assert deliver(client, event).get_data(as_text=True) == "completed"
    assert deliver(client, event).get_data(as_text=True) == "duplicate"
    assert [e.outcome for e in stored_events()] == ["completed"]
    assert credited(scene.call) == 25_000
    assert entries_for(contribution) == 1


def test_a_refusal_from_stripe_is_kept_answered_200_and_handled_again_on_redelivery(client, scene, start):
    contribution = start(25_000)
    event = scene.fake.complete_checkout(contribution.stripe_session_id)
    scene.fake.fail_next("/v1/checkout/sessions/", 404, method="GET")

    response = deliver(client, event)

    assert (response.status_code, response.get_data(as_text=True)) == (200, "error: resource_missing")
    [stored] = stored_events()
    assert (stored.outcome, stored.processed_at) == ("error: resource_missing", None)
    assert credited(scene.call) == 0
    # Once the cause is fixed, a person resends the event from Stripe's Dashboard: it is handled again.
    assert deliver(client, event).get_data(as_text=True) == "completed"
    [stored] = stored_events()
    assert stored.outcome == "completed" and stored.processed_at is not None
    assert credited(scene.call) == 25_000


def test_a_crashing_handler_is_rolled_back_kept_and_never_a_500(client, scene, monkeypatch):
    def crash(event):
        db.session.add(StripeEvent(id="evt_written_by_the_handler", type="x"))
        db.session.flush()
        raise RuntimeError("bug")

    monkeypatch.setitem(webhooks.HANDLERS, "test.crash", crash)
    event = scene.fake.event("test.crash", {"id": "obj_1"})

    response = deliver(client, event)

    assert (response.status_code, response.get_data(as_text=True)) == (200, "error: RuntimeError")
    assert [(e.id, e.outcome, e.processed_at) for e in stored_events()] == [(event["id"], "error: RuntimeError",
                                                                             None)]


# -- the registry ------------------------------------------------------------------------------------------------
def test_handlers_for_checkout_are_registered():
    assert webhooks.handler_for("checkout.session.completed") is contributions.on_checkout_paid
    assert webhooks.handler_for("checkout.session.async_payment_succeeded") is contributions.on_checkout_paid
    assert webhooks.handler_for("checkout.session.expired") is contributions.on_checkout_closed
    assert webhooks.handler_for("checkout.session.async_payment_failed") is contributions.on_checkout_closed
    assert webhooks.handler_for("charge.refunded") is None


def test_a_family_handler_serves_the_types_without_their_own(monkeypatch):
    monkeypatch.setattr(webhooks, "HANDLERS", {})

    @webhooks.handles("transfer.*")
    def on_transfer(event):
        return "transfer"

    @webhooks.handles("transfer.reversed")
    def on_reversal(event):
        return "reversal"

    assert webhooks.handler_for("transfer.created") is on_transfer
    assert webhooks.handler_for("transfer.reversed") is on_reversal
    assert webhooks.handler_for("transferred") is None
    with pytest.raises(RuntimeError, match="already handled"):
        webhooks.handles("transfer.reversed")(lambda event: "other")


# -- real concurrency (PostgreSQL) ---------------------------------------------------------------------------------
@pytest.mark.skipif(postgres_base_url() is None, reason="row locks are a PostgreSQL matter; SQLite runs one writer")
def test_simultaneous_deliveries_credit_once(racing_app, fake_stripe):
    """Eight deliveries at the same moment, each in its own worker: four of checkout.session.completed and four
    of async_payment_succeeded for one session. The event ids and the call's lock let exactly one credit."""
    racing_app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET="whsec_test",
                             STRIPE_API_BASE=fake_stripe.url)
    with racing_app.app_context():
        funder = create_user("funder")
        call = create_call(funder, pool=1_000_000, funded=0)
        contribution, _url = contributions.start(funder, call, 30_000)
        db.commit()
        call_id, contribution_id, session_id = call.id, contribution.id, contribution.stripe_session_id
    events = [fake_stripe.complete_checkout(session_id), async_succeeded(fake_stripe, session_id)]
    barrier = threading.Barrier(8)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def deliver_at_once(event: dict) -> None:
        body, headers = webhook(event, "whsec_test")
        client = racing_app.test_client()
        barrier.wait()
        response = client.post(URL, data=body, headers=headers)
        with lock:
            answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=deliver_at_once, args=(events[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 8 and {status for status, _ in answers} == {200}
    outcomes = sorted(text for _, text in answers)
    assert outcomes.count("completed") == 1
    assert outcomes.count("already_completed") + outcomes.count("completed") == 2  # one per event id
    assert outcomes.count("duplicate") == 6
    with racing_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 2
        assert db.session.get(Contribution, contribution_id).state == "completed"
        assert ledger.balances(db.session.get(Call, call_id)).contributed == 30_000
