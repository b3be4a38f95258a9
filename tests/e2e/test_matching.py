"""A matching round in a real browser: the coordinator runs it, swaps one match with a reason and confirms;
the mentor accepts the team and comments on its draft; the team reads the comment. Elements are found by label
and role; axe checks every page.

The teams and mentors speak Esperanto and Swahili, which no other test's people do, so the round pairs them
with each other whatever else the shared end-to-end database holds."""

from __future__ import annotations

import re
import uuid

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
        minor = factories.create_user(age=15, consent="given", name=f"Malik {tag}")
        voices = factories.create_team(lead, minor, name=f"Les Voix {tag}")
        voices.languages = ["eo"]
        mic = factories.create_team(factories.create_user(name=f"Eli {tag}"), name=f"Open Mic {tag}")
        mic.languages = ["sw"]
        for team, need in ((voices, "video"), (mic, "web")):
            db.session.add(TeamNeeds(team_id=team.id, needs=[need], timezone="America/Toronto"))
        vera = factories.create_mentor(factories.create_user("mentor", email=f"vera-{tag}@example.org",
                                                             name=f"Vera Vetted{tag}"),
                                       languages=("eo", "sw"), expertise=("video",), capacity=1)
        factories.create_mentor(name=f"Uma Unvetted{tag}", vetted=False, languages=("sw",), expertise=("web",),
                                capacity=1)
        factories.create_mentor(name=f"Sam Spare{tag}", languages=("sw",), expertise=("design",), capacity=1)
        draft = factories.create_proposal(voices, factories.create_call(), state="draft", title=f"Balado {tag}")
        db.commit()
        return {"coordinator": coordinator.email, "lead": lead.email, "vera": vera.email, "draft": draft.id}


def test_a_coordinator_runs_a_round_and_the_mentor_starts_coaching(live_server, new_page):
    tag = uuid.uuid4().hex[:6]
    data = _setup(live_server, tag)

    coordinator = new_page()
    visit(coordinator, "/signin")
    sign_in(coordinator, data["coordinator"], factories.PASSWORD)
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
    vera = new_page()
    visit(vera, "/signin")
    sign_in(vera, data["vera"], factories.PASSWORD)
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
