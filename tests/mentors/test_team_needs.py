"""A team states what it needs from a mentor: its members and coordinators, nobody else."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry
from app.mentoring.models import TeamNeeds
from tests.conftest import post
from tests.factories import create_mentor, create_mentorship, create_team, create_user
from tests.mentors.conftest import error_beside, text_of

NEEDS = {"needs": ["video", "fundraising"], "timezone": "Europe/Paris", "note": "Help us edit our first video."}


@pytest.fixture
def lead():
    return create_user("youth", name="Lina Lead", age=16)


@pytest.fixture
def member():
    return create_user("youth", name="Milo Member")


@pytest.fixture
def team(lead, member):
    return create_team(lead, member, name="Bridges")


def _needs(team) -> TeamNeeds | None:
    return db.session.scalar(select(TeamNeeds).where(TeamNeeds.team_id == team.id)
                             .execution_options(populate_existing=True))


def test_the_team_page_links_to_the_needs_for_members(client, login, member, team):
    login(member)
    assert f'href="/teams/{team.id}/needs"' in text_of(client.get(f"/teams/{team.id}"))


def test_a_member_states_the_teams_needs(client, login, member, team):
    login(member)

    page = text_of(client.get(f"/teams/{team.id}/needs"))
    assert "What Bridges needs from a mentor" in page
    assert "English, French" in page  # the team's own working languages, shown, not edited here
    assert 'value="America/Toronto" selected' in page or 'selected value="America/Toronto"' in page

    response = post(client, f"/teams/{team.id}/needs", NEEDS)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/teams/{team.id}"
    needs = _needs(team)
    assert (needs.needs, needs.timezone, needs.note, needs.updated_by_id) == (
        ["video", "fundraising"], "Europe/Paris", "Help us edit our first video.", member.id)
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "team.needs_saved"))
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (member.id, "teams", team.id)
    assert "The team's needs are saved." in text_of(client.get(f"/teams/{team.id}"))


def test_the_lead_or_a_coordinator_updates_them(client, login, lead, team):
    login(lead)
    post(client, f"/teams/{team.id}/needs", NEEDS)
    login(create_user("coordinator"))

    assert "Help us edit our first video.</textarea>" in text_of(client.get(f"/teams/{team.id}/needs"))
    response = post(client, f"/teams/{team.id}/needs", {**NEEDS, "needs": ["research"], "note": ""})

    assert response.status_code == 302
    assert (_needs(team).needs, _needs(team).note) == (["research"], "")
    assert db.session.scalar(select(func.count()).select_from(TeamNeeds)) == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("needs", [], "Choose at least one area where the team needs help."),
    ("needs", ["hacking"], "Choose only areas from the list."),
    ("timezone", "Atlantis/Capital", "Choose a time zone from the list."),
    ("note", "x" * 1001, "Use at most 1000 characters."),
])
def test_bad_needs_are_refused_beside_the_field(client, login, member, team, field, value, message):
    login(member)

    response = post(client, f"/teams/{team.id}/needs", {**NEEDS, field: value})

    assert response.status_code == 200
    page = text_of(response)
    assert error_beside(page, field) == message
    if field != "note":
        assert "Help us edit our first video.</textarea>" in page
    assert _needs(team) is None


def test_people_outside_the_team_cannot_state_its_needs(client, login, team):
    mentor = create_mentor()
    create_mentorship(team, mentor)
    for person in (create_user("youth"), create_user("funder"), mentor):
        login(person)
        assert client.get(f"/teams/{team.id}/needs").status_code == 403
        assert post(client, f"/teams/{team.id}/needs", NEEDS).status_code == 403
    assert _needs(team) is None


def test_a_team_that_does_not_exist_has_no_needs(client, login, member):
    login(member)
    assert client.get("/teams/999999/needs").status_code == 404
