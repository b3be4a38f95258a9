"""One decision at a time: award (possibly smaller, scaling the tranches), decline, request changes; the reason
for departing from the suggestion; the pool is never over-committed; the team is told by email."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.decisions import services
from app.ledger import services as ledger
from app.ledger.balances import REFUND
from app.proposals.models import Proposal
from app.reviews.services import committed_amount
from app.validation import ValidationFailed
from tests.conftest import post, sign_in
from tests.pages import checked_values, field_error, input_value, text


def _decide(client, proposal, **fields):
    prefix = f"decide-{proposal.id}-"
    return post(client, f"/decisions/proposals/{proposal.id}", {prefix + name: value for name, value in fields.items()})


def _fresh(proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def _trail(proposal) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "proposals",
                                                            AuditEntry.subject_id == proposal.id)
                                   .order_by(AuditEntry.id)))


def test_the_award_amount_starts_at_the_amount_requested_and_no_decision_is_chosen(client, scene):
    podcast = scene.proposals["Podcast"]
    sign_in(client, scene.owner)
    response = client.get(f"/decisions/calls/{scene.call.id}")
    assert input_value(response, f"decide-{podcast.id}-amount") == "4000"
    assert checked_values(response, f"decide-{podcast.id}-decision") == []
    assert input_value(response, f"decide-{podcast.id}-floor") == "3"


def test_awarding_what_the_suggestion_funds_needs_no_departure_reason(client, scene, outbox):
    podcast = scene.proposals["Podcast"]
    sign_in(client, scene.owner)
    response = _decide(client, podcast, decision="award", amount="4000", justification="Clear, reachable plan.")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/decisions/calls/{scene.call.id}?floor=3")
    podcast = _fresh(podcast)
    assert podcast.state == "awarded" and podcast.amount_awarded == 400_000
    assert [m.tranche_amount for m in podcast.milestones] == [100_000, 300_000]  # unchanged
    actions = [(e.action, e.detail.get("reason")) for e in _trail(podcast)]
    assert ("proposal.award", "Clear, reachable plan.") in actions
    assert "proposal.decision_departure" not in [a for a, _ in actions]
    emails = outbox(kind="proposal_awarded")
    assert sorted(m.recipient for m in emails) == sorted(u.email for u in podcast.team.members)
    assert emails[0].subject == "“Podcast” is awarded CA$4,000.00"
    assert "Clear, reachable plan." in emails[0].body and "scaled down" not in emails[0].body
    page = client.get(response.headers["Location"])
    assert "“Podcast” is awarded CA$4,000.00. The team has been told by email." in text(page)
    assert "Committed to awards CA$5,000.00 Available CA$5,000.00" in text(page)


def test_a_smaller_award_scales_the_tranches_and_needs_a_departure_reason(client, scene, outbox):
    podcast = scene.proposals["Podcast"]
    sign_in(client, scene.owner)
    refused = _decide(client, podcast, decision="award", amount="3 000,00", justification="Good; trim the budget.")
    assert refused.status_code == 400
    assert field_error(refused, f"decide-{podcast.id}-departure_reason") == (
        "This decision departs from the suggestion (the suggestion funds the amount requested, CA$4,000.00): "
        "say why.")
    assert _fresh(podcast).state == "in_review"
    body = refused.get_data(as_text=True)
    assert 'value="3 000,00"' in body and "Good; trim the budget." in body  # what was typed is kept

    accepted = _decide(client, podcast, decision="award", amount="3 000,00", justification="Good; trim the budget.",
                       departure_reason="Equipment is on loan from the youth centre.")
    assert accepted.status_code == 302
    podcast = _fresh(podcast)
    assert podcast.amount_awarded == 300_000
    # 100,000 and 300,000 scaled by 3/4; the last tranche absorbs the rounding.
    assert [m.tranche_amount for m in podcast.milestones] == [75_000, 225_000]
    assert podcast.tranche_total == 300_000
    departure = [e for e in _trail(podcast) if e.action == "proposal.decision_departure"]
    assert len(departure) == 1
    assert departure[0].actor_id == scene.owner.id
    assert departure[0].detail == {"decision": "award", "departure": "different_amount", "suggested": "funded",
                                   "amount": 300_000, "amount_requested": 400_000,
                                   "reason": "Equipment is on loan from the youth centre."}
    email = outbox(kind="proposal_awarded")[0]
    assert "You asked for CA$4,000.00" in email.body
    assert "- Step 1: CA$750.00" in email.body and "- Step 2: CA$2,250.00" in email.body
    # The reason is visible in the proposal's history.
    history = text(client.get(f"/proposals/{podcast.id}"))
    assert "Reason: Equipment is on loan from the youth centre." in history


def test_awarding_what_the_suggestion_does_not_fund_needs_a_reason(client, scene):
    murals = scene.proposals["Murals"]  # not reached: the pool is used up above it
    sign_in(client, scene.owner)
    refused = _decide(client, murals, decision="award", amount="3000", justification="Strong local partners.")
    assert refused.status_code == 400
    assert field_error(refused, f"decide-{murals.id}-departure_reason") == (
        "This decision departs from the suggestion (the suggestion does not fund this proposal): say why.")
    accepted = _decide(client, murals, decision="award", amount="3000", justification="Strong local partners.",
                       departure_reason="The panel wants one arts project.")
    assert accepted.status_code == 302
    assert _fresh(murals).state == "awarded"
    entry = [e for e in _trail(murals) if e.action == "proposal.decision_departure"][0]
    assert entry.detail["departure"] == "not_suggested" and entry.detail["suggested"] == "not_reached"


@pytest.mark.parametrize("action", ["decline", "request_changes"])
def test_turning_down_a_suggested_proposal_needs_a_reason_but_not_an_unsuggested_one(client, scene, action):
    podcast, murals = scene.proposals["Podcast"], scene.proposals["Murals"]
    sign_in(client, scene.owner)
    refused = _decide(client, podcast, decision=action, justification="Not this time.")
    assert refused.status_code == 400
    assert field_error(refused, f"decide-{podcast.id}-departure_reason").startswith(
        "This decision departs from the suggestion (the suggestion funds this proposal)")
    assert _decide(client, murals, decision=action, justification="Not this time.").status_code == 302
    murals = _fresh(murals)
    assert murals.state == ("declined" if action == "decline" else "changes_requested")
    assert not [e for e in _trail(murals) if e.action == "proposal.decision_departure"]
    move = [e for e in _trail(murals) if e.action == f"proposal.{action}"][0]
    assert move.detail["reason"] == "Not this time."


def test_declining_and_requesting_changes_email_the_team(client, scene, outbox):
    murals, theatre = scene.proposals["Murals"], scene.proposals["Theatre"]
    sign_in(client, scene.owner)
    _decide(client, murals, decision="decline", justification="The budget is mostly travel.")
    _decide(client, theatre, decision="request_changes", justification="Add a safeguarding plan.",
            departure_reason="The plan for minors on stage is missing.")
    declined = outbox(kind="proposal_decided_declined")
    assert sorted(m.recipient for m in declined) == sorted(u.email for u in murals.team.members)
    assert declined[0].subject == "“Murals” is not funded" and "The budget is mostly travel." in declined[0].body
    changes = outbox(kind="proposal_changes_requested")
    assert len(changes) == 2 and "Add a safeguarding plan." in changes[0].body
    assert f"/proposals/{theatre.id}/edit" in changes[0].body
    assert _fresh(theatre).state == "changes_requested"


def test_every_missing_piece_is_named_beside_its_field(client, scene):
    podcast = scene.proposals["Podcast"]
    sign_in(client, scene.owner)
    response = _decide(client, podcast)
    assert response.status_code == 400
    assert field_error(response, f"decide-{podcast.id}-decision") == (
        "Choose a decision: award, decline or request changes.")
    response = _decide(client, podcast, decision="award", amount="", justification=" ")
    assert field_error(response, f"decide-{podcast.id}-amount") == "Enter the amount to award."
    assert field_error(response, f"decide-{podcast.id}-justification") == (
        "Give a justification: the team reads it on their proposal's page and in an email.")
    response = _decide(client, podcast, decision="award", amount="lots", justification="Yes.")
    assert field_error(response, f"decide-{podcast.id}-amount") == "Enter the amount in figures, like 1500 or 1 500,50."
    assert 'value="lots"' in response.get_data(as_text=True)
    response = _decide(client, podcast, decision="award", amount="4500", justification="Yes.")
    assert field_error(response, f"decide-{podcast.id}-amount") == (
        "Award at most the amount requested, CA$4,000.00.")
    response = _decide(client, podcast, decision="award", amount="0", justification="Yes.")
    assert field_error(response, f"decide-{podcast.id}-amount") == "Award more than zero, or decline the proposal."
    # An amount left in the field does not matter when declining.
    response = _decide(client, scene.proposals["Murals"], decision="decline", amount="lots", justification="No.")
    assert response.status_code == 302
    assert _fresh(podcast).state == "in_review"


def test_money_is_never_over_committed(client, scene, outbox):
    podcast, theatre, murals = (scene.proposals[t] for t in ("Podcast", "Theatre", "Murals"))
    sign_in(client, scene.owner)
    assert _decide(client, murals, decision="award", amount="3000", justification="Yes.",
                   departure_reason="Arts quota.").status_code == 302
    assert _decide(client, podcast, decision="award", amount="4000", justification="Yes.").status_code == 302
    # 10,000.00 - 1,000.00 - 3,000.00 - 4,000.00 = 2,000.00 left; Theatre asks 5,000.00.
    refused = _decide(client, theatre, decision="award", amount="5000", justification="Yes.",
                      departure_reason="Still the best theatre project.")
    assert refused.status_code == 400
    assert field_error(refused, f"decide-{theatre.id}-amount") == (
        "Only CA$2,000.00 is left in the pool: award at most that, or less.")
    assert _fresh(theatre).state == "in_review"
    assert not outbox(kind="proposal_awarded", recipient=theatre.team.lead.email)
    assert committed_amount(scene.call) == 800_000 <= scene.call.pool_amount
    assert _decide(client, theatre, decision="award", amount="2000", justification="What is left.",
                   departure_reason="Partial funding, agreed with the team.").status_code == 302
    assert committed_amount(scene.call) == 1_000_000 == scene.call.pool_amount


def test_the_locked_award_still_refuses_when_the_pool_changed_since_the_check(scene, monkeypatch):
    """The service's own check reads the pool before the row lock; app.reviews' award() checks again under it."""
    theatre = scene.proposals["Theatre"]
    suggestion = services.board(scene.call, 3.0).suggestion
    monkeypatch.setattr(services, "decision_problems", lambda *args, **kwargs: [])  # as if it passed earlier
    # Money went back in between: a 6,000.00 pool, 1,000.00 committed, 5,000.00 left.
    ledger.record(scene.call, REFUND, 400_000, memo="Returned to the funder")
    services.decide(scene.owner, scene.proposals["Murals"], "award", justification="Yes.", suggestion=suggestion,
                    amount=300_000, departure_reason="Arts quota.")
    with pytest.raises(ValidationFailed) as refused:  # 2,000.00 left, 5,000.00 asked
        services.decide(scene.owner, theatre, "award", justification="Yes.", suggestion=suggestion, amount=500_000)
    assert refused.value.errors[0][0] == "amount"
    assert theatre.state == "in_review"
    assert committed_amount(scene.call) == 400_000


def test_a_decided_proposal_cannot_be_decided_again(client, scene):
    podcast = scene.proposals["Podcast"]
    sign_in(client, scene.owner)
    _decide(client, podcast, decision="award", amount="4000", justification="Yes.")
    response = _decide(client, podcast, decision="decline", justification="Changed our minds.")
    assert response.status_code == 302
    # It has left the decision forms; the page says why nothing happened.
    page = client.get(response.headers["Location"])
    assert "“Podcast” is awarded: only a proposal in review can be decided." in text(page)
    assert _fresh(podcast).state == "awarded"


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("other_funder", 403), ("coordinator", 302)])
def test_only_the_calls_managers_decide(client, scene, who, status):
    from tests.factories import create_user

    podcast = scene.proposals["Podcast"]
    people = {"member": lambda: scene.leads["Podcast"], "other_funder": lambda: create_user("funder"),
              "coordinator": lambda: create_user("coordinator")}
    sign_in(client, people[who]())
    response = _decide(client, podcast, decision="award", amount="4000", justification="Yes.")
    assert response.status_code == status
    assert _fresh(podcast).state == ("awarded" if status == 302 else "in_review")


def test_anonymous_people_are_sent_to_sign_in(client, scene):
    response = _decide(client, scene.proposals["Podcast"], decision="award", amount="4000", justification="Yes.")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin?next=")


def test_the_departure_rule():
    class P:
        id, amount_requested = 1, 400_000

    from app.reviews import awards

    def suggestion(reason):
        candidate = awards.Candidate(proposal_id=1, calibrated=4.0, uncertainty=0.5, amount_requested=400_000)
        return awards.AwardSuggestion(decisions=(awards.Decision(candidate, reason, 400_000, False),), funded=(),
                                      total=0, remaining=0, funding_line=None, for_discussion=())

    funded, not_reached = suggestion(awards.Reason.FUNDED), suggestion(awards.Reason.NOT_REACHED)
    unscored = awards.AwardSuggestion(decisions=(), funded=(), total=0, remaining=0, funding_line=None,
                                      for_discussion=())
    assert services.departure(funded, P, "award", 400_000) is None
    assert services.departure(funded, P, "award", 300_000) == services.DIFFERENT_AMOUNT
    assert services.departure(funded, P, "decline", None) == services.SUGGESTED_FOR_FUNDING
    assert services.departure(funded, P, "request_changes", None) == services.SUGGESTED_FOR_FUNDING
    assert services.departure(not_reached, P, "award", 400_000) == services.NOT_SUGGESTED
    assert services.departure(not_reached, P, "decline", None) is None
    assert services.departure(unscored, P, "award", 400_000) == services.NOT_SUGGESTED
    assert services.departure(unscored, P, "request_changes", None) is None


def test_the_team_resubmits_after_changes_are_requested_though_the_call_has_closed(client, scene):
    """The call's deadline bounds first submissions; the answer to a request for changes comes after it."""
    from app.proposals import services as proposal_services

    murals = scene.proposals["Murals"]
    sign_in(client, scene.owner)
    _decide(client, murals, decision="request_changes", justification="Add a safeguarding plan.")
    murals = _fresh(murals)
    assert murals.state == "changes_requested" and scene.call.closes_at < murals.updated_at
    lead = scene.leads["Murals"]
    assert not [name for name, _ in proposal_services.submission_problems(murals, lead)]
    proposal_services.submit(lead, murals)
    assert murals.state == "in_review" and murals.version == 2
