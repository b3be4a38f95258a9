"""Comment threads (who reads which), notices on state changes, email preferences and the notices list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db, policy
from app.notices import services
from app.notices.models import Notification, NotificationPreference
from app.proposals import services as proposal_services
from app.proposals import workflow
from app.validation import ValidationFailed
from tests.conftest import post, sign_in
from tests.factories import create_assignment, create_call, create_proposal, create_team, create_user


@pytest.fixture
def scene():
    lead, mate = create_user("youth", name="Lina Lead"), create_user("youth", name="Malo Mate")
    team = create_team(lead, mate, name="Echo Team")
    owner = create_user("funder", name="Olga Owner")
    call = create_call(owner)
    proposal = create_proposal(team, call, state="submitted", title="Echo Podcast")
    coordinator = create_user("coordinator", name="Cora Coord")
    reviewer = create_user("mentor", name="Rémi Reviewer")
    create_assignment(proposal, reviewer, state="accepted")
    conflicted = create_user("mentor", name="Cyril Conflict")
    create_assignment(proposal, conflicted, state="conflict_declared")
    stranger = create_user("funder", name="Sam Stranger")
    return type("Scene", (), dict(lead=lead, mate=mate, team=team, owner=owner, call=call, proposal=proposal,
                                  coordinator=coordinator, reviewer=reviewer, conflicted=conflicted,
                                  stranger=stranger))


def _notices(user):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


# -- who reads which thread ---------------------------------------------------------------------------
def test_visibility_rules(scene):
    p = scene.proposal
    assert policy.can_read_comments(scene.lead, p, "team")
    assert not policy.can_read_comments(scene.lead, p, "internal")
    assert policy.can_read_comments(scene.reviewer, p, "team") and policy.can_read_comments(scene.reviewer, p,
                                                                                            "internal")
    assert not policy.can_read_comments(scene.conflicted, p, "team")
    assert not policy.can_read_comments(scene.conflicted, p, "internal")
    assert policy.can_read_comments(scene.coordinator, p, "internal")
    assert policy.can_read_comments(scene.owner, p, "internal")
    assert not policy.can_read_comments(scene.stranger, p, "team")
    assert not policy.can_comment(scene.lead, p, "internal")


def test_a_team_member_never_sees_internal_comments(client, scene):
    services.add_comment(scene.coordinator, scene.proposal, "internal", "Budget looks thin.")
    services.add_comment(scene.coordinator, scene.proposal, "team", "Welcome aboard!")
    db.commit()
    sign_in(client, scene.lead)
    page = client.get(f"/proposals/{scene.proposal.id}").get_data(as_text=True)
    assert "Welcome aboard!" in page
    assert "Budget looks thin." not in page
    assert "Internal comment" not in page


def test_an_accepted_reviewer_sees_both_threads_and_a_conflicted_one_nothing(client, scene):
    services.add_comment(scene.coordinator, scene.proposal, "internal", "Budget looks thin.")
    services.add_comment(scene.lead, scene.proposal, "team", "Thanks for reading.")
    db.commit()
    assert [c.body for c in services.comments(scene.proposal, "internal")] == ["Budget looks thin."]
    assert policy.can_read_comments(scene.reviewer, scene.proposal, "internal")
    sign_in(client, scene.conflicted)
    assert post(client, f"/notices/proposals/{scene.proposal.id}/comments",
                {"visibility": "team", "team-comment-body": "Hi"}).status_code == 403


def test_a_team_member_cannot_post_an_internal_comment(client, scene):
    sign_in(client, scene.lead)
    response = post(client, f"/notices/proposals/{scene.proposal.id}/comments",
                    {"visibility": "internal", "internal-comment-body": "Sneaky"})
    assert response.status_code == 403


# -- validation -----------------------------------------------------------------------------------------
def test_comment_validation(scene):
    with pytest.raises(ValidationFailed):
        services.add_comment(scene.lead, scene.proposal, "team", "   ")
    with pytest.raises(ValidationFailed):
        services.add_comment(scene.lead, scene.proposal, "team", "x" * 5001)
    assert services.add_comment(scene.lead, scene.proposal, "team", "x" * 5000).id


def test_an_empty_comment_shows_the_error_next_to_the_field_and_keeps_the_other_text(client, scene):
    sign_in(client, scene.coordinator)
    response = post(client, f"/notices/proposals/{scene.proposal.id}/comments",
                    {"visibility": "internal", "internal-comment-body": "x" * 5001})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="internal-comment-body-error"' in page
    assert "x" * 5001 in page


def test_posting_a_comment_notifies_the_other_readers(client, scene, outbox):
    sign_in(client, scene.coordinator)
    response = post(client, f"/notices/proposals/{scene.proposal.id}/comments",
                    {"visibility": "internal", "internal-comment-body": "Check the budget."})
    assert response.status_code == 302
    assert [n.kind for n in _notices(scene.reviewer)] == ["comment"]
    assert [n.kind for n in _notices(scene.owner)] == ["comment"]
    assert _notices(scene.lead) == [] and _notices(scene.conflicted) == [] and _notices(scene.coordinator) == []
    assert len(outbox(scene.reviewer.email, "notice")) == 1


# -- state changes ----------------------------------------------------------------------------------------
def test_a_withdrawal_notifies_the_team_and_managers_but_not_the_actor(scene, outbox):
    proposal_services.withdraw(scene.lead, scene.proposal, "We stop.")
    db.commit()
    assert _notices(scene.lead) == []
    assert [n.kind for n in _notices(scene.mate)] == ["proposal_withdrawn"]
    assert [n.kind for n in _notices(scene.owner)] == ["proposal_withdrawn"]
    assert _notices(scene.reviewer) == []
    assert len(outbox(scene.owner.email, "notice")) == 1
    assert len(outbox(scene.lead.email, "notice")) == 0


def test_a_move_by_coordination_notifies_the_whole_team(scene):
    workflow.transition(scene.proposal, "start_screening", scene.coordinator)
    db.commit()
    assert [n.kind for n in _notices(scene.lead)] == ["proposal_screening"]
    assert [n.kind for n in _notices(scene.mate)] == ["proposal_screening"]
    assert _notices(scene.owner) == [] and _notices(scene.coordinator) == []


def test_preference_off_means_no_email_but_the_notice_is_there(client, scene, outbox):
    sign_in(client, scene.owner)
    data = {kind: "y" for kind in services.NOTICE_KINDS if kind != "proposal_withdrawn"}
    assert post(client, "/notices/preferences", data).status_code == 302
    prefs = {p.kind: p.email for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == scene.owner.id))}
    assert prefs["proposal_withdrawn"] is False and prefs["comment"] is True
    proposal_services.withdraw(scene.lead, scene.proposal, "We stop.")
    db.commit()
    assert [n.kind for n in _notices(scene.owner)] == ["proposal_withdrawn"]
    assert outbox(scene.owner.email, "notice") == []
    assert len(outbox(scene.mate.email, "notice")) == 1


# -- the list -------------------------------------------------------------------------------------------
def test_the_list_marks_unread_and_read_all_clears_them(client, scene):
    services.notify([scene.lead], "proposal_awarded", scene.proposal, email=False)
    db.commit()
    sign_in(client, scene.lead)
    page = client.get("/notices/").get_data(as_text=True)
    assert "Notices (1)" in page and "New:" in page and "“Echo Podcast” is awarded." in page
    assert post(client, "/notices/read-all").status_code == 302
    page = client.get("/notices/").get_data(as_text=True)
    assert "Notices (0)" in page and "New:" not in page


def test_the_list_is_paginated_newest_first(client, scene):
    for number in range(25):
        services.notify([scene.lead], "proposal_submitted", scene.proposal, title=f"Title {number:02d}",
                        email=False)
    db.commit()
    sign_in(client, scene.lead)
    first = client.get("/notices/").get_data(as_text=True)
    assert "Title 24" in first and "Title 04" not in first
    assert "Page 1 of 2" in first
    second = client.get("/notices/?page=2").get_data(as_text=True)
    assert "Title 04" in second and "Title 24" not in second


def test_a_notice_follows_the_readers_language(client, scene):
    services.notify([scene.lead], "proposal_declined", scene.proposal, email=False)
    scene.lead.locale = "fr"
    db.commit()
    sign_in(client, scene.lead)
    page = client.get("/notices/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Echo Podcast" in page
