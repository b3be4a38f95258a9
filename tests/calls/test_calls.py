"""Funding calls through the browser's eyes: the public list and page, creating and editing with the
rubric editor, publishing and the other moves, the managers' list, adding a funder, and bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry
from app.calls.models import Call, CallFunder
from app.db import utcnow
from app.teams.models import Membership
from tests.conftest import post, sign_in
from tests.factories import create_call, create_team, create_user
from tests.pages import checked_values, field_error, input_value, text

YEAR = utcnow().year + 1  # a closing date always ahead of the test run
LEVELS = ["Not at all", "A little", "Partly", "Mostly", "Fully"]


def criterion_fields(index: int, title: str, weight="1", allow_na=False, levels=None, description="") -> dict:
    fields = {f"criteria-{index}-title": title, f"criteria-{index}-weight": weight,
              f"criteria-{index}-description": description}
    for level, descriptor in enumerate(levels or LEVELS, start=1):
        fields[f"criteria-{index}-level_{level}"] = descriptor
    if allow_na:
        fields[f"criteria-{index}-allow_not_applicable"] = "y"
    return fields


def call_form(**changes) -> dict:
    data = {
        "title": "Voices Against Hate", "description": "Projects that **answer** hate.",
        "themes": ["counter_narratives", "hate_speech"], "min_age": "13", "max_age": "25", "countries": [],
        "min_team_size": "2", "max_team_size": "8", "currency": "CAD", "pool_amount": "20 000",
        "max_award": "5 000,50", "timezone": "America/Toronto", "opens_at": f"{YEAR}-01-04T09:00",
        "closes_at": f"{YEAR}-03-15T23:59", "review_deadline": "", "min_reviews": "2",
        **criterion_fields(0, "Relevance", weight="3", description="Answers hate online."),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _calls() -> int:
    return db.session.scalar(select(func.count()).select_from(Call))


def _reload(call: Call) -> Call:
    db.session.expire_all()
    return db.session.get(Call, call.id)


@pytest.fixture
def funder():
    return create_user("funder", name="Fatima Funder", email="fatima@example.org")


@pytest.fixture
def funder_client(client, login, funder):
    return login(funder)


# -- the public list ------------------------------------------------------------------------------
def test_anyone_browses_published_calls_with_amounts_and_deadlines(client):
    closes = datetime(YEAR, 3, 16, 3, 59, tzinfo=UTC)  # 15 March, 23:59 in Toronto (summer time)
    call = create_call(title="Open Call", pool=2_000_000, max_award=500_000)
    call.closes_at = closes
    call.themes = ["counter_narratives", "inclusion"]
    create_call(title="Secret Draft", state="draft")
    create_call(title="Old Archive", state="archived")
    db.session.flush()

    response = client.get("/calls/")

    assert response.status_code == 200
    page = text(response)
    assert "Open Call" in page
    assert "Counter-narratives, Inclusion" in page
    assert "CA$5,000.00" in page and "CA$20,000.00" in page
    assert f"closes 15 March {YEAR} at 23:59 (America/Toronto)" in page
    assert "Secret Draft" not in page and "Old Archive" not in page
    assert f'href="/calls/{call.id}"' in response.get_data(as_text=True)


def test_the_list_shows_the_deadline_in_the_readers_time_zone_too(client, login):
    call = create_call(title="Zones")
    call.closes_at = datetime(YEAR, 3, 16, 3, 59, tzinfo=UTC)
    reader = create_user("youth")
    reader.timezone = "Europe/Paris"
    db.session.flush()
    login(reader)
    page = text(client.get("/calls/"))
    assert f"closes 15 March {YEAR} at 23:59 (America/Toronto) — for you: 16 March {YEAR} at 04:59 (Europe/Paris)" \
        in page


def test_the_list_puts_open_calls_first_and_keeps_recently_closed_ones(client):
    create_call(title="Closed Last Week", state="closed", opens_in_days=-40, closes_in_days=-7)
    create_call(title="Closed Long Ago", state="closed", opens_in_days=-400, closes_in_days=-300)
    create_call(title="Closing Later", closes_in_days=60)
    create_call(title="Closing Soon", closes_in_days=3)
    create_call(title="Past Its Deadline", state="published", opens_in_days=-30, closes_in_days=-1)
    page = text(client.get("/calls/"))
    order = [title for title in ("Closing Soon", "Closing Later", "Closed Last Week", "Past Its Deadline")
             if title in page]
    assert order == ["Closing Soon", "Closing Later", "Closed Last Week", "Past Its Deadline"]
    assert page.index("Closing Soon") < page.index("Closing Later") < page.index("Closed Last Week")
    assert "Closed Long Ago" not in page
    assert re.search(r"closed \d+ \w+ \d{4} at", page)


def test_the_list_is_paginated(client):
    size = current_app.config["PAGE_SIZE"]
    for number in range(size + 1):
        create_call(title=f"Paged Call {number:02d}", closes_in_days=10 + number)
    first = client.get("/calls/")
    assert "Page 1 of 2" in text(first)
    assert f"Paged Call {size:02d}" not in text(first)
    second = client.get("/calls/?page=2")
    assert f"Paged Call {size:02d}" in text(second)
    assert client.get("/calls/?page=abc").status_code == 200
    assert client.get("/calls/?page=-3").status_code == 200


def test_the_list_says_so_when_there_is_no_call(client):
    assert "No call is open at the moment." in text(client.get("/calls/"))


# -- the call page --------------------------------------------------------------------------------
def test_the_call_page_shows_description_eligibility_rubric_and_dates(client):
    call = create_call(title="Full Call", criteria=[("Impact", 3, False), ("Budget", 1, True)],
                       min_age=15, max_age=22, min_team_size=2, max_team_size=6, countries=["FR", "CA"])
    call.description = "## Why\n\n**Bold** idea. <script>alert(1)</script> [link](javascript:alert(1))"
    call.review_deadline = call.closes_at + timedelta(days=14)
    db.session.flush()

    response = client.get(f"/calls/{call.id}")

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<strong>Bold</strong>" in body
    assert "<h3>Why</h3>" in body  # headings start below the page's own
    assert "<script>alert" not in body and "href=\"javascript" not in body
    page = text(response)
    assert "15 to 22 years old" in page
    assert "2 to 6 people" in page
    assert "Canada, France" in page or "France, Canada" in page
    assert "Impact" in page and "Weight: 3" in page
    assert "Budget" in page and "reviewers may answer “not applicable”" in page
    assert all(level in page for level in ("Weak", "Fair", "Good", "Very good", "Excellent"))
    assert "Reviews done by" in page
    assert "CA$5,000.00" in page


def test_every_country_is_welcome_when_none_is_named(client):
    call = create_call()
    assert "Teams from every country" in text(client.get(f"/calls/{call.id}"))


def test_a_draft_is_seen_only_by_the_people_who_manage_it(client, login, funder):
    draft = create_call(funder, state="draft")
    response = client.get(f"/calls/{draft.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    login(create_user("funder"))
    assert client.get(f"/calls/{draft.id}").status_code == 403
    login(create_user("youth"))
    assert client.get(f"/calls/{draft.id}").status_code == 403
    login(funder)
    response = client.get(f"/calls/{draft.id}")
    assert response.status_code == 200
    assert "This call is a draft" in text(response)
    login(create_user("coordinator"))
    assert client.get(f"/calls/{draft.id}").status_code == 200


def test_a_missing_call_is_not_found(client):
    assert client.get("/calls/999999").status_code == 404
    assert client.get("/calls/999999/manage").status_code in (302, 404)


def _start_link(response, call) -> bool:
    return f'href="/proposals/new?call_id={call.id}"' in response.get_data(as_text=True)


def test_a_team_member_sees_start_a_proposal_while_the_call_is_open(client, login):
    if "proposals.start" not in current_app.view_functions:
        pytest.skip("the proposals capability is not installed")
    member = create_user("youth")
    create_team(member)
    open_call = create_call()
    upcoming = create_call(opens_in_days=5, closes_in_days=30)
    closed = create_call(state="closed", opens_in_days=-30, closes_in_days=-1)
    login(member)
    response = client.get(f"/calls/{open_call.id}")
    assert "Start a proposal" in text(response)
    assert _start_link(response, open_call)
    assert not _start_link(client.get(f"/calls/{upcoming.id}"), upcoming)
    assert not _start_link(client.get(f"/calls/{closed.id}"), closed)


def test_no_start_link_for_people_who_cannot_propose(client, login):
    call = create_call()
    response = client.get(f"/calls/{call.id}")
    assert "Start a proposal" not in text(response)
    login(create_user("funder"))
    assert "Start a proposal" not in text(client.get(f"/calls/{call.id}"))
    login(create_user("youth"))  # in no team yet
    page = text(client.get(f"/calls/{call.id}"))
    assert "Start a proposal" not in page
    assert "Join or create a team to propose a project to this call." in page


def test_an_unconfirmed_member_is_told_to_confirm_first(client, login):
    member = create_user("youth", confirmed=False)
    team = create_team()
    db.session.add(Membership(team_id=team.id, user_id=member.id))
    db.session.flush()
    call = create_call()
    login(member)
    page = text(client.get(f"/calls/{call.id}"))
    assert "Start a proposal" not in page
    assert "Confirm your email address to propose a project." in page


# -- navigation -----------------------------------------------------------------------------------
def test_navigation_offers_funding_calls_to_all_and_manage_calls_to_managers(client, login):
    nav = re.compile(r'<nav aria-label="Main".*?</nav>', re.S)
    assert "Funding calls" in nav.search(client.get("/").get_data(as_text=True)).group(0)
    login(create_user("youth"))
    main = nav.search(client.get("/dashboard").get_data(as_text=True)).group(0)
    assert "Funding calls" in main and "Manage calls" not in main
    for role in ("funder", "coordinator"):
        login(create_user(role))
        assert "Manage calls" in nav.search(client.get("/dashboard").get_data(as_text=True)).group(0)


# -- creating -------------------------------------------------------------------------------------
def test_a_funder_creates_a_draft_call(funder_client, funder):
    form_page = funder_client.get("/calls/new")
    assert form_page.status_code == 200
    assert re.search(r'<option selected value="America/Toronto">|<option value="America/Toronto" selected>',
                     form_page.get_data(as_text=True))

    response = post(funder_client, "/calls/new", call_form(
        **criterion_fields(1, "Reach", weight="2", allow_na=True), review_deadline=f"{YEAR}-04-01T17:00",
        countries=["CA", "FR"]))

    call = db.session.scalar(select(Call))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/calls/{call.id}/manage"
    assert (call.state, call.owner_id, call.title) == ("draft", funder.id, "Voices Against Hate")
    assert (call.currency, call.pool_amount, call.max_award) == ("CAD", 2_000_000, 500_050)
    assert call.themes == ["counter_narratives", "hate_speech"]
    assert call.countries == ["CA", "FR"]
    assert (call.min_age, call.max_age, call.min_team_size, call.max_team_size) == (13, 25, 2, 8)
    assert call.timezone == "America/Toronto"
    assert call.opens_at == datetime(YEAR, 1, 4, 14, 0, tzinfo=UTC)  # 9:00 in Toronto, winter time
    assert call.closes_at == datetime(YEAR, 3, 16, 3, 59, tzinfo=UTC)  # 23:59 in Toronto, summer time
    assert call.review_deadline == datetime(YEAR, 4, 1, 21, 0, tzinfo=UTC)
    assert [(c.position, c.title, c.weight, c.allow_not_applicable) for c in call.criteria] == [
        (0, "Relevance", 3, False), (1, "Reach", 2, True)]
    assert call.criteria[0].level_descriptors == LEVELS
    assert call.criteria[0].description == "Answers hate online."
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "call.created")).subject_id == call.id
    assert "is saved as a draft" in text(funder_client.get(response.headers["Location"]))


def test_a_coordinator_creates_a_call(client, login):
    login(create_user("coordinator"))
    assert post(client, "/calls/new", call_form()).status_code == 302
    assert _calls() == 1


@pytest.mark.parametrize("kind", ["youth", "mentor", "guardian"])
def test_other_people_cannot_create_a_call(client, login, kind):
    login(create_user(kind))
    assert client.get("/calls/new").status_code == 403
    assert post(client, "/calls/new", call_form()).status_code == 403
    assert _calls() == 0


def test_an_unconfirmed_funder_cannot_create_a_call(client, login):
    login(create_user("funder", confirmed=False))
    assert client.get("/calls/new").status_code == 403
    assert "Confirm your email address to create a call." in text(client.get("/calls/manage"))


def test_add_a_criterion_shows_one_more_row_and_keeps_everything(funder_client):
    response = post(funder_client, "/calls/new", call_form(add_criterion="1", title="Kept title",
                                                            pool_amount="12 345,67"))
    assert response.status_code == 200
    assert _calls() == 0
    assert input_value(response, "title") == "Kept title"
    assert input_value(response, "pool_amount") == "12 345,67"
    assert input_value(response, "criteria-0-title") == "Relevance"
    assert input_value(response, "criteria-0-level_3") == "Partly"
    assert input_value(response, "criteria-1-title") in ("", None)
    assert input_value(response, "criteria-1-weight") == "1"
    page = text(response)
    assert "Criterion 2" in page and "Remove criterion 2" in page
    assert "problem" not in page  # adding a row is not a failed save: no errors yet


def test_remove_takes_out_the_right_row(funder_client):
    data = call_form(**criterion_fields(1, "Reach"), **criterion_fields(2, "Budget"))
    response = post(funder_client, "/calls/new", {**data, "criteria-1-remove": "1"})
    assert response.status_code == 200
    assert input_value(response, "criteria-0-title") == "Relevance"
    assert input_value(response, "criteria-1-title") == "Budget"
    assert input_value(response, "criteria-2-title") is None
    assert _calls() == 0


def test_removing_the_last_row_leaves_an_empty_one(funder_client):
    response = post(funder_client, "/calls/new", {**call_form(), "criteria-0-remove": "1"})
    assert response.status_code == 200
    assert input_value(response, "criteria-0-title") in ("", None)
    assert "Criterion 1" in text(response)


def test_a_rubric_has_at_most_twenty_criteria(funder_client):
    data = call_form()
    for index in range(1, 20):
        data.update(criterion_fields(index, f"Criterion {index}"))
    response = post(funder_client, "/calls/new", {**data, "add_criterion": "1"})
    assert "A rubric can have at most 20 criteria." in text(response)
    assert input_value(response, "criteria-20-title") is None


def test_blank_rows_are_dropped_when_saving(funder_client):
    data = call_form(**{"criteria-1-title": "", "criteria-1-weight": "1"})
    assert post(funder_client, "/calls/new", data).status_code == 302
    assert [c.title for c in db.session.scalar(select(Call)).criteria] == ["Relevance"]


BAD_INPUT = [
    # (what is sent, the field whose error shows, words of the message)
    ({"pool_amount": "99999999999999999999"}, "pool_amount", "at most 10 000 000"),
    ({"pool_amount": "9" * 5000}, "pool_amount", "at most 10 000 000"),
    ({"pool_amount": "-20000"}, "pool_amount", "not negative"),
    ({"max_award": "12abc"}, "max_award", "in figures"),
    ({"max_award": "5000.505"}, "max_award", "at most 2 decimals"),
    ({"max_award": "0"}, "max_award", "greater than zero"),
    ({"max_award": "30 000"}, "max_award", "cannot be more than the total pool"),
    ({"pool_amount": ""}, "pool_amount", "required"),
    ({"closes_at": f"{YEAR}-01-01T10:00"}, "closes_at", "must come after the opening time"),
    ({"closes_at": f"{YEAR}-01-04T09:00"}, "closes_at", "must come after the opening time"),
    ({"review_deadline": f"{YEAR}-03-01T10:00"}, "review_deadline", "after the closing time"),
    ({"opens_at": "next tuesday"}, "opens_at", "Enter a date and time"),
    ({"opens_at": "0001-01-01T00:00"}, "opens_at", "between 2000 and 2100"),
    ({"closes_at": "9999-12-31T23:59"}, "closes_at", "between 2000 and 2100"),
    ({"opens_at": f"{YEAR}-03-14T02:30"}, "opens_at", "does not exist in America/Toronto"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone from the list."),
    ({"timezone": ""}, "timezone", "Choose a time zone from the list."),
    ({"max_age": "12"}, "max_age", "13 to 99"),
    ({"min_age": "20", "max_age": "16"}, "max_age", "cannot be below the youngest age"),
    ({"min_age": "abc"}, "min_age", "Enter an age in years"),
    ({"min_age": "1" * 40}, "min_age", "13 to 99"),
    ({"min_team_size": "5", "max_team_size": "2"}, "max_team_size", "cannot be smaller than the smallest team"),
    ({"min_team_size": "0"}, "min_team_size", "1 to 50"),
    ({"min_reviews": "-1"}, "min_reviews", "1 to 10"),
    ({"currency": "XXX"}, "currency", "Choose a currency"),
    ({"currency": ""}, "currency", "Choose a currency"),
    ({"themes": []}, "themes", "Choose at least one theme."),
    ({"themes": ["bogus"]}, "themes", "valid choice"),
    ({"countries": ["ZZZ"]}, "countries", "valid choice"),
    ({"title": ""}, "title", "required"),
    ({"title": "x" * 161}, "title", "at most 160"),
    ({"description": "x" * 20001}, "description", "at most 20000"),
    ({"criteria-0-weight": "0"}, "criteria-0-weight", "weight of zero"),
    ({"criteria-0-weight": "-3"}, "criteria-0-weight", "from 1 to 100"),
    ({"criteria-0-weight": "heavy"}, "criteria-0-weight", "whole number"),
    ({"criteria-0-weight": ""}, "criteria-0-weight", "required"),
    ({"criteria-0-title": "", "criteria-0-level_1": "Only a level"}, "criteria-0-title", "Name the criterion"),
    ({"criteria-0-title": "y" * 121}, "criteria-0-title", "at most 120"),
    ({"criteria-0-level_2": "z" * 301}, "criteria-0-level_2", "at most 300"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT, ids=[f"{case[1]}-{n}" for n, case in
                                                                       enumerate(BAD_INPUT)])
def test_bad_input_is_shown_beside_the_field_and_kept(funder_client, changes, field, message):
    response = post(funder_client, "/calls/new", call_form(**changes))

    assert response.status_code == 200
    assert message in (field_error(response, field) or ""), text(response)[:2000]
    assert "problem" in text(response)  # the summary at the top of the form
    assert _calls() == 0
    assert input_value(response, "title") == call_form(**changes)["title"]
    for name, value in changes.items():
        if isinstance(value, str) and name not in ("description", "currency", "timezone") and value != "":
            shown = input_value(response, name)
            if shown is not None:
                assert shown == value


def test_a_call_without_criteria_is_refused(funder_client):
    data = call_form(**{f"criteria-0-{name}": "" for name in
                        ("title", "description", "level_1", "level_2", "level_3", "level_4", "level_5")})
    response = post(funder_client, "/calls/new", data)
    assert response.status_code == 200
    assert "Add at least one criterion to the rubric." in text(response)
    assert "Criterion 1" in text(response)  # an empty row to start again
    assert _calls() == 0


def test_no_criteria_fields_at_all_is_refused_too(funder_client):
    data = {key: value for key, value in call_form().items() if not key.startswith("criteria-")}
    response = post(funder_client, "/calls/new", data)
    assert response.status_code == 200
    assert "Add at least one criterion to the rubric." in text(response)


def test_nul_characters_are_dropped_rather_than_crashing(funder_client):
    response = post(funder_client, "/calls/new", call_form(title="Voices\x00 Against Hate",
                                                            description="Bad\x00byte"))
    assert response.status_code == 302
    call = db.session.scalar(select(Call))
    assert (call.title, call.description) == ("Voices Against Hate", "Badbyte")


def test_a_draft_may_leave_level_descriptors_for_later(funder_client):
    data = call_form(**{f"criteria-0-level_{level}": "" for level in range(1, 6)})
    assert post(funder_client, "/calls/new", data).status_code == 302
    call = db.session.scalar(select(Call))
    assert call.criteria[0].level_descriptors == [""] * 5
    page = text(funder_client.get(f"/calls/{call.id}/manage"))
    assert "Before you can publish" in page
    assert "Describe all five levels of “Relevance” before publishing." in page


# -- editing --------------------------------------------------------------------------------------
def test_the_edit_form_shows_the_draft_as_it_was_typed(funder_client):
    post(funder_client, "/calls/new", call_form(**criterion_fields(1, "Reach", allow_na=True)))
    call = db.session.scalar(select(Call))
    response = funder_client.get(f"/calls/{call.id}/edit")
    assert response.status_code == 200
    assert input_value(response, "title") == "Voices Against Hate"
    assert input_value(response, "pool_amount") == "20000"
    assert input_value(response, "max_award") == "5000.50"
    assert input_value(response, "opens_at") == f"{YEAR}-01-04T09:00"
    assert input_value(response, "closes_at") == f"{YEAR}-03-15T23:59"
    assert input_value(response, "criteria-1-title") == "Reach"
    assert input_value(response, "criteria-0-level_5") == "Fully"
    assert checked_values(response, "criteria-1-allow_not_applicable") == ["y"]
    assert checked_values(response, "themes") == ["counter_narratives", "hate_speech"]


def test_editing_a_draft_changes_everything_and_replaces_the_rubric(funder_client, funder):
    call = create_call(funder, state="draft")
    response = post(funder_client, f"/calls/{call.id}/edit", call_form(
        title="Renamed", currency="EUR", pool_amount="1000", max_award="500", timezone="Europe/Paris",
        **criterion_fields(1, "Second")))
    assert response.status_code == 302
    call = _reload(call)
    assert (call.title, call.currency, call.pool_amount, call.max_award) == ("Renamed", "EUR", 100_000, 50_000)
    assert call.closes_at == datetime(YEAR, 3, 15, 22, 59, tzinfo=UTC)  # 23:59 in Paris, winter time
    assert [c.title for c in call.criteria] == ["Relevance", "Second"]


def test_editing_a_draft_with_bad_input_keeps_it_unchanged(funder_client, funder):
    call = create_call(funder, state="draft", title="Unchanged")
    response = post(funder_client, f"/calls/{call.id}/edit", call_form(title="New", max_award="-1"))
    assert response.status_code == 200
    assert "not negative" in field_error(response, "max_award")
    assert _reload(call).title == "Unchanged"


def test_only_managers_edit_a_call(client, login, funder):
    call = create_call(funder, state="draft", title="Mine")
    login(create_user("funder"))
    assert client.get(f"/calls/{call.id}/edit").status_code == 403
    assert post(client, f"/calls/{call.id}/edit", call_form(title="Taken")).status_code == 403
    co_funder = create_user("funder")
    call.funders.append(CallFunder(user_id=co_funder.id))
    db.session.flush()
    login(co_funder)
    assert post(client, f"/calls/{call.id}/edit", call_form(title="Shared")).status_code == 302
    assert _reload(call).title == "Shared"


def test_a_published_call_changes_only_its_description_and_deadlines(funder_client, funder):
    call = create_call(funder, title="Fixed Title", pool=2_000_000, max_award=500_000)
    opens_at = call.opens_at
    form_page = funder_client.get(f"/calls/{call.id}/edit")
    assert form_page.status_code == 200
    assert input_value(form_page, "title") is None  # not offered any more
    assert "only its description and its deadlines can still change" in text(form_page)

    response = post(funder_client, f"/calls/{call.id}/edit", {
        **call_form(title="Hijacked", pool_amount="1", max_award="1", timezone="UTC", opens_at="2020-01-01T00:00"),
        "description": "New words", "closes_at": f"{YEAR}-06-30T17:00", "review_deadline": f"{YEAR}-07-15T17:00"})

    assert response.status_code == 302
    call = _reload(call)
    assert (call.title, call.pool_amount, call.max_award, call.timezone) == (
        "Fixed Title", 2_000_000, 500_000, "America/Toronto")
    assert call.opens_at == opens_at
    assert call.description == "New words"
    assert call.closes_at == datetime(YEAR, 6, 30, 21, 0, tzinfo=UTC)
    assert call.review_deadline == datetime(YEAR, 7, 15, 21, 0, tzinfo=UTC)
    assert [c.title for c in call.criteria] == ["Impact", "Feasibility"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.updated")).one()
    assert entry.detail["changed"] == ["closes_at", "description", "review_deadline"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"closes_at": "2020-01-01T10:00"}, "closes_at", "after the opening time"),
    ({"closes_at": "rubbish"}, "closes_at", "Enter a date and time"),
    ({"closes_at": ""}, "closes_at", "required"),
    ({"review_deadline": "2020-01-01T10:00"}, "review_deadline", "after the closing time"),
])
def test_a_published_call_refuses_bad_deadlines(funder_client, funder, changes, field, message):
    call = create_call(funder)
    closes_at = call.closes_at
    data = {"description": "Typed", "closes_at": f"{YEAR}-06-30T17:00", "review_deadline": "", **changes}
    response = post(funder_client, f"/calls/{call.id}/edit", data)
    assert response.status_code == 200
    assert message in field_error(response, field)
    assert "Typed</textarea>" in response.get_data(as_text=True)
    assert _reload(call).closes_at == closes_at


def test_a_published_call_cannot_close_in_the_past_by_editing(funder_client, funder):
    call = create_call(funder, opens_in_days=-30)
    yesterday = (utcnow() - timedelta(days=1)).astimezone(ZoneInfo("America/Toronto"))
    response = post(funder_client, f"/calls/{call.id}/edit", {
        "description": "x", "closes_at": yesterday.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200
    assert "close the call instead" in field_error(response, "closes_at")


def test_a_closed_call_gets_a_new_closing_time_then_reopens(funder_client, funder):
    call = create_call(funder, state="closed", opens_in_days=-30, closes_in_days=-2)
    refused = post(funder_client, f"/calls/{call.id}/reopen")
    assert refused.status_code == 302
    assert "Move the closing time into the future" in text(funder_client.get(refused.headers["Location"]))
    assert _reload(call).state == "closed"

    assert post(funder_client, f"/calls/{call.id}/edit", {
        "description": "Extended", "closes_at": f"{YEAR}-05-01T12:00"}).status_code == 302
    response = post(funder_client, f"/calls/{call.id}/reopen")
    assert response.status_code == 302
    assert _reload(call).state == "published"
    assert "The call is open again" in text(funder_client.get(response.headers["Location"]))


def test_an_archived_call_cannot_be_edited(client, login, funder):
    call = create_call(funder, state="archived")
    login(funder)
    assert client.get(f"/calls/{call.id}/edit").status_code == 403
    assert post(client, f"/calls/{call.id}/edit", {"description": "x"}).status_code == 403
    login(create_user("coordinator"))
    assert client.get(f"/calls/{call.id}/edit").status_code == 403


# -- moves ----------------------------------------------------------------------------------------
def test_the_owner_publishes_a_complete_draft(funder_client, funder):
    call = create_call(funder, state="draft")
    manage = funder_client.get(f"/calls/{call.id}/manage")
    assert manage.status_code == 200
    assert re.search(rf'action="/calls/{call.id}/publish"', manage.get_data(as_text=True))

    response = post(funder_client, f"/calls/{call.id}/publish")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/calls/{call.id}/manage"
    assert _reload(call).state == "published"
    assert "The call is published" in text(funder_client.get(response.headers["Location"]))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.publish")).one()
    assert entry.actor_id == funder.id


def test_publishing_an_incomplete_draft_says_what_is_missing(funder_client, funder):
    call = create_call(funder, state="draft", criteria=[("Impact", 1, False)])
    call.criteria[0].level_descriptors = ["Weak", "", "", "", ""]
    db.session.flush()
    response = post(funder_client, f"/calls/{call.id}/publish")
    assert response.status_code == 302
    assert "Describe all five levels of “Impact” before publishing." in text(
        funder_client.get(response.headers["Location"]))
    assert _reload(call).state == "draft"


def test_an_illegal_move_is_refused_with_a_clear_message(funder_client, funder):
    call = create_call(funder, state="draft")
    response = post(funder_client, f"/calls/{call.id}/close")
    assert response.status_code == 302
    assert "A call that is draft cannot be moved this way (Close)." in text(
        funder_client.get(response.headers["Location"]))
    assert _reload(call).state == "draft"


def test_close_and_archive(funder_client, funder):
    call = create_call(funder)
    assert post(funder_client, f"/calls/{call.id}/close").status_code == 302
    assert _reload(call).state == "closed"
    assert post(funder_client, f"/calls/{call.id}/archive").status_code == 302
    assert _reload(call).state == "archived"
    assert "archived" in text(funder_client.get(f"/calls/{call.id}/manage"))


@pytest.mark.parametrize("kind", ["youth", "mentor", "guardian", "funder"])
def test_people_who_do_not_manage_the_call_cannot_move_it(client, login, kind):
    call = create_call(state="draft")
    login(create_user(kind))
    assert post(client, f"/calls/{call.id}/publish").status_code == 403
    assert client.get(f"/calls/{call.id}/manage").status_code == 403
    assert _reload(call).state == "draft"


def test_a_coordinator_moves_any_call(client, login):
    call = create_call()
    login(create_user("coordinator"))
    assert post(client, f"/calls/{call.id}/close").status_code == 302
    assert _reload(call).state == "closed"


def test_a_move_without_the_csrf_token_is_refused(funder_client, funder):
    call = create_call(funder, state="draft")
    response = funder_client.post(f"/calls/{call.id}/publish")
    assert response.status_code == 400
    assert _reload(call).state == "draft"


def test_an_unknown_action_is_not_found(funder_client, funder):
    call = create_call(funder)
    assert post(funder_client, f"/calls/{call.id}/explode").status_code == 404
    assert funder_client.get(f"/calls/{call.id}/publish").status_code == 405


# -- the managers' list ---------------------------------------------------------------------------
def test_a_funder_lists_the_calls_they_manage(client, login, funder):
    own = create_call(funder, title="Own Call", state="draft")
    shared = create_call(title="Shared Call")
    shared.funders.append(CallFunder(user_id=funder.id))
    create_call(title="Someone Else's Call")
    db.session.flush()
    login(funder)
    response = client.get("/calls/manage")
    assert response.status_code == 200
    page = text(response)
    assert "Own Call" in page and "Shared Call" in page
    assert "Someone Else's Call" not in page
    assert f'href="/calls/{own.id}/manage"' in response.get_data(as_text=True)
    assert "draft" in page and "published" in page
    assert "Create a call" in page


def test_a_coordinator_lists_every_call(client, login):
    create_call(title="First Call")
    create_call(title="Second Call", state="archived")
    login(create_user("coordinator"))
    page = text(client.get("/calls/manage"))
    assert "First Call" in page and "Second Call" in page


def test_a_funder_without_calls_is_told_so(client, login):
    login(create_user("funder"))
    assert "You do not manage any call yet." in text(client.get("/calls/manage"))


@pytest.mark.parametrize("kind", ["youth", "mentor", "guardian"])
def test_others_have_no_managers_list(client, login, kind):
    login(create_user(kind))
    assert client.get("/calls/manage").status_code == 403


# -- adding a funder ------------------------------------------------------------------------------
def test_a_coordinator_adds_a_funder_who_then_manages_the_call(client, login, new_client):
    call = create_call(title="Joint Call")
    partner = create_user("funder", name="Paula Partner", email="paula@example.org")
    login(create_user("coordinator"))
    page = client.get(f"/calls/{call.id}/manage")
    assert "Email address of the funder to add" in text(page)

    response = post(client, f"/calls/{call.id}/funders", {"email": " Paula@Example.org "})

    assert response.status_code == 302
    assert "Paula Partner now manages this call too." in text(client.get(response.headers["Location"]))
    assert db.session.scalar(select(CallFunder.user_id).where(CallFunder.call_id == call.id)) == partner.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "call.funder_added")).detail == {
        "user_id": partner.id}
    other = new_client()
    sign_in(other, partner)
    assert other.get(f"/calls/{call.id}/manage").status_code == 200
    assert "Joint Call" in text(other.get("/calls/manage"))


@pytest.mark.parametrize(("email", "message"), [
    ("", "This field is required."),
    ("not an address", "Enter an email address"),
    ("nobody@example.org", "No account uses this address."),
    ("youth@example.org", "This person is not a funder."),
    ("owner@example.org", "This person already manages the call."),
])
def test_adding_a_funder_explains_what_went_wrong(client, login, email, message):
    owner = create_user("funder", email="owner@example.org")
    create_user("youth", email="youth@example.org")
    call = create_call(owner)
    login(create_user("coordinator"))
    response = post(client, f"/calls/{call.id}/funders", {"email": email})
    assert response.status_code == 400
    assert message in field_error(response, "email")
    assert input_value(response, "email") == email or email == ""
    assert db.session.scalar(select(func.count()).select_from(CallFunder)) == 0


def test_the_owner_funder_cannot_add_funders(client, login, funder):
    call = create_call(funder)
    create_user("funder", email="friend@example.org")
    login(funder)
    assert post(client, f"/calls/{call.id}/funders", {"email": "friend@example.org"}).status_code == 403
    assert "Email address of the funder to add" not in text(client.get(f"/calls/{call.id}/manage"))


def test_a_call_past_its_deadline_can_still_have_its_description_fixed(funder_client, funder):
    call = create_call(funder, opens_in_days=-30, closes_in_days=-1)  # stored with seconds
    closes_at = call.closes_at
    form_page = funder_client.get(f"/calls/{call.id}/edit")
    response = post(funder_client, f"/calls/{call.id}/edit", {
        "description": "Typo fixed", "closes_at": input_value(form_page, "closes_at"), "review_deadline": ""})
    assert response.status_code == 302
    call = _reload(call)
    assert (call.description, call.closes_at) == ("Typo fixed", closes_at)
