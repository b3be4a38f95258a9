"""Authorization matrix rows for payees and payouts. build() (after tests/authz/ledger.py made world.grant) names
a payee for world.team, records their bank details reference and releases the grant's last tranche by hand.
The matrix runs with Stripe off: the Stripe onboarding routes answer 404 to everyone signed in."""

from __future__ import annotations

from app.payments import disbursements, payees
from tests.authz import SIGNIN, cells, coordinators, everyone, row
from tests.factories import create_user


def build(world) -> None:
    coordinator = create_user("coordinator", name="Paula Payouts")
    contact = create_user("guardian", name="Olga Organisation", age=40)
    world.payee = payees.choose(coordinator, world.team, kind="organisation", organisation="Maison des jeunes",
                                email=contact.email)
    payees.record_bank_reference(coordinator, world.payee, "Caisse, account ending 9921")
    world.disbursement = disbursements.release(coordinator, world.grant.tranches[-1])


def _team_side(status, lead=None):
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=lead or status, member=status)


ROWS = [
    row("payouts.index", "GET", "/payouts/", coordinators(200)),
    # No form data: the coordinator is sent back with a message; everyone else is refused.
    row("payouts.release", "POST", lambda w: f"/payouts/tranches/{w.grant.tranches[0].id}/release", coordinators(302)),
    row("payouts.retry", "POST", lambda w: f"/payouts/{w.disbursement.id}/retry", coordinators(302)),
    row("payouts.paid_by_hand", "POST", lambda w: f"/payouts/{w.disbursement.id}/paid", coordinators(302)),
    row("payouts.payee", "GET", lambda w: f"/payouts/teams/{w.team.id}/payee", _team_side(200)),
    row("payouts.payee", "POST", lambda w: f"/payouts/teams/{w.team.id}/payee",
        cells(SIGNIN, 403, 403, 403, 403, 400, lead=400, member=403)),
    row("payouts.bank_reference", "POST", lambda w: f"/payouts/payees/{w.payee.id}/bank-reference",
        coordinators(302)),
    row("payouts.onboard", "POST", lambda w: f"/payouts/payees/{w.payee.id}/onboard",
        everyone(404, lead=404, member=404) | {"anonymous": SIGNIN}),
    row("payouts.onboarded", "GET", lambda w: f"/payouts/payees/{w.payee.id}/onboarded",
        everyone(404, lead=404, member=404) | {"anonymous": SIGNIN}),
]
