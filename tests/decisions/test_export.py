"""The CSV export of a call's proposals, scores and decisions, read back with the csv module."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import post, sign_in
from tests.factories import create_assignment, create_call, create_proposal, create_team, create_user


def _read(response) -> list[dict[str, str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so spreadsheet apps read UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_one_row_per_proposal_with_scores_decisions_and_criterion_means(client, scene):
    podcast = scene.proposals["Podcast"]
    sign_in(client, scene.owner)
    post(client, f"/decisions/proposals/{podcast.id}", {
        f"decide-{podcast.id}-decision": "award", f"decide-{podcast.id}-amount": "3500.50",
        f"decide-{podcast.id}-justification": "Yes.", f"decide-{podcast.id}-departure_reason": "Trimmed travel."})
    draft = create_proposal(create_team(), scene.call, state="draft", title="A draft")  # the team's own, not exported

    response = client.get(f"/decisions/calls/{scene.call.id}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=call-{scene.call.id}-voices-2027-decisions.csv")
    rows = _read(response)
    assert [row["Title"] for row in rows] == ["Podcast", "Theatre", "Murals", "Earlier award"]
    assert draft.id not in [int(row["Proposal id"]) for row in rows]
    by_title = {row["Title"]: row for row in rows}
    podcast_row = by_title["Podcast"]
    assert podcast_row == {
        "Proposal id": str(podcast.id), "Title": "Podcast", "Team": "Team Podcast", "State": "awarded",
        "Currency": "CAD", "Amount requested": "4000.00", "Amount awarded": "3500.50", "Rank": "1",
        "Raw mean": "4.50", "Calibrated score": "4.46", "Uncertainty": "1.04", "Spread": "1.00", "Reviews": "2",
        "Disagreement": "No", "Suggestion": "", "Impact (mean)": "4.50", "Feasibility (mean)": "4.50",
    }
    theatre = by_title["Theatre"]
    assert theatre["State"] == "in review" and theatre["Amount awarded"] == ""
    assert theatre["Disagreement"] == "Yes: reviewers are 3.00 points apart"
    # 9,000.00 - 3,500.50 = 5,499.50 left: Theatre (5,000.00) fits, then Murals (3,000.00) does not.
    assert theatre["Suggestion"].startswith("funded")
    assert by_title["Murals"]["Suggestion"].startswith("does not fit: asks CA$3,000.00, CA$499.50 left")
    assert by_title["Murals"]["Impact (mean)"] == "3.00" and by_title["Murals"]["Feasibility (mean)"] == "3.00"
    assert by_title["Earlier award"]["Amount awarded"] == "1000.00" and by_title["Earlier award"]["Reviews"] == "0"


def test_not_applicable_is_left_out_of_a_criterions_mean(client, owner):
    call = create_call(owner, state="closed", opens_in_days=-30, closes_in_days=-1)
    proposal = create_proposal(create_team(), call, state="in_review", title="Radio")
    create_assignment(proposal, create_user("mentor"), state="submitted", scores=[4, None])
    create_assignment(proposal, create_user("mentor"), state="submitted", scores=[3, 2])
    sign_in(client, owner)
    [row] = _read(client.get(f"/decisions/calls/{call.id}/export.csv"))
    assert row["Impact (mean)"] == "3.50"
    assert row["Feasibility (mean)"] == "2.00"  # the one score given, not (2 + 0) / 2
    # Review means: 4 (n/a left out) and (3*2 + 2) / 3 = 2.67.
    assert row["Raw mean"] == "3.33"


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(client, owner):
    call = create_call(owner, state="closed", opens_in_days=-30, closes_in_days=-1,
                       criteria=[("=cmd|' /C calc'!A0", 1, False)])
    titles = ["=HYPERLINK(\"http://evil.example\")", "+SUM(1,2)", "-2+3", "@SUM(A1)", "Plain, with \"quotes\""]
    for title in titles:
        create_proposal(create_team(name=f"{title[:1]}team {title[-3:]}"), call, state="in_review", title=title)
    sign_in(client, owner)
    response = client.get(f"/decisions/calls/{call.id}/export.csv")
    rows = _read(response)
    assert sorted(row["Title"] for row in rows) == sorted(
        ["'=HYPERLINK(\"http://evil.example\")", "'+SUM(1,2)", "'-2+3", "'@SUM(A1)", "Plain, with \"quotes\""])
    assert all(not row["Team"].startswith(("=", "+", "-", "@")) for row in rows)
    header = next(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert "'=cmd|' /C calc'!A0 (mean)" in header


def test_a_currency_without_cents_and_an_unsafe_title(client, owner):
    call = create_call(owner, title='Voix d’été / "Dakar" 2027', currency="XOF", state="closed", opens_in_days=-30,
                       closes_in_days=-1, pool=5_000_000, max_award=1_000_000)
    create_proposal(create_team(), call, state="awarded", amount=750_000)
    sign_in(client, owner)
    response = client.get(f"/decisions/calls/{call.id}/export.csv")
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=call-{call.id}-voix-d-ete-dakar-2027-decisions.csv")
    [row] = _read(response)
    assert row["Currency"] == "XOF" and row["Amount requested"] == "750000" and row["Amount awarded"] == "750000"


def test_the_ranking_page_links_to_the_export_with_its_floor(client, scene):
    sign_in(client, scene.owner)
    body = client.get(f"/decisions/calls/{scene.call.id}?floor=3.5").get_data(as_text=True)
    assert f'href="/decisions/calls/{scene.call.id}/export.csv?floor=3.5"' in body
    rows = _read(client.get(f"/decisions/calls/{scene.call.id}/export.csv?floor=3.5"))
    assert {row["Title"]: row["Suggestion"] for row in rows}["Murals"] == "below the quality floor"
    assert client.get(f"/decisions/calls/{scene.call.id}/export.csv?floor=oops").status_code == 200


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("other_funder", 403), ("coordinator", 200)])
def test_only_coordinators_and_the_calls_funders_export(client, scene, who, status):
    people = {"member": lambda: scene.leads["Murals"], "other_funder": lambda: create_user("funder"),
              "coordinator": lambda: create_user("coordinator")}
    sign_in(client, people[who]())
    assert client.get(f"/decisions/calls/{scene.call.id}/export.csv").status_code == status


def test_anonymous_people_are_sent_to_sign_in(client, scene):
    response = client.get(f"/decisions/calls/{scene.call.id}/export.csv")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin?next=")
