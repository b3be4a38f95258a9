"""/stripe/webhook: verify, store each event once, and hand it to the handler for its type.

Stripe delivers at least once, late and out of order, and retries for days whatever did not get a 2xx. So:
- 404 while Stripe is off, 400 (nothing written) when the signature is forged, stale, malformed or missing;
- the event id is stored with its outcome in the same transaction as what the handler changed, so an event is
  handled once: a second delivery answers 200 "duplicate" (a concurrent one loses the primary-key race);
- 503 only for what may work later (Stripe unreachable while re-reading an object, our database failing): all
  is rolled back, the event is not stored, and Stripe's retry (for up to three days) handles it afresh;
- any other failure (Stripe refusing the request, a bug) would fail the same way on every retry, so it is
  logged, kept on the row as "error: <code>" with no processed_at, and answered 200: nothing is ever 500.
  A redelivery of such an event (Stripe Dashboard → "Resend") is handled again, once the cause is fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, abort, request
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import db
from app.db import utcnow
from app.payments import gateway
from app.payments.models import StripeEvent

log = logging.getLogger("passerelle.payments")

bp = Blueprint("stripe_webhook", __name__)

# Event type -> handler(event) returning a short outcome word kept on the StripeEvent row. A key may name a family,
# "transfer.*", which serves every type that starts with "transfer." and has no handler of its own.
HANDLERS: dict[str, Callable[[gateway.Event], str]] = {}

IGNORED = "ignored"
DUPLICATE = "duplicate"
_OUTCOME_LENGTH = 80  # StripeEvent.outcome


def handles(*event_types: str):
    """Register the decorated function as the handler of these event types (one handler per type)."""
    def register(handler: Callable[[gateway.Event], str]):
        for event_type in event_types:
            known = HANDLERS.get(event_type)
            if known is not None and _name(known) != _name(handler):
                raise RuntimeError(f"{event_type} is already handled by {_name(known)}")
            HANDLERS[event_type] = handler
        return handler
    return register


def _name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def handler_for(event_type: str) -> Callable[[gateway.Event], str] | None:
    if event_type in HANDLERS:
        return HANDLERS[event_type]
    family = event_type.rpartition(".")[0]
    return HANDLERS.get(f"{family}.*") if family else None


def _answer(text: str, status: int = 200, **headers):
    return text, status, {"Content-Type": "text/plain; charset=utf-8", **headers}


@bp.route("/stripe/webhook", methods=["POST"])
def receive():
    if not gateway.enabled():
        abort(404)
    try:
        event = gateway.parse_event(request.get_data(), request.headers.get("Stripe-Signature", ""))
    except gateway.BadSignature as error:
        log.warning("stripe webhook refused: %s", error)
        return _answer("invalid signature", 400)
    try:
        return _process(event)
    except SQLAlchemyError as error:  # the database busy, raced, unreachable or not migrated yet: ours to fix
        db.session.rollback()
        log.warning("stripe event %s (%s) not stored, Stripe will retry: %r", event.id, event.type, error)
        return _retry_later()


def _retry_later():
    return _answer("temporarily unavailable, retry later", 503, **{"Retry-After": "60"})


def _received(event_id: str) -> StripeEvent | None:
    """The event's row if it was stored before; locked, so a concurrent redelivery of a failed event waits."""
    return db.session.get(StripeEvent, event_id, with_for_update=True)


def _process(event: gateway.Event):
    row = _received(event.id)
    if row is not None and row.processed_at is not None:
        return _answer(DUPLICATE)
    if row is None:
        row = _store(event)
        if row is None:
            return _answer(DUPLICATE)
    handler = handler_for(event.type)
    try:
        outcome = handler(event) if handler is not None else IGNORED
    except (gateway.GatewayUnavailable, SQLAlchemyError) as error:
        # Stripe unreachable, or the database in trouble: rolled back, not stored, so the retry starts afresh.
        db.session.rollback()
        log.warning("stripe event %s (%s) not handled, Stripe will retry: %r", event.id, event.type, error)
        return _retry_later()
    except gateway.GatewayError as error:
        db.session.rollback()
        log.error("stripe event %s (%s) failed for good: %s", event.id, event.type, error)
        return _keep_failure(event, f"error: {error.code or error.status or type(error).__name__}")
    except Exception as error:  # a bug: the same on every retry, so kept for a person rather than retried
        db.session.rollback()
        log.exception("stripe event %s (%s) crashed its handler", event.id, event.type)
        return _keep_failure(event, f"error: {type(error).__name__}")
    row.outcome = str(outcome)[:_OUTCOME_LENGTH]
    row.processed_at = utcnow()
    return _commit(row.outcome)


def _store(event: gateway.Event) -> StripeEvent | None:
    """The event's row, flushed; None when a concurrent delivery of the same event stored it first."""
    row = StripeEvent(id=event.id, type=event.type[:80], object_id=event.object_id)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    return row


def _keep_failure(event: gateway.Event, outcome: str):
    row = db.session.get(StripeEvent, event.id) or _store(event)
    if row is None:
        return _answer(DUPLICATE)
    row.outcome, row.processed_at = outcome[:_OUTCOME_LENGTH], None
    return _commit(row.outcome)


def _commit(outcome: str):
    try:
        db.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("stripe webhook could not commit (%s), Stripe will retry: %r", outcome, error)
        return _retry_later()
    return _answer(outcome)


# Modules with handlers register them when imported; import them here, below HANDLERS and handles().
from app.payments import connect_events, contributions  # noqa: E402, F401  (checkout, account, transfer handlers)
