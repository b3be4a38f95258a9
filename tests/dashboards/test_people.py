"""The team member's and the mentor's panels against hand-computed fixtures."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import db
from app.db import utcnow
from app.notices.models import Notification
from app.teamspace.models import TeamMessage, TeamThread
from tests.conftest import sign_in
from tests.dashboards.conftest import dashboard_of, feedback, milestones_of, set_milestone, submit
from tests.factories import create_mentor, create_mentorship, create_project, create_proposal, create_team, create_user


def _toronto_today():
    return datetime.now(ZoneInfo("America/Toronto")).date()


def _message(team, author, days_ago: float) -> None:
    thread = TeamThread(team_id=team.id, title="Planning", created_by_id=author.id)
    thread.messages.append(TeamMessage(author_id=author.id, body="Hello",
                                       created_at=utcnow() - timedelta(days=days_ago)))
    db.session.add(thread)
    db.session.flush()


@pytest.fixture
def member():
    """Yara leads Lumière and is a member of Relais; another team's proposal is not hers."""
    yara = create_user(name="Yara Member")
    teammate = create_user(name="Tom Teammate")
    lumiere = create_team(yara, teammate, name="Lumière")
    relais = create_team(teammate, yara, name="Relais")
    create_proposal(lumiere, state="draft", title="Draft idea")
    create_proposal(lumiere, state="submitted", title="Sent idea")
    create_proposal(relais, state="in_review", title="Relais idea")
    create_proposal(create_team(), state="submitted", title="Not hers")
    podcast = create_project(lumiere, title="Podcast", approved=1)  # active; first milestone approved
    create_project(relais, state="awarded", title="Murals")  # agreement not signed: not under way
    mentor = create_mentor(name="Mona Mentor")
    create_mentorship(lumiere, mentor)
    create_mentorship(lumiere, create_mentor(name="Old Mentor"), state="ended")
    _message(lumiere, teammate, 1)
    _message(lumiere, mentor, 6)
    _message(lumiere, yara, 1)  # her own
    _message(lumiere, teammate, 10)  # too old
    for read in (None, None, utcnow()):
        db.session.add(Notification(user_id=yara.id, kind="proposal_submitted", params={}, read_at=read))
    db.session.flush()
    return {"yara": yara, "podcast": podcast, "lumiere": lumiere, "relais": relais}


def test_the_member_s_proposals_with_their_states(app, member):
    panel = dashboard_of(app, member["yara"]).youth

    assert sorted((row.title, row.state) for row in panel.proposals) == [
        ("Draft idea", "draft"), ("Murals", "awarded"), ("Podcast", "awarded"), ("Relais idea", "in_review"),
        ("Sent idea", "submitted")]
    assert panel.proposal_total == 5


def test_the_next_milestone_of_each_active_project_with_the_overdue_flag(app, member):
    second = milestones_of(member["podcast"])[1]
    set_milestone(second, due=_toronto_today() - timedelta(days=1))

    panel = dashboard_of(app, member["yara"]).youth

    assert [(row.project_title, row.title, row.due_date, row.state, row.overdue) for row in panel.next_milestones] == [
        ("Podcast", "Step 2", second.due_date, "planned", True)]
    assert panel.project_total == 1


def test_a_milestone_due_later_is_not_overdue(app, member):
    panel = dashboard_of(app, member["yara"]).youth

    assert [(row.title, row.overdue) for row in panel.next_milestones] == [("Step 2", False)]


def test_each_team_s_mentor_and_the_messages_others_posted_this_week(app, member):
    panel = dashboard_of(app, member["yara"]).youth

    assert [(row.name, row.mentors, row.new_messages) for row in panel.teams] == [
        ("Lumière", ("Mona Mentor",), 2), ("Relais", (), 0)]


def test_the_page_shows_the_member_s_panel_and_unread_notices(client, member):
    db.commit()
    sign_in(client, member["yara"])

    page = client.get("/dashboard").get_data(as_text=True)

    assert "Your proposals and projects" in page
    assert "2 unread notices" in page
    assert "Relais idea" in page and "Not hers" not in page
    assert "2 new messages" in page and "Mona Mentor" in page and "Old Mentor" not in page
    podcast = member["podcast"]
    assert f'href="/projects/{podcast.id}">Podcast</a>' in page
    assert f'href="/projects/milestones/{milestones_of(podcast)[1].id}">Step 2</a>' in page
    assert "Filter the figures" not in page and "Your mentoring" not in page


# -- mentor ----------------------------------------------------------------------------------------------
@pytest.fixture
def mentoring():
    """Mona mentors Lumière and Relais; her mentorship with Cendre has ended."""
    mona = create_mentor(name="Mona Mentor")
    lumiere, relais, cendre = create_team(name="Lumière"), create_team(name="Relais"), create_team(name="Cendre")
    create_mentorship(lumiere, mona)
    create_mentorship(relais, mona)
    create_mentorship(cendre, mona, state="ended")
    create_proposal(lumiere, state="draft", title="Lumière draft")
    create_proposal(relais, state="changes_requested", title="Relais revision")
    create_proposal(relais, state="submitted", title="Relais sent")
    create_proposal(cendre, state="draft", title="Cendre draft")
    # Lumière: evidence waiting (no feedback), and evidence she already signed off
    lumiere_project = create_project(lumiere, title="Lumière project", submitted=2)
    waiting, signed = milestones_of(lumiere_project)
    feedback(signed, mona, "sign_off")
    # Relais: she gave feedback on the first evidence; the team sent new evidence since
    relais_project = create_project(relais, title="Relais project", submitted=1)
    resent = milestones_of(relais_project)[0]
    feedback(resent, mona, "concerns")
    submit(resent)
    # Cendre: no longer hers
    create_project(cendre, title="Cendre project", submitted=1)
    # another mentor's feedback does not answer for her
    feedback(waiting, create_mentor(), "sign_off")
    return {"mona": mona, "waiting": waiting, "resent": resent}


def test_the_mentor_s_teams_drafts_and_milestones_awaiting_her_feedback(app, mentoring):
    panel = dashboard_of(app, mentoring["mona"]).mentor

    assert [team.name for team in panel.teams] == ["Lumière", "Relais"]
    assert panel.team_total == 2
    assert sorted((row.title, row.state) for row in panel.drafts) == [
        ("Lumière draft", "draft"), ("Relais revision", "changes_requested")]
    assert panel.draft_total == 2
    assert sorted(row.milestone_id for row in panel.awaiting) == sorted(
        [mentoring["waiting"].id, mentoring["resent"].id])
    assert panel.awaiting_total == 2


def test_the_mentor_s_page(client, mentoring):
    db.commit()
    sign_in(client, mentoring["mona"])

    page = client.get("/dashboard").get_data(as_text=True)

    assert "2 milestones waiting for your feedback" in page
    assert f'href="/projects/milestones/{mentoring["waiting"].id}"' in page
    assert "2 proposals being written or revised" in page
    assert "2 teams you mentor" in page
    assert "Cendre" not in page
    assert "Your proposals and projects" not in page and "Filter the figures" not in page


def test_a_person_with_several_roles_sees_each_role_s_panel(client):
    everyone = create_user("youth", "mentor", "funder", "coordinator", name="Eve Everything")
    create_mentor(everyone)
    db.commit()
    sign_in(client, everyone)

    page = client.get("/dashboard").get_data(as_text=True)

    for heading in ("Your proposals and projects", "Your mentoring", "Filter the figures", "Your calls and reviews",
                    "The programme now"):
        assert f">{heading}</h2>" in page
