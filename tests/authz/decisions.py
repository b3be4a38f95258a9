"""Authorization matrix rows for the ranking, decision and export routes.

build() adds a closed call managed by the "call_funder" (world.decision_call) with one proposal of world.team in
review (world.decision_proposal). Only coordinators and the call's own funders see the ranking, decide and export;
a funder who does not manage the call and the team itself are refused.
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, row
from tests.factories import create_assignment, create_call, create_proposal, create_user


def build(world) -> None:
    funder = world.relations.get("call_funder") or create_user("funder", name="Dora Decisionfunder")
    world.relations.setdefault("call_funder", funder)
    call = create_call(funder, title="Matrix Decision Call", state="closed", opens_in_days=-30, closes_in_days=-1)
    world.decision_call = call
    world.decision_proposal = create_proposal(world.team, call, state="in_review", title="Matrix To Decide")
    create_assignment(world.decision_proposal, create_user("mentor"), state="submitted", scores=[4, 3])


def _managers(status):
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=403, member=403, call_funder=status)


ROWS = [
    row("decisions.ranking", "GET", lambda c: f"/decisions/calls/{c.decision_call.id}", _managers(200)),
    # Empty: no decision chosen and no justification, so the page comes back with the problems beside the fields.
    row("decisions.decide", "POST", lambda c: f"/decisions/proposals/{c.decision_proposal.id}", _managers(400)),
    # Empty: nothing selected, no decision, no justification.
    row("decisions.bulk", "POST", lambda c: f"/decisions/calls/{c.decision_call.id}/bulk", _managers(400)),
    row("decisions.export", "GET", lambda c: f"/decisions/calls/{c.decision_call.id}/export.csv", _managers(200)),
]
