"""The report's arithmetic without a database: on time by the call's clock, money per currency, reach grouping."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.impact import figures as f


def _milestone(sent: datetime | None, due: date = date(2026, 6, 30), zone: str = "America/Toronto",
               approved: datetime = datetime(2026, 7, 20, tzinfo=UTC)) -> f.MilestoneRow:
    return f.MilestoneRow(call_id=1, due_date=due, first_submitted_at=sent, approved_at=approved, timezone=zone)


@pytest.mark.parametrize(("sent", "zone", "on_time"), [
    (datetime(2026, 7, 1, 3, 59, tzinfo=UTC), "America/Toronto", True),   # 23:59 on 30 June in Toronto (EDT)
    (datetime(2026, 7, 1, 4, 0, tzinfo=UTC), "America/Toronto", False),   # midnight: 1 July in Toronto
    (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "Europe/Paris", False),   # 00:30 on 1 July in Paris
    (datetime(2026, 6, 30, 21, 59, tzinfo=UTC), "Europe/Paris", True),
    (datetime(2026, 6, 30, 23, 59, tzinfo=UTC), "Not/A_Zone", True),       # an unknown zone reads as UTC
])
def test_on_time_is_judged_by_the_calls_clock(sent, zone, on_time):
    assert f.is_on_time(_milestone(sent, zone=zone)) is on_time


def test_approval_decides_only_when_no_evidence_was_ever_sent():
    assert f.is_on_time(_milestone(None, approved=datetime(2026, 6, 30, 15, tzinfo=UTC)))
    assert not f.is_on_time(_milestone(None, approved=datetime(2026, 7, 2, 15, tzinfo=UTC)))
    # a late approval does not make evidence sent in time late
    assert f.is_on_time(_milestone(datetime(2026, 6, 29, 15, tzinfo=UTC), approved=datetime(2026, 9, 1, tzinfo=UTC)))


def test_money_is_never_added_across_currencies_and_follows_the_ledger_rules():
    rows = [f.MoneyRow(1, "CAD", "award", 10, 500), f.MoneyRow(1, "CAD", "award_release", 10, 200),
            f.MoneyRow(1, "CAD", "disbursement", 10, 250), f.MoneyRow(1, "CAD", "disbursement_reversal", 10, 50),
            f.MoneyRow(2, "XOF", "award", 20, 70_000), f.MoneyRow(2, "XOF", "disbursement", 20, 35_000)]

    result = f.figures([], rows, [], currencies=("EUR",))

    assert result.money == (f.Money("CAD", 300, 200), f.Money("EUR", 0, 0), f.Money("XOF", 70_000, 35_000))


def test_reach_groups_count_each_project_once_per_theme_and_skip_cancelled_projects():
    grants = [
        f.GrantRow(1, "active", "CA", ("hate_speech", "counter_narratives", "hate_speech"), 10, 1, 1),
        f.GrantRow(1, "completed", "", (), 5, 0, 2),
        f.GrantRow(1, "cancelled", "CA", ("hate_speech",), 1000, 100, 100),
    ]

    result = f.figures(grants, [], [], known_themes=("counter_narratives", "hate_speech"))

    assert (result.funded, result.completed) == (2, 1)
    assert result.reach == f.Reach(2, 15, 1, 3)
    assert result.by_theme == (("counter_narratives", f.Reach(1, 10, 1, 1)), ("hate_speech", f.Reach(1, 10, 1, 1)),
                               (f.NO_THEME, f.Reach(1, 5, 0, 2)))
    assert result.by_country == (("", f.Reach(1, 5, 0, 2)), ("CA", f.Reach(1, 10, 1, 1)))


def test_on_time_ratio_is_none_before_any_approval():
    assert f.figures([], [], []).on_time_ratio is None
    assert f.figures([], [], [_milestone(datetime(2026, 6, 1, tzinfo=UTC)),
                              _milestone(datetime(2026, 8, 1, tzinfo=UTC))]).on_time_ratio == 0.5
