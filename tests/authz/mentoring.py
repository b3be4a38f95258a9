"""Authorization matrix rows for the mentoring routes: matching rounds and mentorships.

build(world) makes the "team_mentor" requester (a vetted mentor with an active mentorship of world.team), an
open matching round with one proposed match, for the round's URLs.
"""

from __future__ import annotations

from app import db
from app.mentoring.models import MatchRound, ProposedMatch
from tests.authz import SIGNIN, cells, coordinators, row
from tests.factories import create_mentor, create_mentorship, create_user


def build(world) -> None:
    mentor = create_mentor(create_user("mentor", name="Tess Teammentor"))
    world.team_mentor = mentor
    world.mentorship = create_mentorship(world.team, mentor)
    world.relations["team_mentor"] = mentor
    world.round = MatchRound()
    db.session.add(world.round)
    db.session.flush()
    world.proposed = ProposedMatch(round_id=world.round.id, team_id=world.team.id, mentor_id=mentor.id, score=10)
    db.session.add(world.proposed)
    db.session.flush()


def _team_side(status):
    """The team's members, its mentor and coordinators."""
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=status, member=status, team_mentor=status)


ROWS = [
    row("mentoring.rounds", "GET", "/mentoring/rounds", coordinators(200)),
    row("mentoring.start_round", "POST", "/mentoring/rounds", coordinators(302)),
    row("mentoring.round_page", "GET", lambda w: f"/mentoring/rounds/{w.round.id}", coordinators(200)),
    row("mentoring.override", "POST", lambda w: f"/mentoring/rounds/{w.round.id}/matches/{w.proposed.id}",
        coordinators(400)),
    row("mentoring.round_action", "POST", lambda w: f"/mentoring/rounds/{w.round.id}/solve", coordinators(302)),
    # Mentors (with a profile or not) and anyone with a mentorship have a mentoring page.
    row("mentoring.mine", "GET", "/mentoring/", cells(SIGNIN, 403, 403, 200, 403, 403, team_mentor=200)),
    row("mentoring.team", "GET", lambda w: f"/teams/{w.team.id}/mentoring", _team_side(200)),
    # Ending needs a reason: the allowed get their page back with the message (302), the others 403.
    row("mentoring.move", "POST", lambda w: f"/mentoring/mentorships/{w.mentorship.id}/end", _team_side(302)),
]
