"""The funder's panel against hand-computed fixtures: reviews due, the pipeline of the calls they manage (and
only those), money committed and paid per call and per currency; filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import db
from app.calls.models import CallFunder
from app.db import utcnow
from app.ledger.balances import AWARD_RELEASE, DISBURSEMENT
from app.proposals.models import PROPOSAL_STATES
from tests.conftest import sign_in
from tests.dashboards.conftest import dashboard_of, ledger, svg_of, table_rows
from tests.factories import create_assignment, create_call, create_project, create_proposal, create_team, create_user


def _pipeline(**counts) -> dict[str, int]:
    return {state: counts.get(state, 0) for state in PROPOSAL_STATES if state != "draft"}


@pytest.fixture
def funding():
    """Fatima owns Voices (CAD) and Archive (EUR, archived) and co-manages Commons (CAD); Bridges (EUR) is
    someone else's. Amounts in cents."""
    fatima = create_user("funder", name="Fatima Funder")
    voices = create_call(fatima, title="Voices", opens_in_days=-5)
    commons = create_call(title="Commons", opens_in_days=-20)
    db.session.add(CallFunder(call_id=commons.id, user_id=fatima.id))
    archive = create_call(fatima, title="Archive", currency="EUR", state="archived", opens_in_days=-400,
                          closes_in_days=-300)
    bridges = create_call(title="Bridges", currency="EUR")
    ca, fr = create_team(name="Montréal Voices"), create_team(name="Lyon Ensemble", country="FR")

    create_proposal(ca, voices, state="draft")  # never counted for a funder
    never_sent = create_proposal(ca, voices, state="withdrawn")
    never_sent.submitted_at = None  # withdrawn before it was ever submitted: still the team's own draft
    create_proposal(ca, voices, state="withdrawn")
    submitted = create_proposal(fr, voices, state="submitted")
    create_proposal(fr, voices, state="in_review")
    podcast = create_project(ca, voices, title="Podcast", amount=300_000)  # awarded 3,000.00
    podcast.proposal.themes = ["hate_speech"]
    murals = create_project(fr, voices, title="Murals", amount=200_000)  # awarded 2,000.00
    ledger(podcast, DISBURSEMENT, 100_000)  # paid 1,000.00
    ledger(murals, AWARD_RELEASE, 50_000)  # 500.00 of the award given back to the pool
    create_project(fr, commons, title="Commons project", amount=250_000)
    archived = create_project(fr, archive, title="Archived project", amount=100_000, state="completed")
    ledger(archived, DISBURSEMENT, 40_000)
    other = create_project(ca, bridges, title="Not hers", amount=300_000)
    ledger(other, DISBURSEMENT, 300_000)
    db.session.flush()
    return {"fatima": fatima, "voices": voices, "commons": commons, "archive": archive, "bridges": bridges,
            "submitted": submitted}


def test_the_pipeline_of_each_managed_call_without_drafts(app, funding):
    panel = dashboard_of(app, funding["fatima"]).funder

    assert [call.title for call in panel.calls] == ["Voices", "Commons", "Archive"]
    assert panel.call_total == 3
    voices, commons, archive = panel.calls
    assert voices.pipeline == _pipeline(submitted=1, in_review=1, awarded=2, withdrawn=1)
    assert commons.pipeline == _pipeline(awarded=1)
    assert archive.pipeline == _pipeline(awarded=1)


def test_money_committed_and_paid_per_call_and_per_currency_never_mixed(app, funding):
    panel = dashboard_of(app, funding["fatima"]).funder

    assert [(call.title, call.currency, call.committed, call.paid, call.outstanding) for call in panel.calls] == [
        ("Voices", "CAD", 450_000, 100_000, 350_000), ("Commons", "CAD", 250_000, 0, 250_000),
        ("Archive", "EUR", 100_000, 40_000, 60_000)]
    assert [(total.currency, total.committed, total.paid) for total in panel.totals] == [
        ("CAD", 700_000, 100_000), ("EUR", 100_000, 40_000)]


@pytest.mark.parametrize(("filters", "calls", "totals"), [
    ({"theme": "hate_speech"}, [("Voices", 300_000, 100_000), ("Commons", 0, 0), ("Archive", 0, 0)],
     [("CAD", 300_000, 100_000)]),
    ({"country": "FR"}, [("Voices", 150_000, 0), ("Commons", 250_000, 0), ("Archive", 100_000, 40_000)],
     [("CAD", 400_000, 0), ("EUR", 100_000, 40_000)]),
    ({"call": "commons"}, [("Commons", 250_000, 0)], [("CAD", 250_000, 0)]),
])
def test_the_filters_change_the_money_as_computed_by_hand(app, funding, filters, calls, totals):
    args = {key: funding[value].id if key == "call" else value for key, value in filters.items()}

    panel = dashboard_of(app, funding["fatima"], **args).funder

    assert [(call.title, call.committed, call.paid) for call in panel.calls] == calls
    assert [(total.currency, total.committed, total.paid) for total in panel.totals] == totals


def test_the_country_filter_changes_the_pipeline(app, funding):
    voices = dashboard_of(app, funding["fatima"], country="FR").funder.calls[0]

    assert voices.pipeline == _pipeline(submitted=1, in_review=1, awarded=1)


def test_a_funder_cannot_filter_on_a_call_they_do_not_manage(app, funding):
    dashboard = dashboard_of(app, funding["fatima"], call=funding["bridges"].id)

    assert dashboard.filter_form.call.errors == ["Choose a call from the list."]
    assert [choice.label for choice in dashboard.filter_form.call.choices] == [
        "All calls", "Archive", "Commons", "Voices"]
    assert "Not hers" not in str(dashboard.funder)
    assert [total.currency for total in dashboard.funder.totals] == ["CAD", "EUR"]
    assert dashboard.coordinator is None


def test_reviews_due_soonest_first_and_only_open_ones(app, funding):
    fatima, submitted = funding["fatima"], funding["submitted"]
    later = create_assignment(submitted, fatima)
    later.due_at = utcnow() + timedelta(days=10)
    sooner = create_assignment(create_proposal(call=funding["bridges"], state="in_review", title="Bridges one"),
                               fatima, state="accepted")
    sooner.due_at = utcnow() + timedelta(days=2)
    create_assignment(create_proposal(call=funding["bridges"], state="in_review"), fatima)  # no deadline
    create_assignment(create_proposal(call=funding["bridges"], state="in_review"), fatima, state="submitted")
    create_assignment(create_proposal(call=funding["bridges"], state="in_review"), fatima, state="conflict_declared")
    create_assignment(submitted, create_user("funder"))  # someone else's
    db.session.flush()

    panel = dashboard_of(app, fatima).funder

    assert [row.assignment_id for row in panel.reviews][:2] == [sooner.id, later.id]
    assert panel.review_total == 3
    assert panel.reviews[2].due_at is None


def test_the_page_shows_each_call_s_pipeline_chart_table_and_money(client, funding):
    db.commit()
    sign_in(client, funding["fatima"])

    page = client.get("/dashboard").get_data(as_text=True)

    voices = funding["voices"]
    svg = svg_of(page, f"pipeline-call-{voices.id}")
    assert 'role="img"' in svg and "Proposals in “Voices” by state" in svg
    assert "submitted: 1; in screening: 0; in review: 1; changes requested: 0; awarded: 2" in svg
    assert table_rows(page, f"pipeline-call-{voices.id}-table") == [
        ("submitted", "1"), ("in screening", "0"), ("in review", "1"), ("changes requested", "0"), ("awarded", "2"),
        ("declined", "0"), ("withdrawn", "1")]
    assert "CA$4,500.00" in page and "CA$1,000.00" in page  # Voices: committed, paid
    assert "CA$7,000.00" in page and "€1,000.00" in page  # the CAD and EUR totals, side by side
    assert "Bridges" not in page and "Not hers" not in page
    assert "Programme now" not in page and "The programme now" not in page


def test_a_coordinator_who_is_also_a_funder_sees_both_panels(app, funding):
    fatima = funding["fatima"]
    from app.accounts.models import RoleGrant

    fatima.role_grants.append(RoleGrant(role="coordinator"))
    db.session.flush()

    dashboard = dashboard_of(app, fatima)

    assert dashboard.coordinator is not None and dashboard.funder is not None
    assert [call.title for call in dashboard.funder.calls] == ["Voices", "Commons", "Archive"]
    assert "Bridges" in [choice.label for choice in dashboard.filter_form.call.choices]
