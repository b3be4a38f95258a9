"""The mentoring pages through the test client: a coordinator runs, overrides and confirms a round; the mentor
answers; the team ends the mentorship; wrong people get 403, illegal moves a clear message."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import db
from app.mentoring.models import Mentorship, ProposedMatch, TeamNeeds
from tests.conftest import post
from tests.factories import create_mentor, create_mentorship, create_team, create_user
from tests.pages import field_error, text


@pytest.fixture
def coordinator():
    return create_user("coordinator", name="Cora Coordinator")


@pytest.fixture
def teams():
    french = create_team(create_user(name="Fanny Lead"), create_user(age=15, consent="given"), name="Les Voix")
    french.languages = ["fr"]
    english = create_team(create_user(name="Eli Lead"), name="Open Mic")
    english.languages = ["en"]
    for team, need in ((french, "video"), (english, "web")):
        db.session.add(TeamNeeds(team_id=team.id, needs=[need], timezone="America/Toronto"))
    db.session.flush()
    return french, english


@pytest.fixture
def mentors():
    return (create_mentor(name="Vera Vetted", languages=("fr", "en"), expertise=("video",), capacity=1),
            create_mentor(name="Uma Unvetted", vetted=False, languages=("en",), expertise=("web",), capacity=1),
            create_mentor(name="Sam Spare", languages=("en",), expertise=("design",), capacity=1))


def test_a_coordinator_runs_overrides_and_confirms_a_round(login, coordinator, teams, mentors):
    french, english = teams
    vera, uma, sam = mentors
    client = login(coordinator)
    page = client.get("/mentoring/rounds")
    assert page.status_code == 200
    assert "Teams waiting for a mentor 2" in text(page)

    response = post(client, "/mentoring/rounds", follow_redirects=True)
    page = text(response)
    assert "The round is solved." in page
    assert "Les Voix Mentor Vera Vetted" in page
    assert "Why video and storytelling; same time zone; both speak French" in page
    round_id = int(re.search(r"/mentoring/rounds/(\d+)", response.request.path).group(1))
    english_match = db.session.scalar(select(ProposedMatch).where(ProposedMatch.team_id == english.id))
    assert english_match.mentor_id == uma.id

    # A swap without a reason keeps the choice and says what is missing.
    url = f"/mentoring/rounds/{round_id}/matches/{english_match.id}"
    prefix = f"match-{english_match.id}"
    response = post(client, url, {f"{prefix}-action": f"swap-{sam.id}", f"{prefix}-reason": ""})
    assert response.status_code == 400
    assert field_error(response, f"{prefix}-reason") == "Say why: the reason is kept with the round."
    assert f'value="swap-{sam.id}" checked' in response.get_data(as_text=True) or \
        f'checked id="{prefix}-action' in response.get_data(as_text=True)

    response = post(client, url, {f"{prefix}-action": f"swap-{sam.id}", f"{prefix}-reason": "Sam knows the school."},
                    follow_redirects=True)
    assert "Done for “Open Mic” (was with Uma Unvetted)" in text(response)
    assert "swapped Open Mic Sam Spare Sam knows the school. Cora Coordinator" in text(response)

    response = post(client, f"/mentoring/rounds/{round_id}/confirm", follow_redirects=True)
    assert "The round is confirmed: 2 mentors are asked to accept their team." in text(response)
    offers = {m.team_id: (m.mentor_id, m.state) for m in db.session.scalars(select(Mentorship))}
    assert offers == {french.id: (vera.id, "offered"), english.id: (sam.id, "offered")}
    response = post(client, f"/mentoring/rounds/{round_id}/confirm", follow_redirects=True)
    assert "This round is already closed." in text(response)


def test_a_lock_that_breaks_a_safety_rule_is_refused_on_the_page(login, coordinator, teams, mentors):
    french, english = teams
    vera, uma, sam = mentors
    client = login(coordinator)
    post(client, "/mentoring/rounds")
    match = db.session.scalar(select(ProposedMatch).where(ProposedMatch.team_id == english.id))
    prefix = f"match-{match.id}"
    response = post(client, f"/mentoring/rounds/{match.round_id}/matches/{match.id}",
                    {f"{prefix}-action": "swap-999999", f"{prefix}-reason": "Try."})
    assert response.status_code == 400  # not one of the offered choices
    assert field_error(response, f"{prefix}-action") is not None


def test_the_mentor_accepts_and_a_decline_after_acceptance_is_explained(login, teams, mentors):
    french, english = teams
    vera = mentors[0]
    offer = create_mentorship(french, vera, state="offered")
    client = login(vera)
    page = client.get("/mentoring/")
    assert "Teams proposed to you Les Voix" in text(page)
    response = post(client, f"/mentoring/mentorships/{offer.id}/accept", follow_redirects=True)
    assert "You now mentor “Les Voix”." in text(response)
    response = post(client, f"/mentoring/mentorships/{offer.id}/decline", {"next": "/mentoring/"},
                    follow_redirects=True)
    assert "A mentorship that is active cannot be changed this way (decline)." in text(response)
    db.session.expire_all()
    assert db.session.get(Mentorship, offer.id).state == "active"


def test_the_team_ends_a_mentorship_with_a_reason(login, teams, mentors):
    french, english = teams
    uma = mentors[1]
    mentorship = create_mentorship(english, uma)
    client = login(english.lead)
    page = client.get(f"/teams/{english.id}/mentoring")
    assert "Mentors Uma Unvetted active" in text(page)
    response = post(client, f"/mentoring/mentorships/{mentorship.id}/end", {f"m{mentorship.id}-reason": ""},
                    follow_redirects=True)
    assert "Give a reason" in text(response)
    response = post(client, f"/mentoring/mentorships/{mentorship.id}/end",
                    {f"m{mentorship.id}-reason": "We finished the project."}, follow_redirects=True)
    assert "The mentorship of Uma Unvetted with “Open Mic” has ended." in text(response)
    assert "Earlier mentors Uma Unvetted: ended (We finished the project.)" in text(response)


def test_wrong_people_are_refused(login, coordinator, teams, mentors):
    french, english = teams
    vera, uma, _sam = mentors
    offer = create_mentorship(french, vera, state="offered")
    stranger = create_user()
    client = login(stranger)
    assert client.get("/mentoring/rounds").status_code == 403
    assert client.get(f"/teams/{french.id}/mentoring").status_code == 403
    assert client.get("/mentoring/").status_code == 403
    assert post(client, f"/mentoring/mentorships/{offer.id}/accept").status_code == 403
    client = login(uma)
    assert post(client, f"/mentoring/mentorships/{offer.id}/accept").status_code == 403
    assert client.get(f"/teams/{french.id}/mentoring").status_code == 403
    client = login(vera)
    assert client.get(f"/teams/{french.id}/mentoring").status_code == 200  # offered: may read the team's needs


def test_the_round_page_makes_the_same_queries_for_few_and_many_matches(login, coordinator, count_queries):
    def populate(start, n):
        for i in range(start, start + n):
            team = create_team(name=f"Team {i}")
            db.session.add(TeamNeeds(team_id=team.id, needs=["video"], timezone="UTC"))
            create_mentor(name=f"Mentor {i}", capacity=1)
        db.session.flush()

    client = login(coordinator)
    populate(0, 2)
    post(client, "/mentoring/rounds")
    round_id = db.session.scalar(select(ProposedMatch.round_id))
    few = count_queries(lambda: client.get(f"/mentoring/rounds/{round_id}"))
    populate(2, 8)
    post(client, f"/mentoring/rounds/{round_id}/solve")
    assert "Team 9" in text(client.get(f"/mentoring/rounds/{round_id}"))
    many = count_queries(lambda: client.get(f"/mentoring/rounds/{round_id}"))
    assert many == few


def test_a_team_s_mentor_reads_its_drafts_and_shared_comments_but_never_the_internal_ones(login, teams, mentors):
    from app import policy
    from tests.factories import create_call, create_proposal

    french, english = teams
    vera, uma, sam = mentors
    french_draft = create_proposal(french, create_call(), state="draft", title="Balado")
    english_draft = create_proposal(english, create_call(), state="draft", title="Open Site")
    create_mentorship(french, vera)
    create_mentorship(french, uma)  # active, but not vetted, on a team with a minor
    create_mentorship(english, uma)
    assert login(vera).get(f"/proposals/{french_draft.id}").status_code == 200
    assert policy.can_read_comments(vera, french_draft, "team")
    assert not policy.can_read_comments(vera, french_draft, "internal")
    assert not policy.can_edit_proposal(vera, french_draft)
    assert login(uma).get(f"/proposals/{french_draft.id}").status_code == 403
    assert login(uma).get(f"/proposals/{english_draft.id}").status_code == 200  # adults only: no vetting needed
    assert login(sam).get(f"/proposals/{french_draft.id}").status_code == 403  # not their team
