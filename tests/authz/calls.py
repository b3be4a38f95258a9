"""Authorization matrix rows for the calls routes.

build() adds a published call (world.call) and a draft call (world.draft_call), both owned by the funder in
the "call_funder" column; the plain "funder" column is a funder who does not manage them.
"""

from tests.authz import SIGNIN, cells, everyone, row
from tests.factories import create_call, create_user


def build(world) -> None:
    owner = create_user("funder", name="Carla Callfunder")
    world.call = create_call(owner, title="Matrix Open Call", state="published")
    world.draft_call = create_call(owner, title="Matrix Draft Call", state="draft", opens_in_days=1,
                                   closes_in_days=40)
    world.relations["call_funder"] = owner


def _managers(status, call_funder=None):
    """Coordinators and the call's own funders; everyone else is refused."""
    return cells(SIGNIN, 403, 403, 403, 403, status, call_funder=status if call_funder is None else call_funder)


def _funders_and_coordinators(status):
    return cells(SIGNIN, 403, 403, 403, status, status, call_funder=status)


ROWS = [
    row("calls.index", "GET", "/calls/", everyone(200, call_funder=200)),
    row("calls.show", "GET", lambda c: f"/calls/{c.draft_call.id}", _managers(200)),
    row("calls.manage", "GET", "/calls/manage", _funders_and_coordinators(200)),
    row("calls.create", "GET", "/calls/new", _funders_and_coordinators(200)),
    row("calls.create", "POST", "/calls/new", _funders_and_coordinators(200)),  # empty: the form with its errors
    row("calls.edit", "GET", lambda c: f"/calls/{c.draft_call.id}/edit", _managers(200)),
    row("calls.edit", "POST", lambda c: f"/calls/{c.draft_call.id}/edit", _managers(200)),
    row("calls.manage_call", "GET", lambda c: f"/calls/{c.call.id}/manage", _managers(200)),
    row("calls.move", "POST", lambda c: f"/calls/{c.draft_call.id}/publish", _managers(302)),
    row("calls.add_funder", "POST", lambda c: f"/calls/{c.call.id}/funders", _managers(400, call_funder=403)),
]
