"""What the page benchmark led to: the ranking in pages of twenty lines (the order and the suggestion over the
whole call), a call's calibration computed once per set of reviews, and the public calls list cached by HTTP."""

from __future__ import annotations

import re

import pytest

from app import db
from app.decisions.views import LINES_PER_PAGE
from app.reviews import services as reviews
from tests.conftest import post, sign_in
from tests.decisions.test_ranking_page import _rows
from tests.factories import create_assignment, create_call, create_proposal, create_team, create_user

IN_REVIEW = LINES_PER_PAGE + 5


@pytest.fixture
def big_call():
    """A closed call with 25 proposals in review, each scored by the same two reviewers, the best last."""
    owner = create_user("funder", name="Fanny Funder")
    call = create_call(owner, title="Crowded Call", state="closed", opens_in_days=-30, closes_in_days=-1,
                       pool=10_000_000, max_award=500_000)
    reviewers = (create_user("mentor"), create_user("funder"))
    proposals = []
    for number in range(IN_REVIEW):
        proposal = create_proposal(create_team(), call, state="in_review", title=f"Project {number:02d}",
                                   amount=100_000)
        score = 1 + number * 4 // (IN_REVIEW - 1)
        for reviewer in reviewers:
            create_assignment(proposal, reviewer, state="submitted", scores=[score, score])
        proposals.append(proposal)
    db.commit()
    return call, owner, proposals


def test_the_ranking_shows_twenty_lines_a_page_ranked_over_the_whole_call(client, big_call):
    call, owner, proposals = big_call
    sign_in(client, owner)
    first = client.get(f"/decisions/calls/{call.id}")
    second = client.get(f"/decisions/calls/{call.id}?page=2")
    assert first.status_code == second.status_code == 200
    first_rows, second_rows = _rows(first), _rows(second)
    assert len(first_rows) == LINES_PER_PAGE and len(second_rows) == IN_REVIEW - LINES_PER_PAGE
    assert [row[1] for row in first_rows + second_rows] == [str(rank) for rank in range(1, IN_REVIEW + 1)]
    # Best first, across the pages (equal scores in the order the proposals came).
    assert first_rows[0][2] == "Project 24" and second_rows[-1][2] == "Project 05"
    body = first.get_data(as_text=True)
    assert "Page 1 of 2" in body and f"/decisions/calls/{call.id}?page=2" in body.replace("&amp;", "&")
    # The suggestion is the whole call's: the pool funds every proposal above the floor, on both pages.
    assert "The suggestion funds" in body
    assert len(re.findall(r'id="decide-\d+"', body)) == LINES_PER_PAGE
    assert 'name="page" value="1"' in body and 'name="page" value="2"' in second.get_data(as_text=True)
    assert len(first.get_data()) < 100 * 1024


def test_a_decision_on_the_second_page_comes_back_to_it(client, big_call):
    call, owner, proposals = big_call
    sign_in(client, owner)
    worst = proposals[0]  # last in the ranking: on page 2
    response = post(client, f"/decisions/proposals/{worst.id}", {
        f"decide-{worst.id}-decision": "decline", f"decide-{worst.id}-justification": "Weakest of the call.",
        f"decide-{worst.id}-floor": "3", "page": "2"})
    assert response.status_code == 302 and "page=2" in response.headers["Location"]
    missing = post(client, f"/decisions/proposals/{proposals[1].id}", {
        f"decide-{proposals[1].id}-decision": "decline", f"decide-{proposals[1].id}-floor": "3", "page": "1"})
    assert missing.status_code == 400  # no justification: the page shown again is the one holding the proposal
    assert f'id="decide-{proposals[1].id}"' in missing.get_data(as_text=True)


def test_a_new_review_changes_the_ranking_at_once(client, big_call):
    call, owner, proposals = big_call
    sign_in(client, owner)
    assert client.get(f"/decisions/calls/{call.id}").status_code == 200
    before = reviews.call_calibration(call)
    assert reviews.call_calibration(call) is before  # computed once for the same reviews
    create_assignment(proposals[0], create_user("funder"), state="submitted", scores=[5, 5])
    db.commit()
    after = reviews.call_calibration(call)
    assert after is not before and after.proposals[proposals[0].id].n_reviews == 3
    rows = _rows(client.get(f"/decisions/calls/{call.id}")) + _rows(client.get(f"/decisions/calls/{call.id}?page=2"))
    assert next(row for row in rows if row[2] == "Project 00")[9] == "3"


def test_the_public_calls_list_is_cached_for_a_minute_and_revalidated(client, new_client):
    create_call(title="Open Call")
    db.commit()
    first = client.get("/calls/")
    assert first.status_code == 200 and first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"] and "max-age=60" in first.headers["Cache-Control"]
    again = new_client().get("/calls/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()
    sign_in(client, create_user())
    signed_in = client.get("/calls/")
    assert signed_in.status_code == 200 and "ETag" not in signed_in.headers
    assert "public" not in (signed_in.headers.get("Cache-Control") or "")
