"""Screening, reviewer assignment and reviewing in a real browser: a coordinator screens two proposals and
assigns reviewers as suggested; one reviewer declares a conflict, another scores with one criterion "not
applicable" and then reads the other review. Elements are found by label and role; axe checks every page."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import db
from app.db import utcnow
from app.reviews import services
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e


def _committed(live_server, build):
    with live_server.app.app_context():
        result = build()
        db.commit()
        return result


def _setup(live_server, tag: str) -> dict:
    """A closed call (Impact must be scored, Reach may be "not applicable"; two reviews per proposal) with two
    proposals submitted before the deadline, a coordinator and three reviewers."""
    def build():
        people = {
            "coordinator": factories.create_user("coordinator", email=f"coord-{tag}@example.org",
                                                 name=f"Camille Coord{tag}"),
            "conflicted": factories.create_user("mentor", email=f"alex-{tag}@example.org", name=f"Alex Ambroise{tag}"),
            "scorer": factories.create_user("funder", email=f"bea-{tag}@example.org", name=f"Béatrice Bernard{tag}"),
            "earlier": factories.create_user("funder", email=f"dana-{tag}@example.org", name=f"Dana Dubois{tag}"),
        }
        call = factories.create_call(title=f"Voices Against Hate {tag}", state="closed", opens_in_days=-30,
                                     closes_in_days=-1, min_reviews=2, review_deadline=utcnow() + timedelta(days=14),
                                     criteria=[("Impact", 2, False), ("Reach", 1, True)])
        proposals = {}
        for key, title in (("kept", f"Micro ouvert {tag}"), ("declined", f"Adults Only {tag}")):
            team = factories.create_team(factories.create_user(), factories.create_user(), name=f"Team {key} {tag}")
            proposal = factories.create_proposal(team, call, state="submitted", title=title)
            proposal.submitted_at = call.closes_at - timedelta(days=1)
            proposals[key] = proposal
        db.session.flush()
        return {
            "call_id": call.id, "call_title": call.title,
            "emails": {key: user.email for key, user in people.items()},
            "names": {key: user.display_name for key, user in people.items()},
            "ids": {key: user.id for key, user in people.items()},
            "proposals": {key: (p.id, p.title, p.team.name) for key, p in proposals.items()},
        }
    return _committed(live_server, build)


def _earlier_review(live_server, data: dict) -> None:
    """A third reviewer has already scored the kept proposal, so there is another review to read afterwards."""
    from app.accounts.models import User
    from app.proposals.models import Proposal

    def build():
        proposal = db.session.get(Proposal, data["proposals"]["kept"][0])
        reviewer = db.session.get(User, data["ids"]["earlier"])
        coordinator = db.session.get(User, data["ids"]["coordinator"])
        assignment = services.assign(coordinator, proposal, reviewer)
        services.accept(assignment)
        impact, reach = proposal.call.criteria
        services.submit_review(assignment, scores={impact.id: 3, reach.id: 3}, comments={impact.id: "Solid."},
                               recommendation="fund", comment="Clear plan, modest reach.")
    _committed(live_server, build)


def test_screen_assign_declare_a_conflict_score_and_read_the_other_reviews(live_server, new_page):
    tag = uuid.uuid4().hex[:6]
    data = _setup(live_server, tag)
    kept_id, kept_title, kept_team = data["proposals"]["kept"]
    _declined_id, declined_title, _ = data["proposals"]["declined"]

    # -- the coordinator screens ------------------------------------------------------------------------
    coordinator = new_page()
    visit(coordinator, "/signin")
    sign_in(coordinator, data["emails"]["coordinator"], factories.PASSWORD)
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(heading(coordinator, "Your reviews")).to_be_visible()
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name=f"Screen 2 proposals — {data['call_title']}").click()
    expect(heading(coordinator, f"Screening: {data['call_title']}")).to_be_visible()
    check_accessibility(coordinator)

    kept = coordinator.get_by_role("region", name=kept_title)
    expect(kept.get_by_text("All checks pass.")).to_be_visible()
    kept.get_by_role("button", name="Pass to review").click()
    expect(flash(coordinator, f"“{kept_title}” is passed to review. Assign its reviewers on the assignments page."))\
        .to_be_visible()
    check_accessibility(coordinator)

    declined = coordinator.get_by_role("region", name=declined_title)
    declined.get_by_role("button", name="Decline").click()
    expect(declined.get_by_text("Give a reason: the team reads it on their proposal's page and in an email."))\
        .to_be_visible()
    check_accessibility(coordinator)
    declined = coordinator.get_by_role("region", name=declined_title)
    declined.get_by_label("Reason for declining").fill("The project is for adults; this call funds youth-led work.")
    declined.get_by_role("button", name="Decline").click()
    expect(flash(coordinator, f"“{declined_title}” is declined. The team has been told why by email.")).to_be_visible()
    expect(coordinator.get_by_text("No proposal waits for screening in this call.")).to_be_visible()
    check_accessibility(coordinator)

    # -- the coordinator assigns reviewers as suggested --------------------------------------------------
    coordinator.get_by_role("link", name="Assign reviewers to the proposals in review").click()
    expect(heading(coordinator, f"Reviewers: {data['call_title']}")).to_be_visible()
    check_accessibility(coordinator)
    pool = coordinator.get_by_role("group", name=re.compile("^Reviewers to share the work"))
    pool.get_by_role("checkbox", name=re.compile(f"^{data['names']['conflicted']} ")).check()
    pool.get_by_role("checkbox", name=re.compile(f"^{data['names']['scorer']} ")).check()
    coordinator.get_by_role("button", name="Suggest assignments").click()
    suggested = coordinator.get_by_role("table", name="New reviewers suggested for each proposal")
    row = suggested.get_by_role("row").filter(has_text=kept_title)
    expect(row).to_contain_text(data["names"]["conflicted"])
    expect(row).to_contain_text(data["names"]["scorer"])
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Assign as suggested").click()
    expect(flash(coordinator, "2 reviews are assigned. The reviewers have been told by email.")).to_be_visible()
    reviewers = coordinator.get_by_role("table", name=f"Reviewers of “{kept_title}”")
    expect(reviewers.get_by_role("row")).to_have_count(3)  # the header and two reviewers
    check_accessibility(coordinator)

    # -- reviewer A declares a conflict before seeing the proposal -------------------------------------------
    conflicted = new_page()
    visit(conflicted, "/signin")
    sign_in(conflicted, data["emails"]["conflicted"], factories.PASSWORD)
    conflicted.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(heading(conflicted, "Your reviews")).to_be_visible()
    expect(conflicted.get_by_text(kept_title)).to_have_count(0)
    check_accessibility(conflicted)
    conflicted.get_by_role("link", name=f"Proposal #{kept_id}").click()
    expect(heading(conflicted, "Do you have a conflict of interest with this team?", level=2)).to_be_visible()
    expect(conflicted.get_by_text(kept_team, exact=True)).to_be_visible()
    expect(conflicted.get_by_text(kept_title)).to_have_count(0)
    check_accessibility(conflicted)
    conflicted.get_by_label("What is the conflict?").fill("I coach two of its members at my youth centre.")
    conflicted.get_by_role("button", name="I have a conflict").click()
    expect(flash(conflicted, "Thank you for telling us. You will not see this proposal; the coordinators will ask "
                             "someone else.")).to_be_visible()
    expect(heading(conflicted, "You declared a conflict of interest", level=2)).to_be_visible()
    expect(conflicted.get_by_text("Podcasts by teenagers.")).to_have_count(0)
    check_accessibility(conflicted)

    _earlier_review(live_server, data)

    # -- reviewer B says there is no conflict, scores, and then reads the other review -------------------------
    scorer = new_page()
    visit(scorer, "/signin")
    sign_in(scorer, data["emails"]["scorer"], factories.PASSWORD)
    scorer.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    check_accessibility(scorer)
    scorer.get_by_role("link", name=f"Proposal #{kept_id}").click()
    expect(heading(scorer, f"Review: Proposal #{kept_id}")).to_be_visible()
    check_accessibility(scorer)
    scorer.get_by_role("button", name="I have no conflict, show me the proposal").click()
    expect(heading(scorer, f"Review: {kept_title}")).to_be_visible()
    expect(scorer.get_by_text("Podcasts by teenagers.")).to_be_visible()
    expect(scorer.get_by_role("heading", name="Other reviews")).to_have_count(0)
    check_accessibility(scorer)

    impact = scorer.get_by_role("group", name=re.compile("^Impact"))
    impact.get_by_role("radio", name="4 — Very good").check()
    impact.get_by_label("Your comment on “Impact” (optional)").fill("Reaches teenagers where they are.")
    reach = scorer.get_by_role("group", name=re.compile("^Reach"))
    reach.get_by_role("radio", name="Not applicable").check()
    scorer.get_by_label("Overall comment (optional)").fill("Fund it; ask for a plan to measure reach.")
    scorer.get_by_role("button", name="Submit the review").click()  # no recommendation yet

    expect(scorer.get_by_role("alert").get_by_text("There is 1 problem to fix")).to_be_visible()
    expect(scorer.get_by_role("group", name=re.compile("^Impact")).get_by_role("radio", name="4 — Very good"))\
        .to_be_checked()
    expect(scorer.get_by_label("Overall comment (optional)")).to_have_value("Fund it; ask for a plan to measure reach.")
    check_accessibility(scorer)
    scorer.get_by_role("group", name=re.compile("^Your recommendation")).get_by_role("radio", name="Fund with changes")\
        .check()
    scorer.get_by_role("button", name="Submit the review").click()

    expect(flash(scorer, "Your review is submitted. Thank you.")).to_be_visible()
    own = scorer.get_by_role("region", name="Your review")
    expect(own.get_by_text("Weighted mean: 4.0 out of 5")).to_be_visible()
    expect(own.get_by_role("cell", name="Not applicable")).to_be_visible()
    others = scorer.get_by_role("region", name="Other reviews")
    expect(others.get_by_role("heading", name="Reviewer 1")).to_be_visible()
    expect(others.get_by_text("Clear plan, modest reach.")).to_be_visible()
    expect(others.get_by_text(data["names"]["earlier"])).to_have_count(0)
    check_accessibility(scorer)
