"""The mentor's own page: the profile, the code of conduct, their vetting state and the teams they declare."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry
from app.mentoring.models import MentorConflict, MentorProfile, MentorVetting
from app.mentors import services
from app.validation import ValidationFailed
from tests.conftest import post
from tests.factories import create_mentor, create_team
from tests.mentors.conftest import PROFILE, error_beside, long_date, text_of


def _profile(user) -> MentorProfile | None:
    return db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == user.id)
                             .execution_options(populate_existing=True))


def _profiles() -> int:
    return db.session.scalar(select(func.count()).select_from(MentorProfile))


def _actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# -- the profile -----------------------------------------------------------------------------------
def test_a_new_mentor_sees_an_empty_profile_the_code_of_conduct_and_that_they_are_not_vetted(client, login, mentor):
    login(mentor)

    response = client.get("/mentor/profile")

    assert response.status_code == 200
    page = text_of(response)
    assert "Your mentor profile" in page
    assert "Mentor code of conduct" in page
    assert "never promise to keep a secret" in page
    assert ("You are not vetted yet: a coordinator records your background check; until then you cannot mentor "
            "teams with members under 18.") in page
    assert 'href="/mentoring/" aria-current="page">Mentoring' in page  # the navigation link
    assert 'name="accept_conduct" required type="checkbox" value="y"' in page  # not ticked for them


def test_a_mentor_saves_their_profile(client, login, mentor):
    login(mentor)

    response = post(client, "/mentor/profile", PROFILE)

    assert response.status_code == 302
    assert response.headers["Location"] == "/mentor/profile"
    profile = _profile(mentor)
    assert profile.expertise == ["video", "design"]
    assert profile.languages == ["en", "fr"]
    assert profile.timezone == "America/Toronto"
    assert profile.capacity == 2
    assert profile.accepting_teams is True
    assert profile.availability == "Weekday evenings"
    assert profile.bio == "I make **documentaries** with teens."
    assert profile.preferred_themes == ["counter_narratives"]
    assert profile.conduct_accepted_at is not None
    [entry] = _actions("mentor.profile_created")
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (mentor.id, "mentor_profiles", profile.id)
    page = text_of(client.get("/mentor/profile"))
    assert "Your mentor profile is saved." in page
    assert 'value="Weekday evenings"' in page


def test_a_mentor_edits_their_profile_and_pauses(client, login, mentor):
    login(mentor)
    post(client, "/mentor/profile", PROFILE)

    changed = {**PROFILE, "expertise": ["web"], "capacity": "10", "languages": ["es"], "preferred_themes": []}
    del changed["accepting_teams"]
    response = post(client, "/mentor/profile", changed)

    assert response.status_code == 302
    profile = _profile(mentor)
    assert (profile.expertise, profile.capacity, profile.languages) == (["web"], 10, ["es"])
    assert profile.accepting_teams is False
    assert profile.preferred_themes == []
    assert _profiles() == 1
    assert len(_actions("mentor.profile_updated")) == 1
    page = text_of(client.get("/mentor/profile"))
    assert "You last accepted it on" in page
    assert 'name="accept_conduct" required type="checkbox" value="y"' in page  # accepted again on each save


@pytest.mark.parametrize(("typed", "message"), [
    ("0", "Enter a number from 1 to 10: how many teams you can mentor at the same time."),
    ("-3", "Enter a number from 1 to 10: how many teams you can mentor at the same time."),
    ("11", "Enter a number from 1 to 10: how many teams you can mentor at the same time."),
    ("abc", "Enter a whole number, like 2."),
    ("", "This field is required."),
])
def test_a_capacity_outside_one_to_ten_is_refused_beside_the_field_and_what_was_typed_is_kept(
        client, login, mentor, typed, message):
    login(mentor)

    response = post(client, "/mentor/profile", {**PROFILE, "capacity": typed})

    assert response.status_code == 200
    page = text_of(response)
    assert error_beside(page, "capacity") == message
    assert "There is 1 problem to fix" in page
    assert f'value="{typed}"' in page
    assert 'value="Weekday evenings"' in page
    assert "I make **documentaries** with teens.</textarea>" in page
    assert _profiles() == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("expertise", ["hacking"], "Choose only areas from the list."),
    ("expertise", ["video", "hacking"], "Choose only areas from the list."),
    ("expertise", [], "Choose at least one area of expertise."),
    ("languages", [], "Choose at least one language."),
    ("languages", ["en", "klingon"], "Choose only languages from the list."),
    ("timezone", "Mars/Olympus", "Choose a time zone from the list."),
    ("preferred_themes", ["conspiracies"], "Choose only themes from the list."),
    ("bio", "x" * 1001, "Use at most 1000 characters."),
    ("availability", "x" * 201, "Use at most 200 characters."),
    ("accept_conduct", "", "Accept the mentor code of conduct to mentor teams."),
])
def test_bad_choices_are_refused_with_a_message_and_never_stored(client, login, mentor, field, value, message):
    login(mentor)

    response = post(client, "/mentor/profile", {**PROFILE, field: value})

    assert response.status_code == 200
    assert error_beside(text_of(response), field) == message
    assert _profiles() == 0


def test_the_service_refuses_unknown_codes_whatever_the_form_let_through(mentor):
    with pytest.raises(ValidationFailed) as failed:
        services.save_profile(mentor, expertise=["hacking"], languages=["xx"], timezone="Nowhere", capacity=0,
                              accepting_teams=True, availability="", bio="", preferred_themes=["nope"],
                              conduct_accepted=False)

    assert {name for name, _message in failed.value.errors} == {
        "expertise", "languages", "timezone", "capacity", "preferred_themes", "accept_conduct"}
    assert _profiles() == 0


@pytest.mark.parametrize("who", ["youth", "funder", "coordinator", "guardian"])
def test_people_who_are_not_mentors_have_no_mentor_profile(client, login, create_user, who):
    login(create_user(who))
    assert client.get("/mentor/profile").status_code == 403
    assert post(client, "/mentor/profile", PROFILE).status_code == 403
    assert _profiles() == 0


def test_an_unconfirmed_or_under_age_mentor_has_no_mentor_profile(client, login, create_user):
    for person in (create_user("mentor", confirmed=False), create_user("mentor", age=17)):
        login(person)
        assert client.get("/mentor/profile").status_code == 403
        assert post(client, "/mentor/profile", PROFILE).status_code == 403
    assert _profiles() == 0


def test_the_navigation_offers_the_profile_to_mentors_only(client, login, create_user):
    login(create_user("youth"))
    assert "Mentor profile" not in text_of(client.get("/dashboard"))


def test_a_vetted_mentor_sees_until_when(client, login, mentor):
    create_mentor(mentor)
    login(mentor)

    page = text_of(client.get("/mentor/profile"))

    expiry = date.today() + timedelta(days=335)
    assert f"A coordinator has recorded your background check. You are vetted until {long_date(expiry)}." in page


def test_a_mentor_whose_check_expired_is_told_so(client, login, mentor):
    expired = date.today() - timedelta(days=1)
    db.session.add(MentorVetting(mentor_id=mentor.id, kind="police_check", checked_on=expired - timedelta(days=900),
                                 expires_on=expired))
    db.session.flush()
    login(mentor)

    page = text_of(client.get("/mentor/profile"))

    assert (f"Your background check expired on {long_date(expired)}. Until a coordinator records a new one, you "
            "cannot mentor teams with members under 18.") in page


# -- teams the mentor should not mentor ------------------------------------------------------------
def _conflicts(user) -> list[MentorConflict]:
    return list(db.session.scalars(select(MentorConflict).where(MentorConflict.mentor_id == user.id)
                                   .execution_options(populate_existing=True)))


def test_a_mentor_declares_a_team_by_its_exact_name_and_withdraws_it(client, login, mentor):
    team = create_team(name="Voix de la Paix")
    login(mentor)

    response = post(client, "/mentor/conflicts", {"team": "  voix de la paix ", "reason": "My niece is in it."})

    assert response.status_code == 302
    [conflict] = _conflicts(mentor)
    assert (conflict.team_id, conflict.reason) == (team.id, "My niece is in it.")
    assert len(_actions("mentor.conflict_declared")) == 1
    page = text_of(client.get("/mentor/profile"))
    assert "Noted: you will not be matched with “Voix de la Paix”." in page
    assert "Voix de la Paix</strong>: My niece is in it." in page

    response = post(client, f"/mentor/conflicts/{conflict.id}/withdraw")

    assert response.status_code == 302
    assert _conflicts(mentor) == []
    assert len(_actions("mentor.conflict_withdrawn")) == 1
    assert "Your declaration about “Voix de la Paix” is withdrawn." in text_of(client.get("/mentor/profile"))


def test_a_team_can_be_named_by_the_address_of_its_page(client, login, mentor):
    create_team(name="Echo")
    team = create_team(name="Echo")
    login(mentor)

    ambiguous = post(client, "/mentor/conflicts", {"team": "Echo", "reason": "I know them."})

    assert ambiguous.status_code == 400
    assert error_beside(text_of(ambiguous), "team") == ("Several teams have this name. Paste the address of the "
                                                        "team's page instead.")
    assert post(client, "/mentor/conflicts", {"team": f"http://localhost/teams/{team.id}",
                                              "reason": "I know them."}).status_code == 302
    assert [c.team_id for c in _conflicts(mentor)] == [team.id]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"team": "Nobody Has This Name", "reason": "I know them."}, "team",
     "No team has this exact name. Check the spelling, or paste the address of the team's page."),
    ({"team": "/teams/999999", "reason": "I know them."}, "team",
     "No team has this address. Copy it again from the team's page."),
    ({"team": "Bridges", "reason": ""}, "reason", "Say briefly why, so coordinators understand."),
    ({"team": "", "reason": "I know them."}, "team", "This field is required."),
])
def test_a_declaration_that_names_no_team_or_gives_no_reason_is_refused(client, login, mentor, data, field,
                                                                          message):
    create_team(name="Bridges")
    login(mentor)

    response = post(client, "/mentor/conflicts", data)

    assert response.status_code == 400
    page = text_of(response)
    assert error_beside(page, field) == message
    if data["reason"]:
        assert f"{data['reason']}</textarea>" in page
    assert _conflicts(mentor) == []


def test_the_same_team_cannot_be_declared_twice(client, login, mentor):
    create_team(name="Bridges")
    login(mentor)
    post(client, "/mentor/conflicts", {"team": "Bridges", "reason": "I know them."})

    response = post(client, "/mentor/conflicts", {"team": "Bridges", "reason": "Still."})

    assert response.status_code == 400
    assert error_beside(text_of(response), "team") == ("You have already declared that you should not mentor "
                                                       "“Bridges”.")
    assert len(_conflicts(mentor)) == 1


def test_nobody_withdraws_another_mentors_declaration(client, login, mentor, create_user):
    other = create_user("mentor")
    conflict = services.declare_conflict(other, create_team(name="Bridges"), "I know them.")
    login(mentor)

    assert post(client, f"/mentor/conflicts/{conflict.id}/withdraw").status_code == 404
    assert post(client, "/mentor/conflicts/999999/withdraw").status_code == 404
    assert len(_conflicts(other)) == 1
    login(create_user("coordinator"))
    assert post(client, f"/mentor/conflicts/{conflict.id}/withdraw").status_code == 403


def test_the_pages_speak_the_readers_language(client, login, create_user):
    """Language names come from the reader's locale; every page renders in French too."""
    login(create_user("mentor", locale="fr"))
    page = text_of(client.get("/mentor/profile"))
    assert '<html lang="fr">' in page
    assert "espagnol" in page
