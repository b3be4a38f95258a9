"""A funder's contribution to a call's pool through Stripe Checkout: the pending row, the Checkout Session, and
the webhook handlers that credit the pool once Stripe says the money is there.

Services flush and never commit. The pool is credited only from Stripe's own current view of the session
(re-read, never taken from the event's payload), under the call's lock, with the ledger's source_key
"contribution:<id>": however many times and in whatever order the events arrive, the money is counted once.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit, db
from app.accounts.services import link
from app.calls.models import Call
from app.db import utcnow
from app.ledger import balances as rules
from app.ledger import services as ledger
from app.ledger.models import Contribution
from app.money import decimals_of, format_money
from app.payments import gateway, webhooks
from app.validation import ValidationFailed

log = logging.getLogger("passerelle.payments")

MAX_UNITS = 1_000_000  # the most one online payment may be, in major units; more goes by bank transfer
UNAVAILABLE = _l("The payment service is not available right now, and nothing was charged. "
                 "Please try again in a few minutes.")

# The moves a contribution paid through Stripe may make. Stripe's word that the money arrived outranks an earlier
# "expired" or "failed" (the money is in our account, so it is counted); nothing leaves "completed".
MOVES = {
    "pending": {"completed", "expired", "failed"},
    "expired": {"completed"},
    "failed": {"completed"},
    "completed": set(),
}


class IllegalMove(ValueError):
    pass


def _move(contribution: Contribution, state: str) -> None:
    if state not in MOVES[contribution.state]:
        raise IllegalMove(f"contribution {contribution.id}: {contribution.state} -> {state}")
    contribution.state = state
    contribution.completed_at = utcnow() if state == "completed" else None


def maximum(currency: str) -> int:
    """The largest online contribution, in minor units of the currency."""
    return MAX_UNITS * 10 ** decimals_of(currency)


def contributor_name(funder) -> str:
    """Receipts name the organisation the funder gives for, or the person."""
    return ((getattr(funder, "organisation", None) or "").strip() or funder.display_name)[:120]


def start(funder, call: Call, amount: int | None) -> tuple[Contribution, str]:
    """A pending contribution and the Stripe Checkout page where the funder pays it.

    On ValidationFailed the caller rolls back, so no pending row is left behind for a checkout that never opened.
    """
    if amount is None or amount <= 0:
        raise ValidationFailed([("amount", _l("Enter an amount greater than zero."))])
    if amount > maximum(call.currency):
        raise ValidationFailed([("amount", _l(
            "Online, you can give at most %(max)s at a time. For more, give by bank transfer.",
            max=format_money(maximum(call.currency), call.currency)))])
    contribution = Contribution(call_id=call.id, contributor_id=funder.id, contributor_name=contributor_name(funder),
                                amount=amount, currency=call.currency, method="stripe", state="pending")
    db.session.add(contribution)
    db.session.flush()
    try:
        session = gateway.create_checkout_session(
            amount=amount, currency=call.currency,
            description=_("Contribution to “%(title)s”", title=call.title),
            success_url=link("contributions.done", contribution_id=contribution.id),
            cancel_url=link("contributions.contribute", call_id=call.id),
            reference=f"contribution-{contribution.id}",
            metadata={"contribution_id": contribution.id, "call_id": call.id},
            idempotency_key=f"checkout-contribution-{contribution.id}")
    except gateway.GatewayError as error:
        (log.warning if error.retryable else log.error)("checkout for contribution %s not opened: %s",
                                                        contribution.id, error)
        raise ValidationFailed([(None, UNAVAILABLE)]) from error
    if not session.url:
        log.error("checkout session %s for contribution %s came without a url", session.id, contribution.id)
        raise ValidationFailed([(None, UNAVAILABLE)])
    contribution.stripe_session_id = session.id
    db.session.flush()
    return contribution, session.url


# -- what Stripe tells us ---------------------------------------------------------------------------------------
def _by_session(session_id: str | None) -> Contribution | None:
    if not session_id:
        return None
    return db.session.scalar(select(Contribution).where(Contribution.stripe_session_id == session_id))


def _locked(contribution: Contribution) -> tuple[Call, Contribution]:
    """The call locked (the ledger's lock: one money decision per call at a time) and the contribution re-read
    under it, so a concurrent delivery's change is seen."""
    call = ledger.locked_call(contribution.call_id)
    fresh = db.session.execute(select(Contribution).where(Contribution.id == contribution.id)
                               .execution_options(populate_existing=True)).scalar_one()
    return call, fresh


@webhooks.handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def on_checkout_paid(event: gateway.Event) -> str:
    """Credit the pool once Stripe says the session is paid, for the amount and currency we asked for."""
    contribution = _by_session(event.object_id)
    if contribution is None:
        return "unknown_session"
    # Stripe's state now, not the event's snapshot: a late or replayed event cannot credit what is not paid.
    # Done before taking the lock, so no lock waits on Stripe.
    session = gateway.retrieve_checkout_session(event.object_id)
    call, contribution = _locked(contribution)
    if contribution.state == "completed":
        return "already_completed"
    if session.payment_status != "paid":
        return "awaiting_payment"  # e.g. a bank debit: async_payment_succeeded follows
    problem = None
    if (session.currency or "").lower() != call.currency.lower():
        problem = "currency_mismatch"
    elif session.amount_total != contribution.amount:
        problem = "amount_mismatch"
    if problem:
        log.error("checkout session %s for contribution %s: %s (Stripe %s %s, expected %s %s)", session.id,
                  contribution.id, problem, session.amount_total, session.currency, contribution.amount,
                  call.currency)
        if "failed" in MOVES[contribution.state]:
            _move(contribution, "failed")
        audit.record(None, "payments.contribution_refused", call, contribution_id=contribution.id, reason=problem,
                     stripe_session=session.id, stripe_amount=session.amount_total, stripe_currency=session.currency)
        return problem
    _move(contribution, "completed")
    db.session.flush()
    ledger.record(call, rules.CONTRIBUTION, contribution.amount, actor=contribution.contributor,
                  contribution=contribution, source_key=f"contribution:{contribution.id}",
                  reference=session.payment_intent or session.id)
    audit.record(contribution.contributor, "payments.contribution_completed", call, contribution_id=contribution.id,
                 amount=contribution.amount, currency=contribution.currency, stripe_session=session.id)
    return "completed"


@webhooks.handles("checkout.session.expired", "checkout.session.async_payment_failed")
def on_checkout_closed(event: gateway.Event) -> str:
    """The money never came: a pending contribution is closed. Both states are final at Stripe, so the signed
    event is enough; a completed contribution stays completed whatever arrives after."""
    contribution = _by_session(event.object_id)
    if contribution is None:
        return "unknown_session"
    call, contribution = _locked(contribution)
    state = "expired" if event.type == "checkout.session.expired" else "failed"
    if contribution.state == "completed":
        return "already_completed"
    if contribution.state != "pending":
        return "unchanged"
    _move(contribution, state)
    db.session.flush()
    audit.record(None, "payments.contribution_closed", call, contribution_id=contribution.id, state=state)
    return state
