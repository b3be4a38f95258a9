"""Authorization matrix rows for contributions through Stripe Checkout and the Stripe webhook.

The matrix runs with Stripe off: the contribute page explains the bank transfer to the call's own funders, a POST
there answers 400 (there is nothing to pay online), and the webhook is 404 for everyone, signature or not.
build() needs world.call and its "call_funder" (tests/authz/calls.py), and adds world.contribution, a pending
contribution of that funder: only they see its page, coordinators read it in the call's ledger instead.
"""

from __future__ import annotations

from app import db
from app.ledger.models import Contribution
from tests.authz import SIGNIN, cells, everyone, row


def build(world) -> None:
    funder = world.relations["call_funder"]
    world.contribution = Contribution(call_id=world.call.id, contributor_id=funder.id,
                                      contributor_name=funder.display_name, amount=25_000,
                                      currency=world.call.currency, method="stripe", state="pending",
                                      stripe_session_id="cs_test_matrix")
    db.session.add(world.contribution)
    db.session.flush()


def _call_funder_only(status):
    return cells(SIGNIN, 403, 403, 403, 403, 403, call_funder=status)


ROWS = [
    row("contributions.contribute", "GET", lambda w: f"/payments/calls/{w.call.id}/contribute",
        _call_funder_only(200)),
    row("contributions.contribute", "POST", lambda w: f"/payments/calls/{w.call.id}/contribute",
        _call_funder_only(400)),
    row("contributions.done", "GET", lambda w: f"/payments/contributions/{w.contribution.id}/done",
        _call_funder_only(200)),
    row("stripe_webhook.receive", "POST", "/stripe/webhook",
        everyone(404, lead=404, member=404, addressee=404, call_funder=404, team_mentor=404)),
]
