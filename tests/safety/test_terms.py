"""Flagged terms: new content that uses one goes to the coordinators' review, and stays visible."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.notices import services as notice_services
from app.safety import terms
from app.safety.models import ContentFlag, ContentStatus, FlaggedTerm
from app.validation import ValidationFailed
from tests.conftest import post, sign_in
from tests.factories import create_call, create_mentor, create_project, create_proposal, create_user
from tests.safety.scene import flags
from tests.teamspace.scene import audit_actions, build_scene, thread_with_message

BODY = "They call it the GRAND Remplacement; our video answers them."


@pytest.fixture
def scene():
    scene = build_scene()
    for term, language in (("grand remplacement", "fr"), ("race war", "en"), ("génocide blanc", "fr")):
        db.session.add(FlaggedTerm(term=term, language=language))
    db.session.flush()
    return scene


# -- matching ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("The Race War myth", ["race war"]),
    ("race\n  war", ["race war"]),
    ("a race warden", []),
    ("the arms race; war is", []),
    ("GÉNOCIDE BLANC", ["génocide blanc"]),
    ("genocide blanc", ["génocide blanc"]),
    ("génocide blancs", []),
    ("« grand remplacement » et race war", ["grand remplacement", "race war"]),
    ("", []),
])
def test_terms_match_whole_words_whatever_the_case_and_accents(text, expected):
    assert terms.matching_terms(text, ["grand remplacement", "race war", "génocide blanc"]) == expected


def test_fold_drops_accents_and_case():
    assert terms.fold("  Ça  ÉTÉ\tDéjà ") == "ca ete deja"


# -- every kind of new content is checked ------------------------------------------------------------------------
def test_a_new_thread_and_a_reply_are_flagged(scene):
    thread = thread_with_message(scene.team, scene.mentor, body=BODY)
    from app.teamspace import services as space

    reply = space.post_message(scene.lead, thread, "Nothing to see.")
    other = space.post_message(scene.lead, thread, "About the race war rhetoric.")
    found = flags()
    assert [(f.subject_type, f.subject_id, f.team_id, f.terms) for f in found] == [
        ("team_message", thread.messages[0].id, scene.team.id, ["grand remplacement"]),
        ("team_message", other.id, scene.team.id, ["race war"])]
    assert reply.id not in [f.subject_id for f in found]
    assert len(audit_actions("moderation.flagged")) == 2


def test_a_comment_a_submitted_proposal_a_profile_and_a_showcase_page_are_flagged(scene):
    proposal = create_proposal(scene.team, create_call(), state="submitted")
    comment = notice_services.add_comment(scene.coordinator, proposal, "team", BODY)
    from app.mentors import services as mentors

    mentor = create_user("mentor")
    mentors.save_profile(mentor, expertise=["video"], languages=["fr"], timezone="UTC", capacity=1,
                         accepting_teams=True, availability="", bio="I answered the race war talk.",
                         preferred_themes=[], conduct_accepted=True)
    grant = create_project(scene.team, create_call())
    from app.showcase import services as showcase

    showcase.publish(scene.lead, grant, summary="Against the génocide blanc conspiracy theory.", links=[])
    kinds = {(f.subject_type, f.subject_id) for f in flags()}
    assert ("proposal_comment", comment.id) in kinds and ("showcase_page", grant.id) in kinds
    assert any(kind == "mentor_profile" for kind, _number in kinds)


def test_a_proposal_is_checked_when_it_is_submitted_not_while_drafted(scene):
    from app.proposals import services as proposals

    proposal = create_proposal(scene.team, create_call())
    proposal.approach = "We answer the great replacement and race war myths."
    db.session.flush()
    assert flags() == []  # a draft is the team's own work in progress
    proposals.submit(scene.lead, proposal)
    [flag] = flags()
    assert (flag.subject_type, flag.subject_id, flag.team_id, flag.terms) == (
        "proposal", proposal.id, scene.team.id, ["race war"])


def test_a_flag_never_hides_anything(client, scene):
    thread = thread_with_message(scene.team, scene.mentor, body=BODY)
    [flag] = flags()
    db.commit()
    assert db.session.scalars(select(ContentStatus)).all() == []
    for reader in (scene.lead, scene.minor, scene.coordinator):
        sign_in(client, reader)
        page = client.get(f"/teams/{scene.team.id}/space/threads/{thread.id}").get_data(as_text=True)
        assert "GRAND Remplacement" in page and "hidden by moderation" not in page and "Content warning" not in page
    sign_in(client, scene.coordinator)
    queue = client.get("/reports").get_data(as_text=True)
    assert f'href="/moderation/flags/{flag.id}"' in queue and "grand remplacement" in queue
    response = post(client, f"/moderation/flags/{flag.id}/reviewed")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ContentFlag, flag.id).reviewed_by_id == scene.coordinator.id
    assert db.session.scalars(select(ContentStatus)).all() == []


def test_a_decision_from_a_flag_reviews_it(client, scene):
    thread = thread_with_message(scene.team, scene.mentor, body=BODY)
    [flag] = flags()
    db.commit()
    sign_in(client, scene.coordinator)
    page = client.get(f"/moderation/flags/{flag.id}").get_data(as_text=True)
    assert 'value="dismiss"' not in page and 'value="content_warning"' in page and "Mark as reviewed" in page
    response = post(client, f"/moderation/flags/{flag.id}/act", {
        "kind": "content_warning", "rule": "no_hate_or_violence", "warning": "Quotes a conspiracy theory",
        "reason": "Quoted to answer it: readers choose to open it."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ContentFlag, flag.id).reviewed_at is not None
    status = db.session.scalar(select(ContentStatus))
    assert (status.subject_id, status.visibility, status.warning) == (
        thread.messages[0].id, "normal", "Quotes a conspiracy theory")


# -- the list ----------------------------------------------------------------------------------------------------
def test_coordinators_add_and_remove_terms(client, scene):
    db.commit()
    sign_in(client, scene.coordinator)
    page = client.get("/moderation/terms").get_data(as_text=True)
    assert "grand remplacement" in page and "race war" in page
    response = post(client, "/moderation/terms", {"term": "  Day of   the Rope ", "language": "en"})
    assert response.status_code == 302
    entry = db.session.scalar(select(FlaggedTerm).where(FlaggedTerm.term == "Day of the Rope"))
    assert entry is not None and entry.added_by_id == scene.coordinator.id
    response = post(client, "/moderation/terms", {"term": "day of the rope", "language": "en"})
    assert response.status_code == 400 and "already on the list" in response.get_data(as_text=True)
    response = post(client, "/moderation/terms", {"term": "", "language": "en"})
    assert response.status_code == 400 and "Write the word or phrase to watch for." in response.get_data(as_text=True)
    response = post(client, "/moderation/terms", {"term": "?!", "language": "de"})
    assert response.status_code == 400
    entry_id = entry.id
    assert post(client, f"/moderation/terms/{entry_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(FlaggedTerm, entry_id) is None
    assert [e.action for e in audit_actions("moderation.term_added")] == ["moderation.term_added"]
    assert len(audit_actions("moderation.term_removed")) == 1


def test_only_coordinators_keep_the_list(client, scene):
    db.commit()
    for person in (scene.lead, scene.mentor, create_user("funder")):
        sign_in(client, person)
        assert client.get("/moderation/terms").status_code == 403
        assert post(client, "/moderation/terms", {"term": "x", "language": "en"}).status_code == 403
    with pytest.raises(ValidationFailed):
        terms.add_term(scene.lead, "something", "en")


def test_seeding_adds_the_defaults_once(app, scene):
    for entry in db.session.scalars(select(FlaggedTerm)):
        db.session.delete(entry)
    db.session.flush()
    added = terms.seed_default_terms()
    assert added == sum(len(words) for words in terms.DEFAULT_TERMS.values())
    assert terms.seed_default_terms() == 0
    languages = {entry.language for entry in db.session.scalars(select(FlaggedTerm))}
    assert languages == {"en", "fr"}


def test_the_seed_command_runs(app):
    result = app.test_cli_runner().invoke(args=["safety", "seed-terms"])
    assert result.exit_code == 0 and "flagged term(s) added" in result.output
    db.session.execute(FlaggedTerm.__table__.delete())  # the command committed: leave no term behind
    db.commit()


def test_a_new_mentor_profile_save_flags_only_changed_words(scene):
    from app.mentors import services as mentors

    mentor = create_mentor(create_user("mentor"), bio="Nothing here.")
    fields = dict(expertise=["video"], languages=["fr"], timezone="UTC", capacity=1, accepting_teams=True,
                  availability="", preferred_themes=[], conduct_accepted=True)
    mentors.save_profile(mentor, bio="I fought the race war myth.", **fields)
    mentors.save_profile(mentor, bio="I fought the race war myth.", **fields)
    assert len([f for f in flags() if f.subject_type == "mentor_profile"]) == 1
