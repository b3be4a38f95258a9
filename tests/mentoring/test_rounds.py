"""Matching rounds and mentorships against the database: the inputs the matcher gets, overrides, confirmation
and every move of the mentorship table."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import db, policy
from app.accounts.models import GuardianConsent
from app.mentoring import services, workflow
from app.mentoring.models import MentorConflict, MentorVetting, TeamNeeds
from app.notices.models import Notification
from app.validation import ValidationFailed
from tests.factories import create_mentor, create_mentorship, create_team, create_user


def _asking(team, *needs: str, timezone: str = "America/Toronto") -> None:
    db.session.add(TeamNeeds(team_id=team.id, needs=list(needs) or ["video"], timezone=timezone))
    db.session.flush()


@pytest.fixture
def coordinator():
    return create_user("coordinator", name="Cora Coordinator")


@pytest.fixture
def world():
    """A French-speaking team with a minor, an English-speaking team of adults, a vetted bilingual mentor and an
    unvetted English-speaking one."""
    minor = create_user(age=15, consent="given", name="Malik Minor")
    french = create_team(create_user(name="Fanny Lead"), minor, name="Les Voix")
    french.languages = ["fr"]
    english = create_team(create_user(name="Eli Lead"), name="Open Mic")
    english.languages = ["en"]
    _asking(french, "video")
    _asking(english, "web")
    vetted = create_mentor(name="Vera Vetted", languages=("fr", "en"), expertise=("video",), capacity=1)
    unvetted = create_mentor(name="Uma Unvetted", vetted=False, languages=("en",), expertise=("web",), capacity=1)
    return {"french": french, "english": english, "vetted": vetted, "unvetted": unvetted, "minor": minor}


def _pairs(round_) -> dict[int, int]:
    return {m.team_id: m.mentor_id for m in round_.matches}


def test_no_waiting_team_no_round(coordinator):
    create_team()  # has not said what it needs: not waiting
    with pytest.raises(ValidationFailed, match="No team is waiting"):
        services.start_round(coordinator)


def test_the_round_respects_vetting_and_language_and_explains_itself(coordinator, world):
    round_ = services.start_round(coordinator)
    assert _pairs(round_) == {world["french"].id: world["vetted"].id, world["english"].id: world["unvetted"].id}
    french = next(m for m in round_.matches if m.team_id == world["french"].id)
    kinds = [reason["kind"] for reason in french.reasons]
    assert kinds[0] == "expertise" and "language" in kinds and "timezone" in kinds
    assert round_.unmatched == {}
    assert round_.total_score == sum(m.score for m in round_.matches)
    assert services.start_round(coordinator).id == round_.id  # one open round at a time


def test_teams_with_a_mentor_and_full_or_paused_mentors_stay_out(coordinator, world):
    from app.mentoring.models import MentorProfile

    offer = create_mentorship(world["english"], world["unvetted"], state="offered")
    assert {t.id for t in services.waiting_teams()} == {world["french"].id}
    # The unvetted mentor's one place is taken by the offer.
    assert {p.user_id for p in services.available_mentors()} == {world["vetted"].id}
    services.move(offer, "decline", world["unvetted"], "Not this term.")
    profile = db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == world["vetted"].id))
    profile.accepting_teams = False  # paused
    db.session.flush()
    assert {p.user_id for p in services.available_mentors()} == {world["unvetted"].id}
    assert {t.id for t in services.waiting_teams()} == {world["french"].id, world["english"].id}


def test_members_guardians_declared_conflicts_and_earlier_declines_are_never_proposed(coordinator, world):
    guardian = create_mentor(name="Gina Guardian", languages=("fr",), capacity=3)
    db.session.add(GuardianConsent(minor_id=world["minor"].id, guardian_email=guardian.email, guardian_id=guardian.id,
                                   state="given", nonce="g" * 16))
    declared = create_mentor(name="Dora Declared", languages=("en",), capacity=3)
    db.session.add(MentorConflict(mentor_id=declared.id, team_id=world["english"].id, reason="My students."))
    declined = create_mentor(name="Dan Declined", languages=("en",), capacity=3)
    create_mentorship(world["english"], declined, state="declined")
    db.session.flush()
    _teams, _profiles, requests, _offers = services.round_inputs()
    assert guardian.id in requests[world["french"].id].excluded_mentors
    assert world["minor"].id in requests[world["french"].id].excluded_mentors
    assert {declared.id, declined.id} <= requests[world["english"].id].excluded_mentors
    assert requests[world["french"].id].has_minors and not requests[world["english"].id].has_minors


def test_an_expired_vetting_counts_as_none(coordinator, world):
    vetting = db.session.scalar(select(MentorVetting).where(MentorVetting.mentor_id == world["vetted"].id))
    vetting.checked_on, vetting.expires_on = date.today() - timedelta(days=400), date.today() - timedelta(days=1)
    db.session.flush()
    round_ = services.start_round(coordinator)
    assert world["french"].id not in _pairs(round_)
    assert round_.unmatched[str(world["french"].id)] == "needs_vetted_mentor"


def test_a_lock_that_breaks_a_safety_rule_is_refused_and_nothing_is_recorded(coordinator, world):
    round_ = services.start_round(coordinator)
    with pytest.raises(ValidationFailed, match="safety rule") as error:
        services.override(round_, coordinator, kind="lock", team_id=world["french"].id,
                          mentor_id=world["unvetted"].id, reason="I know her.")
    assert error.value.errors[0][0] == "action"
    with pytest.raises(ValidationFailed, match="Say why"):
        services.override(round_, coordinator, kind="ban", team_id=world["french"].id,
                          mentor_id=world["vetted"].id, reason="  ")
    assert round_.overrides == []


def test_a_ban_is_kept_on_every_run_and_a_swap_moves_the_team(coordinator, world):
    spare = create_mentor(name="Sam Spare", languages=("en", "fr"), expertise=("design",), capacity=2)
    round_ = services.start_round(coordinator)
    english = next(m for m in round_.matches if m.team_id == world["english"].id)
    assert english.mentor_id == world["unvetted"].id
    assert [pair[0] for pair in english.alternates] == [spare.id]
    services.override(round_, coordinator, kind="swap", team_id=world["english"].id, mentor_id=spare.id,
                      reason="Sam has done web work with this school.")
    assert _pairs(round_)[world["english"].id] == spare.id
    assert next(m for m in round_.matches if m.team_id == world["english"].id).locked
    services.override(round_, coordinator, kind="ban", team_id=world["french"].id, mentor_id=world["vetted"].id,
                      reason="They met at a family event.")
    services.solve(round_)
    assert _pairs(round_)[world["french"].id] == spare.id  # the only other vetted French speaker with room
    assert [o.kind for o in round_.overrides] == ["swap", "ban"]


def test_confirming_offers_each_match_and_tells_the_mentor_and_the_team(coordinator, world):
    round_ = services.start_round(coordinator)
    made = services.confirm(round_, coordinator)
    assert round_.state == "confirmed" and len(made) == 2
    assert {m.state for m in made} == {"offered"}
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "mentorship_offered")))
    members = {m.user_id for team in (world["french"], world["english"]) for m in team.memberships}
    assert told == members | {world["vetted"].id, world["unvetted"].id}
    with pytest.raises(ValidationFailed):
        services.confirm(round_, coordinator)


@pytest.mark.parametrize(("state", "action"), [(s, a) for s in ("offered", "active", "declined", "ended")
                                               for a in workflow.ACTIONS])
def test_every_state_and_action_of_the_mentorship_table(coordinator, world, state, action):
    mentorship = create_mentorship(world["english"], world["unvetted"], state=state)
    lead, outsider = world["english"].lead, create_user()
    actors = {"mentor": world["unvetted"], "team": lead, "coordinator": coordinator}
    move = workflow.move_for(state, action)
    if move is None:
        with pytest.raises(workflow.IllegalMove):
            workflow.transition(mentorship, action, world["unvetted"], "A reason.")
        return
    with pytest.raises(workflow.NotAllowed):
        workflow.transition(mentorship, action, outsider, "A reason.")
    for relation, actor in actors.items():
        assert policy.can_move_mentorship(actor, mentorship, action) == (relation in move.actors), relation
    allowed = actors[move.actors[0]]
    if move.needs_reason:
        with pytest.raises(ValidationFailed):
            workflow.transition(mentorship, action, allowed, " ")
    workflow.transition(mentorship, action, allowed, "A reason.")
    assert mentorship.state == move.target
    db.session.flush()  # the table's checks on the row hold


def test_a_decline_puts_the_team_back_and_a_decline_after_acceptance_is_refused(coordinator, world):
    offer = create_mentorship(world["english"], world["unvetted"], state="offered")
    services.move(offer, "decline", world["unvetted"], "No time this term.")
    assert world["english"].id in {t.id for t in services.waiting_teams()}
    assert coordinator.id in set(db.session.scalars(select(Notification.user_id)
                                                    .where(Notification.kind == "mentorship_declined")))
    accepted = create_mentorship(world["french"], world["vetted"], state="offered")
    services.move(accepted, "accept", world["vetted"])
    with pytest.raises(workflow.IllegalMove, match="cannot be changed this way"):
        services.move(accepted, "decline", world["vetted"])


def test_accepting_checks_the_vetting_again(coordinator, world):
    offer = create_mentorship(world["french"], world["vetted"], state="offered")
    db.session.scalar(select(MentorVetting).where(MentorVetting.mentor_id == world["vetted"].id)).expires_on = \
        date.today() - timedelta(days=1)
    db.session.scalar(select(MentorVetting).where(MentorVetting.mentor_id == world["vetted"].id)).checked_on = \
        date.today() - timedelta(days=365)
    db.session.flush()
    with pytest.raises(ValidationFailed, match="vetting"):
        services.move(offer, "accept", world["vetted"])
    assert offer.state == "offered"


def test_a_round_with_no_mentor_leaves_every_team_unmatched_and_says_why(coordinator):
    team = create_team(name="Alone")
    _asking(team)
    round_ = services.start_round(coordinator)
    assert round_.matches == [] and round_.unmatched == {str(team.id): "no_mentors"}
    with pytest.raises(ValidationFailed, match="no match to confirm"):
        services.confirm(round_, coordinator)
