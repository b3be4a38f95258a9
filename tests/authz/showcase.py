"""Authorization matrix rows for the showcase: the gallery and a project's public page (everyone, no sign-in),
the publication form (the team's lead only) and unpublishing (the lead, or a coordinator taking a page down).

build() adds world.showcase_grant: an active project of world.team, published in the showcase.
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, everyone, row
from tests.factories import create_project


def build(world) -> None:
    world.showcase_grant = create_project(world.team, world.call, state="active", published=True,
                                          amount=100_000, title="Matrix Showcase")


def _lead_only(lead_status):
    return cells(SIGNIN, 403, 403, 403, 403, 403, lead=lead_status, member=403, call_funder=403, team_mentor=403)


ROWS = [
    row("showcase.index", "GET", "/showcase/", everyone(200, lead=200, member=200)),
    row("showcase.show", "GET", lambda w: f"/showcase/{w.showcase_grant.id}", everyone(200, lead=200, member=200)),
    row("showcase.publish", "GET", lambda w: f"/showcase/projects/{w.showcase_grant.id}/publish", _lead_only(200)),
    # An empty summary: the lead gets the form back with the problem beside the field (400).
    row("showcase.publish", "POST", lambda w: f"/showcase/projects/{w.showcase_grant.id}/publish", _lead_only(400)),
    row("showcase.unpublish", "POST", lambda w: f"/showcase/projects/{w.showcase_grant.id}/unpublish",
        cells(SIGNIN, 403, 403, 403, 403, 302, lead=302, member=403, call_funder=403, team_mentor=403)),
]
