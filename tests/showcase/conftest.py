"""A showcase world: published projects next to every kind of project that must never appear."""

from __future__ import annotations

import pytest

from app import db
from app.projects.models import Publication
from tests.factories import create_call, create_project, create_team, create_user


def publish_directly(grant, *, summary: str = "Podcasts by teenagers.", links=None, published: bool = True):
    """A publication row as the publish form leaves it, written without the service (for awarded or cancelled
    grants too, which the service refuses)."""
    publication = Publication(grant_id=grant.id, summary=summary, links=links or [], published=published,
                              published_by_id=grant.team.lead_id)
    db.session.add(publication)
    db.session.flush()
    return publication


def with_themes(grant, *themes: str):
    grant.proposal.themes = list(themes)
    db.session.flush()
    return grant


@pytest.fixture
def world():
    call = create_call(create_user("funder", name="Fanny Fonds"), title="Voices 2027")
    lead = create_user(name="Ines Lavoie", email="ines.lavoie@mail.test")
    adult = create_user(name="Omar Haddad Benali", email="omar@mail.test")
    minor_without = create_user(name="Sami Tremblay", age=14, country="FR", consent="requested",
                                email="sami.t@mail.test")
    minor_with = create_user(name="Zoé Gagnon", age=14, country="FR", consent="given", email="zoe.g@mail.test")
    unconfirmed = create_user(name="Uma Unverified", confirmed=False, email="uma@mail.test")
    team = create_team(lead, adult, minor_without, minor_with, unconfirmed, name="Respect Lab", country="CA")
    active = with_themes(create_project(team, call, state="active", approved=1, title="Voices Against Hate"),
                         "hate_speech", "counter_narratives")
    publish_directly(active, summary="Weekly podcasts by teenagers in Montréal.",
                     links=[{"label": "Our podcast", "url": "https://podcasts.test/voices"}])

    fr_team = create_team(create_user(name="Léa Martin", country="FR"), name="Labo Dialogue", country="FR")
    completed = with_themes(create_project(fr_team, call, state="completed", title="Dialogue Bridges"),
                            "intercultural_dialogue")
    publish_directly(completed, summary="Exchanges between schools.")

    hidden = {
        "unpublished": publish_directly(
            create_project(create_team(create_user(name="Nora Nopub"), name="Unpublished Crew"), call,
                           title="Unpublished Project"), published=False).grant,
        "awarded": publish_directly(
            create_project(create_team(create_user(name="Ari Awarded"), name="Awarded Crew"), call,
                           state="awarded", title="Awarded Project")).grant,
        "never": create_project(create_team(create_user(name="Nel Never"), name="Never Crew"), call,
                                title="Never Published Project"),
    }
    cancelled = create_project(create_team(create_user(name="Cyd Cancel"), name="Cancelled Crew"), call,
                               title="Cancelled Project")
    publish_directly(cancelled)
    cancelled.state = "cancelled"
    db.session.flush()
    hidden["cancelled"] = cancelled
    return {"call": call, "lead": lead, "team": team, "active": active, "completed": completed, "hidden": hidden,
            "minor_without": minor_without, "minor_with": minor_with, "unconfirmed": unconfirmed, "adult": adult}
