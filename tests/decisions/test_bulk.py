"""Bulk decisions: every selected decision is made, or none is, and each problem is named by its proposal."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry
from app.mail.models import OutboxMessage
from app.proposals.models import Proposal
from app.reviews.services import committed_amount
from tests.conftest import post, sign_in
from tests.pages import checked_values, field_error, text


def _bulk(client, call, proposals, **fields):
    data = {f"bulk-{name}": value for name, value in fields.items()}
    data["proposal"] = [str(p.id) for p in proposals]
    return post(client, f"/decisions/calls/{call.id}/bulk", data)


def _states(scene) -> dict[str, str]:
    db.session.expire_all()
    return {title: db.session.get(Proposal, p.id).state for title, p in scene.proposals.items()}


def _emails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def _problems(response) -> list[str]:
    """The items of the "No decision was made" list."""
    body = response.get_data(as_text=True)
    block = re.search(r"No decision was made.*?<ul>(.*?)</ul>", body, flags=re.S)
    if block is None:
        return []
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<li>(.*?)</li>", block.group(1),
                                                                                     flags=re.S)]


def test_award_the_suggested_set_in_one_go(client, scene, outbox):
    podcast, theatre = scene.proposals["Podcast"], scene.proposals["Theatre"]
    sign_in(client, scene.owner)
    response = _bulk(client, scene.call, [podcast, theatre], action="award", justification="The panel's choice.")
    assert response.status_code == 302
    assert _states(scene) == {"Podcast": "awarded", "Murals": "in_review", "Theatre": "awarded"}
    assert committed_amount(scene.call) == 1_000_000
    assert len(outbox(kind="proposal_awarded")) == 4  # two members in each team
    page = client.get(response.headers["Location"])
    assert "2 proposals are awarded. Each team has been told by email." in text(page)
    assert "Available CA$0.00" in text(page)


def test_if_the_pool_runs_out_nothing_is_awarded_and_the_proposal_is_named(client, scene):
    sign_in(client, scene.owner)
    before = _emails()
    response = _bulk(client, scene.call, list(scene.proposals.values()), action="award", justification="All three.",
                     departure_reason="We would like to fund every one of them.")
    assert response.status_code == 400
    # Best-ranked first: Podcast and Theatre use the 9,000.00 left, so Murals does not fit.
    assert _problems(response) == ["Murals : Only CA$0.00 is left in the pool: award at most that, or less."]
    assert _states(scene) == {"Podcast": "in_review", "Murals": "in_review", "Theatre": "in_review"}
    assert committed_amount(scene.call) == 100_000
    assert _emails() == before
    assert not db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.in_(("proposal.award", "proposal.decision_departure"))))
    # What was chosen and typed is kept.
    assert sorted(checked_values(response, "proposal")) == sorted(str(p.id) for p in scene.proposals.values())
    assert checked_values(response, "bulk-action") == ["award"]
    assert "We would like to fund every one of them." in response.get_data(as_text=True)


def test_a_missing_departure_reason_is_named_for_each_proposal_that_needs_one(client, scene):
    podcast, murals = scene.proposals["Podcast"], scene.proposals["Murals"]
    sign_in(client, scene.owner)
    response = _bulk(client, scene.call, [podcast, murals], action="award", justification="Both.")
    assert response.status_code == 400
    assert _problems(response) == [
        "Murals : This decision departs from the suggestion (the suggestion does not fund this proposal): say why."]
    assert field_error(response, "bulk-departure_reason") == (
        "Some of the selected decisions depart from the suggestion: say why.")
    assert _states(scene)["Podcast"] == "in_review"


def test_the_departure_reason_is_recorded_only_where_a_decision_departs(client, scene, outbox):
    theatre, murals = scene.proposals["Theatre"], scene.proposals["Murals"]
    sign_in(client, scene.owner)
    response = _bulk(client, scene.call, [theatre, murals], action="request_changes",
                     justification="Tell us how you will reach schools.", departure_reason="Both plans are vague.")
    assert response.status_code == 302
    assert _states(scene) == {"Podcast": "in_review", "Murals": "changes_requested", "Theatre": "changes_requested"}
    departures = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.decision_departure")).all()
    assert [(e.subject_id, e.detail["reason"]) for e in departures] == [(theatre.id, "Both plans are vague.")]
    assert len(outbox(kind="proposal_changes_requested")) == 4
    assert "Changes are requested on 2 proposals." in text(client.get(response.headers["Location"]))


def test_the_bulk_form_names_what_is_missing(client, scene):
    sign_in(client, scene.owner)
    response = _bulk(client, scene.call, [])
    assert response.status_code == 400
    assert _problems(response) == ["Select at least one proposal in the table."]
    assert field_error(response, "bulk-action") == "Choose a decision for the selected proposals."
    assert field_error(response, "bulk-justification") == (
        "Give a justification: each team reads it on their proposal's page and in an email.")


def test_a_decided_or_foreign_proposal_spoils_the_whole_bulk(client, scene, owner):
    from tests.factories import create_call, create_proposal

    elsewhere = create_proposal(call=create_call(owner), state="in_review", title="Elsewhere")
    sign_in(client, scene.owner)
    response = _bulk(client, scene.call, [scene.proposals["Murals"], scene.awarded, elsewhere], action="decline",
                     justification="No.")
    assert response.status_code == 400
    assert _problems(response) == [
        "One of the selected proposals is not in this call.",
        "Earlier award : “Earlier award” is awarded: only a proposal in review can be decided."]
    assert _states(scene)["Murals"] == "in_review"


def test_only_the_calls_managers_decide_in_bulk(client, scene):
    from tests.factories import create_user

    for person, status in ((scene.leads["Murals"], 403), (create_user("funder"), 403)):
        sign_in(client, person)
        response = _bulk(client, scene.call, [scene.proposals["Murals"]], action="decline", justification="No.")
        assert response.status_code == status
    assert _states(scene)["Murals"] == "in_review"
