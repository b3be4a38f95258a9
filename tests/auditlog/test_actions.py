"""Each action the issue lists writes exactly one audit entry, through the service that performs it; and no entry,
in a world where every one of them has happened, holds an email address or a person's name."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts import services as accounts
from app.accounts.models import AuditEntry, User
from app.auditlog.labels import ACTION_LABELS, SUBJECT_LABELS
from app.calls import workflow as call_workflow
from app.ledger import services as ledger
from app.mentoring import services as mentoring
from app.payments import disbursements, payees
from app.projects import services as projects
from app.proposals import services as proposals
from app.reviews import services as reviews
from app.teams import services as teams
from app.teamspace import services as teamspace
from tests.conftest import post
from tests.factories import (
    PASSWORD,
    create_call,
    create_mentor,
    create_mentorship,
    create_project,
    create_proposal,
    create_team,
    create_user,
    sign_agreement,
)
from tests.projects.test_workflow import grant_milestone


def _count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


@pytest.fixture
def world():
    coordinator = create_user("coordinator", name="Cora Coordinator", email="cora@example.org")
    funder = create_user("funder", name="Fred Funder", email="fred@example.org")
    lead = create_user("youth", name="Lina Lead", email="lina@example.org")
    guardian = create_user("guardian", name="Nadia Guardian", email="nadia@example.org", age=44)
    # Her guardian agreed to her taking part and being mentored; not (yet) to the showcase.
    minor = create_user("youth", name="Mia Minor", email="mia@example.org", age=15, consent="given",
                        guardian_email=guardian.email, purposes=("mentoring",), own=("mentoring",))
    team = create_team(lead, minor, name="Echo Team")
    call = create_call(funder, title="Voices 2027", pool=2_000_000)
    return SimpleNamespace(coordinator=coordinator, funder=funder, lead=lead, minor=minor, guardian=guardian,
                           team=team, call=call)


# -- one function per kind of action: it performs the action and names the code it must write ---------------------
def proposal_state_change(w, client):
    draft = create_proposal(w.team, w.call)
    proposals.withdraw(w.lead, draft, "We will try next year.")
    return "proposal.withdraw"


def call_state_change(w, client):
    call_workflow.transition(w.call, "close", w.funder, "Enough proposals.")
    return "call.close"


def mentorship_move(w, client):
    mentor = create_mentor(name="Tess Mentor")
    mentorship = create_mentorship(w.team, mentor)
    mentoring.move(mentorship, "end", mentor, "The project is over.")
    return "mentorship.end"


def milestone_move(w, client):
    grant = create_project(w.team, w.call, submitted=1)
    projects.request_changes(w.coordinator, grant_milestone(grant), "Add the number of viewers.")
    return "milestone.changes_requested"


def milestone_approval(w, client):
    grant = create_project(w.team, w.call, submitted=1)
    projects.approve(w.coordinator, grant_milestone(grant))
    return "milestone.approved"


def ledger_award(w, client):
    proposal = create_proposal(w.team, w.call, state="in_review", amount=300_000)
    reviews.award(w.funder, proposal, 250_000, "Strong plan.")
    return "ledger.award"


def ledger_contribution(w, client):
    ledger.record_offline_contribution(w.coordinator, w.call, amount=50_000, contributor_name="Fondation Lumière",
                                       reference="VIR-2027-01")
    return "ledger.contribution"


def ledger_disbursement(w, client):
    grant = sign_agreement(ledger.grant_of(create_proposal(w.team, w.call, state="awarded", amount=300_000)))
    payee = payees.choose(w.lead, w.team, kind="organisation", email=w.funder.email, organisation="Maison des jeunes")
    payees.record_bank_reference(w.coordinator, payee, "Desjardins, account ending 4417")
    disbursements.release(w.coordinator, grant.tranches[0])
    return "ledger.disbursement"


def role_granted(w, client):
    accounts.grant_role(w.coordinator, w.lead, "mentor")
    return "role.granted"


def role_revoked(w, client):
    accounts.revoke_role(w.coordinator, w.funder, "funder")
    return "role.revoked"


def consent_given(w, client):
    from app.consents import services as consents

    consents.give(w.guardian, w.minor, "showcase", given_as="guardian")
    return "consent.given"


def consent_withdrawn(w, client):
    from app.consents import services as consents

    consents.withdraw(w.guardian, w.minor, "mentoring", given_as="guardian", reason="We moved away.")
    return "consent.withdrawn"


def moderation_action(w, client):
    from tests.safety.scene import decide, moderation_scene

    decide(moderation_scene(), "content_warning", warning="Quotes extremist propaganda to answer it.")
    return "moderation.content_warning"


def sign_in(w, client):
    response = post(client, "/signin", {"email": w.lead.email, "password": PASSWORD})
    assert response.status_code == 302
    return "account.signed_in"


def coordinator_opens_a_thread(w, client):
    thread = teamspace.start_thread(w.lead, w.team, "Our first draft", "What do you think?")
    teamspace.note_coordinator_opened(w.coordinator, thread)
    return "team_space.opened_by_coordinator"


ACTIONS = [proposal_state_change, call_state_change, mentorship_move, milestone_move, milestone_approval,
           ledger_award, ledger_contribution, ledger_disbursement, role_granted, role_revoked, consent_given,
           consent_withdrawn, moderation_action, sign_in, coordinator_opens_a_thread]


@pytest.mark.parametrize("perform", ACTIONS, ids=[perform.__name__ for perform in ACTIONS])
def test_each_listed_action_writes_one_entry(world, client, perform):
    before = {code: _count(code) for code in ACTION_LABELS}
    first_new = (db.session.scalar(select(func.max(AuditEntry.id))) or 0) + 1
    expected = perform(world, client)
    db.session.flush()
    db.session.expire_all()
    assert _count(expected) == before.get(expected, 0) + 1, expected
    new = db.session.scalars(select(AuditEntry).where(AuditEntry.id >= first_new)).all()
    assert expected in {entry.action for entry in new}
    for entry in new:  # whatever else the action wrote is named on the audit page
        assert entry.action in ACTION_LABELS, entry.action
        assert entry.subject_type in SUBJECT_LABELS, (entry.action, entry.subject_type)


def test_every_ledger_entry_has_its_audit_entry(world, client):
    from app.ledger.models import LedgerEntry

    first_new = (db.session.scalar(select(func.max(LedgerEntry.id))) or 0) + 1  # the factories book directly
    for perform in (ledger_award, ledger_contribution, ledger_disbursement):
        perform(world, client)
    db.session.flush()
    booked = set(db.session.scalars(select(LedgerEntry.id).where(LedgerEntry.id >= first_new)))
    logged = set(db.session.scalars(select(AuditEntry.subject_id).where(AuditEntry.subject_type == "ledger_entries")))
    assert booked and booked == logged


def test_no_entry_holds_an_email_address_or_a_name(world, client):
    """Every action above, and the team invitations whose entries used to keep the address they were sent to."""
    for perform in ACTIONS:
        perform(world, client)
    invitation = teams.invite(world.lead, world.team, "newcomer@example.org")
    teams.revoke_invitation(world.lead, invitation)
    teams.invite(world.lead, world.team, "second@example.org")
    accounts.request_consent(create_user("youth", age=14, name="Zoe Young"), "first.guardian@example.org")
    db.session.flush()
    people = db.session.scalars(select(User)).all()
    names = {person.display_name for person in people} | {person.email for person in people}
    details = db.session.scalars(select(AuditEntry.detail)).all()
    assert len(details) > len(ACTIONS)
    for detail in details:
        text = json.dumps(detail, ensure_ascii=False)
        assert "@" not in text, detail
        assert not [name for name in names if name in text], detail
