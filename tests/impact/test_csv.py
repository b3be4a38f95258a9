"""The impact report as CSV: UTF-8 with a BOM, one figure per row, each currency apart, formulas neutralised."""

from __future__ import annotations

import csv
import io

from app import db
from tests.factories import create_call, create_project


def _rows(response) -> list[dict[str, str]]:
    body = response.data
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _value(rows, call: str, measure: str, section: str | None = None, group: str = "", currency: str = "") -> str:
    found = [row["Value"] for row in rows if row["Call"] == call and row["Measure"] == measure
             and row["Theme or country"] == group and row["Currency"] == currency
             and (section is None or row["Section"] == section)]
    assert len(found) == 1, (call, measure, group, currency, found)
    return found[0]


def test_the_overall_csv_has_every_figure_per_call_and_for_all_calls(world, login):
    response = login(world.coordinator).get("/impact/report.csv")

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=impact-all-calls.csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = _rows(response)
    assert list(rows[0]) == ["Section", "Call id", "Call", "Theme or country", "Measure", "Currency", "Value"]
    expected = {
        ("All calls", "Projects funded", "", ""): "4",
        ("All calls", "Projects completed", "", ""): "1",
        ("All calls", "Money awarded", "", "CAD"): "8000.00",
        ("All calls", "Money paid", "", "CAD"): "4000.00",
        ("All calls", "Money awarded", "", "EUR"): "1000.00",
        ("All calls", "Money paid", "", "EUR"): "500.00",
        ("All calls", "Approved milestones", "", ""): "4",
        ("All calls", "Milestones on time", "", ""): "3",
        ("All calls", "Milestones on time (%)", "", ""): "75.0",
        ("Voices Against Hate", "Money awarded", "", "CAD"): "8000.00",
        ("Voices Against Hate", "Milestones on time (%)", "", ""): "66.7",
        ("Ponts numériques", "Money paid", "", "EUR"): "500.00",
        ("Ponts numériques", "Projects funded", "", ""): "1",
    }
    for (call, measure, group, currency), value in expected.items():
        assert _value(rows, call, measure, group=group, currency=currency) == value
    assert _value(rows, "All calls", "People reached", "Reach") == "280"
    assert _value(rows, "All calls", "Projects", "Reach by theme", "Counter-narratives") == "2"
    assert _value(rows, "All calls", "People reached", "Reach by theme", "Countering hate speech") == "200"
    assert _value(rows, "All calls", "Events held", "Reach by country", "Senegal") == "2"
    assert _value(rows, "Voices Against Hate", "People reached", "Reach by country", "France") == "50"
    # no row adds two currencies together
    assert not [row for row in rows if row["Section"] == "Money" and not row["Currency"]]
    assert {row["Call id"] for row in rows if row["Call"] == "Voices Against Hate"} == {str(world.call_a.id)}


def test_theme_rows_in_the_csv_count_a_project_twice_but_the_totals_once(world, login):
    rows = _rows(login(world.coordinator).get("/impact/report.csv"))

    theme_projects = sum(int(row["Value"]) for row in rows if row["Call"] == "All calls"
                         and row["Section"] == "Reach by theme" and row["Measure"] == "Projects")
    country_people = sum(int(row["Value"]) for row in rows if row["Call"] == "All calls"
                         and row["Section"] == "Reach by country" and row["Measure"] == "People reached")
    assert theme_projects == 5
    assert _value(rows, "All calls", "Projects", "Reach") == "4"
    assert country_people == 280


def test_a_calls_csv_holds_only_that_call(world, login):
    response = login(world.funder_a).get(f"/impact/calls/{world.call_a.id}.csv")

    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=impact-call-{world.call_a.id}-voices-against-hate.csv")
    rows = _rows(response)
    assert {row["Call"] for row in rows} == {"Voices Against Hate"}
    assert _value(rows, "Voices Against Hate", "Projects funded") == "3"
    assert {row["Currency"] for row in rows} == {"", "CAD"}


def test_a_funders_overall_csv_leaves_out_the_calls_they_do_not_manage(world, login):
    rows = _rows(login(world.funder_a).get("/impact/report.csv"))

    assert {row["Call"] for row in rows} == {"Voices Against Hate", "All calls"}
    assert "EUR" not in {row["Currency"] for row in rows}
    assert _value(rows, "All calls", "Projects funded") == "3"


def test_text_that_a_spreadsheet_would_run_is_neutralised(world, login):
    hostile = create_call(world.funder_a, title='=HYPERLINK("http://evil.example","Click")')
    create_project(call=hostile, approved=1)
    world.call_a.title = "@SUM(1+1)"
    db.session.flush()

    rows = _rows(login(world.funder_a).get("/impact/report.csv"))

    titles = {row["Call"] for row in rows}
    assert titles == {"'=HYPERLINK(\"http://evil.example\",\"Click\")", "'@SUM(1+1)", "All calls"}
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def test_the_csv_speaks_the_readers_language_and_keeps_accents(world, login):
    world.coordinator.locale = "fr"
    db.session.flush()

    rows = _rows(login(world.coordinator).get(f"/impact/calls/{world.call_b.id}.csv"))

    assert {row["Appel"] for row in rows} == {"Ponts numériques"}
    assert any(row["Thème ou pays"] == "Sénégal" for row in rows)


def test_a_call_with_nothing_funded_still_exports_its_zeros(world, login):
    empty = create_call(world.funder_a, title="Quiet call", currency="XOF")

    rows = _rows(login(world.funder_a).get(f"/impact/calls/{empty.id}.csv"))

    assert _value(rows, "Quiet call", "Projects funded") == "0"
    assert _value(rows, "Quiet call", "Money awarded", currency="XOF") == "0"
    assert _value(rows, "Quiet call", "Milestones on time (%)") == ""
