"""`flask privacy purge`: each retention rule removes what outlived its purpose, and nothing younger."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry, GuardianConsent, RecoveryCode, User, UserSession
from app.db import utcnow
from app.mail.models import OutboxMessage
from app.mail.services import queue_email
from app.notices.models import Notification, ProposalComment
from app.privacy import purge_command
from app.privacy.retention import months_before, purge
from app.proposals import services as proposals
from app.proposals.models import Proposal
from app.storage import get_storage
from app.teams.models import Membership
from app.uploads import check_upload
from tests.factories import create_proposal, create_team, create_user
from tests.privacy.world import PDF

NOW = utcnow()
LONG_AGO = NOW - timedelta(days=800)


@pytest.fixture
def old_and_new():
    """For each rule, one row past its retention and one still within it."""
    rows = {}
    lead = create_user(name="Rita Retention")
    team = create_team(lead)
    old = create_proposal(team, title="Old idea")
    proposals.add_attachment(lead, old, check_upload(io.BytesIO(PDF), "deck.pdf", "pitch_deck"))
    old.state, old.submitted_at, old.version = "declined", LONG_AGO, 1
    db.session.flush()
    db.session.add(ProposalComment(proposal_id=old.id, author_id=lead.id, visibility="team", body="Old comment."))
    recent = create_proposal(team, state="declined", title="Recent idea")
    withdrawn = create_proposal(team, title="Withdrawn idea")
    withdrawn.state = "withdrawn"
    db.session.flush()
    for proposal, when in ((old, LONG_AGO), (recent, NOW - timedelta(days=30)), (withdrawn, LONG_AGO)):
        db.session.execute(Proposal.__table__.update().where(Proposal.id == proposal.id).values(updated_at=when))
    rows["proposals"] = (old.id, withdrawn.id, recent.id, old.attachments[0].storage_key)

    db.session.add_all([
        UserSession(token="old-ended", user_id=lead.id, created_at=LONG_AGO, last_seen_at=LONG_AGO,
                    ended_at=LONG_AGO),
        UserSession(token="idle", user_id=lead.id, created_at=LONG_AGO, last_seen_at=NOW - timedelta(days=100)),
        UserSession(token="live", user_id=lead.id, created_at=LONG_AGO, last_seen_at=NOW),
        RecoveryCode(user_id=lead.id, code_hash="used-long-ago", used_at=LONG_AGO),
        RecoveryCode(user_id=lead.id, code_hash="leftover", created_at=NOW - timedelta(days=3)),
    ])
    two_factor = create_user(name="Tess Twofactor")
    two_factor.totp_enabled_at = NOW
    db.session.add(RecoveryCode(user_id=two_factor.id, code_hash="standing", created_at=LONG_AGO))

    ghost = create_user(name="Gus Ghost", email="ghost@example.org", confirmed=False, age=14,
                        consent="requested", guardian_email="ghost.parent@example.org")
    ghost.created_at = NOW - timedelta(days=45)
    queue_email(ghost.email, "confirm_email", "en", user=ghost, url="http://localhost/confirm/x")
    newcomer = create_user(name="Nia New", confirmed=False)
    busy = create_user(name="Bea Busy", confirmed=False)
    busy.created_at = LONG_AGO
    db.session.add(Membership(team_id=team.id, user_id=busy.id))
    rows["accounts"] = (ghost.id, newcomer.id, busy.id)

    db.session.add_all([
        Notification(user_id=lead.id, kind="comment", params={}, read_at=LONG_AGO),
        Notification(user_id=lead.id, kind="comment", params={}, read_at=NOW - timedelta(days=10)),
        Notification(user_id=lead.id, kind="comment", params={}),
        OutboxMessage(recipient="a@example.org", subject="Old", body="Old", kind="test", state="sent",
                      sent_at=LONG_AGO),
        OutboxMessage(recipient="b@example.org", subject="Recent", body="Recent", kind="test", state="sent",
                      sent_at=NOW - timedelta(days=5)),
        OutboxMessage(recipient="erased-9@invalid", subject="Bye", body="Bye", kind="privacy_account_erased",
                      state="failed"),
    ])
    db.session.flush()
    return rows


def test_a_dry_run_lists_without_removing(old_and_new):
    before = _counts()
    found = purge(NOW, dry_run=True)
    assert {name: len(labels) for name, labels in found.items()} == {
        "declined_proposals": 2, "sessions": 2, "recovery_codes": 2, "unconfirmed_accounts": 1,
        "read_notices": 1, "sent_emails": 2}
    old_id, withdrawn_id, _recent, _key = old_and_new["proposals"]
    assert found["declined_proposals"] == [f"proposal {old_id}", f"proposal {withdrawn_id}"]
    assert _counts() == before
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.purged")) is None


def test_the_purge_removes_only_what_is_past_its_retention(old_and_new):
    old_id, withdrawn_id, recent_id, key = old_and_new["proposals"]
    ghost_id, newcomer_id, busy_id = old_and_new["accounts"]
    db.commit()
    assert get_storage().exists(key)

    found = purge(NOW)
    db.commit()  # the file goes after the commit

    db.session.expire_all()
    assert db.session.get(Proposal, old_id) is None and db.session.get(Proposal, withdrawn_id) is None
    assert db.session.get(Proposal, recent_id) is not None
    assert db.session.scalar(select(ProposalComment).where(ProposalComment.proposal_id == old_id)) is None
    assert not get_storage().exists(key)
    assert list(db.session.scalars(select(UserSession.token))) == ["live"]
    assert sorted(db.session.scalars(select(RecoveryCode.code_hash))) == ["standing"]
    assert db.session.get(User, ghost_id) is None
    assert db.session.get(User, newcomer_id) is not None and db.session.get(User, busy_id) is not None
    assert db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == ghost_id)) is None
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "ghost@example.org")) is None
    assert len(list(db.session.scalars(select(Notification)))) == 2
    assert sorted(db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.kind != "confirm_email"))) \
        == ["Recent"]
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.purged"))
    assert entry.detail == {name: len(labels) for name, labels in found.items()}
    assert entry.actor_id is None


def test_the_declined_retention_is_a_setting(app, old_and_new):
    saved = app.config["RETENTION_DECLINED_MONTHS"]
    app.config["RETENTION_DECLINED_MONTHS"] = 36
    try:
        assert purge(NOW, dry_run=True)["declined_proposals"] == []
    finally:
        app.config["RETENTION_DECLINED_MONTHS"] = saved
    assert saved == 24


def test_the_command_prints_a_count_per_rule(app, old_and_new):
    runner = app.test_cli_runner()
    dry = runner.invoke(purge_command, ["--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "declined or withdrawn proposals past their retention: 2 would be removed" in dry.output
    assert f"  proposal {old_and_new['proposals'][0]}" in dry.output
    assert db.session.get(Proposal, old_and_new["proposals"][0]) is not None

    real = runner.invoke(purge_command, [])
    assert real.exit_code == 0, real.output
    assert "ended or unused sessions: 2 removed" in real.output
    assert "  session" not in real.output
    db.session.expire_all()
    assert db.session.get(Proposal, old_and_new["proposals"][0]) is None


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (datetime(2026, 3, 31, 12, tzinfo=UTC), 1, datetime(2026, 2, 28, 12, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 24, datetime(2024, 1, 15, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
])
def test_months_before(moment, months, expected):
    assert months_before(moment, months) == expected


def _counts() -> dict:
    from sqlalchemy import func

    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Proposal, UserSession, RecoveryCode, User, Notification, OutboxMessage)}
