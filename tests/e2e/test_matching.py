"""Mentoring from start to finish in a real browser: a mentor fills the profile; the coordinator records the
vetting, runs a matching round, swaps one match (forgetting the reason first) and confirms; the mentor accepts,
comments on the team's draft, starts a thread in the team's space and logs a meeting; a young member replies and
reports the mentor's message; the coordinator finds the report. Elements are found by label and role; axe
checks every page.

The teams and mentors work in Inuktitut and Wolof, which no other test's people do, so the round pairs them
with each other whatever else the shared end-to-end database holds."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app import db
from app.mentoring.models import TeamNeeds
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e


def _setup(live_server, tag: str) -> dict:
    with live_server.app.app_context():
        coordinator = factories.create_user("coordinator", email=f"coord-{tag}@example.org", name=f"Cora {tag}")
        lead = factories.create_user(email=f"lead-{tag}@example.org", name=f"Lina {tag}")
        minor = factories.create_user(age=15, consent="given", name=f"Malik {tag}", email=f"malik-{tag}@example.org")
        voices = factories.create_team(lead, minor, name=f"Les Voix {tag}")
        voices.languages = ["iu"]
        mic = factories.create_team(factories.create_user(name=f"Eli {tag}"), name=f"Open Mic {tag}")
        mic.languages = ["wo"]
        for team, need in ((voices, "video"), (mic, "web")):
            db.session.add(TeamNeeds(team_id=team.id, needs=[need], timezone="America/Toronto"))
        vera = factories.create_user("mentor", email=f"vera-{tag}@example.org", name=f"Vera Vetted{tag}")
        factories.create_mentor(name=f"Uma Unvetted{tag}", vetted=False, languages=("wo",), expertise=("web",),
                                capacity=1)
        factories.create_mentor(name=f"Sam Spare{tag}", languages=("wo",), expertise=("design",), capacity=1)
        draft = factories.create_proposal(voices, factories.create_call(), state="draft", title=f"Balado {tag}")
        db.commit()
        return {"coordinator": coordinator.email, "lead": lead.email, "vera": vera.email, "draft": draft.id,
                "minor": minor.email, "voices": voices.id}


def _fill_profile(vera, tag: str) -> None:
    vera.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    expect(heading(vera, "Your mentoring")).to_be_visible()
    check_accessibility(vera)
    vera.get_by_role("link", name="Your mentor profile").click()
    expect(heading(vera, "Your mentor profile")).to_be_visible()
    check_accessibility(vera)
    vera.get_by_role("group", name="Expertise").get_by_role("checkbox", name="Video and storytelling").check()
    languages = vera.get_by_role("group", name="Working languages")
    languages.get_by_role("checkbox", name="English").uncheck()
    languages.get_by_role("checkbox", name="Inuktitut").check()
    languages.get_by_role("checkbox", name="Wolof").check()
    vera.get_by_label("Time zone", exact=True).select_option("America/Toronto")
    vera.get_by_label("How many teams at once").fill("1")
    vera.get_by_label("Availability").fill("Weekday evenings")
    vera.get_by_label("Short bio").fill("Documentary editor.")
    vera.get_by_label("I have read and accept the mentor code of conduct").check()
    vera.get_by_role("button", name="Save my profile").click()
    expect(flash(vera, "Your mentor profile is saved.")).to_be_visible()
    check_accessibility(vera)


def _record_vetting(coordinator, name: str) -> None:
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Mentors").click()
    expect(heading(coordinator, "Mentors")).to_be_visible()
    coordinator.get_by_label("Name or email address").fill(name)
    coordinator.get_by_role("button", name="Search").click()
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name=name).click()
    expect(heading(coordinator, name)).to_be_visible()
    check_accessibility(coordinator)
    today = date.today()
    coordinator.get_by_label("Kind of check").select_option(label="Vulnerable sector check")
    coordinator.get_by_label("Date of the check").fill(today.isoformat())
    coordinator.get_by_label("Expiry date").fill((today + timedelta(days=730)).isoformat())
    coordinator.get_by_role("button", name="Record the check").click()
    expect(flash(coordinator, f"The vetting of {name} is recorded.")).to_be_visible()
    check_accessibility(coordinator)


def test_mentoring_from_profile_to_a_reported_message(live_server, new_page):
    tag = uuid.uuid4().hex[:6]
    data = _setup(live_server, tag)

    vera = new_page()
    visit(vera, "/signin")
    sign_in(vera, data["vera"], factories.PASSWORD)
    _fill_profile(vera, tag)

    coordinator = new_page()
    visit(coordinator, "/signin")
    sign_in(coordinator, data["coordinator"], factories.PASSWORD)
    _record_vetting(coordinator, f"Vera Vetted{tag}")
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Matching").click()
    expect(heading(coordinator, "Matching rounds")).to_be_visible()
    check_accessibility(coordinator)
    start = coordinator.get_by_role("button", name="Start a matching round")
    if start.count():
        start.click()
        expect(flash(coordinator, "The round is solved. Check each match, change what you must, then confirm."))\
            .to_be_visible()
    else:  # another journey left a round open: solve it again with today's teams
        coordinator.get_by_role("link", name=re.compile("^Continue the open round")).click()
        coordinator.get_by_role("button", name="Run the round again").click()
    check_accessibility(coordinator)

    voices = coordinator.get_by_role("region", name=f"Les Voix {tag}")
    expect(voices).to_contain_text(f"Vera Vetted{tag}")  # the only vetted mentor who speaks Esperanto
    expect(voices).to_contain_text("video and storytelling")
    mic = coordinator.get_by_role("region", name=f"Open Mic {tag}")
    expect(mic).to_contain_text(f"Uma Unvetted{tag}")  # an adult team: vetting is not needed

    # Swap Open Mic to Sam, forgetting the reason first: the choice is kept.
    mic.get_by_role("radio", name=re.compile(f"^Give the team to Sam Spare{tag} instead")).check()
    mic.get_by_role("button", name=f"Apply to “Open Mic {tag}”").click()
    mic = coordinator.get_by_role("region", name=f"Open Mic {tag}")
    expect(mic.get_by_text("Say why: the reason is kept with the round.")).to_be_visible()
    expect(mic.get_by_role("radio", name=re.compile(f"^Give the team to Sam Spare{tag} instead"))).to_be_checked()
    check_accessibility(coordinator)
    mic.get_by_label("Reason").fill("Sam already knows this youth centre.")
    mic.get_by_role("button", name=f"Apply to “Open Mic {tag}”").click()
    expect(flash(coordinator, f"Done for “Open Mic {tag}” (was with Uma Unvetted{tag}); the round is solved "
                              "again with your change.")).to_be_visible()
    mic = coordinator.get_by_role("region", name=f"Open Mic {tag}")
    expect(mic).to_contain_text(f"Sam Spare{tag}")
    expect(mic.get_by_text("locked")).to_be_visible()
    changes = coordinator.get_by_role("table", name="Locks, bans and swaps in this round, oldest first")
    expect(changes.get_by_role("row").filter(has_text="Sam already knows this youth centre.")).to_be_visible()
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Confirm the round and ask the mentors").click()
    expect(flash(coordinator, re.compile(r"^The round is confirmed: \d+ mentors are asked to accept their team\.$")))\
        .to_be_visible()
    check_accessibility(coordinator)

    # Vera accepts Les Voix, then comments on the team's draft.
    vera.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    expect(heading(vera, "Your mentoring")).to_be_visible()
    offer = vera.get_by_role("region", name=f"Les Voix {tag}")
    expect(offer).to_contain_text("Why you: video and storytelling")
    check_accessibility(vera)
    offer.get_by_role("button", name=f"Accept “Les Voix {tag}”").click()
    expect(flash(vera, f"You now mentor “Les Voix {tag}”. Say hello in the team's space.")).to_be_visible()
    check_accessibility(vera)
    visit(vera, f"/proposals/{data['draft']}")
    expect(heading(vera, f"Balado {tag}")).to_be_visible()
    expect(vera.get_by_label("Internal comment (reviewers and coordinators only)")).to_have_count(0)
    vera.get_by_label("Comment shared with the team").fill("Start with the episode you care most about.")
    vera.get_by_role("region", name="Comments shared with the team").get_by_role(
        "button", name="Post the comment").click()
    expect(flash(vera, "Your comment is posted.")).to_be_visible()
    check_accessibility(vera)

    # The team sees its mentor and reads the comment.
    lead = new_page()
    visit(lead, "/signin")
    sign_in(lead, data["lead"], factories.PASSWORD)
    visit(lead, f"/proposals/{data['draft']}")
    expect(lead.get_by_text("Start with the episode you care most about.")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_role("link", name=re.compile(r"^Notices \(\d+\)$")).click()
    expect(lead.get_by_role("link", name=f"Vera Vetted{tag} is now the mentor of “Les Voix {tag}”.")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_role("link", name=f"Vera Vetted{tag} is now the mentor of “Les Voix {tag}”.").click()
    expect(heading(lead, f"Mentoring: Les Voix {tag}")).to_be_visible()
    expect(lead.get_by_role("region", name=f"Vera Vetted{tag}")).to_contain_text("active")
    check_accessibility(lead)

    # Vera coaches in the team's space: a thread, then a meeting in the log.
    vera.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    vera.get_by_role("link", name=f"Space of “Les Voix {tag}”").click()
    expect(heading(vera, f"Team space of Les Voix {tag}")).to_be_visible()
    check_accessibility(vera)
    vera.get_by_label("Subject of the thread").fill("Your first episode")
    vera.get_by_label("First message").fill("Pick one story and record it this week.")
    vera.get_by_role("button", name="Start the thread").click()
    expect(flash(vera, "Your thread is started.")).to_be_visible()
    check_accessibility(vera)
    vera.get_by_role("navigation", name="Team space").get_by_role("link", name="Meeting log").click()
    vera.get_by_label("Length in minutes").fill("40")
    vera.get_by_label("Topics discussed").fill("Choosing the first story.")
    vera.get_by_role("button", name="Log the meeting").click()
    expect(flash(vera, "The meeting is logged. The team can read it here.")).to_be_visible()
    check_accessibility(vera)

    # Malik, 15, replies and reports Vera's message; the coordinator finds the report.
    malik = new_page()
    visit(malik, "/signin")
    sign_in(malik, data["minor"], factories.PASSWORD)
    visit(malik, f"/teams/{data['voices']}")
    malik.get_by_role("link", name="Team space").click()
    malik.get_by_role("link", name="Your first episode").click()
    expect(heading(malik, "Your first episode")).to_be_visible()
    check_accessibility(malik)
    malik.get_by_label("Your reply").fill("OK, I will.")
    malik.get_by_role("button", name="Post the message").click()
    expect(flash(malik, "Your message is posted.")).to_be_visible()
    malik.get_by_role("link", name=re.compile(f"^Report the message by Vera Vetted{tag}")).click()
    expect(heading(malik, "Report a concern")).to_be_visible()
    check_accessibility(malik)
    malik.get_by_role("radio", name="Harassment or bullying").check()
    malik.get_by_role("button", name="Send the report").click()
    expect(flash(malik, "Thank you: the coordinators have been told.")).to_be_visible()
    check_accessibility(malik)

    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Concerns \(\d+ open\)$"))\
        .click()
    expect(heading(coordinator, "Concerns reported")).to_be_visible()
    expect(coordinator.get_by_role("row").filter(has_text=f"Les Voix {tag}")).to_contain_text(f"Malik {tag}")
    check_accessibility(coordinator)
