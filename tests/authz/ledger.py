"""Authorization matrix rows for the ledger pages: a call's money (its funders and coordinators), recording a bank
transfer (coordinators), and a grant's money (the team it pays too).

build() awards a proposal of world.team in world.call, so world.grant exists.
"""

from __future__ import annotations

from app.ledger.services import grant_of
from tests.authz import SIGNIN, cells, row
from tests.factories import create_proposal, sign_agreement


def build(world) -> None:
    awarded = create_proposal(world.team, world.call, state="awarded", title="Matrix Awarded", amount=100_000)
    world.grant = sign_agreement(grant_of(awarded))


ROWS = [
    row("ledger.call", "GET", lambda w: f"/ledger/calls/{w.call.id}",
        cells(SIGNIN, 403, 403, 403, 403, 200, call_funder=200)),
    # An empty form: the coordinator gets the page back with the problems (400).
    row("ledger.record_contribution", "POST", lambda w: f"/ledger/calls/{w.call.id}/contributions",
        cells(SIGNIN, 403, 403, 403, 403, 400, call_funder=403)),
    row("ledger.grant", "GET", lambda w: f"/ledger/grants/{w.grant.id}",
        cells(SIGNIN, 403, 403, 403, 403, 200, lead=200, member=200, call_funder=200)),
]
