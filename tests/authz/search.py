"""Authorization matrix rows for search: coordinators, funders and mentors (confirmed) search; the words used
exist in the world (its team is "Matrix Team"), so the page runs a real search for each person."""

from __future__ import annotations

from tests.authz import SIGNIN, cells, row

ROWS = [
    row("search.index", "GET", "/search?q=Matrix&kind=teams",
        cells(SIGNIN, 403, 403, 200, 200, 200, lead=403, member=403, call_funder=200, team_mentor=200)),
]
