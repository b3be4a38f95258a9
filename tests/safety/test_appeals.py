"""Appeals: the person affected writes their grounds once; a coordinator other than the one who decided answers;
upheld, the decision is reversed; either way the person is told why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import User
from app.notices import services as notice_services
from app.safety import appeals
from app.safety.models import Appeal, ModerationAction, Report
from app.validation import ValidationFailed
from tests.conftest import post, sign_in
from tests.safety.scene import decide, moderation_scene, status_of
from tests.teamspace.scene import audit_actions, notices_of

GROUNDS = "We quote the recruiters in order to answer them: that is our project."


@pytest.fixture
def scene():
    return moderation_scene()


def _appeal_url(action) -> str:
    return f"/moderation/decisions/{action.id}/appeal"


def _key_of(outbox, person) -> str:
    [email] = outbox(person.email, "moderation_statement")
    return re.search(r"\?key=(\S+)", email.body)[1]


def _fresh(model, number):
    db.session.expire_all()
    return db.session.get(model, number)


# -- appealing ---------------------------------------------------------------------------------------------------
def test_the_person_affected_reads_the_statement_and_appeals_once(client, scene):
    action = decide(scene, "limit_visibility")
    db.commit()
    sign_in(client, scene.mentor)
    page = client.get(f"/moderation/decisions/{action.id}").get_data(as_text=True)
    assert "Statement of reasons" in page and "It quotes recruitment propaganda without answering it." in page
    assert "No automated means were used" in page and "Send the appeal" in page
    assert scene.coordinator.display_name not in page  # the person learns that a coordinator decided, not who
    response = post(client, _appeal_url(action), {"grounds": GROUNDS})
    assert response.status_code == 302 and response.headers["Location"] == f"/moderation/decisions/{action.id}"
    [appeal] = db.session.scalars(select(Appeal)).all()
    assert (appeal.appellant_id, appeal.grounds, appeal.state) == (scene.mentor.id, GROUNDS, "open")
    assert [entry.subject_id for entry in audit_actions("moderation.appealed")] == [appeal.id]
    page = client.get(f"/moderation/decisions/{action.id}").get_data(as_text=True)
    assert GROUNDS in page and "Send the appeal" not in page
    response = post(client, _appeal_url(action), {"grounds": "Again."}, follow_redirects=True)
    assert response.status_code == 400 and "You have already appealed this decision." in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Appeal)).all()) == 1


def test_grounds_are_required_and_kept(client, scene):
    action = decide(scene, "remove")
    db.commit()
    sign_in(client, scene.mentor)
    response = post(client, _appeal_url(action), {"grounds": "  "})
    assert response.status_code == 400 and "Say why you think the decision is wrong." in response.get_data(as_text=True)
    response = post(client, _appeal_url(action), {"grounds": "x" * 2001})
    assert response.status_code == 400 and "x" * 2001 in response.get_data(as_text=True)
    assert db.session.scalars(select(Appeal)).all() == []


def test_nobody_else_reads_or_appeals_a_decision(client, scene):
    action = decide(scene, "remove")
    db.commit()
    for person in (scene.lead, scene.minor, scene.stranger):
        sign_in(client, person)
        assert client.get(f"/moderation/decisions/{action.id}").status_code == 403
        assert post(client, _appeal_url(action), {"grounds": GROUNDS}).status_code == 403
    sign_in(client, scene.second_coordinator)
    assert client.get(f"/moderation/decisions/{action.id}").status_code == 200
    assert post(client, _appeal_url(action), {"grounds": GROUNDS}).status_code == 403
    anonymous = client.application.test_client()
    response = anonymous.get(f"/moderation/decisions/{action.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    assert db.session.scalars(select(Appeal)).all() == []


def test_a_suspended_person_appeals_through_the_emails_link(new_client, scene, outbox):
    action = decide(scene, "suspend")
    key = _key_of(outbox, scene.mentor)
    db.commit()
    browser = new_client()  # not signed in: a suspended account cannot sign in
    page = browser.get(f"/moderation/decisions/{action.id}?key={key}").get_data(as_text=True)
    assert "The account is suspended" in page and "Send the appeal" in page
    assert browser.get(f"/moderation/decisions/{action.id}?key=forged").status_code == 302
    response = post(browser, _appeal_url(action), {"grounds": GROUNDS, "key": key})
    assert response.status_code == 302 and f"key={key}" in response.headers["Location"]
    [appeal] = db.session.scalars(select(Appeal)).all()
    assert appeal.appellant_id == scene.mentor.id
    assert post(new_client(), _appeal_url(action), {"grounds": GROUNDS, "key": "forged"}).status_code == 302


def test_a_key_opens_only_its_own_decision(client, scene, outbox):
    first = decide(scene, "content_warning", warning="Quotes propaganda")
    key = _key_of(outbox, scene.mentor)
    second = decide(scene, "remove", report=None)
    db.commit()
    assert client.get(f"/moderation/decisions/{first.id}?key={key}").status_code == 200
    assert client.get(f"/moderation/decisions/{second.id}?key={key}").status_code == 302  # to sign-in


def test_no_appeal_after_the_window(scene):
    action = decide(scene, "remove")
    action.created_at -= timedelta(days=200)
    with pytest.raises(ValidationFailed) as refused:
        appeals.file_appeal(scene.mentor, action, GROUNDS)
    assert "The time to appeal this decision has passed." in str(refused.value)


# -- deciding the appeal ---------------------------------------------------------------------------------------------
@pytest.fixture
def appealed(scene):
    action = decide(scene, "limit_visibility")
    appeal = appeals.file_appeal(scene.mentor, action, GROUNDS)
    return action, appeal


def test_the_coordinator_who_decided_cannot_decide_the_appeal(client, scene, appealed):
    action, appeal = appealed
    with pytest.raises(ValidationFailed) as refused:
        appeals.decide_appeal(scene.coordinator, appeal, "upheld", "I changed my mind.")
    assert "You took this decision: another coordinator decides the appeal." in str(refused.value)
    db.commit()
    sign_in(client, scene.coordinator)
    page = client.get(f"/moderation/decisions/{action.id}").get_data(as_text=True)
    assert "Decide the appeal" not in page and "You took this decision" in page
    response = post(client, f"/moderation/appeals/{appeal.id}/decide", {"outcome": "upheld", "reason": "Mine."})
    assert response.status_code == 403
    assert _fresh(Appeal, appeal.id).state == "open"
    assert audit_actions("moderation.appeal_upheld") == []


def test_another_coordinator_upholds_it_the_content_is_restored_and_the_person_told(client, scene, appealed, outbox):
    action, appeal = appealed
    db.commit()
    sign_in(client, scene.second_coordinator)
    queue = client.get("/moderation/appeals").get_data(as_text=True)
    assert f'href="/moderation/decisions/{action.id}"' in queue
    page = client.get(f"/moderation/decisions/{action.id}").get_data(as_text=True)
    assert "Trancher le recours" in page  # the second coordinator reads in French
    response = post(client, f"/moderation/appeals/{appeal.id}/decide",
                    {"outcome": "upheld", "reason": "Quoted in order to answer it: a warning is enough."})
    assert response.status_code == 302
    appeal = _fresh(Appeal, appeal.id)
    assert (appeal.state, appeal.decided_by_id) == ("upheld", scene.second_coordinator.id)
    assert _fresh(ModerationAction, action.id).reversed_by_id == scene.second_coordinator.id
    assert status_of("team_message", scene.message.id) is None
    [entry] = audit_actions("moderation.appeal_upheld")
    assert entry.subject_id == appeal.id and entry.actor_id == scene.second_coordinator.id
    [notice] = notices_of(scene.mentor, "appeal_decided")
    assert notice_services.sentence(notice) == "Your appeal is decided: the decision is reversed."
    [email] = outbox(scene.mentor.email, "appeal_decided")
    assert "Quoted in order to answer it: a warning is enough." in email.body and "is reversed" in email.body
    sign_in(client, scene.lead)
    thread = client.get(f"/teams/{scene.team.id}/space/threads/{scene.thread.id}").get_data(as_text=True)
    assert "Here is what the recruiters wrote, word for word." in thread


def test_a_rejected_appeal_leaves_the_decision_and_tells_the_reason(scene, appealed, outbox):
    action, appeal = appealed
    appeals.decide_appeal(scene.second_coordinator, appeal, "rejected", "The quote is not answered anywhere.")
    assert appeal.state == "rejected" and action.reversed_at is None
    assert status_of("team_message", scene.message.id).visibility == "limited"
    [email] = outbox(scene.mentor.email, "appeal_decided")
    assert "The quote is not answered anywhere." in email.body and "The decision stands." in email.body
    assert len(audit_actions("moderation.appeal_rejected")) == 1
    with pytest.raises(ValidationFailed):
        appeals.decide_appeal(scene.second_coordinator, appeal, "upheld", "Second thoughts.")


def test_the_appeal_decision_needs_an_outcome_and_a_reason(client, scene, appealed):
    action, appeal = appealed
    db.commit()
    sign_in(client, scene.second_coordinator)
    response = post(client, f"/moderation/appeals/{appeal.id}/decide", {"outcome": "", "reason": "Typed text."})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choisissez si la décision est annulée ou maintenue." in page and "Typed text." in page


def test_upholding_a_suspension_lifts_it(client, scene):
    action = decide(scene, "suspend")
    appeal = appeals.file_appeal(scene.mentor, action, GROUNDS)
    appeals.decide_appeal(scene.second_coordinator, appeal, "upheld", "Mistaken identity.")
    db.commit()
    assert _fresh(User, scene.mentor.id).suspended_at is None
    sign_in(client, scene.mentor)
    assert client.get("/dashboard").status_code == 200


def test_upholding_an_appeal_against_a_dismissal_puts_the_report_back_in_the_queue(scene):
    action = decide(scene, "dismiss", rule="respect")
    appeal = appeals.file_appeal(scene.minor, action, "It really is propaganda.")
    appeals.decide_appeal(scene.second_coordinator, appeal, "upheld", "Looked again: it needs a decision.")
    report = db.session.get(Report, scene.report.id)
    assert (report.state, report.closed_at, report.resolution) == ("open", None, None)


def test_reversing_one_decision_keeps_the_others(scene):
    warning = decide(scene, "content_warning", warning="Quotes propaganda")
    limit = decide(scene, "limit_visibility", report=None)
    appeal = appeals.file_appeal(scene.mentor, limit, GROUNDS)
    appeals.decide_appeal(scene.second_coordinator, appeal, "upheld", "A warning is enough.")
    status = status_of("team_message", scene.message.id)
    assert (status.visibility, status.warning, status.action_id) == ("normal", "Quotes propaganda", warning.id)


def test_an_appeal_tells_every_coordinator_who_may_decide_it_and_not_the_one_who_decided(scene):
    action = decide(scene, "limit_visibility")
    appeals.file_appeal(scene.mentor, action, GROUNDS)
    assert [n.link for n in notices_of(scene.second_coordinator, "appeal_filed")] == ["/moderation/appeals"]
    assert notices_of(scene.coordinator, "appeal_filed") == []
    assert notices_of(scene.mentor, "appeal_filed") == []
