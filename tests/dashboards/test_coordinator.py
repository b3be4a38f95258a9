"""The coordinators' panel against hand-computed fixtures: pipeline per state, projects overdue and at risk (with
the calls' time zones), mentors' load, failed payouts, due-date requests, milestones awaiting approval; filters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from app import db
from app.db import utcnow
from app.proposals.models import PROPOSAL_STATES
from app.safety.models import Report
from tests.conftest import sign_in
from tests.dashboards.conftest import (
    dashboard_of,
    disbursement,
    due_date_change,
    feedback,
    milestones_of,
    set_milestone,
    submit,
    svg_of,
    table_rows,
)
from tests.factories import (
    create_call,
    create_mentor,
    create_mentorship,
    create_project,
    create_proposal,
    create_team,
    create_user,
)


def _pipeline(**counts) -> dict[str, int]:
    return {state: counts.get(state, 0) for state in PROPOSAL_STATES}


def _themed(proposal_or_grant, *themes):
    proposal = getattr(proposal_or_grant, "proposal", proposal_or_grant)
    proposal.themes = list(themes)
    db.session.flush()
    return proposal_or_grant


@pytest.fixture
def programme():
    """Two calls, three teams (two in Canada, one in France), proposals in several states and three grants."""
    coordinator = create_user("coordinator", name="Cora Coordinator")
    voices = create_call(create_user("funder"), title="Voices")
    bridges = create_call(create_user("funder"), title="Bridges", currency="EUR")
    ca1, ca2 = create_team(name="Montréal Voices"), create_team(name="Toronto Bridges")
    fr = create_team(name="Lyon Ensemble", country="FR")
    _themed(create_proposal(ca1, voices, state="draft"), "counter_narratives")
    _themed(create_proposal(ca2, voices, state="submitted"), "hate_speech")
    _themed(create_proposal(fr, voices, state="in_review"), "counter_narratives", "hate_speech")
    voices_grant = _themed(create_project(ca1, voices, title="Podcast"), "counter_narratives")
    _themed(create_proposal(fr, bridges, state="draft"), "inclusion")
    _themed(create_proposal(ca2, bridges, state="declined"), "inclusion")
    bridges_grant = _themed(create_project(fr, bridges, title="Dialogues"), "inclusion")
    _themed(create_project(ca2, bridges, state="awarded", title="Murals"), "inclusion")
    db.session.flush()
    return {"coordinator": coordinator, "voices": voices, "bridges": bridges, "voices_grant": voices_grant,
            "bridges_grant": bridges_grant}


# -- pipeline ---------------------------------------------------------------------------------------------
def test_the_pipeline_counts_every_proposal_by_state(app, programme):
    dashboard = dashboard_of(app, programme["coordinator"])

    assert dashboard.coordinator.pipeline == _pipeline(draft=2, submitted=1, in_review=1, declined=1, awarded=3)


@pytest.mark.parametrize(("filters", "expected"), [
    ({"call": "voices"}, _pipeline(draft=1, submitted=1, in_review=1, awarded=1)),
    ({"theme": "hate_speech"}, _pipeline(submitted=1, in_review=1)),
    ({"theme": "counter_narratives"}, _pipeline(draft=1, in_review=1, awarded=1)),
    ({"country": "FR"}, _pipeline(draft=1, in_review=1, awarded=1)),
    ({"call": "bridges", "country": "CA"}, _pipeline(declined=1, awarded=1)),
    ({"call": "bridges", "theme": "hate_speech"}, _pipeline()),
])
def test_the_filters_change_the_pipeline_as_counted_by_hand(app, programme, filters, expected):
    args = {key: programme[value].id if key == "call" else value for key, value in filters.items()}

    dashboard = dashboard_of(app, programme["coordinator"], **args)

    assert dashboard.coordinator.pipeline == expected


def test_a_value_not_in_the_lists_is_set_aside_with_a_message(app, programme):
    dashboard = dashboard_of(app, programme["coordinator"], call=999_999, theme="violence", country="FR")

    form = dashboard.filter_form
    assert form.call.errors == ["Choose a call from the list."]
    assert form.theme.errors == ["Choose a theme from the list."]
    assert dashboard.filters.call_id is None and dashboard.filters.theme is None
    assert dashboard.filters.country == "FR"
    assert dashboard.coordinator.pipeline == _pipeline(draft=1, in_review=1, awarded=1)


def test_the_filter_lists_offer_every_call_every_theme_and_the_teams_countries(app, programme):
    form = dashboard_of(app, programme["coordinator"]).filter_form

    assert [choice.label for choice in form.call.choices] == ["All calls", "Bridges", "Voices"]
    assert [choice.value for choice in form.country.choices] == ["", "CA", "FR"]
    assert len(form.theme.choices) == 7


# -- projects overdue and at risk ---------------------------------------------------------------------------
# 03:00 UTC on 10 March 2031: still the 9th in Toronto (23:00), already the 10th in Paris (04:00).
NOW = datetime(2031, 3, 10, 3, 0, tzinfo=UTC)
FAR = date(2031, 7, 1)


def _project(team, call, title, first: dict, *, state: str = "active"):
    """A project whose first milestone is as `first` says and whose second is due far away."""
    grant = create_project(team, call, state=state, title=title, amount=100_000)
    first_milestone, second_milestone = milestones_of(grant)
    set_milestone(second_milestone, due=FAR)
    set_milestone(first_milestone, **first)
    return grant


@pytest.fixture
def risks():
    """Projects whose state a coordinator would judge by hand as written beside each."""
    coordinator = create_user("coordinator")
    mentor = create_mentor()
    toronto = create_call(title="Toronto call")  # America/Toronto
    paris = create_call(title="Paris call", currency="EUR")
    paris.timezone = "Europe/Paris"
    team = create_team()
    grants = {
        # overdue: due on the 8th, nothing sent
        "late": _project(team, toronto, "Late", {"due": date(2031, 3, 8)}),
        # at risk (due soon): due on the 9th, which is still today in Toronto
        "edge_toronto": _project(team, toronto, "Edge Toronto", {"due": date(2031, 3, 9)}),
        # overdue: due on the 9th, which is yesterday in Paris
        "edge_paris": _project(team, paris, "Edge Paris", {"due": date(2031, 3, 9)}),
        # overdue: the reminders flagged it
        "flagged": _project(team, paris, "Flagged", {"due": date(2031, 5, 1), "overdue_since": NOW}),
        # at risk: the mentor's concerns on the evidence waiting for a decision
        "concerns": _project(team, toronto, "Concerns", {"state": "submitted", "due": date(2031, 4, 1)}),
        # fine: concerns were about earlier evidence; the new evidence has none yet
        "old_concerns": _project(team, toronto, "Old concerns", {"state": "submitted", "due": date(2031, 4, 2)}),
        # at risk: changes requested
        "changes": _project(team, paris, "Changes", {"state": "changes_requested", "due": date(2031, 6, 1)}),
        # fine: evidence sent after the due date waits for the approver, not for the team
        "sent_late": _project(team, toronto, "Sent late", {"state": "submitted", "due": date(2031, 3, 1)}),
        # fine: the next milestone is far away
        "fine": _project(team, toronto, "Fine", {"state": "approved", "due": date(2031, 2, 1)}),
        # not delivering: an agreement not yet signed, and a completed project
        "awarded": _project(team, paris, "Awarded", {"due": date(2031, 1, 1)}, state="awarded"),
    }
    completed = create_project(team, toronto, state="completed", title="Done", amount=100_000)
    grants["completed"] = completed
    concerns_milestone = milestones_of(grants["concerns"])[0]
    feedback(concerns_milestone, mentor, "concerns")
    old = milestones_of(grants["old_concerns"])[0]
    feedback(old, mentor, "concerns")
    submit(old)
    return coordinator, grants, toronto, paris


def test_overdue_and_at_risk_projects_as_judged_by_hand_in_each_call_s_time_zone(app, risks):
    coordinator, grants, _toronto, _paris = risks

    panel = dashboard_of(app, coordinator, now=NOW).coordinator

    assert [row.title for row in panel.overdue] == ["Late", "Edge Paris", "Flagged"]
    assert panel.overdue_total == 3
    assert [row.since for row in panel.overdue] == [date(2031, 3, 8), date(2031, 3, 9), date(2031, 5, 1)]
    assert [(row.title, row.due_soon, row.concerns, row.changes_requested) for row in panel.at_risk] == [
        ("Edge Toronto", True, False, False), ("Concerns", False, True, False), ("Changes", False, False, True)]
    assert panel.at_risk_total == 3


def test_an_hour_later_in_toronto_the_edge_milestone_is_overdue_too(app, risks):
    coordinator, *_ = risks

    panel = dashboard_of(app, coordinator, now=NOW + timedelta(hours=1, minutes=1)).coordinator

    assert {row.title for row in panel.overdue} == {"Late", "Edge Toronto", "Edge Paris", "Flagged"}
    assert panel.at_risk_total == 2


def test_milestones_awaiting_approval_oldest_first_with_the_mentor_s_concerns(app, risks):
    coordinator, grants, *_ = risks

    panel = dashboard_of(app, coordinator, now=NOW).coordinator

    assert panel.awaiting_total == 3
    assert {(row.project_title, row.concerns) for row in panel.awaiting_approval} == {
        ("Concerns", True), ("Old concerns", False), ("Sent late", False)}


def test_the_call_filter_keeps_that_call_s_projects(app, risks):
    coordinator, _grants, _toronto, paris = risks

    panel = dashboard_of(app, coordinator, now=NOW, call=paris.id).coordinator

    assert [row.title for row in panel.overdue] == ["Edge Paris", "Flagged"]
    assert [row.title for row in panel.at_risk] == ["Changes"]
    assert panel.awaiting_total == 0


# -- mentors' load, payouts, due dates ----------------------------------------------------------------------
def test_mentors_load_busiest_first_with_totals(app):
    coordinator = create_user("coordinator")
    ana = create_mentor(name="Ana Mentor", capacity=3)
    ben = create_mentor(name="Ben Mentor", capacity=1)
    create_mentor(name="Cy Mentor", capacity=2)
    create_mentorship(create_team(), ana)
    create_mentorship(create_team(), ana, state="ended")
    create_mentorship(create_team(), ben)
    create_mentorship(create_team(), ben)
    create_mentorship(create_team(), create_user("mentor"), state="offered")

    panel = dashboard_of(app, coordinator).coordinator

    assert [(row.name, row.active, row.capacity) for row in panel.mentors] == [
        ("Ben Mentor", 2, 1), ("Ana Mentor", 1, 3), ("Cy Mentor", 0, 2)]
    assert (panel.load.mentors, panel.load.capacity, panel.load.active, panel.load.over_capacity) == (3, 6, 3, 1)


def test_failed_payouts_and_pending_due_date_changes(app, programme):
    voices_grant, bridges_grant = programme["voices_grant"], programme["bridges_grant"]
    disbursement(voices_grant, "failed")
    disbursement(bridges_grant, "paid")
    due_date_change(milestones_of(voices_grant)[0])
    decided = due_date_change(milestones_of(bridges_grant)[0])
    decided.state, decided.decided_at = "accepted", utcnow()
    db.session.flush()

    panel = dashboard_of(app, programme["coordinator"]).coordinator
    bridges_only = dashboard_of(app, programme["coordinator"], call=programme["bridges"].id).coordinator

    assert [(row.project_title, row.amount) for row in panel.failed_payouts] == [("Podcast", 150_000)]
    assert panel.failed_total == 1
    assert [(row.project_title, row.milestone_title) for row in panel.due_date_requests] == [("Podcast", "Step 1")]
    assert panel.due_date_total == 1
    assert (bridges_only.failed_total, bridges_only.due_date_total) == (0, 0)


# -- the page ----------------------------------------------------------------------------------------------
def _report(state: str = "open") -> None:
    db.session.add(Report(subject_type="team_message", subject_id=1, category="spam", severity=6, state=state,
                          closed_at=utcnow() if state == "closed" else None))


def test_the_page_shows_the_pipeline_as_an_svg_and_the_same_numbers_in_a_table(client, programme):
    _report()
    _report()
    _report("closed")
    disbursement(programme["voices_grant"], "failed")
    db.commit()
    sign_in(client, programme["coordinator"])

    page = client.get("/dashboard").get_data(as_text=True)

    svg = svg_of(page, "pipeline")
    assert 'role="img"' in svg and '<title id="pipeline-title">Proposals by state</title>' in svg
    assert "draft: 2; submitted: 1; in screening: 0; in review: 1; changes requested: 0; awarded: 3" in svg
    assert table_rows(page, "pipeline-table") == [
        ("draft", "2"), ("submitted", "1"), ("in screening", "0"), ("in review", "1"), ("changes requested", "0"),
        ("awarded", "3"), ("declined", "1"), ("withdrawn", "0")]
    assert "2 open reports of concern" in page and 'href="/reports"' in page
    assert "1 failed payout" in page and 'href="/payouts/"' in page
    assert "Overdue: a milestone without evidence is past its due date" in page
    assert "<script" not in page.split("<main", 1)[1]


def test_the_page_follows_the_filters_in_the_query_string(client, programme):
    db.commit()
    sign_in(client, programme["coordinator"])

    page = client.get(f"/dashboard?call={programme['voices'].id}&theme=&country=FR").get_data(as_text=True)

    assert table_rows(page, "pipeline-table")[:4] == [
        ("draft", "0"), ("submitted", "0"), ("in screening", "0"), ("in review", "1")]
    assert f'<option selected value="{programme["voices"].id}">Voices</option>' in page
    assert 'href="/dashboard#filters-heading">Clear the filters' in page


def test_the_mentors_load_chart_and_table(client):
    coordinator = create_user("coordinator")
    ana = create_mentor(name="Ana Mentor", capacity=3)
    create_mentorship(create_team(), ana)
    db.commit()
    sign_in(client, coordinator)

    page = client.get("/dashboard").get_data(as_text=True)

    svg = svg_of(page, "mentor-load")
    assert "Ana Mentor: 1 / 3" in svg
    assert re.search(r'<th scope="row">Ana Mentor</th>\s*<td>1</td>\s*<td>3</td>', page)


def test_the_page_links_each_project_and_milestone_waiting(client, programme):
    grant = programme["voices_grant"]
    late, waiting = milestones_of(grant)
    set_milestone(late, due=date.today() - timedelta(days=30))
    set_milestone(waiting, state="submitted")
    due_date_change(late)
    db.commit()
    sign_in(client, programme["coordinator"])

    page = client.get("/dashboard").get_data(as_text=True)

    assert "1 project overdue" in page
    assert f'<a href="/projects/{grant.id}">Podcast</a>' in page
    assert f'<a href="/projects/milestones/{waiting.id}">Step 2</a>' in page  # waiting for approval
    assert f'<a href="/projects/milestones/{late.id}">Step 1</a>' in page  # its due date to decide


def test_a_filter_value_not_in_the_list_is_named_beside_its_field(client, programme):
    db.commit()
    sign_in(client, programme["coordinator"])

    response = client.get("/dashboard?call=nonsense&theme=violence&country=FR")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="call-error"' in page and "Choose a call from the list." in page
    assert "Choose a theme from the list." in page
    assert table_rows(page, "pipeline-table")[0] == ("draft", "1")  # the country filter still applies
