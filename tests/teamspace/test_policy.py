"""Who opens a team's space: members, its vetted active mentors and coordinators; nobody else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app import db
from app.mentoring.models import MentorVetting
from tests.conftest import sign_in
from tests.factories import create_mentor, create_mentorship, create_team, create_user
from tests.teamspace.scene import audit_actions, build_scene, thread_with_message


@pytest.fixture
def scene():
    return build_scene()


def _space(team) -> str:
    return f"/teams/{team.id}/space"


def _adults_team():
    return create_team(create_user("youth", name="Ada Adult"), create_user("youth", name="Ben Adult"))


def test_an_unvetted_mentor_cannot_open_a_space_with_minors(client, scene):
    unvetted = create_mentor(vetted=False, name="Uma Unvetted")
    create_mentorship(scene.team, unvetted)
    thread = thread_with_message(scene.team, scene.lead)
    db.commit()
    sign_in(client, unvetted)
    assert client.get(_space(scene.team)).status_code == 403
    assert client.get(f"{_space(scene.team)}/threads/{thread.id}").status_code == 403
    assert client.get(f"{_space(scene.team)}/meetings").status_code == 403


def test_the_same_unvetted_mentor_opens_an_adults_only_team(client):
    unvetted = create_mentor(vetted=False, name="Uma Unvetted")
    team = _adults_team()
    create_mentorship(team, unvetted)
    db.commit()
    sign_in(client, unvetted)
    assert client.get(_space(team)).status_code == 200


def test_an_expired_vetting_closes_a_space_with_minors(client, scene):
    expired = create_mentor(vetted=False, name="Eve Expired")
    today = date.today()
    db.session.add(MentorVetting(mentor_id=expired.id, kind="police_check", checked_on=today - timedelta(days=800),
                                 expires_on=today - timedelta(days=1)))
    create_mentorship(scene.team, expired)
    db.commit()
    sign_in(client, expired)
    assert client.get(_space(scene.team)).status_code == 403


def test_a_mentor_cannot_read_a_team_they_do_not_mentor(client, scene):
    other_team = _adults_team()
    create_mentorship(other_team, scene.mentor)
    db.commit()
    sign_in(client, scene.mentor)
    assert client.get(_space(other_team)).status_code == 200
    outsider = create_mentor(name="Otto Outsider")
    create_mentorship(other_team, outsider)
    db.commit()
    sign_in(client, outsider)
    assert client.get(_space(scene.team)).status_code == 403


@pytest.mark.parametrize("state", ["offered", "declined", "ended"])
def test_a_mentorship_that_is_not_active_opens_nothing(client, scene, state):
    mentor = create_mentor(name="Olga Offered")
    create_mentorship(scene.team, mentor, state=state)
    db.commit()
    sign_in(client, mentor)
    assert client.get(_space(scene.team)).status_code == 403


def test_a_coordinator_reads_every_teams_threads_and_each_opening_is_audited(client, scene):
    other_team = _adults_team()
    threads = [thread_with_message(scene.team, scene.lead), thread_with_message(other_team, other_team.lead)]
    db.commit()
    sign_in(client, scene.coordinator)
    for thread in threads:
        assert client.get(f"/teams/{thread.team_id}/space").status_code == 200
        assert client.get(f"/teams/{thread.team_id}/space/threads/{thread.id}").status_code == 200
    client.get(f"/teams/{threads[0].team_id}/space/threads/{threads[0].id}")
    entries = audit_actions("team_space.opened_by_coordinator")
    assert [(e.actor_id, e.subject_type, e.subject_id) for e in entries] == [
        (scene.coordinator.id, "team_threads", threads[0].id),
        (scene.coordinator.id, "team_threads", threads[1].id),
        (scene.coordinator.id, "team_threads", threads[0].id),
    ]
    assert entries[0].detail == {"team": scene.team.id}


def test_members_and_the_teams_mentor_open_it_without_an_audit_entry(client, scene):
    thread = thread_with_message(scene.team, scene.lead)
    db.commit()
    for person in (scene.lead, scene.minor, scene.mentor):
        sign_in(client, person)
        assert client.get(_space(scene.team)).status_code == 200
        assert client.get(f"{_space(scene.team)}/threads/{thread.id}").status_code == 200
    assert audit_actions("team_space.opened_by_coordinator") == []


def test_a_coordinator_who_is_a_member_is_not_audited(client, scene):
    coordinator_member = create_user("youth", "coordinator", name="Colin Both")
    team = create_team(coordinator_member)
    thread = thread_with_message(team, coordinator_member)
    db.commit()
    sign_in(client, coordinator_member)
    assert client.get(f"/teams/{team.id}/space/threads/{thread.id}").status_code == 200
    assert audit_actions("team_space.opened_by_coordinator") == []


def test_other_young_people_are_refused(client, scene):
    thread = thread_with_message(scene.team, scene.lead)
    db.commit()
    sign_in(client, scene.stranger)
    assert client.get(_space(scene.team)).status_code == 403
    assert client.get(f"{_space(scene.team)}/threads/{thread.id}").status_code == 403
    assert client.get(f"{_space(scene.team)}/meetings").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, scene):
    response = client.get(_space(scene.team))
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_an_unknown_team_is_404(client, scene):
    sign_in(client, scene.coordinator)
    assert client.get("/teams/999999/space").status_code == 404
