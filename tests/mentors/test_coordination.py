"""Coordinators: the list of mentors with their vetting, one mentor's page, and recording a background check."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import db, policy
from app.accounts.models import AuditEntry
from app.mentoring.models import MentorProfile, MentorVetting
from app.mentors.services import record_vetting
from tests.conftest import post
from tests.factories import create_mentor, create_mentorship, create_team, create_user
from tests.mentors.conftest import error_beside, long_date, text_of


def _vettings(mentor) -> list[MentorVetting]:
    return list(db.session.scalars(select(MentorVetting).where(MentorVetting.mentor_id == mentor.id)
                                   .execution_options(populate_existing=True)))


def _names_listed(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/mentors/\d+">([^<]+)</a>', page)


@pytest.fixture
def mentors_on_file(create_user):
    """Three mentors: vetted with a profile, expired with a profile, never vetted without a profile."""
    today = date.today()
    vetted = create_mentor(name="Ana Vetted", expertise=("video", "web"), languages=("es", "fr"), capacity=3)
    expired = create_mentor(name="Ben Expired", vetted=False, accepting_teams=False)
    db.session.add(MentorVetting(mentor_id=expired.id, kind="references", checked_on=today - timedelta(days=800),
                                 expires_on=today - timedelta(days=5)))
    never = create_user("mentor", name="Cy Never")
    create_user("youth", name="Dee Youth")
    db.session.flush()
    return vetted, expired, never


# -- the list --------------------------------------------------------------------------------------
def test_coordinators_see_every_mentor_with_expertise_languages_capacity_and_vetting(
        client, login, coordinator, mentors_on_file):
    vetted, expired, never = mentors_on_file
    create_mentorship(create_team(), vetted)
    login(coordinator)

    response = client.get("/mentors")

    assert response.status_code == 200
    page = text_of(response)
    assert _names_listed(page) == ["Ana Vetted", "Ben Expired", "Cy Never"]
    assert "3 mentors" in page
    today = date.today()
    assert "Video and storytelling, Web and app development" in page
    assert "Spanish, French" in page
    assert "1 / 3" in page
    assert "No, paused" in page
    assert f"Vetted until {long_date(today + timedelta(days=335))}" in page
    assert f"Vetting expired on {long_date(today - timedelta(days=5))}" in page
    assert "Not vetted" in page
    assert "No profile yet" in page


@pytest.mark.parametrize(("vetting", "names"), [
    ("vetted", ["Ana Vetted"]),
    ("not_vetted", ["Ben Expired", "Cy Never"]),
    ("anything-else", ["Ana Vetted", "Ben Expired", "Cy Never"]),
])
def test_the_list_filters_by_vetting(client, login, coordinator, mentors_on_file, vetting, names):
    login(coordinator)
    assert _names_listed(text_of(client.get(f"/mentors?vetting={vetting}"))) == names


def test_the_list_finds_a_mentor_by_name_or_email(client, login, coordinator, mentors_on_file):
    login(coordinator)
    assert _names_listed(text_of(client.get("/mentors?q=expired"))) == ["Ben Expired"]
    assert _names_listed(text_of(client.get(f"/mentors?q={mentors_on_file[2].email}"))) == ["Cy Never"]
    assert _names_listed(text_of(client.get("/mentors?q=nobody&vetting=vetted"))) == []


def test_the_list_is_paged(app, client, login, coordinator, mentors_on_file, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    login(coordinator)
    first = text_of(client.get("/mentors"))
    assert _names_listed(first) == ["Ana Vetted", "Ben Expired"]
    assert "Page 1 of 2" in first
    assert _names_listed(text_of(client.get("/mentors?page=2"))) == ["Cy Never"]


def test_the_list_sends_as_many_queries_for_twelve_mentors_as_for_three(client, login, coordinator, count_queries):
    for n in range(3):
        create_mentor(name=f"Few {n}", vetted=n % 2 == 0)
    create_mentorship(create_team(), create_mentor(name="Few busy"))
    login(coordinator)
    client.get("/mentors")  # warm the caches that fill once per process
    few = count_queries(lambda: client.get("/mentors"))
    for n in range(8):
        mentor = create_mentor(name=f"Many {n}", vetted=n % 3 == 0)
        create_mentorship(create_team(), mentor)
    many = count_queries(lambda: client.get("/mentors"))
    assert few == many, (few, many)
    assert len(_names_listed(text_of(client.get("/mentors")))) == 12


@pytest.mark.parametrize("who", ["youth", "mentor", "funder", "guardian"])
def test_only_coordinators_see_mentors(client, login, create_user, mentors_on_file, who):
    login(create_user(who))
    mentor = mentors_on_file[0]
    assert client.get("/mentors").status_code == 403
    assert client.get(f"/mentors/{mentor.id}").status_code == 403
    assert post(client, f"/mentors/{mentor.id}/vetting", _vetting_form()).status_code == 403
    assert len(_vettings(mentor)) == 1


# -- one mentor ------------------------------------------------------------------------------------
def test_a_mentor_page_shows_profile_history_load_and_the_vetting_form(client, login, coordinator, mentors_on_file):
    vetted = mentors_on_file[0]
    db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == vetted.id)).bio = "I teach **editing**."
    older = MentorVetting(mentor_id=vetted.id, kind="references", checked_on=date.today() - timedelta(days=1000),
                          expires_on=date.today() - timedelta(days=300), recorded_by_id=coordinator.id)
    db.session.add(older)
    create_mentorship(create_team(), vetted)
    create_mentorship(create_team(), vetted, state="offered")
    create_mentorship(create_team(), vetted, state="ended")
    db.session.flush()
    login(coordinator)

    response = client.get(f"/mentors/{vetted.id}")

    assert response.status_code == 200
    page = text_of(response)
    assert "<h1>Ana Vetted</h1>" in page
    assert f"Vetted until {long_date(date.today() + timedelta(days=335))}" in page
    assert "2 teams mentored or offered (at most 3)" in page
    assert "<strong>editing</strong>" in page  # the bio is Markdown
    history = page[page.index("Vetting history"):]
    assert history.index("Police record check") < history.index("References checked")  # newest first
    assert "Colette Coordinator" in history
    assert "Record a background check" in page


@pytest.mark.parametrize("target", ["youth", "missing"])
def test_a_person_who_is_not_a_mentor_has_no_mentor_page(client, login, coordinator, target):
    user_id = create_user("youth").id if target == "youth" else 999999
    login(coordinator)
    assert client.get(f"/mentors/{user_id}").status_code == 404
    assert post(client, f"/mentors/{user_id}/vetting", _vetting_form()).status_code == 404


# -- recording a check -----------------------------------------------------------------------------
def _vetting_form(**overrides) -> dict:
    today = date.today()
    return {"kind": "vulnerable_sector_check", "checked_on": (today - timedelta(days=2)).isoformat(),
            "expires_on": (today + timedelta(days=3 * 365)).isoformat(), "note": "Ref. VS-2291", **overrides}


def test_a_coordinator_records_a_check_and_the_mentor_becomes_vetted(client, login, coordinator, mentors_on_file):
    never = mentors_on_file[2]
    login(coordinator)
    assert not policy.is_vetted(never)

    response = post(client, f"/mentors/{never.id}/vetting", _vetting_form())

    assert response.status_code == 302
    assert response.headers["Location"] == f"/mentors/{never.id}"
    [vetting] = _vettings(never)
    today = date.today()
    assert (vetting.kind, vetting.checked_on, vetting.expires_on, vetting.note, vetting.recorded_by_id) == (
        "vulnerable_sector_check", today - timedelta(days=2), today + timedelta(days=3 * 365), "Ref. VS-2291",
        coordinator.id)
    assert policy.is_vetted(never)
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mentor.vetting_recorded"))
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (coordinator.id, "users", never.id)
    assert entry.detail["vetting_id"] == vetting.id
    page = text_of(client.get(f"/mentors/{never.id}"))
    assert "The vetting of Cy Never is recorded." in page
    assert f"Vetted until {long_date(today + timedelta(days=3 * 365))}" in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"expires_on": (date.today() - timedelta(days=30)).isoformat()}, "expires_on",
     "The expiry date must come after the date of the check."),
    ({"expires_on": (date.today() - timedelta(days=2)).isoformat()}, "expires_on",
     "The expiry date must come after the date of the check."),
    ({"checked_on": (date.today() + timedelta(days=2)).isoformat()}, "checked_on",
     "The date of the check cannot be in the future."),
    ({"checked_on": "31/12/2026"}, "checked_on", "Enter a date like 2027-03-31 (year, month, day)."),
    ({"expires_on": ""}, "expires_on", "This field is required."),
    ({"kind": "palm_reading"}, "kind", "Choose the kind of check from the list."),
    ({"kind": ""}, "kind", "Choose the kind of check from the list."),
    ({"note": "x" * 1001}, "note", "Use at most 1000 characters."),
])
def test_a_wrong_check_is_refused_beside_the_field_and_what_was_typed_is_kept(
        client, login, coordinator, mentors_on_file, overrides, field, message):
    never = mentors_on_file[2]
    login(coordinator)
    form = _vetting_form(**overrides)

    response = post(client, f"/mentors/{never.id}/vetting", form)

    assert response.status_code == 400
    page = text_of(response)
    assert error_beside(page, field) == message
    assert "There is 1 problem to fix" in page
    for name in ("checked_on", "expires_on"):
        if form[name]:
            assert f'value="{form[name]}"' in page
    if len(form["note"]) < 100:
        assert f'{form["note"]}</textarea>' in page
    assert _vettings(never) == []


def test_a_check_done_today_in_the_coordinators_time_zone_is_not_in_the_future(mentors_on_file, coordinator):
    """The view passes the later of the server's day and the coordinator's; the service trusts that day."""
    never = mentors_on_file[2]
    tomorrow = date.today() + timedelta(days=1)
    vetting = record_vetting(coordinator, never, kind="police_check", checked_on=tomorrow,
                             expires_on=tomorrow + timedelta(days=365), today=tomorrow)
    assert vetting.id is not None


def test_recording_a_check_is_what_lets_a_mentor_work_with_a_team_that_has_a_minor(
        client, login, coordinator, mentors_on_file):
    never = mentors_on_file[2]
    team = create_team(create_user("youth", age=15), name="Young Voices")
    create_mentorship(team, never)
    assert not policy.may_mentor(never, team)
    assert not policy.is_team_mentor(never, team)
    login(coordinator)

    post(client, f"/mentors/{never.id}/vetting", _vetting_form())

    assert policy.may_mentor(never, team)
    assert policy.is_team_mentor(never, team)
