"""Authorization matrix rows for concerns: the report form and the coordinators' queue.

build(world) adds an open report by world.member on the first message of world.team_thread (which
tests/authz/teamspace.py builds). Anyone who can read a message may report it; the empty POST names no subject
(400). The queue, a report and closing it are for coordinators only; an empty close lacks its note (400).
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, row, signed_in


def build(world) -> None:
    from app.safety import services

    subject = services.find_subject(f"team_message:{world.team_message.id}")
    world.report = services.report(world.member, subject, "harassment", "Matrix concern.")


def _readers(status):
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=status, member=status, team_mentor=status)


def _staff(status):
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=403, member=403, team_mentor=403)


ROWS = [
    row("safety.new", "GET", lambda c: f"/reports/new?subject=team_message:{c.team_message.id}", _readers(200)),
    row("safety.create", "POST", "/reports", signed_in(400, lead=400, member=400, team_mentor=400)),
    row("safety.index", "GET", "/reports", _staff(200)),
    row("safety.show", "GET", lambda c: f"/reports/{c.report.id}", _staff(200)),
    row("safety.close", "POST", lambda c: f"/reports/{c.report.id}/close", _staff(400)),
]
