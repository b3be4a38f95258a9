"""The ranking page: its arithmetic worked out by hand on a small call, the quality floor, and its query count."""

from __future__ import annotations

import html
import math
import re

import pytest

from app.ledger import services as ledger
from app.ledger.balances import REFUND
from tests.conftest import sign_in
from tests.decisions.conftest import SCORES
from tests.factories import create_assignment, create_call, create_proposal, create_team, create_user
from tests.pages import checked_values, field_error, input_value, text


def _rows(response) -> list[list[str]]:
    """The ranking table's body rows, each as the text of its cells."""
    body = response.get_data(as_text=True)
    table = re.search(r'<table class="ranking">.*?<tbody>(.*?)</tbody>', body, flags=re.S).group(1)
    rows = []
    for row in re.findall(r"<tr\b.*?</tr>", table, flags=re.S):
        cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells])
    return rows


def _by_hand():
    """The calibration of conftest.SCORES, worked out with the closed form of a fully crossed design.

    Every reviewer scored every proposal, so the ridge solution is: mu = the grand mean; a_p = R (mean_p - mu) /
    (R + 0.1); b_r = P (mean_r - mu) / (P + 1.0). The uncertainty follows app.reviews.scoring's formula: sigma^2 =
    (residual sum of squares + 2 * 0.5^2) / (residual degrees of freedom + 2), variance = sigma^2 / (n + 0.1) +
    sum_r Var(b_r) / (n + 0.1)^2 with Var(b_r) = sigma^2 / (P + 1)."""
    means = {title: ((2 * a[0] + a[1]) / 3, (2 * b[0] + b[1]) / 3) for title, (a, b) in SCORES.items()}
    assert means == {"Podcast": (5, 4), "Murals": (3, 3), "Theatre": (2, 5)}
    P, R = 3, 2
    mu = sum(sum(pair) for pair in means.values()) / (P * R)  # 22 / 6
    a = {title: R * (sum(pair) / R - mu) / (R + 0.1) for title, pair in means.items()}
    reviewer_means = [sum(pair[r] for pair in means.values()) / P for r in range(R)]  # 10/3 and 4
    b = [P * (m - mu) / (P + 1.0) for m in reviewer_means]  # -0.25 and +0.25
    ssr = sum((pair[r] - mu - a[title] - b[r]) ** 2 for title, pair in means.items() for r in range(R))
    dof = 1 + P * R / (R + 0.1) + R * P / (P + 1.0)
    sigma2 = (ssr + 2 * 0.25) / (max(0.0, P * R - dof) + 2)
    variance = sigma2 / (R + 0.1) + R * (sigma2 / (P + 1.0)) / (R + 0.1) ** 2
    return {title: mu + a[title] for title in means}, math.sqrt(variance)


def test_the_page_shows_the_arithmetic_worked_out_by_hand(client, scene):
    sign_in(client, scene.owner)
    response = client.get(f"/decisions/calls/{scene.call.id}")
    assert response.status_code == 200
    page = text(response)
    # Pool 10,000.00, 1,000.00 already awarded.
    assert ("Pool CA$10,000.00 Received in the pool CA$10,000.00 Committed to awards CA$1,000.00 "
            "Available CA$9,000.00") in page

    calibrated, uncertainty = _by_hand()
    assert [round(calibrated[t], 2) for t in ("Podcast", "Theatre", "Murals")] == [4.46, 3.51, 3.03]
    rows = _rows(response)
    assert [row[2] for row in rows] == ["Podcast", "Theatre", "Murals", "Earlier award"]
    podcast, theatre, murals, earlier = rows
    # rank, title, team, requested, raw mean, calibrated, uncertainty, spread, reviews
    assert podcast[1:10] == ["1", "Podcast", "Team Podcast", "CA$4,000.00", "4.50", f"{calibrated['Podcast']:.2f}",
                             f"± {uncertainty:.2f}", "1.00", "2"]
    assert theatre[1:10] == ["2", "Theatre", "Team Theatre", "CA$5,000.00", "3.50", f"{calibrated['Theatre']:.2f}",
                             f"± {uncertainty:.2f}", "3.00", "2"]
    assert murals[1:10] == ["3", "Murals", "Team Murals", "CA$3,000.00", "3.00", f"{calibrated['Murals']:.2f}",
                            f"± {uncertainty:.2f}", "0.00", "2"]
    # Disagreement in words: reviewers 3 points apart; a 1 and a 5 on the same criterion.
    assert podcast[10] == "No"
    assert theatre[10] == "Yes: reviewers are 3.00 points apart"
    assert murals[10] == "Yes: a 1 and a 5 on Feasibility"
    # 9,000.00 left: Podcast (4,000.00) and Theatre (5,000.00) use it all; Murals is not reached. Every one of
    # them is within its uncertainty (± 1.04) of the funding line (Theatre's 3.51).
    assert uncertainty > calibrated["Podcast"] - calibrated["Theatre"]
    assert podcast[11] == "funded; for discussion: its uncertainty straddles the funding line"
    assert theatre[11] == "funded; for discussion: its uncertainty straddles the funding line"
    assert murals[11] == "not reached: the pool is used up before it; for discussion: its uncertainty straddles " \
                        "the funding line"
    assert podcast[12] == "in review"
    # A decided proposal stays in the table, without a rank or a suggestion.
    assert earlier[1] == "—" and earlier[11] == "—" and earlier[12] == "awarded CA$1,000.00"
    assert "The suggestion funds 2 proposals, for CA$9,000.00" in page


def test_the_quality_floor_changes_the_suggestion(client, scene):
    sign_in(client, scene.owner)
    rows = {row[2]: row for row in _rows(client.get(f"/decisions/calls/{scene.call.id}?floor=3.5"))}
    assert rows["Theatre"][11].startswith("funded")
    assert rows["Murals"][11] == "below the quality floor"

    response = client.get(f"/decisions/calls/{scene.call.id}?floor=4,0")  # a French decimal comma
    assert input_value(response, "floor") == "4,0"
    rows = {row[2]: row for row in _rows(response)}
    # Alone above the floor, it is the funding line itself, which its own uncertainty always straddles.
    assert rows["Podcast"][11] == "funded; for discussion: its uncertainty straddles the funding line"
    assert rows["Theatre"][11] == "below the quality floor"
    assert "The suggestion funds 1 proposal, for CA$4,000.00" in text(response)


def test_a_smaller_pool_skips_a_proposal_that_no_longer_fits(client, scene):
    # A thousand dollars of the contributions went back: 8,000.00 left; Podcast fits, Theatre (5,000.00) does
    # not, Murals does.
    ledger.record(scene.call, REFUND, 100_000, memo="Returned to the funder")
    sign_in(client, scene.owner)
    rows = {row[2]: row for row in _rows(client.get(f"/decisions/calls/{scene.call.id}"))}
    assert rows["Podcast"][11].startswith("funded")
    assert rows["Theatre"][11].startswith("does not fit: asks CA$5,000.00, CA$4,000.00 left")
    assert rows["Murals"][11].startswith("funded")


@pytest.mark.parametrize("typed", ["abc", "0.5", "7", "nan", "3..5"])
def test_a_bad_floor_is_explained_next_to_the_field_and_the_page_still_renders(client, scene, typed):
    sign_in(client, scene.owner)
    response = client.get(f"/decisions/calls/{scene.call.id}", query_string={"floor": typed})
    assert response.status_code == 200
    assert field_error(response, "floor") == "Enter a score from 1 to 5, like 3 or 3.5."
    assert input_value(response, "floor") == typed
    assert len(_rows(response)) == 4  # the ranking, with the default floor of 3
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_award_the_suggested_set_preselects_the_suggested_rows(client, scene):
    sign_in(client, scene.owner)
    plain = client.get(f"/decisions/calls/{scene.call.id}")
    assert checked_values(plain, "proposal") == []
    link = re.search(r'href="([^"]*select=suggested[^"]*)"', plain.get_data(as_text=True)).group(1)
    response = client.get(html.unescape(link))
    ids = {str(scene.proposals["Podcast"].id), str(scene.proposals["Theatre"].id)}
    assert set(checked_values(response, "proposal")) == ids
    assert checked_values(response, "bulk-action") == ["award"]


def test_the_manage_page_links_to_the_ranking_for_its_managers(client, scene):
    sign_in(client, scene.owner)
    body = client.get(f"/calls/{scene.call.id}/manage").get_data(as_text=True)
    assert f'href="/decisions/calls/{scene.call.id}"' in body


def _call_with(count: int):
    owner = create_user("funder")
    call = create_call(owner, state="closed", opens_in_days=-30, closes_in_days=-1, pool=100_000_000,
                       max_award=500_000)
    reviewers = [create_user("mentor") for _ in range(3)]
    for index in range(count):
        proposal = create_proposal(create_team(create_user(), create_user()), call, state="in_review")
        for offset in range(2):
            create_assignment(proposal, reviewers[(index + offset) % 3], state="submitted",
                              scores=[1 + (index + offset) % 5, None])
    create_proposal(create_team(), call, state="awarded", amount=100_000)
    return owner, call


def test_the_page_sends_as_many_queries_for_12_proposals_as_for_3(client, count_queries):
    counts = []
    for size in (3, 12):
        owner, call = _call_with(size)
        sign_in(client, owner)
        client.get(f"/decisions/calls/{call.id}")  # warm up: the first request loads templates
        number = count_queries(lambda call=call: client.get(f"/decisions/calls/{call.id}"))
        counts.append(number)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("other_funder", 403), ("mentor", 403),
                                               ("coordinator", 200), ("owner", 200)])
def test_only_the_calls_managers_see_the_ranking(client, scene, who, status):
    people = {"member": lambda: scene.leads["Podcast"], "other_funder": lambda: create_user("funder"),
              "mentor": lambda: create_user("mentor"), "coordinator": lambda: create_user("coordinator"),
              "owner": lambda: scene.owner}
    sign_in(client, people[who]())
    assert client.get(f"/decisions/calls/{scene.call.id}").status_code == status


def test_anonymous_people_are_sent_to_sign_in(client, scene):
    response = client.get(f"/decisions/calls/{scene.call.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin?next=")


def test_an_unknown_call_is_not_found(client, scene):
    sign_in(client, scene.owner)
    assert client.get("/decisions/calls/999999").status_code == 404
