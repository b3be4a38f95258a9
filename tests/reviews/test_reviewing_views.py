"""A reviewer's side: the list, the conflict question, reading, scoring, and the other reviews afterwards."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.proposals.models import Attachment, ProposalVersion
from app.proposals.services import snapshot
from app.reviews.models import ReviewAssignment
from app.storage import get_storage
from tests.conftest import post, sign_in
from tests.factories import create_assignment, create_user
from tests.pages import checked_values, field_error, text


def _reload(assignment) -> ReviewAssignment:
    db.session.expire_all()
    return db.session.get(ReviewAssignment, assignment.id)


def _criteria(call):
    impact, feasibility = call.criteria  # Impact must be scored; Feasibility may be "not applicable"
    return impact, feasibility


def _review(call, impact="4", feasibility="na", recommendation="fund_with_changes", **extra) -> dict:
    first, second = _criteria(call)
    data = {f"criterion_{first.id}": impact, f"criterion_{second.id}": feasibility,
            f"comment_{first.id}": "Reaches many teenagers.", f"comment_{second.id}": "",
            "recommendation": recommendation, "comment": "A strong plan."}
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def proposal(team, submitted):
    return submitted(team, title="Voices of Peace", state="in_review")


# -- the list -----------------------------------------------------------------------------------------
def test_the_list_shows_a_number_before_acceptance_and_the_title_after(client, login, reviewer, call, proposal,
                                                                       submitted):
    waiting = create_assignment(proposal, reviewer)
    reading = create_assignment(submitted(title="Open Mic", state="in_review"), reviewer, state="accepted")

    response = login(reviewer).get("/reviews/")

    page = text(response)
    assert response.status_code == 200
    assert f"Proposal #{proposal.id}" in page and "Voices of Peace" not in page
    assert "Open Mic" in page and "Voices 2027" in page
    assert "not opened yet" in page and "being scored" in page
    assert "(America/Toronto)" in page  # the due date, in the reviewer's own zone
    body = response.get_data(as_text=True)
    assert f'href="/reviews/{waiting.id}"' in body and f'href="/reviews/{reading.id}"' in body
    assert 'aria-current="page">Reviews<' in body


def test_the_list_is_for_people_who_can_review(client, login, lead, coordinator, call, submitted):
    assert login(lead).get("/reviews/").status_code == 403
    submitted(title="Waiting", state="submitted")
    page = text(login(coordinator).get("/reviews/"))
    assert "Screening and reviewer assignment" in page and "Screen 1 proposal" in page


# -- the conflict question ------------------------------------------------------------------------------
def test_before_answering_only_the_team_and_the_call_are_shown(client, login, reviewer, call, proposal):
    assignment = create_assignment(proposal, reviewer)
    response = login(reviewer).get(f"/reviews/{assignment.id}")
    page = text(response)
    assert response.status_code == 200
    assert "Do you have a conflict of interest with this team?" in page
    assert "Bridges" in page and "Voices 2027" in page
    assert "Voices of Peace" not in page and "Podcasts by teenagers" not in page and "Microphones" not in page


def test_under_blind_review_the_team_name_is_hidden_too(client, login, reviewer, call, proposal, lead):
    call.blind_review = True
    assignment = create_assignment(proposal, reviewer)
    login(reviewer)
    page = text(client.get(f"/reviews/{assignment.id}"))
    assert "a team (this call uses blind review" in page and "Bridges" not in page
    post(client, f"/reviews/{assignment.id}/accept")
    page = text(client.get(f"/reviews/{assignment.id}"))
    assert "Podcasts by teenagers" in page
    assert "Bridges" not in page and "Lina" not in page and "Mo Mate" not in page


def test_declaring_a_conflict_needs_a_reason(client, login, reviewer, proposal):
    assignment = create_assignment(proposal, reviewer)
    response = post(login(reviewer), f"/reviews/{assignment.id}/conflict", {"reason": " "})
    assert response.status_code == 400
    assert field_error(response, "reason") == "Say briefly what the conflict is, for the coordinators."
    assert _reload(assignment).state == "assigned"


def test_a_declared_conflict_hides_the_proposal_for_good(client, login, reviewer, call, proposal, team, lead):
    assignment = create_assignment(proposal, reviewer)
    login(reviewer)
    response = post(client, f"/reviews/{assignment.id}/conflict", {"reason": "My cousin is in this team."},
                    follow_redirects=True)

    page = text(response)
    assert "Thank you for telling us." in page
    assert "Podcasts by teenagers" not in page and "Voices of Peace" not in page
    assert _reload(assignment).state == "conflict_declared"
    assert post(client, f"/reviews/{assignment.id}/score", _review(call)).status_code == 403
    assert post(client, f"/reviews/{assignment.id}/accept", follow_redirects=True).status_code == 200
    assert _reload(assignment).state == "conflict_declared"
    # The team never learns who declared what: the proposal's history has no trace of it.
    team_browser = client.application.test_client()
    sign_in(team_browser, lead)
    assert "My cousin" not in text(team_browser.get(f"/proposals/{proposal.id}"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.conflict_declared"))
    assert (entry.subject_type, entry.subject_id) == ("review_assignments", assignment.id)


def test_accepting_shows_the_proposal_and_the_scoring_form(client, login, reviewer, call, proposal):
    assignment = create_assignment(proposal, reviewer)
    login(reviewer)
    response = post(client, f"/reviews/{assignment.id}/accept", follow_redirects=True)

    page = text(response)
    assert "Thank you. Here is the proposal." in page
    assert "Voices of Peace" in page and "Podcasts by teenagers" in page and "Microphones" in page
    assert "4 — Very good" in page
    impact, feasibility = _criteria(call)
    body = response.get_data(as_text=True)
    assert f'name="criterion_{feasibility.id}" type="radio" value="na"' in body
    assert f'name="criterion_{impact.id}" type="radio" value="na"' not in body
    assert _reload(assignment).state == "accepted"
    # Nothing of the others' reviews before submitting.
    other = create_assignment(proposal, create_user("funder"), state="submitted", comment="Secret opinion")
    assert "Secret opinion" not in text(client.get(f"/reviews/{assignment.id}"))
    assert other.id


def test_a_known_conflict_blocks_acceptance_and_reading(client, login, reviewer, proposal, team):
    assignment = create_assignment(proposal, reviewer)
    reviewer.organisation = "Maison des Jeunes"
    team.organisation = "Maison des jeunes"
    db.session.flush()
    login(reviewer)
    page = text(client.get(f"/reviews/{assignment.id}"))
    assert "you work for the organisation that sponsors the team" in page
    assert "I have no conflict" not in page
    response = post(client, f"/reviews/{assignment.id}/accept", follow_redirects=True)
    assert "Declare it below." in text(response) and _reload(assignment).state == "assigned"

    accepted = _reload(assignment)
    accepted.state, accepted.accepted_at = "accepted", accepted.assigned_at
    db.session.flush()
    page = text(client.get(f"/reviews/{assignment.id}"))
    assert "The proposal is hidden from you." in page and "Podcasts by teenagers" not in page
    assert post(client, f"/reviews/{assignment.id}/score", _review(proposal.call)).status_code == 403


# -- scoring ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("impact", "feasibility", "field", "message"), [
    ("0", "3", "impact", "Give a score from 1 to 5."),
    ("6", "3", "impact", "Give a score from 1 to 5."),
    (None, "3", "impact", "Give a score from 1 to 5."),
    ("4", None, "feasibility", "Give a score from 1 to 5, or choose “Not applicable”."),
    ("na", "3", "impact", "This criterion must be scored: give a score from 1 to 5."),
    ("4", "7", "feasibility", "Give a score from 1 to 5, or choose “Not applicable”."),
])
def test_bad_scores_are_shown_beside_their_criterion_and_nothing_typed_is_lost(client, login, reviewer, call,
                                                                               proposal, impact, feasibility, field,
                                                                               message):
    assignment = create_assignment(proposal, reviewer, state="accepted")
    first, second = _criteria(call)
    response = post(login(reviewer), f"/reviews/{assignment.id}/score", _review(call, impact, feasibility))

    assert response.status_code == 400
    criterion = first if field == "impact" else second
    assert field_error(response, f"criterion_{criterion.id}") == message
    good = second if field == "impact" else first
    assert field_error(response, f"criterion_{good.id}") is None
    assert "Reaches many teenagers." in response.get_data(as_text=True)
    assert checked_values(response, "recommendation") == ["fund_with_changes"]
    if feasibility in ("3", "na") and field == "impact":
        assert checked_values(response, f"criterion_{second.id}") == [feasibility]
    assert _reload(assignment).state == "accepted"


def test_a_recommendation_is_required(client, login, reviewer, call, proposal):
    assignment = create_assignment(proposal, reviewer, state="accepted")
    login(reviewer)
    for value in (None, "maybe"):
        response = post(client, f"/reviews/{assignment.id}/score", _review(call, recommendation=value))
        assert response.status_code == 400
        assert field_error(response, "recommendation") == "Choose a recommendation."
    assert _reload(assignment).state == "accepted"


def test_scoring_with_not_applicable_leaves_it_out_of_the_mean(client, login, reviewer, call, proposal):
    assignment = create_assignment(proposal, reviewer, state="accepted")
    earlier = create_assignment(proposal, create_user("funder", name="Olivia Other"), state="submitted",
                                scores=[2, 5], comment="Needs a clearer budget.")
    create_assignment(proposal, create_user("funder"), state="accepted")
    login(reviewer)

    response = post(client, f"/reviews/{assignment.id}/score", _review(call, "4", "na"), follow_redirects=True)

    page = text(response)
    assert "Your review is submitted." in page
    stored = _reload(assignment)
    assert stored.state == "submitted" and stored.recommendation == "fund_with_changes"
    impact, feasibility = _criteria(call)
    assert {s.criterion_id: s.score for s in stored.scores} == {impact.id: 4, feasibility.id: None}
    # Impact ×2 scored 4, Feasibility n/a: 4.0, not (2×4 + 0) / 3.
    assert "Weighted mean: 4.0 out of 5" in page
    assert "Not applicable" in page
    # Now, and only now, the other submitted reviews, without the reviewers' names.
    assert "Other reviews" in page and "Needs a clearer budget." in page
    assert "Weighted mean: 3.0 out of 5" in page  # (2×2 + 5) / 3
    assert "Reviewer 1" in page and "Olivia Other" not in page
    assert "1 more review is not submitted yet." in page
    assert earlier.id


def test_scoring_twice_changes_nothing(client, login, reviewer, call, proposal):
    assignment = create_assignment(proposal, reviewer, state="accepted")
    login(reviewer)
    assert post(client, f"/reviews/{assignment.id}/score", _review(call, "4", "na")).status_code == 302
    response = post(client, f"/reviews/{assignment.id}/score", _review(call, "1", "1", "do_not_fund"),
                    follow_redirects=True)
    assert "Your review is already submitted" in text(response)
    stored = _reload(assignment)
    assert stored.recommendation == "fund_with_changes" and sorted(s.score or 0 for s in stored.scores) == [0, 4]


def test_declaring_a_conflict_after_submitting_is_refused(client, login, reviewer, call, proposal):
    assignment = create_assignment(proposal, reviewer, state="submitted")
    response = post(login(reviewer), f"/reviews/{assignment.id}/conflict", {"reason": "Oh, I know them."},
                    follow_redirects=True)
    assert "This review can no longer be changed." in text(response)
    assert _reload(assignment).state == "submitted"


def test_a_proposal_no_longer_in_review_takes_no_scores(client, login, reviewer, call, proposal):
    assignment = create_assignment(proposal, reviewer, state="accepted")
    proposal.state = "withdrawn"
    db.session.flush()
    response = post(login(reviewer), f"/reviews/{assignment.id}/score", _review(call))
    assert response.status_code == 400
    assert "This proposal is withdrawn: it takes no reviews now." in text(response)
    assert _reload(assignment).state == "accepted"


def test_someone_elses_assignment_is_refused(client, login, reviewer, call, proposal, coordinator, owner):
    assignment = create_assignment(proposal, reviewer, state="accepted")
    for person in (create_user("funder"), coordinator, owner):
        login(person)
        assert client.get(f"/reviews/{assignment.id}").status_code == 403
        assert post(client, f"/reviews/{assignment.id}/score", _review(call)).status_code == 403
        assert post(client, f"/reviews/{assignment.id}/accept").status_code == 403
        assert post(client, f"/reviews/{assignment.id}/conflict", {"reason": "x"}).status_code == 403
    assert _reload(assignment).state == "accepted"
    login(reviewer)
    assert client.get("/reviews/999999").status_code == 404


def test_a_reviewer_only_assigned_cannot_score_yet(client, login, reviewer, call, proposal):
    assignment = create_assignment(proposal, reviewer)
    assert post(login(reviewer), f"/reviews/{assignment.id}/score", _review(call)).status_code == 403


# -- reading what changed and the files ------------------------------------------------------------------
def test_a_resubmitted_proposal_shows_what_changed_since_the_version_read(client, login, reviewer, proposal):
    first = snapshot(proposal)
    db.session.add(ProposalVersion(proposal_id=proposal.id, number=1, content=first))
    assignment = create_assignment(proposal, reviewer)
    login(reviewer)
    post(client, f"/reviews/{assignment.id}/accept")
    db.session.expire_all()
    proposal = db.session.get(type(proposal), proposal.id)
    proposal.summary = "Podcasts and videos by teenagers."
    proposal.version = 2
    db.session.add(ProposalVersion(proposal_id=proposal.id, number=2, content=snapshot(proposal)))
    db.session.flush()

    page = text(client.get(f"/reviews/{assignment.id}"))

    assert "What changed since you read version 1 (now version 2)" in page
    assert "[added: and videos ]" in page or "[added: and videos]" in page


def test_a_new_reviewer_of_a_resubmitted_proposal_sees_the_last_changes(client, login, reviewer, proposal):
    db.session.add(ProposalVersion(proposal_id=proposal.id, number=1, content={**snapshot(proposal), "title": "Old"}))
    proposal.version = 2
    db.session.add(ProposalVersion(proposal_id=proposal.id, number=2, content=snapshot(proposal)))
    assignment = create_assignment(proposal, reviewer, state="accepted")
    page = text(login(reviewer).get(f"/reviews/{assignment.id}"))
    assert "What changed from version 1 to version 2" in page


def test_an_accepted_reviewer_downloads_the_attachments(client, login, reviewer, proposal):
    stored = get_storage().save(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="deck.pdf", content_type="application/pdf")
    attachment = Attachment(proposal_id=proposal.id, kind="pitch_deck", filename="deck.pdf",
                            content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                            storage_key=stored.key)
    db.session.add(attachment)
    db.session.flush()
    waiting = create_assignment(proposal, reviewer)
    login(reviewer)
    url = f"/reviews/{waiting.id}/attachments/{attachment.id}"
    assert client.get(url).status_code == 403
    post(client, f"/reviews/{waiting.id}/accept")
    assert f'href="{url}"' in client.get(f"/reviews/{waiting.id}").get_data(as_text=True)
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/reviews/{waiting.id}/attachments/999999").status_code == 404


# -- every review of a proposal ------------------------------------------------------------------------
def test_managers_read_every_review_with_names_and_the_team_never(client, login, reviewer, coordinator, owner, lead,
                                                                  mate, call, proposal):
    create_assignment(proposal, create_user("funder", name="Olivia Other"), state="submitted", scores=[4, None],
                      comment="Good.")
    mine = create_assignment(proposal, reviewer)
    url = f"/reviews/proposals/{proposal.id}"

    for manager in (coordinator, owner):
        page = text(login(manager).get(url))
        assert "Olivia Other" in page and "Weighted mean: 4.0 out of 5" in page and "Rita Reviewer" in page
    for member in (lead, mate):
        assert login(member).get(url).status_code == 403
    assert login(reviewer).get(url).status_code == 403  # not submitted yet
    mine.state, mine.recommendation, mine.submitted_at, mine.accepted_at = "submitted", "fund", mine.assigned_at, \
        mine.assigned_at
    db.session.flush()
    page = text(client.get(url))
    assert "Reviewer 1" in page and "Your review" in page and "Olivia Other" not in page
    assert login(create_user("funder")).get(url).status_code == 403


def test_a_coordinator_on_the_team_cannot_read_its_reviews(client, login, team, proposal):
    from app.teams.models import Membership

    insider = create_user("coordinator", "youth")
    team.memberships.append(Membership(user_id=insider.id))
    db.session.flush()
    assert login(insider).get(f"/reviews/proposals/{proposal.id}").status_code == 403


@pytest.mark.parametrize(("visibility", "hidden"), [("limited", True), ("removed", True), ("normal", False)])
def test_a_proposal_limited_or_removed_by_moderation_is_hidden_from_its_reviewer(login, reviewer, proposal,
                                                                                visibility, hidden):
    from app.safety.models import ContentStatus

    snapshot(proposal)
    assignment = create_assignment(proposal, reviewer, state="accepted")
    db.session.add(ContentStatus(subject_type="proposal", subject_id=proposal.id, visibility=visibility,
                                 warning=None if hidden else "Quotes extremist slogans"))
    db.session.flush()
    page = text(login(reviewer).get(f"/reviews/{assignment.id}"))
    assert ("This content is hidden by moderation." in page) is hidden
    assert ("Content warning: Quotes extremist slogans" in page) is not hidden
