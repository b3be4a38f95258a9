"""Command-line tools, run against an app on a fresh database of their own (they commit for real)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import create_app, db, policy
from app.accounts.models import AuditEntry, GuardianConsent, RoleGrant, User
from app.accounts.passwords import verify_password
from app.calls.models import Call
from app.db import get_database, utcnow
from app.demo import DEMO_PASSWORD, PEOPLE, demo_email
from app.mail.models import OutboxMessage
from app.teams.models import Invitation, Team
from config import TestConfig
from tests.databases import fresh_database_url, migrate
from tests.factories import create_user


@pytest.fixture
def cli_app(request):
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    url = fresh_database_url(f"{worker}_cli")
    migrate(url)
    app = create_app(TestConfig, DATABASE_URL=url)
    # The shared test fixture keeps another app's context pushed; commands must run in this one.
    with app.app_context():
        yield app
    get_database(app).engine.dispose()


def _invoke(app, *args, **kwargs):
    result = app.test_cli_runner().invoke(args=list(args), **kwargs)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _user(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == demo_email(key)))


def test_demo_load_creates_the_demo_people_and_prints_the_sign_ins(cli_app):
    result = _invoke(cli_app, "demo", "load")

    assert result.exit_code == 0, result.output
    assert "Demo data loaded." in result.output
    assert f"password for all: {DEMO_PASSWORD}" in result.output
    for key, name, *_rest in PEOPLE:
        assert demo_email(key) in result.output
        assert name in result.output

    db.session.expire_all()
    assert _count(User) == len(PEOPLE)
    assert _user("coordinator").roles == {"coordinator"}
    assert _user("funder").roles == {"funder"}
    assert _user("mentor1").roles == _user("mentor2").roles == {"mentor"}
    assert verify_password(_user("lea").password_hash, DEMO_PASSWORD)
    assert all(user.is_confirmed for user in db.session.scalars(select(User)))

    teams = {team.name: team for team in db.session.scalars(select(Team))}
    assert set(teams) == {"Les Voix du Quartier", "Counter-Narrative Collective"}
    voices = teams["Les Voix du Quartier"]
    assert voices.lead_id == _user("lea").id
    assert {member.email for member in voices.members} == {demo_email("lea"), demo_email("sami")}
    collective = teams["Counter-Narrative Collective"]
    assert {member.email for member in collective.members} == {demo_email("jordan"), demo_email("priya")}
    assert db.session.scalar(select(Invitation.state).where(Invitation.email == "newcomer@demo.passerelle.org")) \
        == "pending"

    sami, nadia = _user("sami"), _user("guardian")
    assert policy.needs_guardian_consent(sami)
    consent = db.session.scalars(select(GuardianConsent).where(GuardianConsent.minor_id == sami.id)).one()
    assert (consent.state, consent.guardian_id, consent.guardian_email) == ("given", nadia.id, nadia.email)
    assert policy.can_submit(sami)

    calls = {call.title: call for call in db.session.scalars(select(Call))}
    voices = calls["Voices Against Hate 2027"]
    assert voices.state == "published" and voices.is_open(utcnow())
    assert voices.owner_id == _user("funder").id
    assert (voices.currency, voices.pool_amount, voices.max_award) == ("CAD", 2_000_000, 500_000)
    assert len(voices.criteria) == 4 and all(len(c.level_descriptors) == 5 for c in voices.criteria)
    assert "draft" in {call.state for call in calls.values()}
    from app.ledger import services as ledger

    assert ledger.balances(voices).contributed == 1_500_000  # received of the 2,000,000 announced
    from app.payments.models import Payee

    payee = db.session.scalars(select(Payee)).one()
    assert (payee.user_id, payee.kind, payee.ready_by_hand) == (nadia.id, "guardian", True)

    # Léa's proposal is in review with two submitted reviews, one of them leaving a criterion "not applicable".
    from app.proposals.models import Proposal
    from app.reviews.models import ReviewAssignment

    in_review = db.session.scalars(select(Proposal).where(Proposal.state == "in_review")).one()
    reviews = db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.proposal_id == in_review.id)).all()
    assert sorted(r.state for r in reviews) == ["submitted", "submitted"]
    assert any(score.score is None for review in reviews for score in review.scores)

    # Marc mentors the Collective, coaches in its space and on its draft; Les Voix waits for a round.
    from app.mentoring import services as mentoring
    from app.mentoring.models import Mentorship
    from app.notices.models import ProposalComment
    from app.teamspace.models import MeetingLog, TeamMessage

    mentorship = db.session.scalars(select(Mentorship)).one()
    assert (mentorship.team_id, mentorship.mentor_id, mentorship.state) == (collective.id, _user("mentor1").id,
                                                                            "active")
    assert policy.is_vetted(_user("mentor1")) and policy.is_vetted(_user("mentor3"))
    assert not policy.is_vetted(_user("mentor2"))
    assert [team.name for team in mentoring.waiting_teams()] == ["Les Voix du Quartier"]
    assert _count(TeamMessage) == 2 and _count(MeetingLog) == 1
    assert db.session.scalar(select(ProposalComment.author_id)) == _user("mentor1").id


def test_demo_load_twice_adds_nothing(cli_app):
    _invoke(cli_app, "demo", "load")
    db.session.expire_all()
    counts = {model: _count(model) for model in (User, Team, Invitation, GuardianConsent, OutboxMessage, AuditEntry)}

    result = _invoke(cli_app, "demo", "load")

    assert result.exit_code == 0
    assert "already holds accounts; demo data not loaded" in result.output
    assert "Demo data loaded." not in result.output
    assert demo_email("coordinator") in result.output  # the sign-ins are still printed
    db.session.expire_all()
    assert {model: _count(model) for model in counts} == counts


def test_demo_load_refuses_a_database_that_already_has_accounts(cli_app):
    create_user("youth", email="someone@example.org")
    db.commit()
    result = _invoke(cli_app, "demo", "load")
    assert "demo data not loaded" in result.output
    assert _count(User) == 1
    assert _count(Team) == 0


def test_create_coordinator_grants_the_role_to_an_existing_account(cli_app):
    person = create_user("youth", email="camille@example.org")
    db.commit()

    result = _invoke(cli_app, "users", "create-coordinator", " Camille@Example.org ")

    assert result.exit_code == 0, result.output
    assert "camille@example.org is a coordinator." in result.output
    assert "Password" not in result.output  # no prompt for an existing account
    db.session.expire_all()
    assert db.session.get(User, person.id).roles == {"youth", "coordinator"}
    assert _count(User) == 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "role.granted")).one()
    assert entry.subject_id == person.id
    assert entry.detail == {"role": "coordinator"}

    again = _invoke(cli_app, "users", "create-coordinator", "camille@example.org")
    assert again.exit_code == 0
    assert _count(RoleGrant) == 2


def test_create_coordinator_creates_a_missing_account(cli_app):
    answers = "lantern orchard violet\nlantern orchard violet\nCamille Admin\nca\n1980-05-01\n"

    result = _invoke(cli_app, "users", "create-coordinator", "admin@example.org", input=answers)

    assert result.exit_code == 0, result.output
    assert "admin@example.org is a coordinator." in result.output
    db.session.expire_all()
    user = db.session.scalars(select(User).where(User.email == "admin@example.org")).one()
    assert user.roles == {"coordinator"}
    assert user.is_confirmed
    assert user.country == "CA"
    assert user.display_name == "Camille Admin"
    assert verify_password(user.password_hash, "lantern orchard violet")


def test_create_coordinator_reports_a_weak_password(cli_app):
    result = cli_app.test_cli_runner().invoke(
        args=["users", "create-coordinator", "admin@example.org"], input="short\nshort\nCamille\nCA\n1980-05-01\n")
    assert result.exit_code != 0
    assert "Use at least 10 characters." in result.output
    assert _count(User) == 0


def test_db_revision_writes_nothing_when_the_models_match_the_migrations(cli_app):
    from config import BASE_DIR

    versions = BASE_DIR / "migrations" / "versions"
    before = sorted(path.name for path in versions.glob("*.py"))
    try:
        result = _invoke(cli_app, "db", "revision", "-m", "nothing to do")
        assert result.exit_code == 0, result.output
        assert sorted(path.name for path in versions.glob("*.py")) == before
    finally:  # a failing run must not leave a stray migration in the source tree
        for path in versions.glob("*_nothing_to_do.py"):
            path.unlink()
