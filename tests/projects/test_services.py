"""Delivery services: the agreement gate, evidence, feedback, approval (one tranche payable) and due dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import db, policy
from app.accounts.models import GuardianConsent
from app.ledger import services as ledger
from app.ledger.models import LedgerEntry
from app.notices.models import Notification
from app.payments import disbursements
from app.payments.models import Disbursement, Payee
from app.projects import agreements, services
from app.projects.models import DueDateChange, MilestoneEvent
from app.validation import ValidationFailed
from tests.factories import create_call, create_mentor, create_mentorship, create_project, create_team, create_user
from tests.projects.test_workflow import grant_milestone


@pytest.fixture
def minors_team():
    """A team whose second member is 15, with her mother's consent recorded."""
    mother = create_user("guardian", name="Nadia Mother", age=44)
    minor = create_user(age=15, consent="given", guardian_email=mother.email, name="Sami Minor")
    db.session.scalar(select(GuardianConsent).where(GuardianConsent.minor_id == minor.id)).guardian_id = mother.id
    team = create_team(create_user(name="Lea Lead"), minor, name="Les Voix")
    return team, mother


def _accept(grant):
    template = agreements.current_template(grant.call)
    return agreements.accept(grant.team.lead, grant, template_version=template.version, confirmed=True)


# -- the agreement ---------------------------------------------------------------------------------
def test_an_adult_team_is_active_once_its_lead_accepts():
    grant = create_project(state="awarded")
    assert grant.state == "awarded"
    agreement = _accept(grant)
    assert (grant.state, agreement.complete, agreement.countersign_required) == ("active", True, False)
    assert agreement.text_accepted == agreements.current_template(grant.call).body
    assert grant.activated_at is not None


def test_a_team_with_a_minor_waits_for_the_guardian(minors_team):
    team, mother = minors_team
    grant = create_project(team, state="awarded")
    agreement = _accept(grant)
    assert (grant.state, agreement.countersign_required, agreement.complete) == ("awarded", True, False)
    assert mother in policy.countersigners(grant)
    notices = db.session.scalars(select(Notification.kind).where(Notification.user_id == mother.id)).all()
    assert "agreement_to_countersign" in notices
    agreements.countersign(mother, grant, confirmed=True)
    assert grant.state == "active"
    assert (agreement.countersigned_by_id, agreement.countersigner_kind) == (mother.id, "guardian")


def test_nobody_else_may_countersign(minors_team):
    team, _mother = minors_team
    grant = create_project(team, state="awarded")
    _accept(grant)
    for stranger in (create_user("guardian", age=50), team.lead, create_user("coordinator")):
        assert not policy.can_countersign(stranger, grant)


def test_a_sponsoring_organisation_payee_countersigns_in_its_name(minors_team):
    team, _mother = minors_team
    director = create_user("guardian", name="Dana Director", age=50)
    db.session.add(Payee(team_id=team.id, user_id=director.id, kind="organisation", organisation="Maison des jeunes",
                         country="CA", bank_reference="BANK-1"))
    grant = create_project(team, state="awarded")
    _accept(grant)
    agreement = agreements.countersign(director, grant, confirmed=True)
    assert (agreement.countersigner_kind, agreement.countersigner_organisation) == ("organisation",
                                                                                   "Maison des jeunes")


def test_accepting_needs_the_box_ticked_and_the_version_read():
    grant = create_project(state="awarded")
    template = agreements.current_template(grant.call)
    with pytest.raises(ValidationFailed) as unticked:
        agreements.accept(grant.team.lead, grant, template_version=template.version, confirmed=False)
    assert unticked.value.errors[0][0] == "confirm"
    agreements.save_template(create_user("coordinator"), grant.call, "A new text.")
    with pytest.raises(ValidationFailed):
        agreements.accept(grant.team.lead, grant, template_version=template.version, confirmed=True)
    assert grant.state == "awarded"


def test_a_new_template_version_leaves_signed_agreements_alone():
    grant = create_project(state="awarded")
    signed = _accept(grant)
    new = agreements.save_template(create_user("coordinator"), grant.call, "Version two of the text.")
    assert new.version == 2
    assert signed.text_accepted != new.body and signed.version == 1


def test_no_money_leaves_before_the_agreement_is_signed():
    grant = create_project(state="awarded")
    with pytest.raises(ValidationFailed, match="not signed"):
        disbursements.release(create_user("coordinator"), grant.tranches[0])
    assert db.session.scalar(select(func.count(Disbursement.id))) == 0


def test_no_evidence_before_the_agreement_is_signed():
    grant = create_project(state="awarded")
    with pytest.raises(ValidationFailed, match="not signed"):
        _send(grant_milestone(grant), grant.team.lead)


# -- evidence --------------------------------------------------------------------------------------
def _send(milestone, actor, **overrides):
    fields = {"report": "We published four episodes.", "links": ["https://example.org/ep1"], "people_reached": 250,
              "content_pieces": 4, "events_held": 1, **overrides}
    return services.submit_evidence(actor, milestone, **fields)


def test_evidence_moves_the_milestone_and_tells_the_mentor_and_coordinators():
    coordinator = create_user("coordinator")
    mentor = create_mentor()
    grant = create_project()
    create_mentorship(grant.team, mentor)
    milestone = grant_milestone(grant)
    submission = _send(milestone, grant.team.lead)
    assert (milestone.state, submission.number, submission.people_reached) == ("submitted", 1, 250)
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "milestone_submitted")))
    assert {mentor.id, coordinator.id} <= told


@pytest.mark.parametrize(("overrides", "field"), [
    ({"report": "  "}, "report"),
    ({"links": ["javascript:alert(1)"]}, "links"),
    ({"links": ["ftp://example.org/x"]}, "links"),
    ({"links": [f"https://example.org/{n}" for n in range(11)]}, "links"),
    ({"people_reached": -1}, "people_reached"),
    ({"events_held": None}, "events_held"),
])
def test_bad_evidence_names_the_field(overrides, field):
    grant = create_project()
    milestone = grant_milestone(grant)
    with pytest.raises(ValidationFailed) as refused:
        _send(milestone, grant.team.lead, **overrides)
    assert field in [name for name, _message in refused.value.errors]
    assert milestone.state == "planned" and milestone.submissions == []


def test_no_evidence_once_the_milestone_is_approved_or_the_project_completed():
    grant = create_project(approved=1)
    with pytest.raises(ValidationFailed, match="approved"):
        _send(grant_milestone(grant, 1), grant.team.lead)
    completed = create_project(state="completed")
    with pytest.raises(ValidationFailed, match="completed"):
        _send(grant_milestone(completed, 2), completed.team.lead)


# -- the mentor's feedback -------------------------------------------------------------------------
def test_a_mentor_signs_off_once_per_submission_and_concerns_need_words():
    mentor = create_mentor()
    grant = create_project(submitted=1)
    create_mentorship(grant.team, mentor)
    milestone = grant_milestone(grant)
    with pytest.raises(ValidationFailed) as silent:
        services.give_feedback(mentor, milestone, verdict="concerns", body="")
    assert silent.value.errors[0][0] == "body"
    services.give_feedback(mentor, milestone, verdict="sign_off", body="Well done.")
    with pytest.raises(ValidationFailed, match="already"):
        services.give_feedback(mentor, milestone, verdict="concerns", body="Second thoughts.")
    assert milestone.state == "submitted"  # advice, not a move
    assert [event.action for event in services.history(milestone)] == ["sign_off"]


def test_feedback_only_on_evidence_waiting_for_a_decision():
    mentor = create_mentor()
    grant = create_project()
    create_mentorship(grant.team, mentor)
    with pytest.raises(ValidationFailed):
        services.give_feedback(mentor, grant_milestone(grant), verdict="sign_off", body="")


# -- the decision ----------------------------------------------------------------------------------
def _payee_by_hand(team):
    adult = create_user("guardian", age=45)
    db.session.add(Payee(team_id=team.id, user_id=adult.id, kind="guardian", country="CA", bank_reference="IBAN-9"))
    db.session.flush()


def test_approval_makes_exactly_that_tranche_payable_and_releases_it_when_the_payee_is_ready():
    coordinator = create_user("coordinator")
    grant = create_project(submitted=1)
    _payee_by_hand(grant.team)
    milestone = grant_milestone(grant)
    disbursement = services.approve(coordinator, milestone)
    assert milestone.state == "approved" and milestone.approved_by_id == coordinator.id
    assert [t.state for t in grant.tranches] == ["payable", "planned"]
    assert disbursement is not None and disbursement.tranche_id == milestone.tranche_id
    assert db.session.scalar(select(func.count(Disbursement.id))) == 1
    assert ledger.balances(grant.call).grant(grant.id).disbursed == milestone.tranche.amount


def test_approval_without_a_ready_payee_leaves_the_tranche_payable_for_the_payouts_page():
    coordinator = create_user("coordinator")
    grant = create_project(submitted=1)
    milestone = grant_milestone(grant)
    assert services.approve(coordinator, milestone) is None
    assert [t.state for t in grant.tranches] == ["payable", "planned"]
    assert db.session.scalar(select(func.count(Disbursement.id))) == 0
    waiting = db.session.scalars(disbursements.awaiting_release()).all()
    assert [t.id for t in waiting] == [milestone.tranche_id]
    # Released later, once: a second release of the same tranche is refused.
    _payee_by_hand(grant.team)
    disbursements.release(coordinator, milestone.tranche)
    assert db.session.scalars(disbursements.awaiting_release()).all() == []
    with pytest.raises(ValidationFailed, match="already"):
        disbursements.release(coordinator, milestone.tranche)
    assert db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "disbursement")) == 1


def test_the_last_approval_completes_the_project():
    coordinator = create_user("coordinator")
    grant = create_project(approved=1, submitted=1)
    services.approve(coordinator, grant_milestone(grant, 2))
    assert grant.state == "completed" and grant.completed_at is not None


def test_asking_for_changes_reopens_the_milestone_for_the_team():
    coordinator = create_user("coordinator")
    grant = create_project(submitted=1)
    milestone = grant_milestone(grant)
    services.request_changes(coordinator, milestone, "Add the audience figures.")
    assert milestone.state == "changes_requested"
    assert [t.state for t in grant.tranches] == ["planned", "planned"]
    second = _send(milestone, grant.team.lead, report="With the audience figures.")
    assert (second.number, milestone.state) == (2, "submitted")


def test_who_approves_follows_the_call_setting():
    owner = create_user("funder")
    outsider = create_user("funder")
    call = create_call(owner)
    grant = create_project(call=call)
    coordinator = create_user("coordinator")
    assert policy.is_milestone_approver(coordinator, grant) and not policy.is_milestone_approver(owner, grant)
    call.milestone_approver = "funder"
    assert policy.is_milestone_approver(owner, grant) and policy.is_milestone_approver(coordinator, grant)
    assert not policy.is_milestone_approver(outsider, grant)
    assert not policy.is_milestone_approver(grant.team.lead, grant)
    assert owner in services.approvers(grant)


# -- moving a due date -----------------------------------------------------------------------------
def test_a_due_date_moves_only_when_a_coordinator_accepts_and_the_change_is_recorded():
    coordinator = create_user("coordinator")
    grant = create_project()
    milestone = grant_milestone(grant)
    milestone.reminder_sent_at = milestone.overdue_since = None
    old = milestone.due_date
    new = old + timedelta(days=21)
    change = services.request_due_date_change(grant.team.lead, milestone, proposed=new, reason="Exams.")
    assert milestone.due_date == old
    with pytest.raises(ValidationFailed, match="already"):
        services.request_due_date_change(grant.team.lead, milestone, proposed=new, reason="Again.")
    services.decide_due_date_change(coordinator, change, accept=True, note="")
    assert (milestone.due_date, milestone.original_due_date, change.state) == (new, old, "accepted")
    moved = db.session.scalar(select(MilestoneEvent).where(MilestoneEvent.action == "due_date_moved"))
    assert moved.detail == {"from": old.isoformat(), "to": new.isoformat()} and moved.actor_id == coordinator.id


def test_a_refusal_needs_a_note_and_keeps_the_date():
    coordinator = create_user("coordinator")
    grant = create_project()
    milestone = grant_milestone(grant)
    old = milestone.due_date
    change = services.request_due_date_change(grant.team.lead, milestone, proposed=old + timedelta(days=5),
                                              reason="Exams.")
    with pytest.raises(ValidationFailed) as silent:
        services.decide_due_date_change(coordinator, change, accept=False, note="")
    assert silent.value.errors[0][0] == "note"
    services.decide_due_date_change(coordinator, change, accept=False, note="The funder's report is due.")
    assert (milestone.due_date, change.state) == (old, "refused")
    with pytest.raises(ValidationFailed, match="answered"):
        services.decide_due_date_change(coordinator, change, accept=True, note="")


@pytest.mark.parametrize(("days", "reason", "field"), [
    (None, "Exams.", "proposed_date"), (0, "Exams.", "proposed_date"), (-3, "Exams.", "proposed_date"),
    (10, " ", "reason"),
])
def test_bad_due_date_requests_name_the_field(days, reason, field):
    grant = create_project()
    milestone = grant_milestone(grant)
    today = date.today()
    proposed = None if days is None else (milestone.due_date if days == 0 else today + timedelta(days=days))
    with pytest.raises(ValidationFailed) as refused:
        services.request_due_date_change(grant.team.lead, milestone, proposed=proposed, reason=reason, today=today)
    assert field in [name for name, _message in refused.value.errors]
    assert db.session.scalar(select(func.count(DueDateChange.id))) == 0
