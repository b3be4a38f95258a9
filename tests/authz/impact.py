"""Authorization matrix rows for the impact report: coordinators see every call; a funder sees an overall of the
calls they manage and the report of each of them; nobody else sees any of it.

The URLs use world.call (tests/authz/calls.py), managed by the "call_funder" column; its grant comes from
tests/authz/ledger.py.
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, row


def _any_funder(status):
    """The overall report: every confirmed funder (a funder of no call sees an empty report) and coordinators."""
    return cells(SIGNIN, 403, 403, 403, status, status, call_funder=status)


def _call_managers(status):
    return cells(SIGNIN, 403, 403, 403, 403, status, call_funder=status)


ROWS = [
    row("impact.overview", "GET", "/impact/", _any_funder(200)),
    row("impact.overview_csv", "GET", "/impact/report.csv", _any_funder(200)),
    row("impact.overview_print", "GET", "/impact/print", _any_funder(200)),
    row("impact.call_report", "GET", lambda w: f"/impact/calls/{w.call.id}", _call_managers(200)),
    row("impact.call_csv", "GET", lambda w: f"/impact/calls/{w.call.id}.csv", _call_managers(200)),
    row("impact.call_print", "GET", lambda w: f"/impact/calls/{w.call.id}/print", _call_managers(200)),
]
