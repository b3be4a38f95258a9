"""Webhook handlers for payees' accounts and transfers; app/payments/webhooks.py imports this module so the
handlers are registered. Each re-reads the object from Stripe, since events arrive late and in any order."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.payments import disbursements, gateway, payees
from app.payments.models import Disbursement
from app.payments.webhooks import handles


@handles("account.updated")
def account_updated(event: gateway.Event) -> str:
    return payees.refresh_from_stripe(event.object_id)


@handles("transfer.created", "transfer.updated")
def transfer_seen(event: gateway.Event) -> str:
    """A transfer our worker may not have recorded (it died after Stripe answered): record it now."""
    return disbursements.settle_from_stripe(event.object_id)


@handles("transfer.reversed")
def transfer_reversed(event: gateway.Event) -> str:
    """Money taken back from a payee is not paid again automatically: a coordinator must look at it."""
    transfer = gateway.retrieve_transfer(event.object_id)
    disbursement = db.session.scalar(select(Disbursement).where(Disbursement.stripe_transfer_id == transfer.id))
    if disbursement is None:
        return "unknown_transfer"
    disbursement.last_error = "The transfer was reversed in Stripe: check with the payee before paying again."
    return "needs_attention"
