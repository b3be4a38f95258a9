"""Authorization matrix rows for the audit log: its page and its export, for coordinators only. The log has no
route that writes (tests/auditlog/test_append_only.py checks that no such route exists)."""

from __future__ import annotations

from tests.authz import SIGNIN, cells, row


def _coordinators(status):
    """Nobody else: not the team, not the call's funders, not a team's mentor."""
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=403, member=403, call_funder=403, team_mentor=403)


ROWS = [
    row("auditlog.index", "GET", "/audit/", _coordinators(200)),
    row("auditlog.export_csv", "GET", "/audit/export.csv", _coordinators(200)),
]
