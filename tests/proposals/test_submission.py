"""Submission checks everything on the server and names the field to fix for each problem."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.db import utcnow
from app.mail.models import OutboxMessage
from app.proposals import services
from app.proposals.models import BudgetLine, PlannedMilestone, ProposalVersion
from app.teams.models import Membership
from app.validation import ValidationFailed
from tests.factories import create_call, create_proposal, create_team, create_user


@pytest.fixture
def lead():
    return create_user("youth", name="Lina Lead")


@pytest.fixture
def team(lead):
    return create_team(lead, create_user("youth", name="Mo Mate"), name="Bridges")


@pytest.fixture
def call():
    return create_call(max_award=500_000)


def _fields(problems) -> list[str | None]:
    return [name for name, _message in problems]


def _message(problems, name) -> str:
    return " ".join(str(message) for field, message in problems if field == name)


def test_a_complete_proposal_has_no_problem(lead, team, call):
    assert services.submission_problems(create_proposal(team, call), lead) == []


def test_missing_texts_and_themes_are_named(lead, team, call):
    proposal = create_proposal(team, call)
    proposal.title, proposal.summary, proposal.problem, proposal.approach, proposal.themes = "", " ", "", "", []
    fields = _fields(services.submission_problems(proposal, lead))
    assert fields == ["title", "summary", "problem", "approach", "themes"]


def test_late_submission_names_the_deadline_in_the_calls_time_zone(lead, team):
    call = create_call(opens_in_days=-30, closes_in_days=30)
    proposal = create_proposal(team, call)
    after = call.closes_at + timedelta(seconds=1)
    problems = services.submission_problems(proposal, lead, now=after)
    assert _fields(problems) == ["deadline"]
    local = call.closes_at.astimezone(ZoneInfo("America/Toronto"))
    assert local.strftime("%H:%M") in _message(problems, "deadline")
    assert "America/Toronto" in _message(problems, "deadline")
    # One second before the deadline is still in time.
    assert services.submission_problems(proposal, lead, now=call.closes_at - timedelta(seconds=1)) == []


def test_a_call_closed_early_takes_no_submission(lead, team, call):
    call.state = "closed"
    assert _fields(services.submission_problems(create_proposal(team, call), lead)) == ["deadline"]


def test_amount_over_the_maximum(lead, team, call):
    proposal = create_proposal(team, call, amount=500_001)
    problems = services.submission_problems(proposal, lead)
    assert _fields(problems) == ["amount_requested"]
    assert "5,000.00" in _message(problems, "amount_requested")


def test_amount_at_the_maximum_is_fine(lead, team, call):
    assert services.submission_problems(create_proposal(team, call, amount=500_000), lead) == []


def test_zero_amount(lead, team, call):
    proposal = create_proposal(team, call, amount=0, tranches=[0])
    assert "amount_requested" in _fields(services.submission_problems(proposal, lead))


def test_negative_amounts_never_reach_the_database(lead, team, call):
    """The form refuses them as it reads them; the CHECK constraints stop anything else."""
    from sqlalchemy.exc import IntegrityError

    from app.proposals.forms import parse_amount_text

    with pytest.raises(ValueError, match="negative"):
        parse_amount_text("-50", "CAD")
    proposal = create_proposal(team, call)
    proposal.amount_requested = -100
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_tranches_that_do_not_add_up(lead, team, call):
    proposal = create_proposal(team, call, amount=300_000, tranches=[100_000, 100_000])
    problems = services.submission_problems(proposal, lead)
    assert _fields(problems) == ["milestones"]
    assert "CA$2,000.00" in _message(problems, "milestones")
    assert "CA$3,000.00" in _message(problems, "milestones")


def test_budget_that_does_not_add_up(lead, team, call):
    proposal = create_proposal(team, call, amount=300_000)
    proposal.budget_lines.append(BudgetLine(position=1, category="travel", description="Bus", amount=5_000))
    problems = services.submission_problems(proposal, lead)
    assert _fields(problems) == ["budget_lines"]
    assert "CA$3,050.00" in _message(problems, "budget_lines")


def test_no_budget_and_no_milestone(lead, team, call):
    proposal = create_proposal(team, call)
    proposal.budget_lines.clear()
    proposal.milestones.clear()
    assert _fields(services.submission_problems(proposal, lead)) == ["budget_lines", "milestones"]


def test_rows_name_their_own_fields(lead, team, call):
    proposal = create_proposal(team, call, amount=300_000, tranches=[300_000])
    proposal.budget_lines[0].description = ""
    proposal.budget_lines.append(BudgetLine(position=1, category="travel", description="Bus", amount=0))
    proposal.milestones[0].title = ""
    proposal.milestones.append(PlannedMilestone(position=1, title="Launch", deliverable="", tranche_amount=0,
                                                due_date=date.today()))
    fields = _fields(services.submission_problems(proposal, lead))
    assert fields == ["budget_lines-0-description", "budget_lines-1-amount", "milestones-0-title",
                      "milestones-1-due_date", "milestones-1-tranche_amount"]


def test_milestones_due_in_the_past_or_too_far_ahead(lead, team, call):
    proposal = create_proposal(team, call, tranches=[150_000, 150_000])
    proposal.milestones[0].due_date = date.today() - timedelta(days=1)
    proposal.milestones[1].due_date = date.today() + timedelta(days=365 * services.PLAN_HORIZON_YEARS + 5)
    assert _fields(services.submission_problems(proposal, lead)) == ["milestones-0-due_date", "milestones-1-due_date"]


def test_a_minor_without_consent_blocks_the_team(lead, call):
    minor = create_user("youth", name="Sami Minor", age=13, region="CA-QC", consent="requested")
    proposal = create_proposal(create_team(lead, minor), call)
    problems = services.submission_problems(proposal, lead)
    assert _fields(problems) == ["team"]
    assert "Sami Minor" in _message(problems, "team")


def test_a_minor_with_consent_is_fine(lead, call):
    minor = create_user("youth", age=13, region="CA-QC", consent="given")
    assert services.submission_problems(create_proposal(create_team(lead, minor), call), lead) == []


def test_member_too_old_for_the_call(lead, call):
    elder = create_user("youth", name="Olga Older", age=30)
    problems = services.submission_problems(create_proposal(create_team(lead, elder), call), lead)
    assert _fields(problems) == ["team"]
    assert "Olga Older is 30" in _message(problems, "team")


def test_member_too_young_for_the_call(lead):
    call = create_call(min_age=16)
    young = create_user("youth", age=15, consent="given")
    assert _fields(services.submission_problems(create_proposal(create_team(lead, young), call), lead)) == ["team"]


def test_team_from_a_country_the_call_does_not_take(lead):
    call = create_call(countries=["FR", "BE"])
    team = create_team(lead, country="CA")
    assert _fields(services.submission_problems(create_proposal(team, call), lead)) == ["team"]
    assert services.submission_problems(create_proposal(create_team(create_user(), country="FR"), call),
                                        lead) == []


@pytest.mark.parametrize(("size", "ok"), [(1, False), (2, True), (3, True), (4, False)])
def test_team_size_within_the_calls_range(size, ok):
    call = create_call(min_team_size=2, max_team_size=3)
    lead = create_user()
    team = create_team(lead, *[create_user() for _ in range(size - 1)])
    problems = services.submission_problems(create_proposal(team, call), lead)
    assert (problems == []) is ok
    if not ok:
        assert _fields(problems) == ["team"]


def test_an_unconfirmed_submitter(team, call):
    unconfirmed = create_user("youth", confirmed=False)
    team.memberships.append(Membership(user_id=unconfirmed.id))
    db.session.flush()
    problems = services.submission_problems(create_proposal(team, call), unconfirmed)
    assert _fields(problems) == ["submitter"]
    assert "Confirm your email address" in _message(problems, "submitter")


def test_submit_refuses_with_every_problem_and_changes_nothing(lead, team, call):
    proposal = create_proposal(team, call, amount=600_000, tranches=[1])
    with pytest.raises(ValidationFailed) as refused:
        services.submit(lead, proposal)
    assert set(_fields(refused.value.errors)) == {"amount_requested", "milestones"}
    assert proposal.state == "draft"
    assert proposal.version == 0


def test_submit_moves_freezes_a_version_and_tells_the_team(lead, team, call):
    proposal = create_proposal(team, call)
    services.submit(lead, proposal)
    db.session.flush()
    assert proposal.state == "submitted"
    assert proposal.submitted_at is not None
    assert proposal.version == 1
    version = db.session.scalars(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one()
    assert version.number == 1
    assert version.submitted_by_id == lead.id
    assert version.content["title"] == proposal.title
    assert version.content["budget_lines"] == [{"category": "equipment", "description": "Microphones",
                                                "amount": 300_000}]
    assert [m["tranche_amount"] for m in version.content["milestones"]] == [150_000, 150_000]
    assert version.content["currency"] == "CAD"
    recipients = {m.recipient for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "proposal_submitted"))}
    assert recipients == {member.email for member in team.members}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.submit")).one()
    assert entry.detail["to_state"] == "submitted"


def test_resubmission_after_changes_requested_makes_a_new_version(lead, team, call):
    proposal = create_proposal(team, call, state="changes_requested")
    proposal.version = 1
    services.submit(lead, proposal)
    db.session.flush()
    assert proposal.state == "in_review"
    assert proposal.version == 2


def test_submit_on_a_proposal_that_has_moved_on_is_an_illegal_move(lead, team, call):
    from app.proposals.workflow import IllegalMove

    proposal = create_proposal(team, call, state="awarded")
    with pytest.raises(IllegalMove):
        services.submit(lead, proposal)


def test_saving_records_who_changed_which_fields(lead, team, call):
    proposal = create_proposal(team, call)
    changed = services.save_draft(lead, proposal, {"title": "New title", "summary": proposal.summary,
                                                   "amount_requested": 300_000}, proposal.lock_version)
    assert changed == ["title"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.edited")).one()
    assert entry.actor_id == lead.id
    assert entry.detail == {"fields": ["title"]}


def test_saving_nothing_new_records_nothing(lead, team, call):
    proposal = create_proposal(team, call)
    assert services.save_draft(lead, proposal, {"title": proposal.title}, proposal.lock_version) == []
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.edited")).all() == []


def test_saving_from_an_old_page_is_a_conflict(lead, team, call):
    proposal = create_proposal(team, call)
    services.save_draft(lead, proposal, {"title": "First"}, proposal.lock_version)
    mate = team.members[1]
    with pytest.raises(services.EditConflict) as conflict:
        services.save_draft(mate, proposal, {"title": "Second"}, proposal.lock_version - 1)
    assert conflict.value.by.id == lead.id
    assert proposal.title == "First"


def test_one_draft_per_team_and_call(lead, team, call):
    services.start_proposal(lead, team, call, utcnow())
    with pytest.raises(ValidationFailed) as refused:
        services.start_proposal(lead, team, call, utcnow())
    assert refused.value.errors[0][0] == "team"
    services.start_proposal(lead, team, create_call(), utcnow())  # another call is fine
