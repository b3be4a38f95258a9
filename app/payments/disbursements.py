"""Paying a tranche, once. The disbursement row and its ledger entry are written first, under the call's lock
(so a tranche cannot be released twice nor a grant overpaid); only after that commit does a job ask Stripe for
the transfer, with an idempotency key and a transfer group derived from the row. A worker killed after Stripe
answered leaves the row pending: the next attempt sends the same key and gets the same transfer back, and
`reconcile` settles such rows by looking the transfer up. Nothing here ever creates a second transfer."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app import audit, db, jobs
from app.db import utcnow
from app.ledger import balances as rules
from app.ledger import services as ledger
from app.ledger.models import Tranche
from app.payments import gateway
from app.payments.models import Disbursement
from app.payments.payees import payee_of
from app.validation import ValidationFailed

log = logging.getLogger("passerelle.payments")

# Seconds before each retry of a transfer Stripe could not take (network, 5xx, rate limit).
RETRY_BACKOFF = (60, 300, 1800, 7200, 21600)
MAX_ATTEMPTS = len(RETRY_BACKOFF) + 1
# A pending transfer older than this is looked up by `flask payments reconcile`.
SETTLE_AFTER = timedelta(minutes=10)


def release(actor, tranche: Tranche) -> Disbursement:
    """Make the tranche payable and pay it: by Stripe when it is on and the payee is ready, else by hand."""
    grant = tranche.grant
    if grant.state not in ("active", "completed"):
        raise ValidationFailed([(None, _l("The grant agreement is not signed yet: no money is paid before it is."))])
    ledger.locked_call(grant.call_id)  # one money decision at a time on this call
    existing = db.session.scalar(select(Disbursement).where(Disbursement.tranche_id == tranche.id))
    if existing is not None:
        raise ValidationFailed([(None, _l("This tranche has already been released."))])
    if tranche.amount <= 0:
        raise ValidationFailed([(None, _l("This tranche is worth nothing: there is nothing to pay."))])
    payee = payee_of(grant.team)
    if payee is None:
        raise ValidationFailed([(None, _l("The team has no payee yet: its lead names who receives the money."))])
    stripe_on = gateway.enabled()
    if stripe_on and not payee.ready_for_stripe:
        raise ValidationFailed([(None, _l("The payee has not finished opening their Stripe account: payment "
                                          "waits until Stripe says they can receive transfers."))])
    if not stripe_on and not payee.ready_by_hand:
        raise ValidationFailed([(None, _l("Record the payee's bank details reference before releasing a "
                                          "tranche."))])
    disbursement = Disbursement(tranche_id=tranche.id, grant_id=grant.id, payee_id=payee.id, amount=tranche.amount,
                                currency=grant.currency, method="stripe" if stripe_on else "manual",
                                released_by_id=actor.id)
    db.session.add(disbursement)
    db.session.flush()
    ledger.record(grant.call, rules.DISBURSEMENT, tranche.amount, actor=actor, grant=grant,
                  source_key=f"disbursement:{disbursement.id}", memo=tranche.title)
    tranche.state = "payable"
    audit.record(actor, "payout.released", grant, tranche_id=tranche.id, amount=tranche.amount,
                 method=disbursement.method)
    if stripe_on:
        jobs.enqueue(pay, disbursement.id)
    return disbursement


def make_payable(actor, tranche: Tranche) -> Disbursement | None:
    """Its milestone is approved: the tranche is owed, and paid at once when the payee can receive it.

    A payee not ready yet (no Stripe account, no bank details) leaves it payable on the payouts page: the
    approval itself never waits for the money side."""
    if tranche.state != "planned":
        return None
    payee = payee_of(tranche.grant.team)
    ready = payee is not None and (payee.ready_for_stripe if gateway.enabled() else payee.ready_by_hand)
    if ready and tranche.amount > 0:
        return release(actor, tranche)
    tranche.state = "payable"
    db.session.flush()
    audit.record(actor, "payout.payable", tranche.grant, tranche_id=tranche.id, amount=tranche.amount)
    return None


def awaiting_release():
    """Tranches owed (their milestone approved) that no payment has been made for yet, oldest grant first."""
    return (select(Tranche).where(Tranche.state == "payable", Tranche.amount > 0,
                                  ~select(Disbursement.id).where(Disbursement.tranche_id == Tranche.id).exists())
            .order_by(Tranche.grant_id, Tranche.position))


def _settled(disbursement: Disbursement, transfer) -> None:
    disbursement.stripe_transfer_id = transfer.id
    disbursement.state, disbursement.paid_at = "paid", utcnow()
    disbursement.last_error = None
    disbursement.tranche.state = "paid"
    audit.record(None, "payout.paid", disbursement.grant, disbursement_id=disbursement.id,
                 tranche_id=disbursement.tranche_id, transfer=transfer.id)


def pay(disbursement_id: int) -> None:
    """Job: ask Stripe for the transfer of a pending disbursement; record the answer, or schedule a retry."""
    disbursement = db.session.get(Disbursement, disbursement_id, with_for_update=True)
    if disbursement is None or disbursement.state != "pending" or disbursement.method != "stripe":
        db.session.rollback()
        return
    disbursement.attempts += 1
    try:
        transfer = gateway.create_transfer(
            amount=disbursement.amount, currency=disbursement.currency,
            destination=disbursement.payee.stripe_account_id, idempotency_key=disbursement.idempotency_key,
            transfer_group=disbursement.transfer_group,
            metadata={"disbursement_id": disbursement.id, "grant_id": disbursement.grant_id})
    except gateway.GatewayError as error:
        disbursement.last_error = f"{type(error).__name__}: {error}"[:500]
        if error.retryable and disbursement.attempts < MAX_ATTEMPTS:
            delay = RETRY_BACKOFF[min(disbursement.attempts - 1, len(RETRY_BACKOFF) - 1)]
            disbursement.next_attempt_at = utcnow() + timedelta(seconds=delay)
            jobs.enqueue_in(delay, pay, disbursement.id)
        else:
            disbursement.state, disbursement.next_attempt_at = "failed", None
            audit.record(None, "payout.failed", disbursement.grant, disbursement_id=disbursement.id,
                         tranche_id=disbursement.tranche_id, attempts=disbursement.attempts)
            log.warning("transfer for disbursement %s failed: %s", disbursement.id, error)
        db.commit()
        return
    _settled(disbursement, transfer)
    db.commit()


def retry(actor, disbursement: Disbursement) -> None:
    """A coordinator tries a failed transfer again, with the same key: it can only ever make one transfer."""
    if disbursement.state != "failed" or disbursement.method != "stripe":
        raise ValidationFailed([(None, _l("Only a failed Stripe transfer can be tried again."))])
    disbursement.state, disbursement.attempts, disbursement.next_attempt_at = "pending", 0, None
    audit.record(actor, "payout.retried", disbursement.grant, disbursement_id=disbursement.id)
    jobs.enqueue(pay, disbursement.id)


def record_manual_payment(actor, disbursement: Disbursement, reference: str) -> None:
    """The coordinator paid by hand (bank transfer): record it with the bank's reference."""
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed([("reference", _l("Enter the reference of the payment, as the bank shows it."))])
    if disbursement.state == "paid":
        raise ValidationFailed([(None, _l("This tranche is already paid."))])
    if disbursement.method == "stripe" and disbursement.state == "pending":
        raise ValidationFailed([(None, _l("A Stripe transfer is still under way for this tranche: wait for it to "
                                          "fail before paying by hand."))])
    if disbursement.method == "stripe":
        _must_not_have_gone_out(disbursement)
    disbursement.method, disbursement.manual_reference = "manual", reference
    disbursement.state, disbursement.paid_at, disbursement.next_attempt_at = "paid", utcnow(), None
    disbursement.tranche.state = "paid"
    audit.record(actor, "payout.paid_by_hand", disbursement.grant, disbursement_id=disbursement.id,
                 reference=reference)


def _must_not_have_gone_out(disbursement: Disbursement) -> None:
    """Before paying by hand what Stripe failed to pay, make sure Stripe did not pay it after all."""
    try:
        transfer = gateway.find_transfer(disbursement.transfer_group)
    except gateway.GatewayError as error:
        raise ValidationFailed([(None, _l("Stripe cannot be asked right now whether this tranche went out; try "
                                          "again later."))]) from error
    if transfer is not None:
        _settled(disbursement, transfer)
        raise ValidationFailed([(None, _l("Stripe did pay this tranche after all: it is now recorded as paid."))])


def reconcile(now=None) -> dict[str, int]:
    """Settle pending Stripe transfers that have waited too long by looking each one up, never by creating one.

    Found: recorded as paid. Not found: the row stays pending and is handed back to the normal job (same key)."""
    now = now or utcnow()
    ids = db.session.scalars(select(Disbursement.id).where(
        Disbursement.state == "pending", Disbursement.method == "stripe",
        or_(Disbursement.created_at <= now - SETTLE_AFTER, Disbursement.attempts > 0)).order_by(Disbursement.id)).all()
    counts = {"settled": 0, "requeued": 0, "unreachable": 0}
    for disbursement_id in ids:
        disbursement = db.session.get(Disbursement, disbursement_id, with_for_update=True)
        if disbursement is None or disbursement.state != "pending":
            db.session.rollback()
            continue
        try:
            transfer = gateway.find_transfer(disbursement.transfer_group)
        except gateway.GatewayError as error:
            log.warning("reconcile: cannot look up disbursement %s: %s", disbursement.id, error)
            counts["unreachable"] += 1
            db.session.rollback()
            continue
        if transfer is not None:
            _settled(disbursement, transfer)
            counts["settled"] += 1
        elif disbursement.next_attempt_at is None or disbursement.next_attempt_at <= now:
            jobs.enqueue(pay, disbursement.id)
            counts["requeued"] += 1
        db.commit()
    return counts


def settle_from_stripe(transfer_id: str) -> str:
    """transfer.created / transfer.updated: re-read the transfer and record it on its disbursement if missing."""
    transfer = gateway.retrieve_transfer(transfer_id)
    disbursement_id = (transfer.metadata or {}).get("disbursement_id")
    disbursement = db.session.get(Disbursement, int(disbursement_id)) if str(disbursement_id or "").isdigit() \
        else None
    if disbursement is None or disbursement.transfer_group != transfer.transfer_group:
        return "unknown_transfer"
    if disbursement.state == "paid":
        return "already_paid"
    _settled(disbursement, transfer)
    return "paid"


def open_payouts(states=("pending", "failed")):
    """The coordinator's list: payments not settled yet, oldest first."""
    return select(Disbursement).where(Disbursement.state.in_(states)).order_by(Disbursement.created_at,
                                                                               Disbursement.id)
