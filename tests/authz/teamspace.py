"""Authorization matrix rows for the team's space: its threads, messages and meeting log.

build(world) starts a thread on world.team (world.team_thread, with its first message world.team_message).
Only the team's members, its active vetted mentor ("team_mentor", built by tests/authz/mentoring.py) and
coordinators open the space; only the mentor logs meetings. Empty posts come back with the form's errors (400).
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, row


def build(world) -> None:
    from app.teamspace import services

    world.team_thread = services.start_thread(world.lead, world.team, "Matrix Thread", "A first message.")
    world.team_message = world.team_thread.messages[0]


def _space(status):
    """The team, its mentor and coordinators; every other role is refused."""
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=status, member=status, team_mentor=status)


def _space_url(c, rest: str = "") -> str:
    return f"/teams/{c.team.id}/space{rest}"


ROWS = [
    row("teamspace.index", "GET", _space_url, _space(200)),
    row("teamspace.start_thread", "POST", lambda c: _space_url(c, "/threads"), _space(400)),
    row("teamspace.thread", "GET", lambda c: _space_url(c, f"/threads/{c.team_thread.id}"), _space(200)),
    row("teamspace.post_message", "POST", lambda c: _space_url(c, f"/threads/{c.team_thread.id}/messages"),
        _space(400)),
    row("teamspace.meetings", "GET", lambda c: _space_url(c, "/meetings"), _space(200)),
    # Only the team's mentor logs meetings; members and coordinators read the log but may not write in it.
    row("teamspace.meetings", "POST", lambda c: _space_url(c, "/meetings"),
        cells(SIGNIN, 403, 403, 403, 403, 403, lead=403, member=403, team_mentor=400)),
]
