"""Authorization matrix rows for the mentors routes: the mentor's profile and conflicts, vetting, team needs.

build(world) adds a conflict declaration (world.mentor_conflict) owned by the requester when they are a plain
mentor, so that they can withdraw it; anyone else is refused it (another mentor finds no such declaration of
theirs: 404). The mentor the coordinators open is world.team_mentor (tests/authz/mentoring.py builds them).
"""

from __future__ import annotations

from app import db
from app.mentoring.models import MentorConflict
from tests.authz import SIGNIN, cells, row
from tests.factories import create_team, create_user


def build(world) -> None:
    if world.role == "mentor":
        owner = world.relations.get("mentor") or create_user("mentor", name="Cleo Conflicted")
        world.relations["mentor"] = owner
    else:
        owner = create_user("mentor", name="Cleo Conflicted")
    world.mentor_conflict = MentorConflict(mentor_id=owner.id, team_id=create_team(name="Matrix Cousins").id,
                                           reason="My cousin leads this team.")
    db.session.add(world.mentor_conflict)
    db.session.flush()


def _mentors(status, team_mentor=None):
    """Adult, confirmed mentors only (the team's own mentor is one too); the team's members are youth."""
    return cells(SIGNIN, 403, 403, status, 403, 403, lead=403, member=403,
                 team_mentor=status if team_mentor is None else team_mentor)


def _coordinators(status):
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=403, member=403, team_mentor=403)


def _team_and_coordinators(status):
    """The team's members and coordinators state its needs; its mentor reads them elsewhere."""
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=status, member=status, team_mentor=403)


ROWS = [
    row("mentors.profile", "GET", "/mentor/profile", _mentors(200)),
    # Empty: the form comes back with its problems beside the fields.
    row("mentors.profile", "POST", "/mentor/profile", _mentors(200)),
    # Empty: no team named, no reason; the profile page comes back with the problems.
    row("mentors.declare_conflict", "POST", "/mentor/conflicts", _mentors(400)),
    row("mentors.withdraw_conflict", "POST", lambda c: f"/mentor/conflicts/{c.mentor_conflict.id}/withdraw",
        _mentors(302, team_mentor=404)),
    row("mentors.index", "GET", "/mentors", _coordinators(200)),
    row("mentors.show", "GET", lambda c: f"/mentors/{c.team_mentor.id}", _coordinators(200)),
    # Empty: kind and dates missing.
    row("mentors.record_vetting", "POST", lambda c: f"/mentors/{c.team_mentor.id}/vetting", _coordinators(400)),
    row("mentors.team_needs", "GET", lambda c: f"/teams/{c.team.id}/needs", _team_and_coordinators(200)),
    # Empty: no need chosen, so the form comes back with its problems.
    row("mentors.team_needs", "POST", lambda c: f"/teams/{c.team.id}/needs", _team_and_coordinators(200)),
]
