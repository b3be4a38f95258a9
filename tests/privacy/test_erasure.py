"""Deleting an account: no personal data left in any table, the money records kept and still balanced."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import JSON, String, Text, select
from sqlalchemy import Enum as EnumType

from app import db
from app.accounts.models import AuditEntry, GuardianConsent, User
from app.accounts.passwords import verify_password
from app.calls.models import Call
from app.db import Base
from app.ledger.services import balances
from app.mail.models import OutboxMessage
from app.mentoring.models import MentorProfile, Mentorship
from app.payments.models import Disbursement, Payee
from app.privacy import erasure
from app.proposals.models import Attachment, Proposal
from app.storage import get_storage
from app.teams.models import Team
from app.teamspace.models import TeamMessage
from app.validation import ValidationFailed
from tests.conftest import post, sign_in
from tests.factories import PASSWORD, create_project, create_team, create_user
from tests.privacy import world as scene


def traces(words: list[str]) -> list[tuple[str, str, tuple, str]]:
    """(table, column, primary key, word) for every string or JSON value of every table that holds one of them."""
    hits = []
    patterns = [(word, re.compile(re.escape(word), re.IGNORECASE)) for word in words]
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns
                   if isinstance(c.type, String | Text | JSON) and not isinstance(c.type, EnumType)]
        if not columns:
            continue
        keys = list(table.primary_key.columns)
        for row in db.session.execute(select(*keys, *columns)):
            for column in columns:
                value = getattr(row, column.name)
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                hits += [(table.name, column.name, tuple(getattr(row, k.name) for k in keys), word)
                         for word, pattern in patterns if pattern.search(text)]
    return hits


def ledger_state() -> dict[int, object]:
    return {call.id: balances(call) for call in db.session.scalars(select(Call).order_by(Call.id))}


def assert_invariants(state: dict) -> None:
    for call_balances in state.values():
        assert call_balances.available >= 0
        for grant in call_balances.grants.values():
            assert 0 <= grant.disbursed <= grant.awarded


@pytest.fixture
def world():
    return scene.build()


def test_the_world_holds_her_data_everywhere_before(world):
    """The scan below would find her: it is not passing for want of data."""
    db.session.flush()
    found = {(table, word) for table, _column, _key, word in traces(scene.needles())}
    for table in ("users", "outbox_messages", "audit_entries", "notifications", "team_invitations",
                  "guardian_consents", "team_messages", "proposal_comments", "payees", "contributions",
                  "user_sessions", "mentor_profiles", "mentor_vettings", "consent_records"):
        assert any(t == table for t, _word in found), table


def test_erasure_leaves_no_personal_data_in_any_table_and_the_ledger_balances(client, world, outbox):
    before = ledger_state()
    assert_invariants(before)
    deleted_key, kept_keys = world.draft_attachment.storage_key, (world.kept_attachment.storage_key,
                                                                 world.evidence_file.storage_key)
    z_id, payee_id, draft_id = world.z.id, world.payee.id, world.alone_draft.id
    db.commit()
    sign_in(client, world.z)

    response = post(client, "/account/delete", {"password": PASSWORD, "understood": "y"})

    assert response.status_code == 302 and response.headers["Location"] == "/account/deleted"
    db.session.expire_all()
    assert traces(scene.needles()) == []
    after = ledger_state()
    assert after == before
    assert_invariants(after)

    # The pseudonymised row, and what was kept under it.
    user = db.session.get(User, z_id)
    assert (user.email, user.display_name, user.country, user.region) == (
        f"erased-{z_id}@invalid", f"Former member · Ancien membre #{z_id}", "ZZ", None)
    assert user.erased_at is not None and user.roles == frozenset()
    assert not verify_password(user.password_hash, PASSWORD)
    assert user.birth_date == erasure.PLACEHOLDER_BIRTH_DATE
    assert db.session.get(Payee, payee_id).user_id == z_id and db.session.get(Payee, payee_id).bank_reference is None
    assert db.session.scalar(select(Disbursement).where(Disbursement.payee_id == payee_id)).state == "paid"
    [contribution] = scene.contributions_of(z_id)
    assert (contribution.contributor_name, contribution.amount) == (f"Former member · Ancien membre #{z_id}", 50_000)
    assert db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == z_id)) is None
    assert db.session.get(Mentorship, world.mentorship.id).state == "ended"
    bodies = list(db.session.scalars(select(TeamMessage.body).where(TeamMessage.author_id == z_id)))
    assert bodies == [erasure.ERASED_BODY]
    assert len(db.session.get(Team, world.team.id).memberships) == 1

    # Teams: Gil now leads the shared one; the one she led alone is empty and its draft is gone.
    assert db.session.get(Team, world.shared.id).lead_id == world.mate.id
    assert db.session.get(Team, world.alone.id).memberships == []
    assert db.session.get(Proposal, draft_id) is None
    # Her file on a draft is deleted from storage; the submitted proposal's and the evidence stay.
    assert db.session.scalar(select(Attachment).where(Attachment.storage_key == deleted_key)) is None
    assert not get_storage().exists(deleted_key)
    assert all(get_storage().exists(key) for key in kept_keys)

    # The consent she gave still stands for the minor.
    consent = db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == world.minor.id))
    assert consent.state == "given" and consent.guardian_id == z_id

    # One audit entry for the erasure, holding ids only; the goodbye email left and its row is gone.
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.erased"))
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (z_id, "users", z_id)
    assert outbox(kind="privacy_account_erased") == []

    # Signed out everywhere: the old cookie no longer works, and the old password does not sign in.
    assert client.get("/dashboard").status_code == 302
    signin = post(client, "/signin", {"email": scene.EMAIL, "password": PASSWORD})
    assert signin.status_code == 200 and "not right" in signin.get_data(as_text=True)


def test_the_goodbye_email_goes_to_the_old_address_before_it_is_erased(app, outbox):
    user = create_user(email="leaving@example.org", name="Lou Leaving")
    erasure.erase_account(user, user)  # no commit: the email is still waiting in the outbox
    [message] = outbox(kind="privacy_account_erased")
    assert message.recipient == "leaving@example.org"
    assert "Lou" not in message.body and "deleted" in message.subject
    assert db.session.get(User, user.id).email == f"erased-{user.id}@invalid"


def test_an_erased_account_is_never_treated_as_a_minor(app):
    from app import policy

    minor = create_user(age=14, region="CA-QC", consent="given")
    erasure.erase_account(minor, minor)
    assert not policy.needs_guardian_consent(minor)
    assert policy.is_erased(minor) and not policy.can_manage_own_data(minor)


def test_deleting_needs_the_password_and_the_confirmation(client):
    user = create_user(name="Pat Careful")
    db.commit()
    sign_in(client, user)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "What is erased" in page and "What is kept, without the name" in page
    assert user.email in page

    wrong = post(client, "/account/delete", {"password": "not my password", "understood": "y"})
    unticked = post(client, "/account/delete", {"password": PASSWORD})

    assert wrong.status_code == 400 and "That is not your password." in wrong.get_data(as_text=True)
    assert unticked.status_code == 400 and "Tick this box to confirm." in unticked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).erased_at is None


@pytest.mark.parametrize("role", ["lead", "payee"])
def test_a_running_project_stops_the_deletion_until_someone_takes_over(client, role):
    person = create_user(name="Rae Running", age=30)
    lead = person if role == "lead" else create_user(name="Lee Lead")
    team = create_team(lead, name="Running Team")
    create_project(team, state="active")
    if role == "payee":
        db.session.add(Payee(team_id=team.id, user_id=person.id, kind="guardian", country="CA"))
    db.commit()
    sign_in(client, person)

    page = client.get("/account/delete").get_data(as_text=True)
    response = post(client, "/account/delete", {"password": PASSWORD, "understood": "y"})

    assert "Your account cannot be deleted yet" in page and "Running Team" in page
    assert 'name="password"' not in page
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, person.id).erased_at is None
    with pytest.raises(ValidationFailed):
        erasure.erase_account(person, person)


def test_the_only_coordinator_cannot_delete_their_account(app):
    coordinator = create_user("coordinator")
    problems = erasure.blockers(coordinator)
    assert [str(p) for p in problems] == ["You are the only coordinator: grant the role to someone else first."]
    create_user("coordinator")
    assert erasure.blockers(coordinator) == []


def test_a_shared_first_name_is_left_in_generated_text_but_the_full_name_goes(app):
    from app.privacy.erasure import identity_of

    create_user(name="Ana Keeps")
    leaving = create_user(name="Ana Leaves")
    unique = create_user(name="Oriane Solo")
    assert identity_of(leaving).first_name is None
    assert identity_of(unique).first_name == "Oriane"


def test_outbox_rows_to_others_keep_their_shape_without_her_name(app, outbox):
    from app.mail.services import queue_email

    leaving = create_user(name="Isaura Leaving", email="isaura@example.org")
    other = create_user(name="Kim Other")
    queue_email(other.email, "password_changed", "en", user=leaving)  # its greeting names Isaura
    erasure.erase_account(leaving, leaving)
    [message] = [m for m in outbox(recipient=other.email)]
    assert "Isaura" not in message.body and f"Former member · Ancien membre #{leaving.id}" in message.body
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "isaura@example.org",
                                                         OutboxMessage.kind != "privacy_account_erased")) is None


def test_names_are_replaced_as_whole_words_and_what_replaces_them_fits_the_column(app):
    leaving = create_user(name="Al Bo", email="al@example.org")
    long_name = "Al Bo " + "x" * 74  # 80 characters, the column's limit
    kept = create_team(create_user(name="Ana Souzanne"), name="Team of Al Boulanger")
    renamed = create_team(create_user(), name=long_name)
    erasure.erase_account(leaving, leaving)
    db.session.expire_all()
    assert db.session.get(Team, kept.id).name == "Team of Al Boulanger"
    name = db.session.get(Team, renamed.id).name
    assert name.startswith(f"Former member · Ancien membre #{leaving.id} ") and len(name) == 80
