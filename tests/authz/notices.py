"""Authorization matrix rows for the notices routes: comment threads, the notices list and preferences.

Comments are posted on the submitted proposal tests/authz/proposals.py builds (world.submitted_proposal).
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, row, signed_in


def _commenters(status):
    """The team, coordinators and the call's funders may comment; the empty post names no thread (400)."""
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=status, member=status, call_funder=status)


ROWS = [
    row("notices.index", "GET", "/notices/", signed_in(200, lead=200, member=200, call_funder=200)),
    row("notices.read_all", "POST", "/notices/read-all", signed_in(302, lead=302, member=302, call_funder=302)),
    row("notices.preferences", "GET", "/notices/preferences", signed_in(200, lead=200, member=200, call_funder=200)),
    row("notices.preferences", "POST", "/notices/preferences",
        signed_in(302, lead=302, member=302, call_funder=302)),
    row("notices.add_comment", "POST", lambda c: f"/notices/proposals/{c.submitted_proposal.id}/comments",
        _commenters(400)),
]
