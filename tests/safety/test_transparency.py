"""The transparency report: counts of reports, decisions and appeals per period, on a public page and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from app import db
from app.safety import appeals, transparency
from app.safety.transparency import Period, parse_period
from tests.conftest import sign_in
from tests.factories import create_user
from tests.safety.scene import decide, moderation_scene, subject_of
from tests.teamspace.scene import thread_with_message

MARCH = datetime(2027, 3, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(("kind", "code", "expected"), [
    ("month", "2027-03", Period(date(2027, 3, 1), "month")),
    ("quarter", "2027-Q2", Period(date(2027, 4, 1), "quarter")),
    ("year", "2026", Period(date(2026, 1, 1), "year")),
    ("month", "2027-13", Period(date(2027, 5, 1), "month")),  # nonsense: the current period
    ("decade", "2027", Period(date(2027, 4, 1), "quarter")),
    ("quarter", "<script>", Period(date(2027, 4, 1), "quarter")),
])
def test_periods_are_read_from_the_address(kind, code, expected):
    assert parse_period(kind, code, date(2027, 5, 20)) == expected


def test_periods_step_and_end():
    quarter = Period(date(2027, 10, 1), "quarter")
    assert quarter.end == date(2028, 1, 1) and quarter.step(1).code == "2028-Q1" and quarter.step(-4).code == "2026-Q4"
    assert [p.code for p in transparency.series(Period(date(2027, 2, 1), "month"))][-3:] == [
        "2026-12", "2027-01", "2027-02"]


@pytest.fixture
def history():
    """In March 2027: three reports, two decisions (one appealed and upheld in April), one dismissal."""
    scene = moderation_scene()  # a violent_extremism report
    scene.report.created_at = MARCH
    warning = decide(scene, "content_warning", warning="Quotes propaganda")
    warning.created_at = MARCH + timedelta(hours=3)
    from app.safety import services

    other = thread_with_message(scene.team, scene.lead, body="Second.").messages[0]
    second = services.report(scene.minor, subject_of("team_message", other.id), "spam")
    second.created_at = MARCH + timedelta(days=1)
    dismissal = decide(scene, "dismiss", report=second, subject=subject_of("team_message", other.id),
                       rule="honesty")
    dismissal.created_at = MARCH + timedelta(days=1, hours=7)
    third = services.report(scene.lead, subject_of("team_message", scene.message.id), "hate_speech")
    third.created_at = MARCH + timedelta(days=2)
    appeal = appeals.file_appeal(scene.mentor, warning, "It is answered right below.")
    appeal.created_at = MARCH + timedelta(days=3)
    appeals.decide_appeal(scene.second_coordinator, appeal, "upheld", "Yes it is.")
    appeal.decided_at = datetime(2027, 4, 2, tzinfo=UTC)
    db.session.flush()
    return scene


def test_the_figures_count_each_period(history):
    march, april = Period(date(2027, 3, 1), "month"), Period(date(2027, 4, 1), "month")
    numbers = transparency.figures([march, april])
    assert numbers[march].report_total == 3
    assert (numbers[march].reports["violent_extremism"], numbers[march].reports["spam"],
            numbers[march].reports["hate_speech"]) == (1, 1, 1)
    assert numbers[march].actions["content_warning"] == 1 and numbers[march].actions["dismiss"] == 1
    assert numbers[march].median_hours == 5.0  # 3 h and 7 h
    assert (numbers[march].appeals_filed, numbers[march].upheld) == (1, 0)
    assert (numbers[april].upheld, numbers[april].report_total) == (1, 0)
    quarter = Period(date(2027, 1, 1), "quarter")
    assert transparency.figures([quarter])[quarter].action_total == 2


def test_the_page_is_public_and_shows_the_periods_figures(client, history):
    db.commit()
    page = client.get("/reports/transparency?period=month&of=2027-03")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "March 2027" in html and "Violent extremism" in html and "5 h" in html
    assert "Echo Team" not in html and "Mia" not in html and "propaganda" not in html  # counts only
    assert 'href="/reports/transparency?period=month&amp;of=2027-02"' in html
    assert client.get("/reports/transparency?period=year&of=9999999").status_code == 200
    sign_in(client, create_user("youth"))
    assert client.get("/reports/transparency").status_code == 200


def test_the_page_sends_as_many_queries_whatever_the_history(client, history, count_queries):
    db.commit()
    url = "/reports/transparency?period=month&of=2027-03"
    client.get(url)
    before = count_queries(lambda: client.get(url))
    decide(history, "remove", report=None)
    db.commit()
    assert count_queries(lambda: client.get(url)) == before


def test_the_csv_has_a_bom_a_row_per_period_and_no_formula(client, history):
    db.commit()
    response = client.get("/reports/transparency.csv?period=quarter&of=2027-Q1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "passerelle-transparency-quarter-2027-Q1.csv" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Period", "First day", "Last day", "Reports"]
    assert len(rows) == 1 + transparency.SERIES_LENGTH["quarter"]
    last = dict(zip(rows[0], rows[-1], strict=True))
    assert (last["Period"], last["First day"], last["Last day"], last["Reports"]) == (
        "2027-Q1", "2027-01-01", "2027-03-31", "3")
    assert last["Decisions: Content warning"] == "1" and last["Median hours from report to decision"] == "5.0"


def test_csv_cells_that_look_like_formulas_are_quoted():
    assert transparency._safe("=1+1") == "'=1+1" and transparency._safe("-3") == "'-3" and transparency._safe(3) == 3
