"""Moderation decisions: what each one does to the content (or the account), the reason and rule it records,
the statement of reasons the person affected is sent, and how every page then shows the content."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import User
from app.mail.models import OutboxMessage
from app.notices import services as notice_services
from app.safety.models import Report
from app.validation import ValidationFailed
from tests.conftest import post, sign_in
from tests.factories import create_call, create_mentor, create_project, create_proposal, create_user
from tests.safety.scene import actions, decide, moderation_scene, status_of, subject_of
from tests.teamspace.scene import audit_actions, notices_of

HIDDEN = "This content is hidden by moderation."
BODY = "Here is what the recruiters wrote, word for word."


@pytest.fixture
def scene():
    return moderation_scene()


def _thread(client, scene) -> str:
    return client.get(f"/teams/{scene.team.id}/space/threads/{scene.thread.id}").get_data(as_text=True)


# -- taking a decision ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["dismiss", "content_warning", "limit_visibility", "remove", "suspend"])
def test_every_decision_needs_its_reason(scene, kind):
    with pytest.raises(ValidationFailed) as refused:
        decide(scene, kind, reason="  ", warning="Quotes propaganda")
    assert ("reason", "Give the reason: the person affected reads it in the statement of reasons.") in [
        (field, str(message)) for field, message in refused.value.errors]
    assert actions() == []


def test_a_rule_is_required_and_a_warning_needs_its_text(scene):
    with pytest.raises(ValidationFailed) as refused:
        decide(scene, "content_warning", rule="made-up", warning="")
    assert {field for field, _message in refused.value.errors} == {"rule", "warning"}


def test_only_coordinators_decide(client, scene):
    with pytest.raises(ValidationFailed):
        decide(scene, "remove", coordinator=scene.lead)
    db.commit()
    for person in (scene.lead, scene.minor, scene.mentor, create_user("funder")):
        sign_in(client, person)
        response = post(client, f"/reports/{scene.report.id}/act",
                        {"kind": "remove", "rule": "respect", "reason": "Because."})
        assert response.status_code == 403
    assert actions() == []


def test_the_decision_form_keeps_what_was_typed_and_names_the_problem(client, scene):
    db.commit()
    sign_in(client, scene.coordinator)
    response = post(client, f"/reports/{scene.report.id}/act",
                    {"kind": "content_warning", "rule": "no_hate_or_violence", "warning": "",
                     "reason": "Quoted as is."})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Write the warning readers see before they open the content." in page and "Quoted as is." in page
    assert actions() == []


def test_limiting_from_the_report_page_closes_it_audits_and_sends_the_statement(client, scene, outbox):
    db.commit()
    sign_in(client, scene.coordinator)
    page = client.get(f"/reports/{scene.report.id}").get_data(as_text=True)
    # The rule starts as the one the report's category falls under.
    assert "Take the decision" in page and '<option selected value="no_hate_or_violence">' in page
    response = post(client, f"/reports/{scene.report.id}/act", {
        "kind": "limit_visibility", "rule": "no_hate_or_violence",
        "reason": "It quotes recruitment propaganda without answering it."})
    db.session.expire_all()  # the request wrote through its own session
    [action] = actions()
    assert response.status_code == 302 and response.headers["Location"] == f"/moderation/decisions/{action.id}"
    assert (action.kind, action.subject_type, action.subject_id, action.affected_user_id, action.actor_id) == (
        "limit_visibility", "team_message", scene.message.id, scene.mentor.id, scene.coordinator.id)
    assert action.statement_sent_at is not None
    report = db.session.get(Report, scene.report.id)
    assert (report.state, report.closed_by_id, report.resolution) == (
        "closed", scene.coordinator.id, "It quotes recruitment propaganda without answering it.")
    [entry] = audit_actions("moderation.limit_visibility")
    assert entry.subject_id == action.id and entry.actor_id == scene.coordinator.id
    assert entry.detail["rule"] == "no_hate_or_violence" and entry.detail["report"] == report.id
    assert entry.detail["affected"] == scene.mentor.id
    assert status_of("team_message", scene.message.id).visibility == "limited"
    assert notices_of(scene.mentor, "moderation_statement")
    assert len(outbox(scene.mentor.email, "moderation_statement")) == 1


# -- the statement of reasons ----------------------------------------------------------------------------------------
def test_the_statement_says_what_why_under_which_rule_that_a_person_decided_and_how_to_appeal(scene, outbox):
    action = decide(scene, "remove")
    [notice] = notices_of(scene.mentor, "moderation_statement")
    assert notice.link == f"/moderation/decisions/{action.id}"
    assert notice_services.sentence(notice) == ("A coordinator took a moderation decision that affects you: "
                                                "The content is removed. Read why, and how to appeal.")
    [email] = outbox(scene.mentor.email, "moderation_statement")
    assert email.subject == "A moderation decision about your account or content: the statement of reasons"
    body = email.body
    for expected in ("What was decided: The content is removed", "A message in a team's space (“Feedback”)",
                     BODY, "It quotes recruitment propaganda without answering it.",
                     "Code of conduct, rule 2: no hate speech, harassment, threats or glorified violence",
                     "taken by a person", "No automated means were used", "How to appeal",
                     "Another coordinator, not the one who decided"):
        assert expected in body, expected
    assert re.search(rf"/moderation/decisions/{action.id}\?key=\S+", body)
    # Not the reporter, not the coordinators: the statement goes to the person affected only.
    assert outbox(scene.minor.email, "moderation_statement") == []


def test_the_statement_is_written_in_the_persons_language(scene, outbox):
    scene.mentor.locale = "fr"
    decide(scene, "limit_visibility")
    [email] = outbox(scene.mentor.email, "moderation_statement")
    assert "Ce qui a été décidé" in email.body and "Code de conduite" in email.body


def test_it_is_emailed_even_when_the_person_turned_notice_emails_off(scene, outbox):
    notice_services.save_preferences(scene.mentor, {})
    decide(scene, "content_warning", warning="Quotes propaganda")
    assert len(outbox(scene.mentor.email, "moderation_statement")) == 1
    assert outbox(scene.mentor.email, "notice") == []  # the in-app notice does not email twice


def test_dismissing_closes_the_report_changes_nothing_and_tells_the_reporter(client, scene, outbox):
    action = decide(scene, "dismiss", reason="Quoted to be answered: that is the project's point.", rule="respect")
    assert action.affected_user_id == scene.minor.id
    assert status_of("team_message", scene.message.id) is None
    assert db.session.get(Report, scene.report.id).state == "closed"
    [email] = outbox(scene.minor.email, "moderation_statement")
    assert email.subject == "Your report was reviewed: the statement of reasons"
    assert outbox(scene.mentor.email, "moderation_statement") == []
    db.commit()
    sign_in(client, scene.lead)
    assert BODY in _thread(client, scene)


# -- how the content is shown afterwards ------------------------------------------------------------------------------
def test_limited_content_is_read_by_its_author_and_coordinators_only(client, scene):
    decide(scene, "limit_visibility")
    db.commit()
    for reader in (scene.mentor, scene.coordinator):
        sign_in(client, reader)
        page = _thread(client, scene)
        assert BODY in page and "Limited by moderation: only its author and coordinators see it." in page
    for reader in (scene.lead, scene.minor):
        sign_in(client, reader)
        page = _thread(client, scene)
        assert BODY not in page and HIDDEN in page
        assert f"subject=team_message:{scene.message.id}" not in page  # nothing to report that one cannot read


def test_removed_content_is_read_by_coordinators_only(client, scene):
    decide(scene, "remove")
    db.commit()
    for reader in (scene.mentor, scene.lead):
        sign_in(client, reader)
        page = _thread(client, scene)
        assert BODY not in page and HIDDEN in page
    sign_in(client, scene.coordinator)
    page = _thread(client, scene)
    assert BODY in page and "Removed by moderation: only coordinators see it." in page


def test_a_content_warning_makes_readers_open_the_content_on_purpose(client, scene):
    decide(scene, "content_warning", warning="Quotes extremist propaganda to answer it")
    db.commit()
    sign_in(client, scene.lead)
    page = _thread(client, scene)
    match = re.search(r"<details class=\"content-warning\">\s*<summary>(.*?)</summary>(.*?)</details>", page, re.S)
    assert match and "Content warning: Quotes extremist propaganda to answer it" in match[1]
    assert BODY in match[2]


def test_the_latest_visibility_decision_wins_and_the_warning_stays(scene):
    decide(scene, "content_warning", warning="Quotes propaganda")
    decide(scene, "remove", report=None)
    decide(scene, "limit_visibility", report=None)
    status = status_of("team_message", scene.message.id)
    assert (status.visibility, status.warning) == ("limited", "Quotes propaganda")


def test_the_thread_reads_every_status_in_one_query(client, scene, count_queries):
    from app.teamspace import services as space

    decide(scene, "limit_visibility")
    space.post_message(scene.lead, scene.thread, "One more.")
    db.commit()
    sign_in(client, scene.minor)
    _thread(client, scene)
    few = count_queries(lambda: _thread(client, scene))
    for number in range(8):
        message = space.post_message(scene.lead, scene.thread, f"Message {number}")
        if number % 3 == 0:
            decide(scene, "content_warning", warning="Careful", report=None, subject=subject_of("team_message",
                                                                                               message.id))
    db.commit()
    assert few == count_queries(lambda: _thread(client, scene))


# -- suspension -----------------------------------------------------------------------------------------------------
def test_suspending_the_author_signs_them_out_at_once(client, scene):
    db.commit()
    sign_in(client, scene.mentor)
    assert client.get("/dashboard").status_code == 200
    decide(scene, "suspend", rule="protect_young_people")
    db.commit()
    mentor = db.session.get(User, scene.mentor.id)
    assert mentor.suspended_at is not None
    response = client.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    assert status_of("team_message", scene.message.id) is None  # the content itself is untouched


def test_a_coordinator_cannot_suspend_themselves_nor_twice(scene):
    own = scene.thread.messages[0]
    own.author_id = scene.coordinator.id
    db.session.flush()
    db.session.expire(own)
    with pytest.raises(ValidationFailed) as refused:
        decide(scene, "suspend", subject=subject_of("team_message", own.id))
    assert "You cannot suspend your own account." in str(refused.value)
    other = create_user("youth")
    own.author_id = other.id
    db.session.flush()
    db.session.expire(own)
    decide(scene, "suspend", subject=subject_of("team_message", own.id))
    with pytest.raises(ValidationFailed) as refused:
        decide(scene, "suspend", report=None, subject=subject_of("team_message", own.id))
    assert "This account is already suspended." in str(refused.value)


# -- the other kinds of content ---------------------------------------------------------------------------------------
def test_a_limited_proposal_is_hidden_from_the_calls_funder_but_not_from_the_team(client, scene):
    funder = create_user("funder")
    proposal = create_proposal(scene.team, create_call(funder), state="submitted", title="Echo Podcast")
    proposal.summary = "Our very particular summary."
    decide(scene, "limit_visibility", report=None, subject=subject_of("proposal", proposal.id))
    db.commit()
    sign_in(client, funder)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Our very particular summary." not in page and HIDDEN in page
    sign_in(client, scene.minor)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Our very particular summary." in page


def test_a_removed_comment_is_hidden_from_the_team(client, scene):
    proposal = create_proposal(scene.team, create_call(), state="submitted")
    comment = notice_services.add_comment(scene.coordinator, proposal, "team", "A remark to moderate.")
    decide(scene, "remove", report=None, subject=subject_of("proposal_comment", comment.id),
           coordinator=scene.second_coordinator)
    db.commit()
    sign_in(client, scene.lead)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "A remark to moderate." not in page and HIDDEN in page


def test_a_removed_or_limited_showcase_page_is_gone_for_the_public(client, scene):
    grant = create_project(scene.team, create_call(), published=True, title="Voices Project")
    other = create_project(scene.team, create_call(), published=True, title="Other Project")
    db.commit()
    assert client.get(f"/showcase/{grant.id}").status_code == 200
    decide(scene, "remove", report=None, subject=subject_of("showcase_page", grant.id))
    decide(scene, "limit_visibility", report=None, subject=subject_of("showcase_page", other.id))
    db.commit()
    assert client.get(f"/showcase/{grant.id}").status_code == 404
    assert client.get(f"/showcase/{other.id}").status_code == 404
    gallery = client.get("/showcase/").get_data(as_text=True)
    assert "Voices Project" not in gallery and "Other Project" not in gallery


def test_a_showcase_page_with_a_warning_stays_public_behind_the_warning(client, scene):
    grant = create_project(scene.team, create_call(), published=True, title="Voices Project")
    grant.proposal.summary = "We answer the recruiters' words."
    db.session.flush()
    from app.projects.models import Publication

    db.session.scalar(select(Publication).where(Publication.grant_id == grant.id)).summary = "We quote them."
    decide(scene, "content_warning", warning="Quotes hate speech", report=None,
           subject=subject_of("showcase_page", grant.id))
    db.commit()
    page = client.get(f"/showcase/{grant.id}").get_data(as_text=True)
    assert "Content warning: Quotes hate speech" in page and "<details" in page and "We quote them." in page
    gallery = client.get("/showcase/").get_data(as_text=True)
    assert "Content warning: Quotes hate speech" in gallery and "We quote them." not in gallery


def test_a_limited_mentor_profile_is_still_read_by_coordinators(client, scene):
    mentor = create_mentor(create_user("mentor", name="Bio Mentor"), bio="My particular bio.")
    from app.mentoring.models import MentorProfile

    profile = db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == mentor.id))
    action = decide(scene, "limit_visibility", report=None, subject=subject_of("mentor_profile", profile.id))
    assert action.affected_user_id == mentor.id
    db.commit()
    sign_in(client, scene.second_coordinator)
    page = client.get(f"/mentors/{mentor.id}").get_data(as_text=True)
    assert "My particular bio." in page
    assert f'href="/reports/new?subject=mentor_profile:{profile.id}"' in page


def test_the_content_is_gone_so_only_dismiss_or_close_remain(scene):
    db.session.delete(scene.thread)
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        decide(scene, "remove", subject=None)
    assert "The content is no longer there" in str(refused.value)
    decide(scene, "dismiss", subject=None)
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "moderation_statement")) is not None
