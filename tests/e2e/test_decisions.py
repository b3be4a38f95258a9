"""Ranking and decisions in a real browser: the funder opens the ranking of a closed call, sets the quality floor,
awards one proposal a smaller amount and requests changes on another; the second team's lead edits the proposal
and resubmits it, and it is back in review. Elements are found by label and role; axe checks every page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e

# Two reviews each, on the factory's rubric (Impact counts twice, Feasibility once).
REVIEWS = {
    "first": ([5, 4], [4, 5]),
    "second": ([4, 3], [3, 4]),
    "third": ([3, 2], [2, 1]),
}


def _committed(live_server, build):
    with live_server.app.app_context():
        result = build()
        db.commit()
        return result


def _setup(live_server, tag: str) -> dict:
    """A closed call managed by a funder, three proposals in review, each with two submitted reviews."""
    def build():
        funder = factories.create_user("funder", email=f"funder-{tag}@example.org", name=f"Flora Funder{tag}")
        reviewers = [factories.create_user("mentor", name=f"Reviewer {n} {tag}") for n in (1, 2)]
        call = factories.create_call(funder, title=f"Digital Bridges {tag}", state="closed", opens_in_days=-30,
                                     closes_in_days=-1, pool=1_000_000, max_award=500_000)
        proposals = {}
        for key, scores in REVIEWS.items():
            lead = factories.create_user(email=f"{key}-{tag}@example.org", name=f"{key.title()} Lead{tag}")
            team = factories.create_team(lead, factories.create_user(), name=f"Team {key} {tag}")
            proposal = factories.create_proposal(team, call, state="in_review", title=f"Project {key} {tag}",
                                                 amount=400_000)
            for reviewer, values in zip(reviewers, scores, strict=True):
                factories.create_assignment(proposal, reviewer, state="submitted", scores=values)
            proposals[key] = {"id": proposal.id, "title": proposal.title, "lead": lead.email}
        return {"call_id": call.id, "call_title": call.title, "funder": funder.email, "proposals": proposals}
    return _committed(live_server, build)


def test_the_funder_decides_and_the_team_answers_a_request_for_changes(live_server, new_page):
    tag = uuid.uuid4().hex[:6]
    data = _setup(live_server, tag)
    first, second = data["proposals"]["first"], data["proposals"]["second"]

    # -- the funder opens the ranking from the call's management page ---------------------------------------
    funder = new_page()
    visit(funder, "/signin")
    sign_in(funder, data["funder"], factories.PASSWORD)
    visit(funder, f"/calls/{data['call_id']}/manage")
    funder.get_by_role("link", name="Ranking and decisions").click()
    expect(heading(funder, f"Ranking and decisions: {data['call_title']}")).to_be_visible()
    check_accessibility(funder)
    table = funder.get_by_role("table", name=f"Proposals of “{data['call_title']}”, best calibrated score first")
    expect(table.get_by_role("row")).to_have_count(4)  # the header and three proposals
    expect(table.get_by_role("row").nth(1)).to_contain_text(first["title"])

    # -- a quality floor out of range is explained; then 3.4 leaves the third proposal below it -------------
    funder.get_by_label("Quality floor").fill("9")
    funder.get_by_role("button", name="Update the suggestion").click()
    expect(funder.get_by_text("Enter a score from 1 to 5, like 3 or 3.5.")).to_be_visible()
    check_accessibility(funder)
    funder.get_by_label("Quality floor").fill("3.4")
    funder.get_by_role("button", name="Update the suggestion").click()
    third_row = table.get_by_role("row").filter(has_text=data["proposals"]["third"]["title"])
    expect(third_row).to_contain_text("below the quality floor")
    check_accessibility(funder)

    # -- award the first proposal a smaller amount: the departure needs a reason -----------------------------
    decide = funder.get_by_role("region", name=first["title"])
    decide.get_by_role("radio", name="Award").check()
    expect(decide.get_by_label("Amount to award")).to_have_value("4000")  # what the team asked for
    decide.get_by_label("Amount to award").fill("3000")
    decide.get_by_label("Justification").fill("A strong plan; the equipment line can be smaller.")
    decide.get_by_role("button", name=f"Record the decision on “{first['title']}”").click()
    decide = funder.get_by_role("region", name=first["title"])
    expect(decide.get_by_text(re.compile(r"This decision departs from the suggestion \(the suggestion funds the "
                                         r"amount requested, CA\$4,000\.00\): say why\.")).first).to_be_visible()
    expect(decide.get_by_label("Amount to award")).to_have_value("3000")
    expect(decide.get_by_label("Justification")).to_have_value("A strong plan; the equipment line can be smaller.")
    check_accessibility(funder)
    decide.get_by_label("Reason for departing from the suggestion").fill("The school lends two microphones.")
    decide.get_by_role("button", name=f"Record the decision on “{first['title']}”").click()
    expect(flash(funder, f"“{first['title']}” is awarded CA$3,000.00. The team has been told by email.")) \
        .to_be_visible()
    expect(funder.get_by_role("term").filter(has_text="Available")).to_be_visible()
    expect(funder.get_by_role("definition").filter(has_text="CA$7,000.00")).to_be_visible()
    check_accessibility(funder)

    # -- request changes on the second ---------------------------------------------------------------------
    decide = funder.get_by_role("region", name=second["title"])
    decide.get_by_role("radio", name="Request changes").check()
    decide.get_by_label("Justification").fill("Say how you will reach students outside Montréal.")
    decide.get_by_label("Reason for departing from the suggestion").fill("The reach is unclear to the panel.")
    decide.get_by_role("button", name=f"Record the decision on “{second['title']}”").click()
    expect(flash(funder, f"Changes are requested on “{second['title']}”. The team has been told what to change "
                         "by email.")).to_be_visible()
    table = funder.get_by_role("table", name=f"Proposals of “{data['call_title']}”, best calibrated score first")
    expect(table.get_by_role("row").filter(has_text=first["title"])).to_contain_text("awarded CA$3,000.00")
    expect(table.get_by_role("row").filter(has_text=second["title"])).to_contain_text("changes requested")
    expect(funder.get_by_role("region", name=first["title"])).to_have_count(0)  # decided: no form any more
    check_accessibility(funder)

    # -- the second team's lead edits and resubmits ---------------------------------------------------------
    lead = new_page()
    visit(lead, "/signin")
    sign_in(lead, second["lead"], factories.PASSWORD)
    visit(lead, f"/proposals/{second['id']}")
    expect(heading(lead, second["title"])).to_be_visible()
    expect(lead.get_by_text("Say how you will reach students outside Montréal.").first).to_be_visible()
    lead.get_by_role("link", name="Edit the proposal").click()
    expect(heading(lead, "Edit the proposal")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_label("Audience").fill("Students in Montréal, Gatineau and Rimouski, reached through school clubs.")
    lead.get_by_role("button", name="Resubmit the proposal").click()
    expect(flash(lead, "Your proposal is submitted. Your team has been told by email.")).to_be_visible()
    expect(lead.get_by_text("in review").first).to_be_visible()
    check_accessibility(lead)

    # -- and the funder sees it back in review --------------------------------------------------------------
    funder.reload()
    table = funder.get_by_role("table", name=f"Proposals of “{data['call_title']}”, best calibrated score first")
    expect(table.get_by_role("row").filter(has_text=second["title"])).to_contain_text("in review")
    expect(funder.get_by_role("region", name=second["title"])).to_be_visible()
    check_accessibility(funder)
