"""Screening through the browser's eyes: the checks run again, pass to review, decline with a reason."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.proposals.models import Proposal
from tests.conftest import post
from tests.factories import create_call, create_proposal, create_team, create_user
from tests.pages import field_error, text


def _reload(proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def _url(call, proposal, action) -> str:
    return f"/reviews/calls/{call.id}/screening/{proposal.id}/{action}"


def test_the_page_lists_proposals_to_screen_with_their_checks(client, login, coordinator, call, team, submitted):
    complete = submitted(team, title="Voices of Peace")
    lonely = submitted(create_team(create_user()), title="Alone Online")
    lonely.call.min_team_size = 2
    in_screening = submitted(title="Under Way", state="screening")
    submitted(title="Already In Review", state="in_review")
    create_proposal(team, call, title="Still A Draft")
    db.session.flush()

    response = login(coordinator).get(f"/reviews/calls/{call.id}/screening")

    assert response.status_code == 200
    page = text(response)
    for title in ("Voices of Peace", "Alone Online", "Under Way"):
        assert title in page
    assert "Already In Review" not in page and "Still A Draft" not in page
    body = response.get_data(as_text=True)
    section = body[body.index(f'id="proposal-{complete.id}"'):body.index(f'id="proposal-{lonely.id}"')]
    assert "All checks pass." in section
    lonely_section = body[body.index(f'id="proposal-{lonely.id}"'):]
    assert "This call takes teams of 2 to 10 people" in lonely_section
    # A proposal in screening can no longer be "started"; a submitted one can.
    assert _url(call, complete, "start_screening") in body
    assert _url(call, in_screening, "start_screening") not in body
    assert _url(call, in_screening, "pass_to_review") in body


def test_checks_are_run_again_now_but_not_the_deadline_nor_the_submitter(client, login, coordinator, call, team,
                                                                          submitted):
    proposal = submitted(team, title="Late Again")
    proposal.budget_lines[0].amount = 1  # the budget no longer adds up
    db.session.flush()

    page = text(login(coordinator).get(f"/reviews/calls/{call.id}/screening"))

    assert "The budget lines add up to" in page
    assert "no longer takes proposals" not in page  # the call is closed now, but it was open when submitted
    assert "Confirm your email" not in page


def test_a_proposal_submitted_after_the_deadline_is_flagged(client, login, coordinator, call, submitted):
    proposal = submitted(title="Too Late")
    proposal.submitted_at = call.closes_at.replace(year=call.closes_at.year + 1)
    db.session.flush()
    assert "It was submitted after the call's deadline." in text(
        login(coordinator).get(f"/reviews/calls/{call.id}/screening"))


def test_start_screening_then_pass_to_review(client, login, coordinator, call, submitted):
    proposal = submitted(title="Voices of Peace")
    login(coordinator)

    response = post(client, _url(call, proposal, "start_screening"))
    assert response.status_code == 302
    assert _reload(proposal).state == "screening"
    response = post(client, _url(call, proposal, "pass_to_review"), follow_redirects=True)
    assert "“Voices of Peace” is passed to review." in text(response)
    assert _reload(proposal).state == "in_review"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "proposals",
                                                                 AuditEntry.subject_id == proposal.id)).all()
    assert actions == ["proposal.start_screening", "proposal.pass_to_review"]


def test_declining_needs_a_reason_and_keeps_the_page(client, login, coordinator, call, submitted):
    proposal = submitted(title="Voices of Peace")
    response = post(login(coordinator), _url(call, proposal, "decline"), {f"decline-{proposal.id}-reason": "  "})
    assert response.status_code == 400
    assert "Give a reason" in field_error(response, f"decline-{proposal.id}-reason")
    assert _reload(proposal).state == "submitted"


def test_declining_tells_the_team_why_by_email_and_on_the_proposal_page(client, new_client, login, outbox,
                                                                        coordinator, call, team, lead, mate,
                                                                        submitted):
    proposal = submitted(team, title="Voices of Peace")
    reason = "The project targets adults only; this call is for projects by and for young people."
    response = post(login(coordinator), _url(call, proposal, "decline"),
                    {f"decline-{proposal.id}-reason": reason}, follow_redirects=True)

    assert "“Voices of Peace” is declined. The team has been told why by email." in text(response)
    assert _reload(proposal).state == "declined"
    emails = outbox(kind="proposal_declined")
    assert {m.recipient for m in emails} == {lead.email, mate.email}
    assert all(reason in m.body and f"/proposals/{proposal.id}" in m.body for m in emails)
    from tests.conftest import sign_in

    team_browser = new_client()
    sign_in(team_browser, lead)
    assert f"Reason: {reason}" in text(team_browser.get(f"/proposals/{proposal.id}"))


@pytest.mark.parametrize(("state", "action", "message"), [
    ("in_review", "pass_to_review", "cannot be moved this way"),
    ("in_review", "decline", "cannot be declined at screening"),
    ("declined", "start_screening", "cannot be moved this way"),
    ("screening", "start_screening", "cannot be moved this way"),
])
def test_an_illegal_move_is_refused_with_a_clear_message(client, login, coordinator, call, submitted, state, action,
                                                         message):
    proposal = submitted(title="Voices of Peace", state=state)
    data = {f"decline-{proposal.id}-reason": "No."} if action == "decline" else {}
    response = post(login(coordinator), _url(call, proposal, action), data, follow_redirects=True)
    assert response.status_code == 200
    assert message in text(response)
    assert _reload(proposal).state == state


def test_screening_is_for_coordinators_only(client, login, owner, call, lead, team, submitted):
    proposal = submitted(team)
    for person in (owner, lead, create_user("mentor")):
        login(person)
        assert client.get(f"/reviews/calls/{call.id}/screening").status_code == 403
        assert post(client, _url(call, proposal, "pass_to_review")).status_code == 403
    assert _reload(proposal).state == "submitted"


def test_unknown_calls_proposals_and_actions(client, login, coordinator, call, submitted):
    proposal = submitted()
    other_call = create_call(state="closed", opens_in_days=-30, closes_in_days=-1)
    login(coordinator)
    assert client.get("/reviews/calls/999999/screening").status_code == 404
    assert post(client, _url(other_call, proposal, "pass_to_review")).status_code == 404
    assert post(client, _url(call, proposal, "award")).status_code == 404
    assert client.get(_url(call, proposal, "pass_to_review")).status_code == 405


def test_the_list_is_paginated(app, client, login, coordinator, call, submitted):
    app.config["PAGE_SIZE"], saved = 2, app.config["PAGE_SIZE"]
    try:
        for n in range(3):
            submitted(title=f"Project {n}")
        login(coordinator)
        first, second = client.get(f"/reviews/calls/{call.id}/screening"), \
            client.get(f"/reviews/calls/{call.id}/screening?page=2")
    finally:
        app.config["PAGE_SIZE"] = saved
    assert "Page 1 of 2" in text(first) and "Project 2" not in text(first)
    assert "Project 2" in text(second)


def test_the_page_sends_the_same_number_of_queries_for_3_or_12_proposals(client, login, coordinator, call, submitted,
                                                                          count_queries):
    login(coordinator)
    for _ in range(3):
        submitted()
    few = count_queries(lambda: client.get(f"/reviews/calls/{call.id}/screening"))
    for _ in range(9):
        submitted()
    many = count_queries(lambda: client.get(f"/reviews/calls/{call.id}/screening"))
    response = client.get(f"/reviews/calls/{call.id}/screening")
    assert len(re.findall(r'<section class="panel" id="proposal-', response.get_data(as_text=True))) == 12
    assert 3 < few == many, (few, many)
